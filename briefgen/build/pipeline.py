"""One spec -> the bytes of its outputs. Pure: nothing here writes a file.

`render_brief` is what the CLI, a local process pool and a Dask worker all call; the caller hands
the bytes to the one `OutputWriter`. Stages, each timed: load (YAML + validation), derive
(figures and sentences), charts (matplotlib SVG), html (Jinja) and pdf (WeasyPrint).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.brand.model import DEFAULT_BRAND, Brand

# Re-exported: `RenderOptions` has long been imported from here.
from briefgen.build.options import FILE_NAMES as FILE_NAMES
from briefgen.build.options import FORMATS as FORMATS
from briefgen.build.options import PROVENANCE_FILE
from briefgen.build.options import RenderOptions as RenderOptions
from briefgen.errors import RenderError, library_warnings

if TYPE_CHECKING:
    from briefgen.charts.draw import Chart
    from briefgen.derive import Derived
    from briefgen.note.html import ChartView
    from briefgen.pdf.printer import Submit
    from briefgen.spec.load import LoadedSpec

@dataclass
class RenderedBrief:
    """The outputs of one spec, in memory, with what it took to make them."""

    slug: str
    spec_path: Path
    files: dict[str, bytes]  # {"brief.html": ..., "brief.pdf": ...}
    timings: dict[str, float]  # seconds per stage: load, derive, charts, html, pdf
    warnings: list[str]
    derived: Derived
    loaded: LoadedSpec
    charts: list[Chart] = field(default_factory=list)


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def render_brief(spec_path: Path, options: RenderOptions | None = None, *,
                 printer: Submit | None = None) -> RenderedBrief:
    """Load, validate and render one spec; raises `SpecError` for a bad spec.

    `printer`: see `render_loaded`."""
    from briefgen.spec.load import load_spec

    timer = _Timer()
    with timer.stage("load"):
        loaded = load_spec(spec_path, fonts=spec_fonts(options))
    return render_loaded(loaded, options, printer=printer, _timer=timer)


def render_planned(loaded: LoadedSpec, spec_path: Path, options: RenderOptions | None = None,
                   *, printer: Submit | None = None) -> RenderedBrief:
    """`render_brief` for a spec a run has loaded from `spec_path` already (to plan it)."""
    return render_loaded(loaded, options, printer=printer)


def spec_fonts(options: RenderOptions | None) -> frozenset[int] | None:
    """What the note's fonts draw with these options' brand, for the spec's glyph check; None
    (the bundled fonts) when the brand brings no font files of its own."""
    brand = options.brand if options else None
    if brand is None or not (brand.font_files or brand.fallback_fonts):
        return None
    from briefgen.brand.faces import drawn_by

    return drawn_by(brand)


def render_loaded(
    loaded: LoadedSpec,
    options: RenderOptions | None = None,
    *,
    printer: Submit | None = None,
    _timer: _Timer | None = None,
) -> RenderedBrief:
    """Render an already loaded spec.

    `printer` replaces `printer.in_process`: the CLI passes a `ForkedPrinter`'s `submit`, which
    lays the page out in a process that imported WeasyPrint while this one draws the charts.
    """
    from briefgen.derive import derive
    from briefgen.derive.changes import since_previous
    from briefgen.note import html as render
    from briefgen.note import templates
    from briefgen.pdf.printer import in_process

    options = options or RenderOptions()
    brand = options.brand or DEFAULT_BRAND
    timer = _timer or _Timer()
    warnings = [str(w) for w in loaded.warnings]
    with timer.stage("derive"):
        derived = derive(loaded.spec)
        changes = since_previous(loaded)
    views = chart_plans(loaded, derived)
    with timer.stage("html"):
        env = templates.cached_environment(options.template_dirs)
        page = render.render_page(loaded, derived, views, brand=brand, paper=options.paper,
                                  env=env, changes=changes)
    job = None
    if "pdf" in options.formats:
        with timer.stage("pdf"):
            job = (printer or in_process)(page.finish("pdf"), base_dir=loaded.base_dir,
                                          allowed_roots=allowed_roots(options),
                                          variant=options.pdf_variant)
    with timer.stage("charts"):
        charts = draw_charts(loaded, derived, brand, warnings)
    drawn = [(c.key, c.width_in, c.height_in) for c in charts]
    if drawn != [(v.key, v.width_in, v.height_in) for v in views]:
        raise RenderError(f"charts drawn {drawn} differ from the charts planned")
    files: dict[str, bytes] = {}
    if job is not None:
        job.charts_drawn({render.chart_url(chart.key): chart.svg for chart in charts})
    if "html" in options.formats:
        with timer.stage("html"):  # while a forked printer lays the PDF out
            files[FILE_NAMES["html"]] = page.finish("html", charts).encode("utf-8")
    if job is not None:
        with timer.stage("pdf"):
            files[FILE_NAMES["pdf"]], pdf_warnings = job.result()
        warnings.extend(pdf_warnings)
    files = {FILE_NAMES[f]: files[FILE_NAMES[f]] for f in options.formats}
    if page.provenance is not None:
        with timer.stage("html"):
            page.provenance.add_charts([(chart.key, chart.svg) for chart in charts])
            files[PROVENANCE_FILE] = page.provenance.to_bytes()
    return RenderedBrief(loaded.slug, loaded.path, files, dict(timer.timings), warnings,
                         derived, loaded, list(charts))


def chart_plans(loaded: LoadedSpec, derived: Derived) -> list[ChartView]:
    """The charts the note will have, known before drawing (no matplotlib needed)."""
    from briefgen.charts.draw import plan_charts
    from briefgen.note import html as render

    return [render.chart_view(item) for item in plan_charts(loaded.spec, derived)]


def draw_charts(loaded: LoadedSpec, derived: Derived, brand: Brand,
                warnings: list[str] | None = None) -> list[Chart]:
    """The note's charts; matplotlib's warnings (a glyph missing from the brand's font) go to
    `warnings` as briefgen's, never raw to stderr."""
    from briefgen.charts.draw import draw_charts as draw
    from briefgen.charts.draw import style_for

    with captured_library_warnings("charts", "matplotlib") as found:
        charts = list(draw(loaded.spec, derived, style_for(brand)))
    if warnings is not None:
        warnings.extend(found)
    return charts


@contextmanager
def captured_library_warnings(source: str, logger_name: str) -> Iterator[list[str]]:
    """Python warnings and `logger_name`'s log records raised inside, as briefgen warning lines
    (escaped, each once), filled in when the block ends."""
    import logging
    import warnings as python_warnings

    found: list[str] = []
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger(logger_name)
    handler, propagate = Collect(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with python_warnings.catch_warnings(record=True) as caught:
            python_warnings.simplefilter("always")
            yield found
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
        messages.extend(str(warning.message) for warning in caught)
        found.extend(library_warnings(source, messages))


def allowed_roots(options: RenderOptions) -> list[Path]:
    """Folders the PDF's URL fetcher may read from, besides the spec's own."""
    from briefgen.note import webfonts
    from briefgen.note.builtin import builtin_template_dir

    roots = [*options.template_dirs, builtin_template_dir(), webfonts.FONT_DIR]
    if options.brand is not None and options.brand.fallback_fonts:
        roots.append(webfonts.fallback_folder())  # the brand's fallback faces, written there
    return roots


def warm_up(options: RenderOptions | None = None) -> None:
    """Import and compile what rendering needs, once per worker, before its first spec."""
    from briefgen.note import templates
    from briefgen.note.builtin import NOTE_TEMPLATE

    options = options or RenderOptions()
    templates.cached_environment(options.template_dirs).get_template(NOTE_TEMPLATE)
    import matplotlib.backends.backend_svg
    import matplotlib.figure  # noqa: F401

    if "pdf" in options.formats:
        from briefgen.pdf import weasy as pdf

        pdf.warm_up()  # WeasyPrint imported, fonts and Pango set up
