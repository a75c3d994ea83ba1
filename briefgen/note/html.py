"""Spec + derived figures + charts -> one self-contained HTML note (Jinja2).

Templates come from the one environment factory (`note.templates`: search order, `default:`,
autoescaping, the sandbox). The spec is data, never a template: its strings are only ever values
in the context, escaped on output.
What is marked safe is briefgen's own: the charts module's SVG, the @font-face rules, the
stylesheets read by `static()`, and spec strings turned into CSS strings by `css_string`,
which escapes every character that could end one.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import jinja2
from markupsafe import Markup

from briefgen.errors import RenderError
from briefgen.note import webfonts
from briefgen.note.builtin import NOTE_TEMPLATE as NOTE_TEMPLATE
from briefgen.note.builtin import builtin_template_dir as builtin_template_dir
from briefgen.note.model import build_note
from briefgen.note.printable import for_print
from briefgen.note.provenance import Catalogue, Provenance, annotate
from briefgen.version import __version__

if TYPE_CHECKING:
    from briefgen.brand.model import Brand
    from briefgen.charts.draw import Chart
    from briefgen.derive import Derived
    from briefgen.derive.changes import Changes
    from briefgen.spec.load import LoadedSpec

Paper = Literal["a4", "letter"]
Target = Literal["html", "pdf"]
FONT_FACES_MARKER = "/*briefgen:font-faces*/"
# Charts placed by a section of the note; any other chart goes to "More charts".
PLACED_CHARTS = ("revenue", "consensus", "capex", "infrastructure", "market")


class ChartLike(Protocol):
    """What a chart says about itself before it is drawn: `charts.Chart` and its plan both do."""

    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def alt(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def width_in(self) -> float: ...
    @property
    def height_in(self) -> float: ...


def chart_url(key: str) -> str:
    """How the PDF's page names a chart: the PDF stage is handed each chart's SVG under this URL
    and gives it to WeasyPrint when asked while painting (so layout need not wait for charts)."""
    return f"briefgen-chart:{key}"


@dataclass(frozen=True)
class ChartView:
    """A chart as the templates place it, known before it is drawn (key, words and size).

    Templates print `svg`, a marker; `Page.finish` puts the chart in its place: inline SVG in
    the HTML file, and in the PDF's input an image that names the chart by URL, so WeasyPrint
    can lay the page out while the chart is still being drawn and read it only to paint it.
    """

    key: str
    title: str
    alt: str
    source: str
    width_in: float
    height_in: float

    @property
    def svg(self) -> Markup:
        return Markup(f"<!--briefgen:chart:{self.key}-->")

    @property
    def width_css(self) -> str:
        return f"{self.width_in:.2f}in"

    @property
    def url(self) -> str:
        return chart_url(self.key)

    def as_image(self) -> str:
        """An <img> of the chart's size whose SVG draws the chart from `url` (see pdf.py)."""
        width, height = f"{self.width_in * 72:g}", f"{self.height_in * 72:g}"
        frame = (f'<svg xmlns="http://www.w3.org/2000/svg" '
                 f'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 {width} {height}">'
                 f'<image width="{width}" height="{height}" xlink:href="{self.url}"/></svg>')
        data = base64.b64encode(frame.encode("utf-8")).decode("ascii")
        return (f'<img class="chart-image" alt="{html.escape(self.alt)}" '
                f'src="data:image/svg+xml;base64,{data}">')


def chart_view(chart: ChartLike) -> ChartView:
    source = chart.source if chart.source.startswith("Source") else (
        f"Source: {chart.source}" if chart.source else "")
    return ChartView(chart.key, chart.title, chart.alt, source, chart.width_in, chart.height_in)


