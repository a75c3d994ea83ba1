"""The house style of briefgen's charts and the matplotlib plumbing every chart shares.

matplotlib is imported inside functions only: `briefgen validate` must not pay for it. Figures are
made with the object API (`matplotlib.figure.Figure`), never pyplot, so a worker that renders
thousands of briefs registers no global figures and leaks none. Every render runs inside
`matplotlib.rc_context`, so nothing here changes the process's global rcParams (the font files
are added to matplotlib's font list once, which is the one lasting side effect). rcParams are
process-wide all the same: render from several processes, not from threads of one.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from briefgen.svgclean import clean_svg

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

FONT_DIR = Path(__file__).with_name("fonts")
FALLBACK_FAMILY = "DejaVu Sans"  # ships with matplotlib, so it is always there
SEMIBOLD = 600  # Inter ships a semibold; other families fall back to bold


@dataclass(frozen=True)
class ChartStyle:
    """One house style for every chart; the brand file constructs one."""

    font_family: str = "Inter"
    text_color: str = "#1a1a1a"
    grid_color: str = "#d9d9d9"
    # Series colours, primary first; the charts use the first three as: the current quarter and
    # actual figures, the growth line, and context (earlier quarters, plans). Navy against orange
    # stays distinct in every common form of colour blindness and in greyscale print.
    palette: tuple[str, ...] = ("#1f4e79", "#d9822b", "#a9c4de", "#5f6b77", "#8c6d31")
    positive: str = "#1f4e79"
    negative: str = "#c8553d"
    font_size: float = 8.0

    def color(self, index: int) -> str:
        """Palette entry `index`, cycling if a brand gives fewer colours."""
        return self.palette[index % len(self.palette)]

    @property
    def muted(self) -> str:
        """Secondary text (notes, dates): the text colour, lightened."""
        return _mix(self.text_color, "white", 0.4)

    @property
    def comparator(self) -> str:
        """Bars to compare against (consensus): a neutral grey from the text colour."""
        return _mix(self.text_color, "white", 0.75)


def _mix(color: str, toward: str, share: float) -> str:
    from matplotlib.colors import to_hex, to_rgb

    (r, g, b), (r2, g2, b2) = to_rgb(color), to_rgb(toward)
    return to_hex((r + (r2 - r) * share, g + (g2 - g) * share, b + (b2 - b) * share))


@functools.cache
def _mpl_ready() -> None:
    import matplotlib

    matplotlib.use("Agg")


def warm_up() -> None:
    """Import matplotlib and its SVG and PNG backends and register the fonts: what a worker
    would otherwise pay on its first brief."""
    _known_families()
    import matplotlib.backends.backend_agg
    import matplotlib.backends.backend_svg
    import matplotlib.figure  # noqa: F401


@functools.cache
def _known_families() -> frozenset[str]:
    """Register the bundled fonts (once per process) and list every family matplotlib knows."""
    _mpl_ready()
    from matplotlib import font_manager

    # Called again after fonts_changed: a file already in the list is not added twice.
    added = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in sorted(FONT_DIR.glob("*.[ot]tf")):
        if str(path) in added:
            continue
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):  # a broken file must not stop a brief
            continue
    return frozenset(entry.name for entry in font_manager.fontManager.ttflist)


def fonts_changed() -> None:
    """Forget what was learnt from matplotlib's font list: `chartfonts` has added to it."""
    _known_families.cache_clear()
    _has_semibold.cache_clear()
    _text_width.cache_clear()


def font_family(style: ChartStyle) -> str:
    """The style's family when matplotlib can find it, else DejaVu Sans (silently)."""
    return style.font_family if style.font_family in _known_families() else FALLBACK_FAMILY


def strong(style: ChartStyle) -> int | str:
    """The weight for emphasis: semibold when the family has one (no findfont warnings)."""
    return SEMIBOLD if _has_semibold(font_family(style)) else "bold"


@functools.cache
def _has_semibold(family: str) -> bool:
    from matplotlib import font_manager

    _known_families()
    return any(entry.name == family and entry.weight == SEMIBOLD
               for entry in font_manager.fontManager.ttflist)


