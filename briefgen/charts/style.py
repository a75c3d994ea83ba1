"""The house style of briefgen's charts and the matplotlib plumbing every chart shares.

matplotlib is imported inside functions only: `briefgen validate` must not pay for it. Figures are
made with the object API (`matplotlib.figure.Figure`), never pyplot, so a worker that renders
thousands of briefs registers no global figures and leaks none. Every render runs inside
`matplotlib.rc_context`, so nothing here changes the process's global rcParams (the font files
are added to matplotlib's font list once, which is the one lasting side effect). rcParams are
process-wide all the same: render from several processes, not from threads of one.

Charts are drawn only in the bundled fonts and the brand's (its own faces, then its fallback
faces, glyph by glyph: matplotlib >= 3.6 takes each character from the first family in
`font.family` that has it). matplotlib's font list also holds every font installed on the
machine; those are taken out of it (`_pin_font_list`), so a family a brand names without files,
or a character none of its fonts draws, never reaches a host font: the same chart on every
machine.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from briefgen.charts.fonts import brand_font_folders, register_brand_fonts
from briefgen.charts.svgclean import clean_svg

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

    from briefgen.brand.model import Brand

FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"
FALLBACK_FAMILY = "Inter"  # bundled: a family the brand names without files is drawn in Inter
SEMIBOLD = 600  # Inter ships a semibold; other families fall back to bold


@dataclass(frozen=True)
class ChartStyle:
    """One house style for every chart, made from a brand by `style_for` (the one place chart
    colours and font come from, so the charts and the note always agree)."""

    font_family: str
    text_color: str
    grid_color: str
    # Series colours, primary first; the charts use the first three as: the current quarter and
    # actual figures, the growth line, and context (earlier quarters, plans).
    palette: tuple[str, ...]
    positive: str
    negative: str
    font_size: float = 8.0
    # The brand's fallback families (a CJK face, say), after its own family and Inter.
    fallback_families: tuple[str, ...] = ()

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


def style_for(brand: Brand) -> ChartStyle:
    """The brand's chart style. Called where charts are drawn, so the brand's font files are added
    to that process's matplotlib here (never when a brand is merely loaded or validated)."""
    if brand.font_files and register_brand_fonts(brand.font_family, brand.font_files):
        fonts_changed()
    for face in brand.fallback_fonts:
        if register_brand_fonts(face.family, [face]):
            fonts_changed()
    return ChartStyle(
        font_family=brand.font_family,
        text_color=brand.colours.text,
        grid_color=brand.colours.rule,
        palette=brand.colours.palette,
        positive=brand.colours.positive,
        negative=brand.colours.negative,
        fallback_families=brand.fallback_families,
    )


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
    _pin_font_list()
    return frozenset(entry.name for entry in font_manager.fontManager.ttflist)


def allowed_font_folders() -> tuple[Path, ...]:
    """Where the fonts a chart may be drawn in live: the bundled fonts, the brand faces this
    process added, and matplotlib's own (DejaVu and STIX, the same with every matplotlib of a
    version, which its mathtext and last-resort glyphs use)."""
    import matplotlib

    return (FONT_DIR, *brand_font_folders(), Path(matplotlib.get_data_path()) / "fonts")


def _pin_font_list() -> None:
    """Take every font that is not ours or matplotlib's own out of matplotlib's font list: the
    fonts installed on this machine, which it found when it built its cache. A family a brand
    names without files then falls back to Inter, not to the host's font of that name."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    allowed = allowed_font_folders()

    def ours(entry: Any) -> bool:
        path = Path(entry.fname)
        return any(path.is_relative_to(folder) for folder in allowed)

    if all(map(ours, manager.ttflist)) and all(map(ours, manager.afmlist)):
        return
    manager.ttflist[:] = [entry for entry in manager.ttflist if ours(entry)]
    manager.afmlist[:] = [entry for entry in manager.afmlist if ours(entry)]
    # Answers findfont gave from the full list (matplotlib's own cache, not in its stubs).
    cached = getattr(manager, "_findfont_cached", None)
    if cached is not None:
        cached.cache_clear()


def fonts_changed() -> None:
    """Forget what was learnt from matplotlib's font list: a brand's faces were added to it."""
    _known_families.cache_clear()
    _has_semibold.cache_clear()
    _text_width.cache_clear()


def font_family(style: ChartStyle) -> str:
    """The style's family when matplotlib can find it (among our fonts), else Inter."""
    return style.font_family if style.font_family in _known_families() else FALLBACK_FAMILY


