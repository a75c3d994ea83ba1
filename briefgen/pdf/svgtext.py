"""Chart text drawn a line at a time in WeasyPrint's SVG renderer, not a letter at a time.

WeasyPrint 70 draws every SVG `<text>` letter by letter: one Pango layout, one line break and one
text object per character, so that per-letter `x`/`y`/`dx`/`dy`/`rotate` lists work. A note's
charts have ~80 text nodes and ~1,000 characters, none positioned per letter (matplotlib writes one
`x` and one `y` per node), so that is ~1,080 layouts where 80 do. `install()` puts a drawer in
front of WeasyPrint's: a node with at most one x and one y and no dx, dy, rotate, letter-spacing or
textLength is laid out and drawn as one run (so Pango also applies the font's kerning, as in the
note's HTML); any other node goes to WeasyPrint's own drawer, unchanged. The text stays real,
selectable text in the PDF.

Measured (2026-12-03, CPU time, warm, median of 10-16, the sample note as PDF/UA-1): the four
charts alone 0.085 s with this drawer against 0.135 s with WeasyPrint's; the whole note 0.46 s
against 0.50 s (7-9 % of WeasyPrint's time on the note). The only alternative that patches
nothing is WeasyPrint's own drawer (text as paths is slower still), and it is not within 5 %, so
the patch stays, with its tripwires: only on the pinned `WEASYPRINT_VERSION`, and
tests/pdf/test_svgtext.py fails when it is not installed or when a label lands more than a
point away from where WeasyPrint's own drawer puts it.

Upstream: Kozea/WeasyPrint#2249 ("Don't separate combining characters in SVG text"), whose
suggested fix is exactly this: draw the whole text when no glyph is positioned on its own
(pull request #2754 did so, and was closed). Delete this module when a WeasyPrint release draws
such text as one run (#2249 fixed): bump the pin, and `test_a_label_is_one_text_run` then
passes with `install` a no-op.
"""

from __future__ import annotations

from math import inf
from typing import Any

from briefgen.pdf.patching import Patch

_PER_LETTER = ("dx", "dy", "rotate", "textLength", "letter-spacing")
# The WeasyPrint release this drawer was written against and checked with (tests/pdf/
# test_svgtext.py); pyproject pins it exactly. Any other version keeps WeasyPrint's own drawer.
WEASYPRINT_VERSION = "70.0"
_original: Any = None  # WeasyPrint's `svg.text`, while ours is installed


def _apply() -> bool:
    """Route WeasyPrint's SVG text through `_text`; True when installed.

    Not installed (False) on a WeasyPrint other than `WEASYPRINT_VERSION`: its drawer is slower
    but right, ours might not be."""
    global _original
    import weasyprint
    import weasyprint.svg as svg_module

    if weasyprint.__version__ != WEASYPRINT_VERSION or not hasattr(svg_module, "TAGS"):
        return False
    original = svg_module.text

    def text(svg: Any, node: Any, font_size: float) -> None:
        if _one_run(node):
            _draw_run(svg, node, font_size)
        else:
            original(svg, node, font_size)

    _swap(svg_module, original, text)
    _original = original
    return True


def _restore() -> None:
    """Give WeasyPrint its own drawer back (the tests compare the two)."""
    global _original
    import weasyprint.svg as svg_module

    _swap(svg_module, svg_module.text, _original)
    _original = None


_PATCH = Patch(_apply, _restore)
install, installed, uninstall = _PATCH.install, _PATCH.installed, _PATCH.uninstall


def _swap(svg_module: Any, old: Any, new: Any) -> None:
    # `draw_node` finds a node's drawer in `TAGS` and recognises text nodes by comparing with
    # the module's `text`: replace both.
    for tag, drawer in list(svg_module.TAGS.items()):
        if drawer is old:
            svg_module.TAGS[tag] = new
    svg_module.text = new


def _single(value: str | None) -> bool:
    from weasyprint.svg.utils import normalize

    return value is None or len(normalize(value).split()) <= 1


def _one_run(node: Any) -> bool:
    attrib = node.attrib
    return (bool(node.text) and not any(name in attrib for name in _PER_LETTER)
            and node.get("letter-spacing") is None
            and _single(attrib.get("x")) and _single(attrib.get("y")))


def _draw_run(svg: Any, node: Any, font_size: float) -> None:
    """WeasyPrint's `svg.text.text` for a node without per-letter positions, in one layout."""
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import Style, TextBox
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    style = Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [font.strip("\"'")
                            for font in node.get("font-family", "sans-serif").split(",")]
    style["font_style"] = node.get("font-style", "normal")
    weight = node.get("font-weight", 400)
    if node.get("direction") in ("ltr", "rtl"):
        style["direction"] = node.get("direction")
    if weight == "normal":
        weight = 400
    elif weight == "bold":
        weight = 700
    else:
        try:
            weight = int(weight)
        except ValueError:
            weight = 400
    style["font_weight"] = weight
    style["font_size"] = font_size

    layout, _, _, width, height, baseline = split_first_line(
        node.text, style, svg.context, inf, 0)

    x = y = None
    if "x" in node.attrib:
        x = size(normalize(node.attrib["x"]).strip(), font_size, svg.inner_width)
    if "y" in node.attrib:
        y = size(normalize(node.attrib["y"]).strip(), font_size, svg.inner_height)

    ascent, descent = font_size * .8, font_size * .2
    y_align = 0.0
    display_anchor = node.get("display-anchor")
    alignment_baseline = node.get("dominant-baseline", node.get("alignment-baseline"))
    if display_anchor == "middle":
        y_align = -height / 2
    elif display_anchor == "top":
        pass
    elif display_anchor == "bottom":
        y_align = -height
    elif alignment_baseline in ("central", "middle"):
        y_align = (ascent + descent) / 2 - descent
    elif alignment_baseline in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
        y_align = ascent
    elif alignment_baseline in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        y_align = -descent

    # As WeasyPrint does for the first letter (a zero x or y keeps the offset, as there).
    if x:
        svg.cursor_d_position[0] = 0
    if y:
        svg.cursor_d_position[1] = 0
    x = svg.cursor_position[0] if x is None else x
    y = svg.cursor_position[1] if y is None else y
    svg.cursor_position = x + width, y
    x_position = x + svg.cursor_d_position[0]
    y_position = y + svg.cursor_d_position[1] + y_align
    points = ((x_position, y_position - baseline),
              (x_position + width, y_position - baseline + height))
    node.text_bounding_box = extend_bounding_box(node.text_bounding_box, points)

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    text_box = TextBox(layout, style)
    text_box.baseline = baseline
    emojis = draw_first_line(svg.stream, text_box, "none", "none",
                             Matrix(a=1, d=-1, e=x_position, f=y_position))
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)
