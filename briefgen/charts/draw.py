"""The charts of a note: one function per kind, one house style (`charts.style`), deterministic SVG.

Each kind first makes a `ChartPlan` from the spec and its `Derived` figures alone: the numbers to
draw, the title, the alt text (with the numbers), the source line and the size. A kind whose data is
absent makes no plan and so no chart. Only drawing imports matplotlib. Charts do no arithmetic on
figures beyond scaling amounts to the unit on the axis; every number comes from `Derived`.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.charts import fonts as chart_fonts
from briefgen.charts.bars import BarRow, draw_hbars, hbar_height, wrap_to_width
from briefgen.charts.style import (
    ChartStyle,
    add_axes,
    header,
    new_figure,
    nice_ticks,
    quiet_axes,
    save_png,
    save_svg,
    strong,
    style_for,
    styled,
    text_width_pt,
    warm_up,
)
from briefgen.derive import formatting as fmt
from briefgen.derive.counts import footprint_counts, footprint_phrase
from briefgen.spec.model import UNIT_FACTORS, Unit

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from briefgen.derive import Derived
    from briefgen.derive.capex import CapexFigures
    from briefgen.derive.figures import Figure as Number
    from briefgen.derive.figures import SegmentFigures
    from briefgen.spec.model import Spec

__all__ = [
    "KEYS", "Chart", "ChartPlan", "ChartStyle", "chart_png", "draw_charts", "plan_charts",
    "planned_chart", "style_for", "warm_up",
]

KEYS = ("revenue", "consensus", "capex", "infrastructure", "market")  # in note order
WIDTH_IN = 6.3  # an A4 text column
REVENUE_HEIGHT_IN = 2.8
NOTE_WIDTH_PT = 260.0  # place names beside a bar wrap at this width


@dataclass(frozen=True)
class Chart:
    key: str  # "revenue", "consensus", "capex", "infrastructure", "market"
    title: str
    svg: str  # standalone <svg> with a viewBox and no fixed size; text is real <text>
    alt: str  # the data in words, for screen readers
    source: str  # "Source: …", printed under the chart by the template (not in the image)
    width_in: float
    height_in: float


@dataclass(frozen=True)
class ChartPlan:
    """A chart decided but not drawn: everything but the picture."""

    key: str
    title: str
    alt: str
    source: str
    height_in: float
    draw: Callable[[Figure, ChartStyle], None]
    width_in: float = WIDTH_IN


def draw_charts(spec: Spec, derived: Derived, style: ChartStyle | None = None) -> list[Chart]:
    """Every chart the data allows, in note order, in `style` (`style_for(brand)`; the default
    brand's when None); a chart whose data is absent is left out."""
    style = style or _default_style()
    charts = []
    for plan in plan_charts(spec, derived):
        key = _drawing_key(plan, style)
        svg = _recall(key)
        if svg is None:
            with styled(style, plan.key):
                fig = _drawn(plan, style)
                svg = save_svg(fig, plan.alt)
            _remember(key, svg)
        charts.append(Chart(plan.key, plan.title, svg, plan.alt, plan.source, plan.width_in,
                            plan.height_in))
    return charts


# A chart whose drawing and inputs are unchanged is not drawn again in this process. `briefgen
# preview` renders on every save, and most edits touch words, not figures: redrawing five charts
# was ~0.09 s of a ~0.12 s refresh. The key is everything the drawing can see: the plan, the
# drawing function, the repr of each value its closure holds (dataclasses and pydantic models
# print every field), the style and the fonts added to matplotlib. A value whose repr carries an
# address (a function, say) makes the chart uncacheable rather than wrongly shared.
_DRAWN: OrderedDict[str, str] = OrderedDict()
_DRAWN_LIMIT = 40  # a preview's five charts, or a worker's last few briefs: ~1 MB
_DRAWN_LOCK = threading.Lock()  # preview renders on its own thread
_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")


def _drawing_key(plan: ChartPlan, style: ChartStyle) -> str | None:
    draw = plan.draw
    held = tuple(cell.cell_contents for cell in draw.__closure__ or ())
    text = repr((plan.key, plan.title, plan.alt, plan.source, plan.width_in, plan.height_in,
                 draw.__module__, draw.__qualname__, draw.__defaults__, held, style,
                 sorted(chart_fonts.added_faces())))
    if _ADDRESS.search(text):
        return None
    return hashlib.sha256(text.encode()).hexdigest()


def _recall(key: str | None) -> str | None:
    if key is None:
        return None
    with _DRAWN_LOCK:
        svg = _DRAWN.get(key)
        if svg is not None:
            _DRAWN.move_to_end(key)
        return svg


def _remember(key: str | None, svg: str) -> None:
    if key is None:
        return
    with _DRAWN_LOCK:
        _DRAWN[key] = svg
        while len(_DRAWN) > _DRAWN_LIMIT:
            _DRAWN.popitem(last=False)


def chart_png(spec: Spec, derived: Derived, key: str, style: ChartStyle | None = None,
              dpi: int = 144) -> bytes:
    """One chart as PNG (for e-mail bodies). KeyError when the spec has no data for `key`."""
    plans = {plan.key: plan for plan in plan_charts(spec, derived)}
    if key not in plans:
        raise KeyError(f"no {key!r} chart for this spec (it has: {', '.join(plans) or 'none'})")
    style = style or _default_style()
    with styled(style, key):
        fig = _drawn(plans[key], style)
        png = save_png(fig, dpi)
    return png


def planned_chart(spec: Spec, derived: Derived, key: str) -> ChartPlan | None:
    """The chart `key` as planned, without drawing it: its title and its data in words (the
    SVG's aria-label, the PDF's Alt) for an e-mail's caption, <img alt> and text part. None
    when the spec has no data for `key`."""
    return next((plan for plan in plan_charts(spec, derived) if plan.key == key), None)


def _default_style() -> ChartStyle:
    from briefgen.brand.model import DEFAULT_BRAND

    return style_for(DEFAULT_BRAND)


def _drawn(plan: ChartPlan, style: ChartStyle) -> Figure:
    fig = new_figure(plan.width_in, plan.height_in)
    plan.draw(fig, style)
    return fig


def plan_charts(spec: Spec, derived: Derived) -> list[ChartPlan]:
    """The charts the data allows, decided but not drawn (no matplotlib needed): what the page
    lays out while the charts are drawn."""
    kinds = (_revenue, _consensus, _capex, _infrastructure, _market)
    return [plan for kind in kinds if (plan := kind(spec, derived)) is not None]


def _name(spec: Spec, derived: Derived, figures: SegmentFigures) -> str:
    return fmt.sentence_case(figures.called)


def _unit_label(currency: str, unit: Unit) -> str:
    suffix = "" if unit is Unit.ones else f" {unit.value}"
    return f"{fmt.currency_label(currency)}{suffix}"


# --- 1. Headline segment revenue by quarter, with y/y growth -------------------------------------

def _revenue(spec: Spec, d: Derived) -> ChartPlan | None:
    seg, history = d.headline, spec.headline_segment.history
    points = seg.history
    levels = [p.revenue for p in points if p.revenue is not None]
    if history is None or len(levels) < 2:
        return None  # growth alone is said in the text: a chart of bars needs levels
    factor = UNIT_FACTORS[history.unit]
    unit = fmt.scale_for(max(abs(level) for level in levels) * factor)
    # A quarter given only as growth has no bar (NaN draws nothing) but keeps its growth point.
    values = [math.nan if p.revenue is None else p.revenue * factor / UNIT_FACTORS[unit]
              for p in points]
    unit_label = _unit_label(history.currency, unit)
    labels = [p.label for p in points]
    current = next((i for i, p in enumerate(points) if p.quarter_end == spec.period.quarter_end),
                   None)
    growth = [p.growth_yoy for p in points]
    computed = [p.growth_derived for p in points]
    growth_text = [None if g is None else fmt.percent(g, fixed=c)
                   for g, c in zip(growth, computed, strict=True)]
    title = f"{_name(spec, d, seg)} revenue by quarter and y/y growth"
    bars = "; ".join(f"{label} {fmt.significant(v)}"
                     + (" (current quarter)" if i == current else "")
                     for i, (label, v) in enumerate(zip(labels, values, strict=True))
                     if not math.isnan(v))
    rates = "; ".join(f"{label} {text}" + (" (computed from the history)" if c else "")
                      for label, text, c in zip(labels, growth_text, computed, strict=True) if text)
    alt = f"{title}. Revenue, {unit_label}: {bars}." + (f" Growth y/y: {rates}." if rates else "")
    source = d.source_line(seg.history_sources or seg.revenue.sources)

    def draw(fig: Figure, style: ChartStyle) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch
        from matplotlib.ticker import FuncFormatter

        small, bold = style.font_size - 0.5, strong(style)
        width, height = fig.get_size_inches()
        left, right = 0.5, 0.4
        header(fig, style, title)
        ax = add_axes(fig, left=left, right=right, top=0.5, bottom=0.28)
        quiet_axes(ax, style, grid="y")
        xs = list(range(len(values)))
        ax.bar(xs, values, width=0.62, zorder=2,
               color=[style.color(0) if i == current else style.color(2) for i in xs])
        # Long histories: label every k-th quarter, counting back from this one, so none touch.
        slot = (width - left - right) * 72 / len(xs)
        anchor = len(xs) - 1 if current is None else current
        # Bars in the history's own unit print its figures as given (29.88, not 29.9).
        value_texts = ["" if math.isnan(v) else
                       fmt.given(v) if unit is history.unit else fmt.significant(v)
                       for v in values]
        every = _every(slot, [text_width_pt(t, style, small, bold)
                              for t in [*value_texts, *filter(None, growth_text)]])
        labelled = {i for i in xs if (anchor - i) % every == 0}
        for i in sorted(labelled):
            if math.isnan(values[i]):
                continue
            ax.annotate(value_texts[i], (i, values[i]), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=small,
                        fontweight=bold if i == current else "normal")
        top = max(v for v in values if not math.isnan(v))
        low = min(0.0, *(v for v in values if not math.isnan(v)))
        ax.set_ylim(low, low + (top - low) * 2.0)  # bars in the lower half, growth above
        ax.set_yticks(nice_ticks(low, top, 4))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_ylabel(unit_label)
        ax.yaxis.label.set_y(0.25)
        # Room at the right for the last growth label before the right-hand axis labels.
        last = max(text_width_pt(t or "", style, small, bold) for t in growth_text[-1:])
        ax.set_xlim(-0.6, len(xs) - 1 + max(0.6, (last / 2 + 6) / slot))
        tick_every = _every(slot, [text_width_pt(t, style, small, bold) for t in labels])
        ticks = [i for i in xs if (anchor - i) % tick_every == 0]
        ax.set_xticks(ticks, [labels[i] for i in ticks])
        for tick, label in zip(ticks, ax.get_xticklabels(), strict=True):
            if tick == current:
                label.set_fontweight(bold)
        ax.axhline(0, color=style.muted, linewidth=0.6, zorder=3)

        known = [(i, g) for i, g in enumerate(growth) if g is not None]
        # A second axis only when some growth points go unlabelled (long histories).
        twin_axis = any(i not in labelled for i, _ in known)
        handles: list[Artist] = [Patch(color=style.color(2), label=f"Revenue, {unit_label}"
                                       + (" (lhs)" if twin_axis else ""))]
        if current is not None:
            handles.append(Patch(color=style.color(0), label=f"{labels[current]} (this quarter)"))
        if known:
            _growth_line(ax, style, known, growth_text, computed, current, labelled)
            handles.append(Line2D([], [], color=style.color(1), marker="o", markersize=3.5,
                                  linewidth=1.4, label="Growth y/y, % (rhs)" if twin_axis
                                  else "Growth y/y"))
            if any(computed[i] for i, _ in known):
                handles.append(Line2D([], [], color=style.color(1), marker="o", markersize=3.5,
                                      markerfacecolor="white", linestyle="none",
                                      label="computed from the history"))
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 1 - 0.27 / height),
                   ncol=len(handles), borderaxespad=0, borderpad=0, handlelength=1.2,
                   handleheight=0.7, handletextpad=0.4, columnspacing=1.4, fontsize=small)

    return ChartPlan("revenue", title, alt, source, REVENUE_HEIGHT_IN, draw)