def rc_params(style: ChartStyle, key: str) -> dict[RcKeyType, Any]:
    small = style.font_size - 0.5
    return {
        "svg.fonttype": "none",  # text stays <text>: selectable in the PDF, and ~2x faster
        "svg.hashsalt": f"briefgen-{key}",  # fixed ids; unique per chart kind within one page
        "font.family": [font_family(style)],
        "font.size": style.font_size,
        "text.color": style.text_color,
        "axes.labelcolor": style.text_color,
        "axes.labelsize": small,
        "axes.edgecolor": style.grid_color,
        "axes.linewidth": 0.7,
        "axes.unicode_minus": True,
        "axes.formatter.use_locale": False,
        "xtick.color": style.text_color,
        "ytick.color": style.text_color,
        "xtick.labelsize": small,
        "ytick.labelsize": small,
        "xtick.major.size": 0,
        "ytick.major.size": 0,
        "xtick.major.pad": 3,
        "ytick.major.pad": 3,
        "legend.frameon": False,
        "legend.fontsize": small,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "path.simplify": True,
    }


@contextmanager
def styled(style: ChartStyle, key: str) -> Iterator[None]:
    """Everything between creating a figure and saving it must run inside this."""
    _mpl_ready()
    import matplotlib

    with matplotlib.rc_context(rc_params(style, key)):
        yield


def new_figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def add_axes(fig: Figure, *, left: float, right: float, top: float, bottom: float) -> Axes:
    """An axes placed by margins in inches: fixed layout, no second draw to fit it."""
    width, height = fig.get_size_inches()
    return fig.add_axes((left / width, bottom / height,
                         1 - (left + right) / width, 1 - (top + bottom) / height))


def header(fig: Figure, style: ChartStyle, title: str, subtitle: str | None = None) -> None:
    """Title (and a muted line under it), flush with the column's left edge."""
    height = fig.get_size_inches()[1]
    fig.text(0.0, 1 - 0.06 / height, title, ha="left", va="top",
             fontsize=style.font_size + 1.5, fontweight=strong(style), color=style.text_color)
    if subtitle:
        fig.text(0.0, 1 - 0.27 / height, subtitle, ha="left", va="top",
                 fontsize=style.font_size - 0.5, color=style.muted)


def quiet_axes(ax: Axes, style: ChartStyle, *, grid: Literal["x", "y"] | None) -> None:
    """No box, no tick marks; light grid lines along `grid` ("x" or "y") only."""
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(style.grid_color)
    ax.set_axisbelow(True)
    if grid:
        ax.grid(True, axis=grid, color=style.grid_color, linewidth=0.5)


def text_width_pt(text: str, style: ChartStyle, size: float, weight: int | str = "normal") -> float:
    """Width of `text` in points, measured with the font's own metrics (no drawing)."""
    return _text_width(text, font_family(style), size, weight)


@functools.lru_cache(maxsize=4096)
def _text_width(text: str, family: str, size: float, weight: int | str) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family=family, size=size, weight=weight)
    width, _, _ = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return float(width)


def nice_ticks(low: float, high: float, count: int = 4, *, integer: bool = False) -> list[float]:
    """Round tick values covering [low, high] and no further (the space beyond holds labels)."""
    from matplotlib.ticker import MaxNLocator

    if high <= low:
        high = low + 1
    ticks = MaxNLocator(nbins=count, steps=[1, 2, 2.5, 5, 10],
                        integer=integer).tick_values(low, high)
    span = high - low
    return [float(t) for t in ticks if low - 1e-9 * span <= t <= high + 1e-9 * span]


