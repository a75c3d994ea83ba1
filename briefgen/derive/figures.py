"""Derived figures: everything a note says that the spec does not state outright.

Beat/miss against consensus, USD from the reporting currency, capex progress against plan, q/q and
y/y from the history. Each is computed here once, from the spec, and carries the sources it rests
on and a `derivation` saying how, so templates can mark it as derived. Templates, charts and email
all read this one `Derived` object and never do arithmetic themselves.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from briefgen.derive.sentences import Sentence


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
class Derived:
    """Every figure the note, its charts and its email use."""

    headline: SegmentFigures
    segments: list[SegmentFigures]
    capex: CapexFigures | None
    moves: list[MoveFigures]
    sites_by_region: dict[str, int]
    standfirst: Sentence
    takeaways: list[Sentence]
    key_data: list[tuple[str, str]]
    subject: str
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


def _money_figure(amount: Money, fallback: str | None) -> Figure:
    text = fmt.money(amount.value, amount.unit, amount.currency, amount.qualifier)
    derivation = amount.derivation if amount.derived else None
    return Figure(amount.value * UNIT_FACTORS[amount.unit], text, _cited(amount, fallback),
                  derivation or (("as given in the spec") if amount.derived else None))


def _percent_figure(rate: Percent, fallback: str | None) -> Figure:
    text = fmt.qualify(fmt.percent(rate.value), rate.qualifier)
    derivation = (rate.derivation or "as given in the spec") if rate.derived else None
    return Figure(rate.value, text, _cited(rate, fallback), derivation)


def _ratio(numerator: float, denominator: float) -> float | None:
    """`numerator / denominator`, or None where no figure can be derived: a zero denominator
    (a plan or a consensus of 0) or a quotient beyond floats (1e15 / 1e-300). A figure that
    cannot be derived is left out of the note, like one the spec does not give."""
    if denominator == 0:
        return None
    quotient = numerator / denominator
    return quotient if math.isfinite(quotient) else None


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
    usd: float | None = None
    if fx and segment.revenue.currency == spec.company.reporting_currency:
        usd = _ratio(revenue.value, fx.rate)
    if fx and usd is not None:
        result.revenue_usd = Figure(
            usd, fmt.money(usd, Unit.ones, "USD"),
            revenue.sources + _cited(fx, None),
            f"{revenue.text} at {fx.rate:g} {currency} per USD ({fmt.date_short(fx.date)})",
        )
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
        by_end = {q.quarter_end: q.revenue for q in history.quarters}
        for point in history.quarters:
            growth, how = point.growth_yoy, None
            prior = _year_before(by_end, point.quarter_end)
            if growth is None and prior and (ratio := _ratio(point.revenue, prior[1])) is not None:
                growth = (ratio - 1) * 100
                how = (f"{fmt.quarter_label(point.quarter_end)} {point.revenue:,.0f} / "
                       f"{fmt.quarter_label(prior[0])} {prior[1]:,.0f} − 1 "
                       f"({result.history_unit_label})")
            result.history.append(HistoryPoint(point.quarter_end, fmt.quarter_label(
                point.quarter_end), point.revenue, growth, how))
        result.accelerating_quarters = _accelerating(result.history, spec.period.quarter_end)
        current = by_end.get(spec.period.quarter_end)
        earlier = [end for end in by_end if end < spec.period.quarter_end]
        hsrc = result.history_sources
        if current is not None and earlier:
            previous_end = max(earlier)
            previous = by_end[previous_end]
            result.prior_quarter = Figure(previous * factor, fmt.money(
                previous, history.unit, history.currency), hsrc)
            if (ratio := _ratio(current, previous)) is not None:
                qoq = (ratio - 1) * 100
                how = f"{current:,.0f} / {previous:,.0f} − 1 ({result.history_unit_label})"
                result.growth_qoq = Figure(qoq, fmt.percent(qoq, fixed=True), hsrc, how)
        year_ago = _year_before(by_end, spec.period.quarter_end)
        if year_ago:
            result.prior_year = Figure(year_ago[1] * factor, fmt.money(
                year_ago[1], history.unit, history.currency), hsrc)

    consensus = segment.consensus
    if consensus:
        result.consensus_provider = consensus.provider
        if consensus.growth_yoy:
            result.consensus_growth = _percent_figure(consensus.growth_yoy, fallback)
        if consensus.revenue:
            result.consensus_revenue = _money_figure(consensus.revenue, fallback)
            implied_ratio = _ratio(result.consensus_revenue.value,
                                   result.prior_year.value) if result.prior_year else None
            if result.consensus_growth is None and result.prior_year and implied_ratio is not None:
                # No growth consensus: derive it from the consensus value and last year's revenue.
                implied = (implied_ratio - 1) * 100
                result.consensus_growth = Figure(
                    implied, fmt.percent(implied, fixed=True),
                    result.consensus_revenue.sources + result.prior_year.sources,
                    f"consensus {result.consensus_revenue.text} against "
                    f"{result.prior_year.text} a year earlier",
                )
            beat = _ratio(revenue.value, result.consensus_revenue.value)
            if beat is not None:
                gap = (beat - 1) * 100
                how = f"{revenue.text} / consensus {result.consensus_revenue.text} − 1"
                result.beat_pct = Figure(gap, fmt.percent(gap, fixed=True),
                                         revenue.sources + result.consensus_revenue.sources, how)
        if result.growth_yoy and result.consensus_growth:
            gap = result.growth_yoy.value - result.consensus_growth.value
            result.beat_pp = Figure(gap, fmt.points(gap),
                                    result.growth_yoy.sources + result.consensus_growth.sources,
                                    f"{result.growth_yoy.text} − consensus "
                                    f"{result.consensus_growth.text.lstrip('+')}")
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
    pace_value = plan.value / capex.horizon_years
    pace = Figure(pace_value, fmt.money(pace_value, Unit.ones, capex.plan_total.currency),
                  plan.sources, f"{plan.text} over {capex.horizon_years} years")
    result = CapexFigures(plan, capex.horizon_years, capex.plan_scope, pace,
                          outlook=capex.outlook, sources=tuple(s for s in [fallback] if s))
    if capex.invested_trailing_4q:
        invested = _money_figure(capex.invested_trailing_4q, fallback)
        result.invested_trailing_4q = invested
        ratio = _ratio(invested.value * 100, pace_value)
        if ratio is not None:
            result.trailing_vs_pace = Figure(
                ratio, fmt.percent(ratio, signed=False, decimals=0), invested.sources,
                f"{invested.text} / {pace.text} a year")
    if capex.invested_to_date:
        result.invested_to_date = _money_figure(capex.invested_to_date, fallback)
    base = result.invested_to_date or result.invested_trailing_4q
    share = _ratio(base.value * 100, plan.value) if base else None
    if base and share is not None:
        result.share_of_plan = Figure(share, fmt.percent(share, signed=False, decimals=0),
                                      base.sources + plan.sources, f"{base.text} / {plan.text}")
    return result


def derive(spec: Spec) -> Derived:
    """All derived figures and generated sentences for one spec."""
    segments = [segment_figures(spec, s) for s in spec.segments]
    headline = segments[spec.segments.index(spec.headline_segment)]
    capex = capex_figures(spec)
    listings = {listing.ticker: listing for listing in spec.company.listings}
    moves = [
        MoveFigures(f"{listings[m.listing].exchange}: {m.listing}", m.qualifier,
                    listings[m.listing].exchange,
                    m.listing, m.date, m.session,
                    Figure(m.move, fmt.qualify(fmt.percent(m.move, decimals=1), m.qualifier),
                           _cited(m, None)))
        for m in spec.market_reaction if m.listing in listings
    ]
    infra = spec.infrastructure
    sites = Counter(dc.region for dc in infra.new_data_centres) if infra else Counter()
    # Imported here, not at the top: narrative builds on this module's Figure.
    from briefgen.derive import sentences as narrative

    derived = Derived(
        headline=headline, segments=segments, capex=capex, moves=moves,
        sites_by_region=dict(sites), standfirst=narrative.Sentence(()), takeaways=[], key_data=[],
        subject="",
        listings_text=", ".join(f"{item.exchange}: {item.ticker}"
                                for item in spec.company.listings),
        sources={s.id: s for s in spec.sources},
    )
    derived.standfirst = narrative.standfirst(spec, derived)
    derived.takeaways = narrative.takeaways(spec, derived)
    derived.key_data = narrative.key_data(spec, derived)
    derived.subject = narrative.subject(spec, derived)
    return derived


__all__ = ["Derived", "Figure", "Qualifier", "derive"]