def _every(slot_pt: float, widths_pt: list[float]) -> int:
    """Label every how many-th bar so that labels `slot_pt` apart keep 6 pt between them."""
    return max(1, math.ceil((max(widths_pt, default=0.0) + 6) / slot_pt))


def _growth_line(ax: Axes, style: ChartStyle, known: list[tuple[int, float]],
                 texts: list[str | None], computed: list[bool], current: int | None,
                 labelled: set[int]) -> None:
    from matplotlib.ticker import FuncFormatter

    small = style.font_size - 0.5
    twin = ax.twinx()
    for side in ("top", "right", "left", "bottom"):
        twin.spines[side].set_visible(False)
    rates = [g for _, g in known]
    low, high = min(rates), max(rates)
    span = max(high - low, abs(high) * 0.5, 1.0)
    low -= (span - (high - low)) / 2  # centre a flat line in its band
    band_low, band_high = 0.66, 0.9  # the band of the axes height the line uses
    per_axes = span / (band_high - band_low)
    twin.set_ylim(low - band_low * per_axes, low - band_low * per_axes + per_axes)
    nan = float("nan")
    xs = list(range(len(texts)))
    series = dict(known)
    twin.plot(xs, [series.get(i, nan) for i in xs], color=style.color(1), linewidth=1.4,
              marker="o", markersize=3.5, zorder=4, solid_capstyle="round")
    hollow = [(i, g) for i, g in known if computed[i]]
    if hollow:
        twin.plot([i for i, _ in hollow], [g for _, g in hollow], linestyle="none", marker="o",
                  markersize=3.5, markerfacecolor="white", color=style.color(1), zorder=5)
    for i, rate in known:
        if i not in labelled:
            continue
        # A dip is labelled below its point, where the line does not run.
        dip = i - 1 in series and i + 1 in series and series[i - 1] > rate < series[i + 1]
        twin.annotate(texts[i] or "", (i, rate), xytext=(0, -5 if dip else 4),
                      textcoords="offset points", ha="center", va="top" if dip else "bottom",
                      fontsize=small, fontweight=strong(style) if i == current else "normal")
    if all(i in labelled for i, _ in known):
        twin.set_yticks([])  # every point carries its value: a growth axis would only repeat it
        return
    twin.set_yticks(nice_ticks(min(rates), max(rates), 3))
    twin.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%"))
    twin.tick_params(axis="y", length=0, labelsize=small, colors=style.text_color)