def save_svg(fig: Figure, label: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg",
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return clean_svg(buffer.getvalue(), label)


def save_png(fig: Figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


# --- Horizontal bars with their values written at the ends ---------------------------------------

ROW_IN = 0.3  # one bar and the space around it
HBAR_BOTTOM_IN = 0.42
BAR_HEIGHT = 0.62  # of a row


@dataclass(frozen=True)
class BarRow:
    """One horizontal bar: a label at the left, the value (and a muted note) at its end."""

    label: str  # may have a second line, drawn muted ("NYSE: BABA\n29 Aug 2025"); "" for none
    value: float
    text: str  # the value as the note writes it; "" draws no bar, only the note
    role: str  # "primary", "context", "comparator", "positive" or "negative"
    note: str = ""
    bold: bool = False
    hollow: bool = False  # outline only: an implied or derived figure
    space_before: float = 0.0  # extra space above the row, in rows: separates groups


def role_color(style: ChartStyle, role: str) -> str:
    colors = {"primary": style.color(0), "context": style.color(2), "comparator": style.comparator,
              "positive": style.positive, "negative": style.negative}
    return colors[role]


def hbar_height(rows: list[BarRow], top: float) -> float:
    """Figure height in inches: the same row pitch in every bar chart of the note."""
    units = len(rows) + sum(row.space_before for row in rows) + 0.4
    return round(top + HBAR_BOTTOM_IN + ROW_IN * units, 2)


def wrap_to_width(items: list[str], style: ChartStyle, width_pt: float, max_lines: int = 2) -> str:
    """`a, b, c` broken into lines no wider than `width_pt`; what does not fit is counted."""
    size = style.font_size - 0.5

    def fits(words: list[str]) -> bool:
        return text_width_pt(", ".join(words), style, size) <= width_pt

    lines: list[list[str]] = [[]]
    for index, item in enumerate(items):
        if not lines[-1] or fits([*lines[-1], item]):
            lines[-1].append(item)
        elif len(lines) < max_lines:
            lines.append([item])
        else:
            rest = len(items) - index
            while len(lines[-1]) > 1 and not fits([*lines[-1], f"and {rest} more"]):
                lines[-1].pop()
                rest += 1
            lines[-1].append(f"and {rest} more")
            break
    return ",\n".join(", ".join(line) for line in lines)


def fit_limits(values: list[float], label_pt: list[float], axes_pt: float) -> tuple[float, float]:
    """x limits that leave room for each bar's label beyond its end (in points)."""
    low, high = min(0.0, *values), max(0.0, *values)
    if low == high:
        high = 1.0
    for _ in range(8):  # each side's room depends on the other's limit: converge
        new_low, new_high = low, high
        for value, label in zip(values, label_pt, strict=True):
            room = max(axes_pt - label, axes_pt * 0.25)  # points left for the bar itself
            if value >= 0:
                new_high = max(new_high, low + (value - low) * axes_pt / room)
            else:
                new_low = min(new_low, high - (high - value) * axes_pt / room)
        if (new_low, new_high) == (low, high):
            break
        low, high = new_low, new_high
    return low, high


def draw_hbars(fig: Figure, style: ChartStyle, rows: list[BarRow], *, xlabel: str, top: float,
               tick_suffix: str = "", integer: bool = False,
               side: list[tuple[tuple[str, ...], int]] | None = None,
               side_title: str | None = None) -> Axes:
    """Bars top to bottom; `side` puts a column of text (first line bold, coloured by sign) to the
    right of each group of rows (a group starts at each labelled row)."""
    from matplotlib.ticker import FuncFormatter

    small = style.font_size - 0.5
    width = fig.get_size_inches()[0]
    label_pt = max((text_width_pt(line, style, small) for row in rows
                    for line in row.label.split("\n") if line), default=0.0)
    side_lines = [line for lines, _ in (side or []) for line in lines] + [side_title or ""]
    side_pt = max(text_width_pt(line, style, small, strong(style)) for line in side_lines)
    left = max(0.45, label_pt / 72 + 0.15)
    right = 0.1 + (side_pt / 72 + 0.2 if side else 0.0)
    ax = add_axes(fig, left=left, right=right, top=top, bottom=HBAR_BOTTOM_IN)
    quiet_axes(ax, style, grid=None)  # every bar carries its value; grid lines would cross them

    ys, y = [], 0.0
    for index, row in enumerate(rows):
        y -= row.space_before if index else 0.0
        ys.append(y)
        y -= 1.0
    ends = []
    for row in rows:
        value_pt = text_width_pt(row.text, style, small, strong(style) if row.bold else "normal")
        note_pt = max((text_width_pt(line, style, small) for line in row.note.split("\n")),
                      default=0.0)
        ends.append(3 + value_pt + (4 + note_pt if row.note else 0.0))
    axes_pt = (width - left - right) * 72
    low, high = fit_limits([row.value for row in rows], ends, axes_pt)
    ax.set_xlim(low, high)
    ax.set_ylim(ys[-1] - 0.7, 0.7)

    for row, y in zip(rows, ys, strict=True):
        if row.text and row.hollow:
            ax.barh(y, row.value, height=BAR_HEIGHT, facecolor="white", edgecolor=style.muted,
                    linewidth=0.8, linestyle=(0, (2.5, 1.5)), zorder=2)
        elif row.text:
            ax.barh(y, row.value, height=BAR_HEIGHT, color=role_color(style, row.role), zorder=2)
        sign = -1 if row.value < 0 else 1
        align = "right" if sign < 0 else "left"
        offset = 3.0
        if row.text:
            weight = strong(style) if row.bold else "normal"
            ax.annotate(row.text, (row.value, y), xytext=(sign * offset, 0),
                        textcoords="offset points", ha=align, va="center_baseline", fontsize=small,
                        fontweight=weight)
            offset += text_width_pt(row.text, style, small, weight) + 4
        if row.note:
            ax.annotate(row.note, (row.value, y), xytext=(sign * offset, 0),
                        textcoords="offset points", ha=align, va="center_baseline", fontsize=small,
                        color=style.muted, linespacing=1.15)
        first, *more = row.label.split("\n") if row.label else [""]
        lift = 4.5 if more else 0.0
        ax.annotate(first, (0, y), xycoords=("axes fraction", "data"), xytext=(-8, lift),
                    textcoords="offset points", ha="right", va="center", fontsize=small)
        for n, line in enumerate(more, start=1):
            ax.annotate(line, (0, y), xycoords=("axes fraction", "data"),
                        xytext=(-8, lift - 9.5 * n), textcoords="offset points", ha="right",
                        va="center", fontsize=small - 0.5, color=style.muted)

    values = [row.value for row in rows if row.text]
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values), 4, integer=integer)
    ax.set_xticks(ticks)
    ax.spines["bottom"].set_bounds(ticks[0], ticks[-1])
    ax.set_yticks([])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}{tick_suffix}"))
    ax.set_xlabel(xlabel)
    ax.xaxis.label.set_x(((ticks[0] + ticks[-1]) / 2 - low) / (high - low))
    ax.axvline(0, color=style.muted, linewidth=0.6, zorder=3)
    if side:
        _side_column(ax, style, rows, ys, side, side_title)
    return ax


def _side_column(ax: Axes, style: ChartStyle, rows: list[BarRow], ys: list[float],
                 side: list[tuple[tuple[str, ...], int]], title: str | None) -> None:
    small = style.font_size - 0.5
    starts = [index for index, row in enumerate(rows) if row.label] + [len(rows)]
    colors = {1: style.positive, -1: style.negative, 0: style.text_color}
    where = ("axes fraction", "data")
    for (lines, sign), start, stop in zip(side, starts, starts[1:], strict=False):
        centre = sum(ys[start:stop]) / (stop - start)
        for n, line in enumerate(lines):
            lift = (len(lines) - 1) * 5.0 - 10.0 * n
            ax.annotate(line, (1, centre), xycoords=where, xytext=(12, lift),
                        textcoords="offset points", ha="left", va="center", fontsize=small,
                        fontweight=strong(style) if n == 0 else "normal",
                        color=colors[sign] if n == 0 else style.muted)
    if title:
        ax.annotate(title, (1, 1), xycoords="axes fraction", xytext=(12, 2),
                    textcoords="offset points", ha="left", va="bottom", fontsize=small,
                    color=style.muted)
