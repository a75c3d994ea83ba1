"""Derived figures: everything a note says that the spec does not state outright.

Beat/miss against consensus, USD from the reporting currency, capex progress against plan, q/q and
y/y from the history. Each is computed here once, from the spec, and carries the sources it rests
on and a `derivation` saying how, so templates can mark it as derived. Templates, charts and email
all read this one `Derived` object and never do arithmetic themselves.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from briefgen.derive import formatting as fmt
from briefgen.spec.model import (
    UNIT_FACTORS,
    Cited,
    Consensus,
    Money,
    Percent,
    Qualifier,
    Segment,
    Spec,
    Unit,
)


@dataclass(frozen=True)
class Figure:
    """A number ready to print: its value, how it reads, where it came from, how it was made."""

    value: float  # NaN for a range: no arithmetic may silently use a midpoint
    text: str
    sources: tuple[str, ...] = ()
    derivation: str | None = None  # set when briefgen (or the desk) computed it
    low: Figure | None = None  # a range's ends, each printable and usable on its own
    high: Figure | None = None
    # As the source hedged it ("up to RMB 380bn"); already part of `text`. Kept so that a figure
    # computed from it says which way it may be off ("up to RMB 127bn a year").
    qualifier: Qualifier = Qualifier.exact

    def __post_init__(self) -> None:
        # Figures combine sources of their inputs; list each once, in order.
        object.__setattr__(self, "sources", tuple(dict.fromkeys(self.sources)))

    @property
    def derived(self) -> bool:
        return self.derivation is not None

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class HistoryPoint:
    quarter_end: dt.date
    label: str
    revenue: float | None  # in the history's own unit; None when only growth was reported
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
    consensus_estimates: list[tuple[str, Figure]] = field(default_factory=list)  # (provider, …)
    within_range: bool = False  # the result falls inside a consensus range: neither beat nor miss
    beat_pp: Figure | None = None  # growth minus consensus growth
    beat_pct: Figure | None = None  # revenue against consensus revenue
    prior_quarter: Figure | None = None
    prior_year: Figure | None = None
    history: list[HistoryPoint] = field(default_factory=list)
    history_unit_label: str = ""  # e.g. "RMB m"
    history_sources: tuple[str, ...] = ()
    accelerating_quarters: int = 0  # consecutive quarters of faster y/y growth, to the latest
    note: str | None = None
    short_name: str | None = None  # the desk's name for sentences (`AWS`), if it gave one

    @property
    def called(self) -> str:
        """The name sentences, charts and mail use: the desk's `short_name`, else the name, in
        the desk's own casing (`AWS`, `Google Cloud`, `AI Cloud`): never re-cased."""
        return self.short_name or self.name

    @property
    def leading_gap(self) -> tuple[Figure, Figure] | None:
        """The gap to consensus a story leads with, and the consensus it is against: points of
        growth when a growth rate was polled (reported, not implied from a revenue consensus),
        else percent of the revenue consensus; None without a consensus."""
        if self.beat_pp and self.consensus_growth and not self.consensus_growth.derived:
            return self.beat_pp, self.consensus_growth
        if self.beat_pct and self.consensus_revenue:
            return self.beat_pct, self.consensus_revenue
        return None

    @property
    def verdict(self) -> str | None:
        """`beat`, `miss` or `in line` against consensus, when there is one."""
        gap = self.leading_gap[0] if self.leading_gap else None
        if self.within_range:
            return "in line"
        if gap is None:
            return None
        if abs(gap.value) < 0.05:
            return "in line"
        return "beat" if gap.value > 0 else "miss"


@dataclass
class MoveFigures:
    label: str  # "NYSE: BABA"
    qualifier: Qualifier
    exchange: str
    ticker: str
    date: dt.date
    session: str | None
    move: Figure
    basis: str | None = None  # "close", "intraday", "after hours", "pre-market"


def cited(figure: Cited, fallback: str | None) -> tuple[str, ...]:
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
             gloss: str | None = None, qualifier: Qualifier = Qualifier.exact) -> Figure:
    """A figure briefgen computed from `inputs` (their sources become its sources), hedged as
    `qualifier` says (see `bound`)."""
    sources = tuple(source for figure in inputs for source in figure.sources)
    derivation = expression + (f"; {gloss}" if gloss else "")
    return Figure(value, fmt.qualify(text, qualifier), sources, derivation, qualifier=qualifier)


# Which way a hedged figure's true value may lie from its number: at or above it (+1), at or
# below it (−1), exactly on it (0), or either way (None: "about").
_DIRECTION: dict[Qualifier, int | None] = {
    Qualifier.exact: 0, Qualifier.more_than: 1, Qualifier.at_least: 1,
    Qualifier.up_to: -1, Qualifier.nearly: -1, Qualifier.about: None}