# --- 2. Actual growth against consensus ---------------------------------------------------------

def _consensus(spec: Spec, d: Derived) -> ChartPlan | None:
    rows: list[BarRow] = []
    gaps: list[tuple[tuple[str, ...], int]] = []  # per segment: its gap lines and their sign
    words: list[str] = []
    providers: list[str] = []
    ids: list[str] = []
    for seg in d.segments:
        if seg.growth_yoy is None or not (seg.consensus_growth or seg.consensus_revenue):
            continue
        name = _name(spec, d, seg)
        rows.append(BarRow(name, seg.growth_yoy.value, seg.growth_yoy.text, "primary",
                           note="actual", bold=True, space_before=0.5 if rows else 0.0))
        expected = seg.consensus_growth
        if expected is not None:
            implied = expected.derived
            note = "consensus"
            if implied:
                basis = seg.consensus_revenue
                note += f", implied by {basis.text} revenue" if basis else " (derived)"
            rows.append(BarRow("", expected.value, expected.text, "comparator", note=note,
                               hollow=implied))
            words.append(f"{name}: actual {seg.growth_yoy.text}, consensus {expected.text}"
                         + (" (implied)" if implied else ""))
        else:
            assert seg.consensus_revenue is not None
            rows.append(BarRow("", 0.0, "", "comparator",
                               note=f"no growth consensus;\nrevenue consensus "
                                    f"{seg.consensus_revenue.text}"))
            words.append(f"{name}: actual {seg.growth_yoy.text}, revenue consensus "
                         f"{seg.consensus_revenue.text}")
        gap = tuple(text for text in (
            seg.beat_pp and f"{seg.beat_pp.text} on growth",
            seg.beat_pct and f"{seg.beat_pct.text} on revenue") if text)
        gaps.append((gap, _sign(seg.beat_pp or seg.beat_pct)))
        words[-1] += f"; {', '.join(gap)}" if gap else ""
        if seg.consensus_provider:
            unnamed = seg.consensus_provider.casefold() == "unnamed"
            providers.append("an unattributed estimate" if unnamed else seg.consensus_provider)
        for number in (seg.growth_yoy, seg.consensus_growth, seg.consensus_revenue,
                       seg.beat_pp, seg.beat_pct):
            ids.extend(number.sources if number else ())
    if not rows:
        return None
    title = "Growth y/y: actual against consensus"
    subtitle = f"Consensus: {'; '.join(dict.fromkeys(providers))}" if providers else None
    alt = f"{title}. " + ". ".join(words) + "."

    def draw(fig: Figure, style: ChartStyle) -> None:
        header(fig, style, title, subtitle)
        draw_hbars(fig, style, rows, xlabel="Growth y/y (%)", tick_suffix="%",
                   top=_top(subtitle), side=gaps, side_title="Against consensus")

    return ChartPlan("consensus", title, alt, d.source_line(ids), hbar_height(rows, _top(subtitle)),
                 draw)