_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_SVG_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_SVG_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(chart: Chart) -> str:
    """Our own chart's SVG made inlinable: no prolog, an accessible name, ids unique per page."""
    svg = _SVG_PROLOG.sub("", chart.svg, count=1)
    root = _SVG_ROOT.search(svg)
    if root is None or "<script" in svg.lower():
        raise RenderError(f"chart {chart.key!r}: not an inline-able SVG")
    tag = root.group(0)
    if "role=" not in tag:
        tag = tag.replace("<svg", '<svg role="img"', 1)
    if "aria-label=" not in tag:
        tag = tag.replace("<svg", f'<svg aria-label="{html.escape(chart.alt)}"', 1)
    svg = svg[: root.start()] + tag + svg[root.end():]
    ids = set(_SVG_ID.findall(svg))
    if ids:  # two charts may both have "p1a2b" clip paths: prefix each chart's ids
        prefix = f"{chart.key}-"
        pattern = re.compile(r'(\bid="|url\(#|href="#)(' + "|".join(map(re.escape, ids)) + r')\b')
        svg = pattern.sub(lambda m: m.group(1) + prefix + m.group(2), svg)
    return svg


@dataclass(frozen=True)
class Page:
    """A rendered note before its fonts and charts go in: one Jinja render serves both outputs."""

    html: str
    charts: tuple[ChartView, ...]
    provenance: Provenance | None = None  # every number of `html`, traced to its origin
    brand: Brand | None = None  # for its fallback faces, which go in with the fonts

    def finish(self, target: Target, charts: Sequence[Chart] = ()) -> str:
        """The note as one HTML document for `target`.

        "html" is the file a reader opens (`charts` needed): the fonts subset to the note's
        characters as data: URIs, charts as inline SVG, every number in its provenance span.
        "pdf" is WeasyPrint's input (`charts` not needed): without what paper never shows
        (`printable.for_print`: screen-only parts, number spans, unused ids, CSS variables),
        the package's font files by file: URL, each chart an image that names it by URL (the
        PDF stage serves it), which WeasyPrint also draws faster than inline SVG, whose every
        element it would style as HTML."""
        text = for_print(self.html) if target == "pdf" else self.html
        drawn = {chart.key: chart for chart in charts}
        for view in self.charts:
            if target == "pdf":
                text = text.replace(str(view.svg), view.as_image())
            elif view.key in drawn:
                text = text.replace(str(view.svg), inline_svg(drawn[view.key]))
            else:
                raise RenderError(f"chart {view.key!r} was planned but not drawn")
        if FONT_FACES_MARKER not in text:  # a user template without {{ font_faces }}
            return text
        fallbacks = self.brand.fallback_fonts if self.brand else ()
        if target == "html":
            shown = html.unescape(text)
            faces = webfonts.font_faces_for_html(shown)
            if fallbacks and self.brand:
                from briefgen.brand.faces import primary_coverage

                faces += "\n" + webfonts.fallback_faces_for_html(
                    fallbacks, shown, primary_coverage(self.brand))
        else:
            faces = webfonts.font_faces_for_pdf()
            if fallbacks:
                faces += "\n" + webfonts.fallback_faces_for_pdf(fallbacks)
        return text.replace(FONT_FACES_MARKER, faces, 1)


def render_page(
    loaded: LoadedSpec,
    derived: Derived,
    charts: Sequence[ChartView],
    *,
    brand: Brand,
    paper: Paper,
    env: jinja2.Environment,
    template: str = NOTE_TEMPLATE,
    changes: Changes | None = None,
) -> Page:
    """Render the note's template once; `Page.finish` makes the HTML file or the PDF's input."""
    views = tuple(charts)
    context: dict[str, Any] = {
        "note": build_note(loaded.spec, derived, brand, changes),
        "charts": {view.key: view for view in views if view.key in PLACED_CHARTS},
        "extra_charts": [view for view in views if view.key not in PLACED_CHARTS],
        "brand": brand,
        "paper": paper,
        "font_faces": Markup(FONT_FACES_MARKER),
        "generator": f"briefgen {__version__}",
    }
    try:
        text = env.get_template(template).render(context)
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template not found: {exc.name}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from exc
    except jinja2.UndefinedError as exc:
        raise RenderError(f"template {template}: {exc.message}") from exc
    catalogue = Catalogue(loaded, derived, changes)
    annotated = annotate(text, catalogue)
    return Page(annotated.html, views, Provenance(catalogue, annotated.records), brand=brand)