def bound(rising: Figure, falling: Figure) -> Qualifier | None:
    """How a result that rises with `rising` and falls with `falling` is hedged, given theirs:
    "more than RMB 100bn" against "up to RMB 127bn" is at least their ratio; exact against
    exact is exact; "about" makes it about. None where the hedges pull opposite ways ("more
    than 100 / more than 127" could be anything): no figure can honestly be printed."""
    directions = [_DIRECTION[rising.qualifier], _DIRECTION[falling.qualifier]]
    if None in directions:
        return Qualifier.about
    rise, fall = directions
    assert rise is not None and fall is not None
    if rise * -fall < 0:
        return None
    way = rise or -fall
    return Qualifier.at_least if way > 0 else Qualifier.up_to if way < 0 else Qualifier.exact


def _ratio_bound(numerator: Figure, denominator: Figure) -> Qualifier | None:
    """`bound` for a quotient, whose direction in its inputs holds only for positive ones."""
    if Qualifier.exact == numerator.qualifier == denominator.qualifier:
        return Qualifier.exact
    if numerator.value <= 0 or denominator.value <= 0:
        return None
    return bound(numerator, denominator)


MAX_RATIO = 1e12


def ratio(numerator: float, denominator: float) -> float | None:
    """`numerator / denominator`, or None where no figure can be derived: a zero denominator
    (a plan or a consensus of 0) or a quotient beyond floats (1e15 / 1e-300). A figure that
    cannot be derived is left out of the note, like one the spec does not give."""
    if denominator == 0:
        return None
    quotient = numerator / denominator
    # Beyond a trillion times (1e15 / 1e-300 is finite but 1e315-ish once scaled) no figure is
    # meant, and a chart's axis around it would overflow: derived like a division by zero.
    return quotient if math.isfinite(quotient) and abs(quotient) <= MAX_RATIO else None


def change(newer: Figure, older: Figure, gloss: str | None = None) -> Figure | None:
    """`newer / older − 1`, in percent to one decimal (`+6.8%`); None when `older` is 0."""
    quotient = ratio(newer.value, older.value)
    hedge = _ratio_bound(newer, older)
    if quotient is None or hedge is None:
        return None
    value = round((quotient - 1) * 100, 1)
    return computed(value, fmt.percent(value, fixed=True), (newer, older),
                    f"{newer.text} / {older.text} − 1", gloss, hedge)


def share(part: Figure, whole: Figure, whole_text: str | None = None,
          gloss: str | None = None) -> Figure | None:
    """`part / whole` in whole percent (`79%`); None when `whole` is 0."""
    quotient = ratio(part.value, whole.value)
    hedge = _ratio_bound(part, whole)
    if quotient is None or hedge is None:
        return None
    value = quotient * 100
    return computed(value, fmt.percent(value, signed=False, decimals=0), (part, whole),
                    f"{part.text} / {whole_text or whole.text}", gloss, hedge)


def gap_points(actual: Figure, expected: Figure, gloss: str | None = None) -> Figure | None:
    """`actual − expected` for two rates, in percentage points (`+7.6 pp`)."""
    hedge = bound(actual, expected)
    if hedge is None:
        return None
    value = round(actual.value - expected.value, 6)
    return computed(value, fmt.points(value), (actual, expected),
                    f"{_rate(actual)} − {_rate(expected)}", gloss, hedge)


def _rate(figure: Figure) -> str:
    """A rate inside an expression, without the leading + (`26%`, `−3%`)."""
    return figure.text.removeprefix("+")


def money_figure(amount: Money, fallback: str | None) -> Figure:
    """A reported (or desk-derived) amount, printed at the precision the spec gave."""
    derivation = (amount.derivation or "as given in the spec") if amount.derived else None
    sources = cited(amount, fallback)
    factor = UNIT_FACTORS[amount.unit]
    if amount.low is not None and amount.high is not None:
        ends = [Figure(end * factor, fmt.money_given(end, amount.unit, amount.currency), sources)
                for end in (amount.low, amount.high)]
        text = fmt.money_range(amount.low, amount.high, amount.unit, amount.currency,
                               amount.qualifier)
        return Figure(math.nan, text, sources, derivation, ends[0], ends[1], amount.qualifier)
    assert amount.value is not None  # the model requires a value or a range
    text = fmt.money_given(amount.value, amount.unit, amount.currency, amount.qualifier)
    return Figure(amount.value * factor, text, sources, derivation, qualifier=amount.qualifier)