def _sign(number: Number | None) -> int:
    return 0 if number is None or abs(number.value) < 0.05 else (1 if number.value > 0 else -1)


def _top(subtitle: str | None) -> float:
    return 0.62 if subtitle else 0.42


# --- 3. Capex: plan against investment ----------------------------------------------------------

def _capex(spec: Spec, d: Derived) -> ChartPlan | None:
    """Spend by quarter when the spec gives it (guidance named in the subtitle), else the plan
    against investment. One year's guidance is one bar (its pace would be the same bar again);
    a range is named, never drawn at a midpoint."""
    capex = d.capex
    if capex is None:
        return None
    if capex.quarters:
        return _capex_quarters(capex, d)
    guidance = capex.guidance
    if guidance is None or guidance.is_range or capex.years is None:
        return None  # nothing to draw that the text does not already say
    unit = fmt.scale_for(guidance.value)
    scale = UNIT_FACTORS[unit]
    unit_label = f"{capex.currency} {unit.value}" if unit is not Unit.ones else capex.currency
    years = capex.years
    if years == 1 or capex.annual_pace is None:
        rows = [BarRow(f"Guidance, {capex.period or 'the year'}" if years == 1
                       else f"Plan, {years} years", guidance.value / scale, guidance.text,
                       "context")]
        words = [f"{'guidance' if years == 1 else 'plan'} {guidance.text} "
                 f"{capex.guidance_words()}"]
    else:
        pace = capex.annual_pace
        rows = [
            BarRow(f"Plan, {years} years", guidance.value / scale, guidance.text, "context"),
            BarRow("Plan, annual pace", pace.value / scale, f"{pace.text} a year", "context",
                   note=f"plan ÷ {years}"),
        ]
        words = [f"plan {guidance.text} over {years} years",
                 f"annual pace {pace.text} (plan ÷ {years})"]
    invested = capex.invested_trailing_4q
    if invested and not invested.is_range:
        share = capex.trailing_vs_pace
        note = f"{share.text} of the annual pace" if share else ""
        rows.append(BarRow("Invested, past four quarters", invested.value / scale, invested.text,
                           "primary", note=note, bold=True))
        words.append(f"invested over the last four quarters {invested.text}"
                     + (f", {note}" if note else ""))
    to_date = capex.invested_to_date
    if to_date and not to_date.is_range:
        share = capex.share_of_plan
        note = f"{share.text} of the plan" if share else ""
        rows.append(BarRow("Invested to date", to_date.value / scale, to_date.text, "primary",
                           note=note, bold=True))
        words.append(f"invested since the plan began {to_date.text}"
                     + (f", {note}" if note else ""))
    if len(rows) < 2 and years == 1:
        return None  # one bar alone says no more than the key data
    title = "Capex: plan against investment" if years > 1 else "Capex: guidance for the year"
    subtitle = ("Guidance " + capex.guidance_words() if years == 1
                else f"{years}-year plan") + (f" for {capex.scope}" if capex.scope else "")
    alt = f"{title}, {unit_label}: " + "; ".join(words) + "."
    ids = [*capex.sources, *guidance.sources, *(invested.sources if invested else ()),
           *(to_date.sources if to_date else ())]

    def draw(fig: Figure, style: ChartStyle) -> None:
        header(fig, style, title, subtitle)
        draw_hbars(fig, style, rows, xlabel=unit_label, top=_top(subtitle))

    return ChartPlan("capex", title, alt, d.source_line(ids), hbar_height(rows, _top(subtitle)),
                     draw)


