"""Sentences generated from derived figures: the standfirst, the key takeaways, the key-data box
and the email subject. Every number in them comes from a `Figure`, so text and tables agree.

The standfirst and takeaways are `Sentence`s: runs of plain words and `Mention`s, each mention
holding the figure its number comes from, so the note can mark a derived number with † just as its
tables do (notemodel/marks.py) and the email's plain text can too, without finding numbers again by
their text (a sentence words `+7.6 pp` as `7.6 pp above`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from briefgen.derive import formatting as fmt
from briefgen.derive.counts import footprint_counts, footprint_phrase
from briefgen.derive.figures import Figure
from briefgen.derive.text import Run, Sentence, said, sentence

if TYPE_CHECKING:
    from briefgen.derive.figures import HistoryPoint, MoveFigures, SegmentFigures
    from briefgen.derive.quarter import QuarterFigures
    from briefgen.spec.model import Spec

MAX_TAKEAWAYS = 5


# Names a desk gives the whole company's line in `segments`.
GROUP_NAMES = frozenset({"group", "total", "group total", "company", "consolidated",
                         "total revenue", "group revenue"})


def is_group(spec: Spec, figures: SegmentFigures) -> bool:
    """Whether a segment is the whole company (`Group`, `Total`, the company's own name)."""
    names = GROUP_NAMES | {spec.company.name.casefold()}
    if spec.company.short_name:
        names |= {spec.company.short_name.casefold()}
    return figures.name.casefold() in names


UNNAMED_PROVIDER = "unnamed"


def unnamed(seg: SegmentFigures) -> bool:
    """Whether the source gives an estimate without saying whose (`provider: unnamed`)."""
    return (seg.consensus_provider or "").casefold() == UNNAMED_PROVIDER


def consensus_clause(seg: SegmentFigures) -> tuple[Run, ...] | None:
    """`7.6 pp above the 18.4% growth consensus`, `5.0% above the RMB 37.9bn consensus`,
    `2.1% below an unattributed RMB 37.9bn estimate`."""
    if seg.within_range:  # inside a consensus range: neither a beat nor a miss
        expected = next(f for f in (seg.consensus_growth, seg.consensus_revenue)
                        if f is not None and f.is_range)
        what = " growth " if expected is seg.consensus_growth else " "
        run = said(expected, expected.text.removeprefix("+"))
        return ("in line with", *((" an unattributed ", run, f"{what}estimate") if unnamed(seg)
                                  else (" the ", run, f"{what}consensus")), " range")
    if seg.leading_gap is None:
        return None
    gap_figure, expected = seg.leading_gap
    if expected is seg.consensus_growth:
        gap = fmt.points(abs(gap_figure.value)).lstrip("+")
        expected_run = said(expected, expected.text.removeprefix("+"))
        what = " growth "
    else:
        gap = fmt.percent(abs(gap_figure.value), signed=False, fixed=True)
        expected_run = said(expected)
        what = " "
    side = _side(gap_figure.value)
    against: tuple[Run, ...] = (
        (" an unattributed ", expected_run, f"{what}estimate") if unnamed(seg)
        else (" the ", expected_run, f"{what}consensus"))
    if side == "in line with":
        return ("in line with", *against)
    return (said(gap_figure, gap), f" {side}", *against,
            *((" range",) if expected.is_range else ()))


def _side(gap: float) -> str:
    if abs(gap) < 0.05:
        return "in line with"
    return "above" if gap > 0 else "below"


def _clause(lead: str, runs: Iterable[Run] | None) -> tuple[Run, ...]:
    return (lead, *runs) if runs else ()


def standfirst(spec: Spec, d: QuarterFigures) -> Sentence:
    seg = d.headline
    growth = (" (", said(seg.growth_yoy), " y/y)") if seg.growth_yoy else ()
    return sentence(f"{fmt.sentence_case(seg.called)} revenue ", said(seg.revenue),
                    *growth, *_clause(", ", consensus_clause(seg)))


def _history_growth(seg: SegmentFigures, point: HistoryPoint, value: float) -> Run:
    """A quarter's y/y growth from the history: a figure, derived when the history computed it."""
    text = fmt.percent(value, fixed=point.growth_derived)
    return said(Figure(value, text, seg.history_sources, point.growth_derivation))


def _lead(spec: Spec, seg: SegmentFigures) -> Sentence:
    usd = (" (about ", said(seg.revenue_usd), ")") if seg.revenue_usd else ()
    growth = (", ", said(seg.growth_yoy), " y/y") if seg.growth_yoy else ()
    return sentence(f"{fmt.sentence_case(seg.called)} revenue of ",
                    said(seg.revenue), *usd, *growth, *_clause(", ", consensus_clause(seg)), ".")


def _qoq(seg: SegmentFigures, lead: str) -> tuple[Run, ...]:
    """`revenue fell 2.1% on the prior quarter` (a decline is said, never hidden)."""
    if seg.growth_qoq is None:
        return ()
    gap = fmt.percent(abs(seg.growth_qoq.value), signed=False, fixed=True)
    if gap == "0.0%":
        return (f"{lead}revenue was flat on the prior quarter",)
    verb = "rose" if seg.growth_qoq.value > 0 else "fell"
    return (f"{lead}revenue {verb} ", said(seg.growth_qoq, gap), " on the prior quarter")


def trend(spec: Spec, seg: SegmentFigures) -> Sentence | None:
    """Acceleration, deceleration or a steady rate, and the change on the prior quarter."""
    recent = [p for p in seg.history
              if p.quarter_end <= spec.period.quarter_end and p.growth_yoy is not None]
    if len(recent) >= 2 and recent[-1].quarter_end == spec.period.quarter_end:
        before, now = recent[-2], recent[-1]
        assert before.growth_yoy is not None and now.growth_yoy is not None
        then_run = _history_growth(seg, before, before.growth_yoy)
        now_run = _history_growth(seg, now, now.growth_yoy)
        if seg.accelerating_quarters >= 2:
            start = recent[-1 - seg.accelerating_quarters]
            assert start.growth_yoy is not None
            return sentence(
                f"Growth has accelerated for {fmt.ordinal_words(seg.accelerating_quarters)} "
                "quarters in a row, from ", _history_growth(seg, start, start.growth_yoy),
                " to ", now_run, " y/y", *_qoq(seg, "; "), ".")
        if now.growth_yoy > before.growth_yoy:
            verb = "accelerated"
        elif now.growth_yoy < before.growth_yoy:
            verb = "slowed"
        else:
            return sentence("Growth held at ", now_run, " y/y", *_qoq(seg, "; "), ".")
        return sentence(f"Growth {verb} from ", then_run, f" in {before.label} to ", now_run,
                        " y/y", *_qoq(seg, "; "), ".")
    if seg.growth_qoq is not None:
        runs = _qoq(seg, "")
        return sentence(fmt.sentence_case(str(runs[0])), *runs[1:], ".")
    return None


def decelerating(spec: Spec, seg: SegmentFigures) -> bool:
    recent = [p.growth_yoy for p in seg.history
              if p.quarter_end <= spec.period.quarter_end and p.growth_yoy is not None]
    return len(recent) >= 2 and recent[-1] < recent[-2]


def _capex(d: QuarterFigures) -> Sentence | None:
    """Spend this quarter, then guidance or plan; `no plan disclosed` said when so."""
    capex = d.capex
    if capex is None:
        return None
    runs: list[Run | None] = []
    latest = capex.latest
    if latest is not None:
        runs += ["Capex of ", said(latest.spend), " in the quarter"]
        if latest.growth_yoy is not None:
            runs += [" (", said(latest.growth_yoy), " y/y)"]
    guidance = capex.guidance
    scope = f" for {capex.scope}" if capex.scope else ""
    if (guidance is not None and capex.invested_trailing_4q and capex.trailing_vs_pace
            and capex.annual_pace):
        if runs:
            runs.append("; ")
        runs += [said(capex.invested_trailing_4q, fmt.sentence_case if not runs else None),
                 " invested over the past four quarters: ", said(capex.trailing_vs_pace),
                 " of a yearly pace of ", said(capex.annual_pace), " implied by the plan of ",
                 said(guidance), f" {capex.guidance_words()}{scope}"]
    elif guidance is not None:
        kind = "guidance" if capex.one_year else "plan"
        runs += ["; " if runs else "Capex ", f"{kind} of ", said(guidance),
                 f" {capex.guidance_words()}{scope}"]
    elif capex.not_disclosed:
        runs += ["; no capex plan disclosed" if runs else "No capex plan disclosed"]
    if not runs:
        return None
    return sentence(*runs, ".")


def _infrastructure(spec: Spec, d: QuarterFigures) -> Sentence | None:
    """New cloud regions, new data centres (a region launch is not a data-centre opening) and
    the footprint's counts: read from the spec, never derived, so plain words."""
    infra = spec.infrastructure
    if infra is None:
        return None
    parts: list[str] = []
    if infra.new_regions:
        count = len(infra.new_regions)
        names = "; ".join(r.name + (f", {fmt.loose_date(r.launched)}" if r.launched else "")
                          for r in infra.new_regions)
        period = f" {infra.new_regions_period}" if infra.new_regions_period else ""
        parts.append(f"{count} new cloud region{'s' if count != 1 else ''} launched{period} "
                     f"({names})")
    if infra.new_data_centres:
        regions = ", ".join(f"{r}: {n}" for r, n in d.sites_by_region.items())
        count = len(infra.new_data_centres)
        text = f"{count} new data centre{'s' if count != 1 else ''}"
        if infra.new_data_centres_period:
            text += f" {infra.new_data_centres_period}"
        parts.append(f"{text} ({regions})")
    counts = footprint_counts(spec)
    if counts:
        parts.append(f"footprint of {footprint_phrase(counts)}")
    return sentence(fmt.sentence_case("; ".join(parts)), ".") if parts else None


def _move_when(move: MoveFigures) -> str:
    """`at the close on 29 Aug`, `after hours on 31 Jul`, `on 1 Sep`."""
    day = f"{move.date.day} {move.date:%b}"
    basis = {"close": "at the close", "intraday": "intraday", "after hours": "after hours",
             "pre-market": "pre-market"}.get(move.basis or "")
    return f"{basis} on {day}" if basis else f"on {day}"


def _moves(d: QuarterFigures) -> Sentence | None:
    """`The shares fell 8.3%`: where the verb says the direction, each move is its size, as a
    desk writes it (not "fell −8.3%"); where moves go both ways, each is signed (`moved +2.1%
    (NYSE: X) and −0.4% (HKEX: 1)`). Two moves on one listing read as a sequence (after hours,
    then at the close), not as two listings."""
    if not d.moves:
        return None
    if all(m.move.value > 0 for m in d.moves):
        verb = "rose"
    elif all(m.move.value < 0 for m in d.moves):
        verb = "fell"
    else:
        verb = "moved"
    wording = None if verb == "moved" else _unsigned
    runs: list[Run] = []
    by_listing: dict[str, list[MoveFigures]] = {}
    for m in d.moves:
        by_listing.setdefault(m.label, []).append(m)
    timed = any(m.basis for m in d.moves) or any(len(ms) > 1 for ms in by_listing.values())
    for i, (label, moves) in enumerate(by_listing.items()):
        runs.append(" and " if i else "")
        for k, m in enumerate(sorted(moves, key=_session_order)):
            runs += [", then " if k else "", said(m.move, wording)]
            if timed:
                runs.append(f" {_move_when(m)}")
            if k == 0:
                runs.append(f" ({label})")
    return sentence(f"The shares {verb} ", *runs, " after the results.")


_SIGN = re.compile(r"[+−](?=\d)")


def _unsigned(text: str) -> str:
    """`nearly 13%` for `nearly +13%`, `8.3%` for `−8.3%`: the sign of each number dropped."""
    return _SIGN.sub("", text)


_BASIS_ORDER = {"pre-market": 0, "intraday": 1, "close": 2, "after hours": 3}


def _session_order(move: MoveFigures) -> tuple[object, int]:
    return (move.date, _BASIS_ORDER.get(move.basis or "", 2))


def _kpis(d: QuarterFigures) -> Sentence | None:
    """Up to three KPIs in one sentence: `Data platform growth +40% y/y; RPO USD 368bn`."""
    if not d.kpis:
        return None
    runs: list[Run] = []
    for i, kpi in enumerate(d.kpis[:3]):
        runs += ["; " if i else "", f"{kpi.name} " if i else f"{fmt.sentence_case(kpi.name)} ",
                 said(kpi.main)]
        if kpi.main is kpi.growth_yoy:
            runs.append(f" {kpi.growth_label}")
        elif kpi.growth_yoy is not None:
            runs += [" (", said(kpi.growth_yoy), f" {kpi.growth_label})"]
    return sentence(*runs, ".")


def _other_segment(spec: Spec, seg: SegmentFigures) -> Sentence:
    growth = (", ", said(seg.growth_yoy), " y/y") if seg.growth_yoy else ()
    return sentence(f"{fmt.sentence_case(seg.called)} revenue ", said(seg.revenue),
                    *growth, *_clause(", ", consensus_clause(seg)), ".")


# Takeaways by what a reader needs first: the headline segment, then what went wrong (a miss, a
# slowdown), the group, guidance, and only then colour. A higher rank is said first; the cap
# drops the lowest, never a miss because it came late in the spec's list.
RANK_LEAD = 100
RANK_MISS = 90
RANK_TREND_DOWN = 85
RANK_GROUP = 70
RANK_TREND = 65
RANK_GUIDANCE = 60
RANK_MOVES = 55  # the market's verdict outranks another segment's unremarkable quarter
RANK_KPIS = 52
RANK_SEGMENT = 50
RANK_FOOTPRINT = 20


def takeaways(spec: Spec, d: QuarterFigures) -> list[Sentence]:
    seg = d.headline
    ranked: list[tuple[int, int, Sentence]] = [(RANK_LEAD, 0, _lead(spec, seg))]
    if seg.verdict == "miss":
        ranked[0] = (RANK_LEAD, 0, ranked[0][2])
    story = trend(spec, seg)
    if story is not None:
        ranked.append((RANK_TREND_DOWN if decelerating(spec, seg) or (
            seg.growth_qoq is not None and seg.growth_qoq.value < 0) else RANK_TREND,
            len(ranked), story))
    for other in d.segments:
        if other is seg:
            continue
        rank = (RANK_MISS if other.verdict == "miss"
                else RANK_GROUP if is_group(spec, other) else RANK_SEGMENT)
        ranked.append((rank, len(ranked), _other_segment(spec, other)))
    for rank, extra in ((RANK_GUIDANCE, _capex(d)), (RANK_MOVES, _moves(d)),
                        (RANK_KPIS, _kpis(d)),
                        (RANK_FOOTPRINT, _infrastructure(spec, d))):
        if extra is not None:
            ranked.append((rank, len(ranked), extra))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return [text for _, _, text in ranked[:MAX_TAKEAWAYS]]


def key_data(spec: Spec, d: QuarterFigures) -> list[tuple[str, Sentence]]:
    """The key-data box: (label, value) rows; a value mentions the figure it prints, so the note
    marks that figure (and not another that happens to print alike)."""
    seg = d.headline
    rows: list[tuple[str, Sentence]] = [
        ("Period", sentence(spec.period.fiscal_label)),
        ("Results", sentence(fmt.date_short(spec.period.results_date))),
        (f"{fmt.sentence_case(seg.called)} revenue", sentence(said(seg.revenue))),
    ]
    if seg.growth_yoy:
        rows.append(("Growth y/y", sentence(said(seg.growth_yoy))))
    if seg.leading_gap:
        rows.append(("vs consensus", sentence(said(seg.leading_gap[0]))))
    capex = d.capex
    if capex and capex.guidance is not None:
        label = "Capex guidance" if capex.one_year else "Capex plan"
        rows.append((label, sentence(said(capex.guidance), f" {capex.guidance_words()}")))
    elif capex and capex.not_disclosed:
        rows.append(("Capex plan", sentence("not disclosed")))
    if capex and capex.latest:
        rows.append(("Capex in quarter", sentence(said(capex.latest.spend))))
    counts = footprint_counts(spec)
    if counts:
        rows.append(("Footprint", sentence(footprint_phrase(counts, short=True, joiner=", "))))
    fx = spec.company.fx_to_usd
    if fx:
        currency = fmt.currency_label(spec.company.reporting_currency)
        rows.append(("FX", sentence(f"{fmt.given(fx.rate)} {currency}/USD")))
    rows.extend((item.label, sentence(item.text)) for item in spec.brief.key_data)
    return rows


def subject(spec: Spec, d: QuarterFigures) -> str:
    """`Alibaba (BABA): cloud +26% y/y, 7.6 pp above consensus`."""
    company = spec.company.short_name or spec.company.name
    ticker = spec.company.listings[0].ticker
    seg = d.headline
    text = f"{company} ({ticker}): {seg.called}"
    if seg.growth_yoy:
        text += f" {seg.growth_yoy.text} y/y"
    else:
        text += f" revenue {seg.revenue.text}"
    # Lead with the consensus as reported: points when a growth rate was polled, percent of the
    # value otherwise (an implied growth consensus is shown in the body, marked as derived).
    if seg.within_range:
        text += ", in line with consensus"
    elif seg.leading_gap:
        gap_figure, expected = seg.leading_gap
        side = "above" if gap_figure.value >= 0 else "below"
        gap = (fmt.points(abs(gap_figure.value)).lstrip("+") if expected is seg.consensus_growth
               else fmt.percent(abs(gap_figure.value), signed=False, fixed=True))
        text += f", {gap} {side} consensus"
    return text
