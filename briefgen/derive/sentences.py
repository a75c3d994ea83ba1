"""Sentences generated from derived figures: the standfirst, the key takeaways, the key-data box
and the email subject. Every number in them comes from a `Figure`, so text and tables agree.

The standfirst and takeaways are `Sentence`s: runs of plain words and `Mention`s, each mention
holding the figure its number comes from, so the note can mark a derived number with † just as its
tables do (notemodel/marks.py) and the email's plain text can too, without finding numbers again by
their text (a sentence words `+7.6 pp` as `7.6 pp above`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.derive import formatting as fmt
from briefgen.derive.figures import Figure

if TYPE_CHECKING:
    from briefgen.derive.figures import Derived, HistoryPoint, SegmentFigures
    from briefgen.spec.model import Spec

MAX_TAKEAWAYS = 5
DERIVED_MARK = "†"


@dataclass(frozen=True)
class Mention:
    """A number as a sentence words it, and the figure it comes from."""

    text: str
    figure: Figure


Run = str | Mention


@dataclass(frozen=True)
class Sentence:
    """Words and numbers in reading order; `str()` is the plain text, unmarked."""

    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(run if isinstance(run, str) else run.text for run in self.runs)

    def __str__(self) -> str:
        return self.text

    @property
    def derived(self) -> tuple[Figure, ...]:
        """The derived figures it mentions, in reading order."""
        return tuple(run.figure for run in self.runs
                     if isinstance(run, Mention) and run.figure.derived)

    def marked(self, mark: str = DERIVED_MARK) -> str:
        """Plain text with `mark` after each derived number (`7.6 pp† above`)."""
        return "".join(run if isinstance(run, str) else
                       run.text + (mark if run.figure.derived else "") for run in self.runs)


def sentence(*runs: Run | None) -> Sentence:
    """A sentence from runs, skipping `None` and joining neighbouring words into one run."""
    merged: list[Run] = []
    for run in runs:
        if run is None or run == "":
            continue
        if isinstance(run, str) and merged and isinstance(merged[-1], str):
            merged[-1] += run
        else:
            merged.append(run)
    return Sentence(tuple(merged))


def said(figure: Figure, wording: Callable[[str], str] | str | None = None) -> Mention:
    """`figure` in a sentence, as it reads (`figure.text`) or reworded (`7.6 pp` for `+7.6 pp`)."""
    if wording is None:
        return Mention(figure.text, figure)
    return Mention(wording if isinstance(wording, str) else wording(figure.text), figure)


def _segment_name(spec: Spec, figures: SegmentFigures) -> str:
    segment = next(s for s in spec.segments if s.name == figures.name)
    return segment.short_name or segment.name


def consensus_clause(seg: SegmentFigures) -> tuple[Run, ...] | None:
    """`7.6 pp above the 18.4% consensus` or `5% above the RMB 37.9bn consensus`."""
    if seg.beat_pp and seg.consensus_growth and not seg.consensus_growth.derived:
        side = "above" if seg.beat_pp.value >= 0 else "below"
        gap = fmt.points(abs(seg.beat_pp.value)).lstrip("+")
        expected = fmt.percent(seg.consensus_growth.value, signed=False)
        return (said(seg.beat_pp, gap), f" {side} the ", said(seg.consensus_growth, expected),
                " growth consensus")
    if seg.beat_pct and seg.consensus_revenue:
        side = "above" if seg.beat_pct.value >= 0 else "below"
        gap = fmt.percent(abs(seg.beat_pct.value), signed=False, fixed=True)
        return (said(seg.beat_pct, gap), f" {side} the ", said(seg.consensus_revenue),
                " consensus")
    return None


def _clause(lead: str, runs: Iterable[Run] | None) -> tuple[Run, ...]:
    return (lead, *runs) if runs else ()


def standfirst(spec: Spec, d: Derived) -> Sentence:
    seg = d.headline
    growth = (" (", said(seg.growth_yoy), " y/y)") if seg.growth_yoy else ()
    return sentence(f"{_segment_name(spec, seg).capitalize()} revenue ", said(seg.revenue),
                    *growth, *_clause(", ", consensus_clause(seg)))


def _history_growth(seg: SegmentFigures, point: HistoryPoint, value: float) -> Run:
    """A quarter's y/y growth from the history: a figure, derived when the history computed it."""
    text = fmt.percent(value)
    return said(Figure(value, text, seg.history_sources, point.growth_derivation))


def _lead(spec: Spec, seg: SegmentFigures) -> Sentence:
    usd = (" (about ", said(seg.revenue_usd), ")") if seg.revenue_usd else ()
    growth = (", ", said(seg.growth_yoy), " y/y") if seg.growth_yoy else ()
    return sentence(f"{_segment_name(spec, seg).capitalize()} revenue of ", said(seg.revenue),
                    *usd, *growth, *_clause(", ", consensus_clause(seg)), ".")


def _acceleration(spec: Spec, seg: SegmentFigures) -> Sentence | None:
    if seg.accelerating_quarters < 2:
        return None
    recent = [p for p in seg.history if p.quarter_end <= spec.period.quarter_end]
    start, end = recent[-1 - seg.accelerating_quarters], recent[-1]
    if start.growth_yoy is None or end.growth_yoy is None:
        return None
    change: tuple[Run, ...] = ()
    if seg.growth_qoq:
        gap = fmt.percent(abs(seg.growth_qoq.value), signed=False, fixed=True)
        verb = "rose" if seg.growth_qoq.value >= 0 else "fell"
        change = (f"; revenue {verb} ", said(seg.growth_qoq, gap), " on the prior quarter")
    return sentence(
        f"Growth has accelerated for {fmt.ordinal_words(seg.accelerating_quarters)} quarters in "
        "a row, from ", _history_growth(seg, start, start.growth_yoy), " to ",
        _history_growth(seg, end, end.growth_yoy), " y/y", *change, ".")