def _capex_quarters(capex: CapexFigures, d: Derived) -> ChartPlan | None:
    quarters = [q for q in capex.quarters if not q.spend.is_range]
    if not quarters:
        return None
    unit = fmt.scale_for(max(abs(q.spend.value) for q in quarters))
    scale = UNIT_FACTORS[unit]
    unit_label = f"{capex.currency} {unit.value}" if unit is not Unit.ones else capex.currency
    rows = [BarRow(q.label, q.spend.value / scale, q.spend.text,
                   "primary" if q is capex.latest else "context",
                   note=f"{q.growth_yoy.text} y/y" if q.growth_yoy else "",
                   bold=q is capex.latest) for q in quarters]
    title = "Capex by quarter"
    guidance = capex.guidance
    subtitle = None
    if guidance is not None:
        kind = "Guidance" if capex.one_year else "Plan"
        subtitle = f"{kind} {capex.guidance_words()}: {guidance.text}"
    elif capex.not_disclosed:
        subtitle = "No capex plan disclosed"
    if subtitle and capex.definition:
        subtitle += f" ({capex.definition})"
    alt = f"{title}, {unit_label}: " + "; ".join(
        f"{q.label} {q.spend.text}" + (f" ({q.growth_yoy.text} y/y)" if q.growth_yoy else "")
        for q in quarters) + (f". {subtitle}." if subtitle else ".")
    ids = [*capex.sources, *(s for q in quarters for s in q.spend.sources),
           *(guidance.sources if guidance else ())]

    def draw(fig: Figure, style: ChartStyle) -> None:
        header(fig, style, title, subtitle)
        draw_hbars(fig, style, rows, xlabel=unit_label, top=_top(subtitle))

    return ChartPlan("capex", title, alt, d.source_line(ids), hbar_height(rows, _top(subtitle)),
                     draw)


