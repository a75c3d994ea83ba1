"""Derived figures: everything a note says that the spec does not state outright.

Beat/miss against consensus, USD from the reporting currency, capex progress against plan, q/q and
y/y from the history. Each is computed here once, from the spec, and carries the sources it rests
on and a `derivation` saying how, so templates can mark it as derived. Templates, charts and email
all read this one `Derived` object and never do arithmetic themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from briefgen.derive import formatting as fmt
from briefgen.spec.model import (
    UNIT_FACTORS,
    Cited,
    Money,
    Percent,
    Qualifier,
    Segment,
    Source,
    Spec,
    Unit,
)


@dataclass(frozen=True)
class Figure:
    """A number ready to print: its value, how it reads, where it came from, how it was made."""

    value: float
    text: str
    sources: tuple[str, ...] = ()
    derivation: str | None = None  # set when briefgen (or the desk) computed it

    def __post_init__(self) -> None:
        # Figures combine sources of their inputs; list each once, in order.
        object.__setattr__(self, "sources", tuple(dict.fromkeys(self.sources)))

    @property
    def derived(self) -> bool:
        return self.derivation is not None


@dataclass(frozen=True)
class HistoryPoint:
    quarter_end: dt.date
    label: str
    revenue: float  # in the history's own unit
    growth_yoy: float | None  # reported, else computed from the row a year earlier
    growth_derivation: str | None = None  # how, when computed

    @property
    def growth_derived(self) -> bool:
        return self.growth_derivation is not None


@dataclass
class SegmentFigures:
    name: str
    revenue: Figure
    revenue_usd: Figure | None = None
    growth_yoy: Figure | None = None
    growth_qoq: Figure | None = None
    consensus_growth: Figure | None = None
    consensus_revenue: Figure | None = None
    consensus_provider: str | None = None
    beat_pp: Figure | None = None  # growth minus consensus growth
    beat_pct: Figure | None = None  # revenue against consensus revenue
    prior_quarter: Figure | None = None
    prior_year: Figure | None = None
    history: list[HistoryPoint] = field(default_factory=list)
    history_unit_label: str = ""  # e.g. "RMB m"
    history_sources: tuple[str, ...] = ()
    accelerating_quarters: int = 0  # consecutive quarters of faster y/y growth, to the latest
    note: str | None = None

    @property
    def verdict(self) -> str | None:
        """`beat`, `miss` or `in line` against consensus, when there is one."""
        gap = self.beat_pp or self.beat_pct
        if gap is None:
            return None
        if abs(gap.value) < 0.05:
            return "in line"
        return "beat" if gap.value > 0 else "miss"


@dataclass
class CapexFigures:
    plan_total: Figure
    horizon_years: int
    plan_scope: str | None
    annual_pace: Figure  # plan spread evenly over its horizon
    invested_trailing_4q: Figure | None = None
    invested_to_date: Figure | None = None
    share_of_plan: Figure | None = None  # invested / plan, in percent
    trailing_vs_pace: Figure | None = None  # trailing four quarters / annual pace, in percent
    outlook: str | None = None
    sources: tuple[str, ...] = ()


@dataclass
class MoveFigures:
    label: str  # "NYSE: BABA"
    qualifier: Qualifier
    exchange: str
    ticker: str
    date: dt.date
    session: str | None
    move: Figure


@dataclass
class QuarterFigures:
    """Every figure of one quarter that the note, its charts and its email use (the words made
    from them are added by `derive.derived`)."""

    headline: SegmentFigures
    segments: list[SegmentFigures]
    capex: CapexFigures | None
    moves: list[MoveFigures]
    sites_by_region: dict[str, int]
    listings_text: str
    sources: dict[str, Source]

    def source_line(self, ids: tuple[str, ...] | list[str]) -> str:
        """`Source: TradingKey (via Yahoo Finance), 1 Sep 2025; Alibaba Group, 29 Aug 2025`."""
        parts = []
        for source_id in dict.fromkeys(ids):
            source = self.sources.get(source_id)
            if source is None:
                continue
            via = f" (via {source.via})" if source.via else ""
            parts.append(f"{source.publisher}{via}, {fmt.date_short(source.date)}")
        return "Source: " + "; ".join(parts) if parts else ""


def _cited(figure: Cited, fallback: str | None) -> tuple[str, ...]:
    source = figure.source or fallback
    return (source,) if source else ()


# --- the one rule for derived figures ----------------------------------------------------------
#
# A derived figure's `derivation` is `EXPRESSION; GLOSS`: the expression names its inputs exactly
# as the note prints them (reported amounts at the precision the spec gave, `fmt.money_given`),
# joined by `/`, `−`, `×` and parentheses, so a reader who redoes the sum gets the printed result;
# the gloss after the semicolon says what the inputs are in words. tests/gallery recomputes every
# † in every gallery note from this text alone. Every derived number in briefgen is made here.


def computed(value: float, text: str, inputs: tuple[Figure, ...], expression: str,
             gloss: str | None = None) -> Figure:
    """A figure briefgen computed from `inputs` (their sources become its sources)."""
    sources = tuple(source for figure in inputs for source in figure.sources)
    derivation = expression + (f"; {gloss}" if gloss else "")
    return Figure(value, text, sources, derivation)


def change(newer: Figure, older: Figure, gloss: str | None = None) -> Figure:
    """`newer / older − 1`, in percent to one decimal (`+6.8%`)."""
    value = round((newer.value / older.value - 1) * 100, 1)
    return computed(value, fmt.percent(value, fixed=True), (newer, older),
                    f"{newer.text} / {older.text} − 1", gloss)


def share(part: Figure, whole: Figure, whole_text: str | None = None,
          gloss: str | None = None) -> Figure:
    """`part / whole` in whole percent (`79%`)."""
    value = part.value / whole.value * 100
    return computed(value, fmt.percent(value, signed=False, decimals=0), (part, whole),
                    f"{part.text} / {whole_text or whole.text}", gloss)


def gap_points(actual: Figure, expected: Figure, gloss: str | None = None) -> Figure:
    """`actual − expected` for two rates, in percentage points (`+7.6 pp`)."""
    value = round(actual.value - expected.value, 6)
    return computed(value, fmt.points(value), (actual, expected),
                    f"{_rate(actual)} − {_rate(expected)}", gloss)


def _rate(figure: Figure) -> str:
    """A rate inside an expression, without the leading + (`26%`, `−3%`)."""
    return figure.text.removeprefix("+")


def money_figure(amount: Money, fallback: str | None) -> Figure:
    """A reported (or desk-derived) amount, printed at the precision the spec gave."""
    text = fmt.money_given(amount.value, amount.unit, amount.currency, amount.qualifier)
    derivation = (amount.derivation or "as given in the spec") if amount.derived else None
    return Figure(amount.value * UNIT_FACTORS[amount.unit], text, _cited(amount, fallback),
                  derivation)


def percent_figure(rate: Percent, fallback: str | None) -> Figure:
    text = fmt.qualify(fmt.percent_given(rate.value), rate.qualifier)
    derivation = (rate.derivation or "as given in the spec") if rate.derived else None
    return Figure(rate.value, text, _cited(rate, fallback), derivation)


_money_figure = money_figure
_percent_figure = percent_figure


def _year_before(points: dict[dt.date, float], end: dt.date) -> tuple[dt.date, float] | None:
    for candidate, value in points.items():
        if abs((end - candidate).days - 365) <= 10:
            return candidate, value
    return None


def segment_figures(spec: Spec, segment: Segment) -> SegmentFigures:
    fallback = segment.source
    revenue = _money_figure(segment.revenue, fallback)
    result = SegmentFigures(segment.name, revenue, note=segment.note)
    currency = fmt.currency_label(segment.revenue.currency)
    fx = spec.company.fx_to_usd
    if fx and segment.revenue.currency == spec.company.reporting_currency:
        usd = revenue.value / fx.rate
        rate = Figure(fx.rate, fmt.given(fx.rate), _cited(fx, None))
        result.revenue_usd = computed(
            usd, fmt.money(usd, Unit.ones, "USD"), (revenue, rate),
            f"{revenue.text} / {rate.text}",
            f"{currency} per USD on {fmt.date_short(fx.date)}")
    if segment.growth_yoy:
        result.growth_yoy = _percent_figure(segment.growth_yoy, fallback)

    history = segment.history
    by_end: dict[dt.date, float] = {}
    if history:
        factor = UNIT_FACTORS[history.unit]
        result.history_unit_label = f"{fmt.currency_label(history.currency)} {history.unit.value}"
        result.history_sources = tuple(
            dict.fromkeys(s for s in [history.source, *(q.source for q in history.quarters)] if s)
        )
        hsrc = result.history_sources

        def amount(value: float) -> Figure:
            return Figure(value * factor, fmt.money_given(value, history.unit, history.currency),
                          hsrc)

        by_end = {q.quarter_end: q.revenue for q in history.quarters}
        for point in history.quarters:
            growth, how = point.growth_yoy, None
            prior = _year_before(by_end, point.quarter_end)
            if growth is None and prior:
                step = change(amount(point.revenue), amount(prior[1]),
                              f"{fmt.quarter_label(point.quarter_end)} against "
                              f"{fmt.quarter_label(prior[0])}")
                growth, how = step.value, step.derivation
            result.history.append(HistoryPoint(point.quarter_end, fmt.quarter_label(
                point.quarter_end), point.revenue, growth, how))
        result.accelerating_quarters = _accelerating(result.history, spec.period.quarter_end)
        current = by_end.get(spec.period.quarter_end)
        earlier = [end for end in by_end if end < spec.period.quarter_end]
        if current is not None and earlier:
            previous_end = max(earlier)
            result.prior_quarter = amount(by_end[previous_end])
            result.growth_qoq = change(
                amount(current), result.prior_quarter,
                f"{fmt.quarter_label(spec.period.quarter_end)} against "
                f"{fmt.quarter_label(previous_end)}")
        year_ago = _year_before(by_end, spec.period.quarter_end)
        if year_ago:
            result.prior_year = amount(year_ago[1])

    consensus = segment.consensus
    if consensus:
        result.consensus_provider = consensus.provider
        if consensus.growth_yoy:
            result.consensus_growth = _percent_figure(consensus.growth_yoy, fallback)
        if consensus.revenue:
            result.consensus_revenue = _money_figure(consensus.revenue, fallback)
            if result.consensus_growth is None and result.prior_year:
                # No growth consensus: derive it from the consensus value and last year's revenue.
                result.consensus_growth = change(
                    result.consensus_revenue, result.prior_year,
                    "consensus revenue against revenue a year earlier")
            result.beat_pct = change(revenue, result.consensus_revenue,
                                     "revenue against consensus revenue")
        if result.growth_yoy and result.consensus_growth:
            result.beat_pp = gap_points(result.growth_yoy, result.consensus_growth,
                                        "growth against consensus growth")
    return result


def _accelerating(history: list[HistoryPoint], quarter_end: dt.date) -> int:
    growth = [p.growth_yoy for p in history if p.quarter_end <= quarter_end]
    count = 0
    for newer, older in zip(reversed(growth), list(reversed(growth))[1:], strict=False):
        if newer is None or older is None or newer <= older:
            break
        count += 1
    return count


def capex_figures(spec: Spec) -> CapexFigures | None:
    capex = spec.capex
    if capex is None:
        return None
    fallback = capex.source
    plan = _money_figure(capex.plan_total, fallback)
    years = capex.horizon_years
    per_year = f"{plan.text} / {years}"
    pace_value = plan.value / years
    pace = computed(pace_value, fmt.money(pace_value, Unit.ones, capex.plan_total.currency),
                    (plan,), per_year, f"the plan spread evenly over {years} years")
    result = CapexFigures(plan, years, capex.plan_scope, pace,
                          outlook=capex.outlook, sources=tuple(s for s in [fallback] if s))
    if capex.invested_trailing_4q:
        invested = _money_figure(capex.invested_trailing_4q, fallback)
        result.invested_trailing_4q = invested
        if years > 1:  # against one year's guidance the pace is the plan: share_of_plan says it
            result.trailing_vs_pace = share(
                invested, pace, f"({per_year})",
                "invested over four quarters against the yearly pace")
    if capex.invested_to_date:
        result.invested_to_date = _money_figure(capex.invested_to_date, fallback)
    base = result.invested_to_date or result.invested_trailing_4q
    if base:
        result.share_of_plan = share(base, plan, gloss="invested against the plan")
    return result


def quarter_figures(spec: Spec) -> QuarterFigures:
    """Every derived figure of one spec (no words: `derive.derived.derive` adds those)."""
    segments = [segment_figures(spec, s) for s in spec.segments]
    headline = segments[spec.segments.index(spec.headline_segment)]
    capex = capex_figures(spec)
    listings = {listing.ticker: listing for listing in spec.company.listings}
    moves = [
        MoveFigures(f"{listings[m.listing].exchange}: {m.listing}", m.qualifier,
                    listings[m.listing].exchange,
                    m.listing, m.date, m.session,
                    Figure(m.move, fmt.qualify(fmt.percent_given(m.move), m.qualifier),
                           _cited(m, None)))
        for m in spec.market_reaction if m.listing in listings
    ]
    infra = spec.infrastructure
    sites = Counter(dc.region for dc in infra.new_data_centres) if infra else Counter()
    return QuarterFigures(
        headline=headline, segments=segments, capex=capex, moves=moves,
        sites_by_region=dict(sites),
        listings_text=", ".join(f"{item.exchange}: {item.ticker}"
                                for item in spec.company.listings),
        sources={s.id: s for s in spec.sources},
    )


__all__ = ["Figure", "Qualifier", "QuarterFigures", "quarter_figures"]