def _capex(d: Derived) -> Sentence | None:
    capex = d.capex
    if capex is None:
        return None
    if capex.invested_trailing_4q and capex.trailing_vs_pace:
        return sentence(
            said(capex.invested_trailing_4q, fmt.sentence_case),
            " invested over the past four quarters: ", said(capex.trailing_vs_pace), " of the ",
            said(capex.annual_pace), " a year implied by the plan of ", said(capex.plan_total),
            f" over {fmt.ordinal_words(capex.horizon_years)} years.")
    return sentence("Capex plan of ", said(capex.plan_total), f" over {capex.horizon_years} years.")


def _infrastructure(spec: Spec, d: Derived) -> Sentence | None:
    """Counts of sites, regions and zones: read from the spec, never derived, so plain words."""
    infra = spec.infrastructure
    if infra is None or not (infra.new_data_centres or infra.regions):
        return None
    text = ""
    if infra.new_data_centres:
        regions = ", ".join(f"{r}: {n}" for r, n in d.sites_by_region.items())
        text = f"{len(infra.new_data_centres)} new data centres"
        if infra.new_data_centres_period:
            text += f" {infra.new_data_centres_period}"
        text += f" ({regions})"
    if infra.regions and infra.availability_zones:
        footprint = (f"{infra.regions.value} regions and "
                     f"{infra.availability_zones.value} availability zones")
        text = f"{text}; footprint of {footprint}" if text else f"Footprint of {footprint}"
    return sentence(fmt.sentence_case(text), ".") if text else None


def _moves(d: Derived) -> Sentence | None:
    if not d.moves:
        return None
    runs: list[Run] = []
    for i, m in enumerate(d.moves):
        worded = fmt.qualify(fmt.percent(m.move.value, signed=m.move.value < 0), m.qualifier)
        runs += [" and " if i else "", said(m.move, worded), f" ({m.label})"]
    verb = "rose" if all(m.move.value > 0 for m in d.moves) else "moved"
    return sentence(f"The shares {verb} ", *runs, " after the results.")


def _other_segment(seg: SegmentFigures) -> Sentence:
    growth = (", ", said(seg.growth_yoy), " y/y") if seg.growth_yoy else ()
    return sentence(f"{seg.name} revenue ", said(seg.revenue), *growth,
                    *_clause(", ", consensus_clause(seg)), ".")


def takeaways(spec: Spec, d: Derived) -> list[Sentence]:
    seg = d.headline
    found = [_lead(spec, seg)]
    for extra in (_acceleration(spec, seg), _capex(d), _infrastructure(spec, d), _moves(d)):
        if extra is not None:
            found.append(extra)
    found += [_other_segment(other) for other in d.segments if other is not seg]
    return found[:MAX_TAKEAWAYS]


def key_data(spec: Spec, d: Derived) -> list[tuple[str, str]]:
    seg = d.headline
    rows = [
        ("Period", spec.period.fiscal_label),
        ("Results", fmt.date_short(spec.period.results_date)),
        (f"{_segment_name(spec, seg).capitalize()} revenue", seg.revenue.text),
    ]
    if seg.growth_yoy:
        rows.append(("Growth y/y", seg.growth_yoy.text))
    if seg.beat_pp and seg.consensus_growth and not seg.consensus_growth.derived:
        rows.append(("vs consensus", seg.beat_pp.text))
    elif seg.beat_pct:
        rows.append(("vs consensus", seg.beat_pct.text))
    if d.capex:
        rows.append(("Capex plan", f"{d.capex.plan_total.text} / {d.capex.horizon_years} yrs"))
    infra = spec.infrastructure
    if infra and infra.regions and infra.availability_zones:
        rows.append(("Footprint", f"{infra.regions.value} regions, "
                                  f"{infra.availability_zones.value} AZs"))
    fx = spec.company.fx_to_usd
    if fx:
        currency = fmt.currency_label(spec.company.reporting_currency)
        rows.append(("FX", f"{fx.rate:g} {currency}/USD"))
    rows.extend((item.label, item.text) for item in spec.brief.key_data)
    return rows


def subject(spec: Spec, d: Derived) -> str:
    """`Alibaba (BABA): cloud +26% y/y, 7.6 pp above consensus`."""
    company = spec.company.short_name or spec.company.name
    ticker = spec.company.listings[0].ticker
    seg = d.headline
    text = f"{company} ({ticker}): {_segment_name(spec, seg)}"
    if seg.growth_yoy:
        text += f" {seg.growth_yoy.text} y/y"
    else:
        text += f" revenue {seg.revenue.text}"
    # Lead with the consensus as reported: points when a growth rate was polled, percent of the
    # value otherwise (an implied growth consensus is shown in the body, marked as derived).
    if seg.beat_pp and seg.consensus_growth and not seg.consensus_growth.derived:
        side = "above" if seg.beat_pp.value >= 0 else "below"
        text += f", {fmt.points(abs(seg.beat_pp.value)).lstrip('+')} {side} consensus"
    elif seg.beat_pct:
        side = "above" if seg.beat_pct.value >= 0 else "below"
        gap = fmt.percent(abs(seg.beat_pct.value), signed=False, fixed=True)
        text += f", {gap} {side} consensus"
    return text