def font_families(style: ChartStyle) -> tuple[str, ...]:
    """`font.family`: the style's family, Inter, then the fallback families matplotlib has;
    each character is drawn in the first of them that has it."""
    known = _known_families()
    families = [font_family(style), "Inter", *(f for f in style.fallback_families if f in known)]
    return tuple(dict.fromkeys(families))


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
        "font.family": list(font_families(style)),
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
    """An axes placed by margins in inches: fixed layout, no second draw to fit it.

    Margins wider than the figure (text that `fit_line` did not shorten) leave the axes a tenth
    of the figure rather than a negative size, which matplotlib refuses."""
    width, height = fig.get_size_inches()
    span_x = max(1 - (left + right) / width, 0.1)
    span_y = max(1 - (top + bottom) / height, 0.1)
    return fig.add_axes((min(left / width, 1 - span_x), min(bottom / height, 1 - span_y),
                         span_x, span_y))


ELLIPSIS = "\u2026"


def fit_line(text: str, style: ChartStyle, size: float, width_pt: float,
             weight: int | str = "normal", *, keep_end: bool = False) -> str:
    """`text` on one line no wider than `width_pt`, cut with an ellipsis where it is not.

    Every text from a spec that a chart draws goes through here: a name may be 200 characters
    long (its documented limit) but a chart is 6.3 inches wide. The alt text keeps it whole.
    `keep_end`: the ellipsis goes in the middle and the last words stay, for labels that tell
    rows apart ("Consolidated Hyperscale… Solutions 2"): names that share a long start
    ("… Solutions 1", "… Solutions 2") would otherwise be cut to the same text."""
    if text_width_pt(text, style, size, weight) <= width_pt:
        return text
    words = text.split(" ")
    if keep_end and len(words) > 2:
        tail = ""
        for count in range(1, len(words) - 1):  # the most last words that take under 45%
            longer = " ".join(words[-count:])
            if text_width_pt(longer, style, size, weight) > 0.45 * width_pt:
                break
            tail = longer
        if tail:
            head = " ".join(words[:len(words) - len(tail.split(" "))])
            room = width_pt - text_width_pt(" " + tail, style, size, weight)
            return f"{fit_line(head, style, size, room, weight)} {tail}"
    low, high = 0, len(text)  # the longest prefix that fits with the ellipsis
    while low < high:
        middle = (low + high + 1) // 2
        if text_width_pt(text[:middle].rstrip() + ELLIPSIS, style, size, weight) <= width_pt:
            low = middle
        else:
            high = middle - 1
    # Cut between words where the line has a space to cut at: a figure is shown whole or not at
    # all, never as a number that reads as another ("USD 13.1–13…" for "USD 13.1–13.8bn").
    cut = text.rfind(" ", 0, low + 1)
    return text[:cut if cut > 0 else low].rstrip(" ,;:") + ELLIPSIS


def header(fig: Figure, style: ChartStyle, title: str, subtitle: str | None = None) -> None:
    """Title (and a muted line under it), flush with the column's left edge."""
    width, height = fig.get_size_inches()
    title = fit_line(title, style, style.font_size + 1.5, width * 72, strong(style))
    fig.text(0.0, 1 - 0.06 / height, title, ha="left", va="top",
             fontsize=style.font_size + 1.5, fontweight=strong(style), color=style.text_color)
    if subtitle:
        subtitle = fit_line(subtitle, style, style.font_size - 0.5, width * 72)
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
    return _text_width(text, font_families(style), size, weight)


@functools.lru_cache(maxsize=4096)
def _text_width(text: str, family: tuple[str, ...], size: float, weight: int | str) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family=list(family), size=size, weight=weight)
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