# --- 4. Data-centre rollout ----------------------------------------------------------------------

def _infrastructure(spec: Spec, d: Derived) -> ChartPlan | None:
    infra = spec.infrastructure
    if infra is None or not infra.new_data_centres:
        return None
    places = {region: [dc.place for dc in infra.new_data_centres if dc.region == region]
              for region in d.sites_by_region}
    total = len(infra.new_data_centres)
    title = "New data centres by region"
    opened = f"{total} opened {infra.new_data_centres_period}" if infra.new_data_centres_period \
        else f"{total} new"
    footprint = footprint_phrase(footprint_counts(spec), joiner=", ")
    subtitle = opened + (f". Footprint: {footprint}" if footprint else "")
    alt = (f"{title}: " + "; ".join(f"{region} {n} ({', '.join(places[region])})"
                                    for region, n in d.sites_by_region.items())
           + f". {subtitle}.")
    ids = [infra.source, *(dc.source for dc in infra.new_data_centres),
           *(c.count.source for c in footprint_counts(spec))]
    # The drawing holds the counts, not all of `d`: its closure is its cache key
    # (`_drawing_key`), and the note's other figures do not change this chart.
    counts = dict(d.sites_by_region)

    def draw(fig: Figure, style: ChartStyle) -> None:
        rows = [BarRow(region, float(n), str(n), "primary", bold=True,
                       note=wrap_to_width(places[region], style, NOTE_WIDTH_PT))
                for region, n in counts.items()]
        header(fig, style, title, subtitle)
        draw_hbars(fig, style, rows, xlabel="New data centres (count)", integer=True,
                   top=_top(subtitle))

    preview = [BarRow(region, float(n), str(n), "primary") for region, n in
               d.sites_by_region.items()]
    return ChartPlan("infrastructure", title, alt, d.source_line([i for i in ids if i]),
                 hbar_height(preview, _top(subtitle)), draw)


# --- 5. Market reaction ---------------------------------------------------------------------------

def _market(spec: Spec, d: Derived) -> ChartPlan | None:
    if not d.moves:
        return None
    rows = [BarRow(f"{m.label}\n{fmt.date_short(m.date)}", m.move.value, m.move.text,
                   "positive" if m.move.value >= 0 else "negative", note=m.session or "",
                   bold=True) for m in d.moves]
    title = "Share price reaction to the results"
    alt = f"{title}: " + "; ".join(
        f"{m.label} {m.move.text} on {fmt.date_short(m.date)}"
        + (f" ({m.session})" if m.session else "") for m in d.moves) + "."
    ids = [source for m in d.moves for source in m.move.sources]

    def draw(fig: Figure, style: ChartStyle) -> None:
        header(fig, style, title)
        draw_hbars(fig, style, rows, xlabel="Share price change (%)", tick_suffix="%",
                   top=_top(None))

    return ChartPlan("market", title, alt, d.source_line(ids), hbar_height(rows, _top(None)), draw)