def percent_figure(rate: Percent, fallback: str | None) -> Figure:
    derivation = (rate.derivation or "as given in the spec") if rate.derived else None
    sources = cited(rate, fallback)
    if rate.low is not None and rate.high is not None:
        ends = [Figure(end, fmt.percent_given(end), sources) for end in (rate.low, rate.high)]
        return Figure(math.nan, fmt.percent_range(rate.low, rate.high, rate.qualifier), sources,
                      derivation, ends[0], ends[1], rate.qualifier)
    assert rate.value is not None
    text = fmt.qualify(fmt.percent_given(rate.value), rate.qualifier)
    return Figure(rate.value, text, sources, derivation, qualifier=rate.qualifier)


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
    result = SegmentFigures(segment.name, revenue, note=segment.note,
                            short_name=segment.short_name)
    currency = fmt.currency_label(segment.revenue.currency)
    fx = spec.company.fx_to_usd
    usd = ratio(revenue.value, fx.rate) if fx else None
    if (fx and usd is not None and segment.revenue.currency == spec.company.reporting_currency
            and not revenue.is_range):
        rate = Figure(fx.rate, fmt.given(fx.rate), cited(fx, None))
        result.revenue_usd = computed(
            usd, fmt.money(usd, Unit.ones, "USD"), (revenue, rate),
            f"{revenue.text} / {rate.text}",
            f"{currency} per USD on {fmt.date_short(fx.date)}", revenue.qualifier)
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

        by_end = {q.quarter_end: q.revenue for q in history.quarters if q.revenue is not None}
        for point in history.quarters:
            growth, how = point.growth_yoy, None
            prior = _year_before(by_end, point.quarter_end)
            step = change(amount(point.revenue), amount(prior[1]),
                          f"{fmt.quarter_label(point.quarter_end)} against "
                          f"{fmt.quarter_label(prior[0])}") if (
                growth is None and prior and point.revenue is not None) else None
            if step is not None:
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

    if segment.consensus:
        _against_consensus(result, segment.consensus, fallback)
    return result


def _against_consensus(result: SegmentFigures, consensus: Consensus, fallback: str | None) -> None:
    """Consensus figures and the gap to them. A range (given, or spanned by several providers'
    estimates) is compared end by end: above its top is a beat, below its bottom a miss, inside
    it neither; its midpoint is never used."""
    result.consensus_provider = consensus.provider
    fallback = consensus.source or fallback
    growth = _percent_figure(consensus.growth_yoy, fallback) if consensus.growth_yoy else None
    value = _money_figure(consensus.revenue, fallback) if consensus.revenue else None
    if consensus.estimates:
        result.consensus_provider = ", ".join(e.provider for e in consensus.estimates)
        values = [(e.provider, _money_figure(e.revenue, e.source or fallback))
                  for e in consensus.estimates if e.revenue]
        rates = [(e.provider, _percent_figure(e.growth_yoy, e.source or fallback))
                 for e in consensus.estimates if e.growth_yoy]
        result.consensus_estimates = values + rates
        value = value or _spanned(values)
        growth = growth or _spanned(rates)
    result.consensus_growth, result.consensus_revenue = growth, value
    revenue = result.revenue
    if value is not None and not revenue.is_range:
        if value.is_range:
            result.beat_pct = _against_range(revenue, value, result, change)
        else:
            if growth is None and result.prior_year:
                # No growth consensus: derive it from the consensus value and last year's revenue.
                result.consensus_growth = growth = change(
                    value, result.prior_year, "consensus revenue against revenue a year earlier")
            result.beat_pct = change(revenue, value, "revenue against consensus revenue")
    actual = result.growth_yoy
    if actual is not None and growth is not None and not actual.is_range:
        if growth.is_range:
            result.beat_pp = _against_range(actual, growth, result, gap_points)
        else:
            result.beat_pp = gap_points(actual, growth, "growth against consensus growth")


def _spanned(estimates: list[tuple[str, Figure]]) -> Figure | None:
    """Several providers' estimates as one range figure from the lowest to the highest."""
    if not estimates:
        return None
    figures = [figure for _, figure in estimates if not figure.is_range]
    if len(figures) < 2:
        return figures[0] if figures else None
    low = min(figures, key=lambda f: f.value)
    high = max(figures, key=lambda f: f.value)
    sources = tuple(source for figure in figures for source in figure.sources)
    return Figure(math.nan, f"{low.text} to {high.text}", sources, None, low, high)


def _against_range(actual: Figure, expected: Figure, result: SegmentFigures,
                   gap: Callable[[Figure, Figure, str], Figure | None]) -> Figure | None:
    assert expected.low is not None and expected.high is not None
    if actual.value > expected.high.value:
        return gap(actual, expected.high, "against the top of the consensus range")
    if actual.value < expected.low.value:
        return gap(actual, expected.low, "against the bottom of the consensus range")
    result.within_range = True
    return None


def _accelerating(history: list[HistoryPoint], quarter_end: dt.date) -> int:
    growth = [p.growth_yoy for p in history if p.quarter_end <= quarter_end]
    count = 0
    for newer, older in zip(reversed(growth), list(reversed(growth))[1:], strict=False):
        if newer is None or older is None or newer <= older:
            break
        count += 1
    return count


__all__ = ["Figure", "MoveFigures", "Qualifier", "SegmentFigures"]
