"""HTML -> PDF with WeasyPrint: paged layout, metadata, PDF/A or PDF/UA, a fetcher that fetches
almost nothing.

The note's HTML names only data: URIs and the package's font files, so the URL fetcher allows
exactly that: data: URIs and file: URLs under a few folders (the spec's, the template folders,
briefgen's own fonts and templates). Anything else, http(s) included, stops the render with a
`RenderError`: rendering never touches the network, whatever a template or a spec says.

The PDF is byte-reproducible: its dates come from the note's `<meta name="dcterms.*">` (the spec's
`brief.date`), its /ID is a hash of its content, and the chart SVG carries no timestamps.
WeasyPrint is imported inside the functions, never at module import; `printer.py` runs this
module in a process of its own, in parallel with the charts.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from briefgen.errors import InputError, RenderError, library_warnings

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

# The variants whose output does not depend on the clock or a random number (PDF/X-4 and
# PDF/A-4 write a random document id into the XMP metadata).
PDF_VARIANTS = (
    "pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u",
    "pdf/a-1a", "pdf/a-2a", "pdf/a-3a", "pdf/ua-1", "pdf/ua-2",
    "tagged",  # an ordinary PDF with a structure tree for screen readers (no conformance claim)
    "none",  # untagged: no structure tree (smaller, for a reader who asks for the old file)
)
# Tagged by default: a screen reader, text extraction and an archive get the reading order,
# the headings, table headers and every chart's data as its alternative text.
DEFAULT_PDF_VARIANT = "pdf/ua-1"


def check_variant(variant: str | None) -> str:
    """`variant` in its canonical form (the default for None), or an `InputError` naming the
    ones there are."""
    if variant is None:
        return DEFAULT_PDF_VARIANT
    name = variant.strip().lower()
    if name not in PDF_VARIANTS:
        raise InputError(f"unknown PDF variant {variant!r}; choose one of "
                         + ", ".join(PDF_VARIANTS))
    return name


class RefusedURL(Exception):
    """The fetcher was asked for something outside what a note may read."""


# The charts of a note by the URL the page names them with, or a call that returns the chart at a
# URL, None if there is none (and may wait for the charts to be drawn).
ChartSource = Mapping[str, str] | Callable[[str], str | None]


def _fetcher(roots: Sequence[Path], charts: ChartSource) -> Any:
    import mimetypes
    from urllib.request import url2pathname

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = tuple(Path(root).resolve() for root in roots)

    def chart(url: str) -> str | None:
        return charts(url) if callable(charts) else charts.get(url)

    class NoteFetcher(URLFetcher):  # type: ignore[misc]
        """data: URIs, the note's charts, files under the allowed folders; nothing else."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), fail_on_errors=True,
                             allow_redirects=False, timeout=1)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme not in ("data", "file"):  # a chart: asked for while painting, not laying out
                svg = chart(url)
                if svg is not None:
                    return URLFetcherResponse(url, svg.encode("utf-8"),
                                              {"Content-Type": "image/svg+xml"})
            if scheme == "file":
                parts = urlsplit(url)
                path = Path(url2pathname(parts.path)).resolve()
                if (parts.netloc in {"", "localhost"} and path.is_file()
                        and any(path.is_relative_to(root) for root in allowed)):
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            self.refused.append(url)
            raise RefusedURL(
                f"refused to fetch {url}: a note may read only data: URIs and files under "
                + ", ".join(str(root) for root in allowed)
            )

    return NoteFetcher()


@contextmanager
def _captured_warnings() -> Iterator[list[str]]:
    """WeasyPrint's warnings (unknown CSS, a font that failed) as lines for the caller."""
    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = Collect(logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # ours to report, not to print on stderr from inside a worker
    try:
        yield found
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


# A note states its date as `<meta name="dcterms.created" content="2025-09-01">`.
_NOTE_DATE = re.compile(r'<meta name="dcterms\.created" content="(\d{4}-\d{2}-\d{2})')
# For a page that gives no date (the warm-up page): any fixed moment will do.
_FIXED_EPOCH = 946_684_800  # 2000-01-01T00:00:00Z


@contextmanager
def _pinned_font_clock(html: str) -> Iterator[None]:
    """Without libharfbuzz-subset, WeasyPrint subsets fonts with fontTools, which stamps each
    subset's `head.modified` with the current time: every PDF would differ from the last.
    fontTools takes that time from SOURCE_DATE_EPOCH when it is set (the reproducible-builds
    convention, its supported hook), so while a PDF is written it is the note's own date, as
    the PDF's metadata is. A SOURCE_DATE_EPOCH the user set is theirs and is kept."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    import datetime as dt

    found = _NOTE_DATE.search(html)
    epoch = _FIXED_EPOCH
    if found:
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(found.group(1))
            epoch = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


PdfResult = tuple[bytes, list[str]]

# One WeasyPrint FontConfiguration per set of @font-face rules, kept for the life of the process:
# a fresh one per document makes fontconfig and Pango load the fonts again (measured: PDF step
# 0.60 -> 0.52 s per brief in a warm worker, identical bytes, and flat memory over many briefs).
# At most a few are kept (one per brand font in use): a preview session whose brand keeps
# changing its fonts would otherwise hold every set it ever had, each with a ~1 MB font folder.
_FONT_CONFIGS: dict[str, Any] = {}
_FONT_CONFIG_OWNER: dict[str, int] = {}  # the process that made each (and its folder)
_FONT_CONFIGS_KEPT = 4
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


def _font_config(html: str) -> Any:
    from weasyprint.text.fonts import FontConfiguration

    from briefgen.pdf.fontconfig import only_our_fonts

    faces = hashlib.sha256("".join(_FONT_FACE.findall(html)).encode()).hexdigest()
    if faces in _FONT_CONFIGS:
        _FONT_CONFIGS[faces] = _FONT_CONFIGS.pop(faces)  # the most recently used goes last
    else:
        if not _FONT_CONFIGS:
            atexit.register(release_fonts)
        while len(_FONT_CONFIGS) >= _FONT_CONFIGS_KEPT:
            _release_font_config(next(iter(_FONT_CONFIGS)))  # the least recently used
        with only_our_fonts():  # never the host's fonts: the same bytes on every machine
            _FONT_CONFIGS[faces] = FontConfiguration()
        _FONT_CONFIG_OWNER[faces] = os.getpid()
    return _FONT_CONFIGS[faces]


# Parsed stylesheets by their text (and base URL, for a sheet with a relative url()), each with
# the FontConfiguration it was parsed for (its @font-face rules are registered there): a sheet
# every note shares (note.css, a brand's rules) is parsed once per process. A few entries
# suffice: one per template and brand in use.
_SHEETS: dict[tuple[str, str], tuple[Any, Any]] = {}
_SHEETS_KEPT = 16
# At-rules whose effect a parsed sheet leaves in the document's own state rather than in the
# sheet: a sheet with one is parsed for each document.
_DOCUMENT_STATE = ("@counter-style", "@color-profile", "@import")
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]*)""", re.I)
_ABSOLUTE_URL = re.compile(r"[a-z][a-z0-9+.-]*:", re.I)


def _parsed_stylesheets(document: Any, font_config: Any, counter_style: Any) -> list[Any]:
    """The document's print `<style>` elements as parsed stylesheets, in document order, and
    taken out of the document; [] (the document left as it is) when it names stylesheets any
    other way (`<link>`, a `<style>` inside inline SVG), whose place in the cascade this would
    change.

    WeasyPrint parses a document's `<style>` text with every document (~15 ms for the note's
    stylesheet); a `weasyprint.CSS` can be parsed once and handed in with the next document.
    Handed in, all of a document's sheets keep their order, and so their cascade among
    themselves; they come in as user sheets, which lose only to the `style` attributes of the
    page, as author sheets do (the one difference: a `style` attribute's `!important` no
    longer beats a sheet's `!important`; a note has neither)."""
    from weasyprint import CSS
    from weasyprint.css import get_child_text
    from weasyprint.css.media_queries import evaluate_media_query

    # What WeasyPrint reads stylesheets from: <style> and <link> in any namespace, in tree
    # order (one walk of the tree; cssselect2's query_all costs ~5 ms on a note).
    parents: dict[Element, Element] = {}
    found: list[Element] = []
    for element in document.etree_element.iter():
        parents.update((child, element) for child in element)
        if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] in ("style", "link"):
            found.append(element)
    if any(element.tag != "style" for element in found):
        return []
    sheets = []
    for element in found:
        if element.get("type", "text/css").split(";", 1)[0].strip() != "text/css":
            continue  # not CSS: WeasyPrint ignores it too
        media = [kind.strip() for kind in (element.get("media", "").strip() or "all").split(",")]
        parents[element].remove(element)
        if not evaluate_media_query(media, document.media_type):
            continue  # screen only
        text = get_child_text(element)
        # The base URL matters only to a relative url() (notes in other folders share a sheet).
        relative = any(not _ABSOLUTE_URL.match(url) for url in _CSS_URL.findall(text))
        key = (text, document.base_url if relative else "")
        cached = _SHEETS.get(key)
        if cached is not None and cached[0] is font_config:
            sheets.append(cached[1])
            continue
        sheet = CSS(string=text, base_url=document.base_url, url_fetcher=document.url_fetcher,
                    media_type=document.media_type, font_config=font_config,
                    counter_style=counter_style)
        if not any(rule in text.lower() for rule in _DOCUMENT_STATE):
            if len(_SHEETS) >= _SHEETS_KEPT:
                del _SHEETS[next(iter(_SHEETS))]  # the oldest
            _SHEETS[key] = (font_config, sheet)
        sheets.append(sheet)
    return sheets


def release_fonts() -> None:
    """Drop the process's FontConfigurations, which deletes their temporary font folders.

    Each keeps a copy of the fonts in a `weasyprint-*` folder under the temp directory (~1 MB)
    that only its `__del__` removes; at interpreter shutdown that `__del__` fails, and a forked
    process ends with `os._exit`, which runs nothing. So: at exit (registered above), and by the
    forked printer and pool workers before they end. The folder is removed here, not left to
    `__del__`, which a reference cycle (or a process with the collector off) would postpone.
    A forked process drops what it inherited without deleting it: the folder is its parent's."""
    for faces in list(_FONT_CONFIGS):
        _release_font_config(faces)
    _SHEETS.clear()


def _release_font_config(faces: str) -> None:
    """Forget one FontConfiguration, and the parsed sheets made for it; delete its font folder
    if this process made it (see `release_fonts`)."""
    import shutil

    config = _FONT_CONFIGS.pop(faces)
    folder, config._folder = getattr(config, "_folder", None), None
    if folder and _FONT_CONFIG_OWNER.pop(faces, None) == os.getpid():
        shutil.rmtree(folder, ignore_errors=True)
    for key in [key for key, (sheet_config, _) in _SHEETS.items() if sheet_config is config]:
        del _SHEETS[key]


def html_to_pdf(
    html: str,
    *,
    base_dir: Path,
    allowed_roots: Sequence[Path],
    variant: str | None = None,
    charts: ChartSource | None = None,
) -> PdfResult:
    """Lay out `html` and return the PDF bytes and WeasyPrint's warnings.

    `charts` serves the chart images of the page by URL (see `briefgen.note.html.chart_url`).
    WeasyPrint asks for them only when it paints, after the layout: a callable source may still
    be waiting for the charts to be drawn while the page is laid out.
    """
    from briefgen.pdf.libraries import import_weasyprint

    import_weasyprint()  # first: its native libraries found without ~40 probes
    import weasyprint
    from weasyprint.css.counters import CounterStyle
    from weasyprint.urls import FatalURLFetchingError

    from briefgen.pdf import fontfeatures, streams, svgtext, tagging

    svgtext.install()  # chart text laid out a line at a time, not a letter at a time
    fontfeatures.install()  # each text layout's font features freed with it, not leaked
    variant = check_variant(variant)
    fetcher = _fetcher([base_dir, *allowed_roots], charts or {})
    options: dict[str, Any] = {"pdf_identifier": True}  # /ID: a hash of the content
    if variant == "tagged":
        options["pdf_tags"] = True
    elif variant != "none":
        options["pdf_variant"] = variant
    if variant != "none":
        tagging.install()  # table header cells get their Scope
    with _captured_warnings() as messages, _pinned_font_clock(html):
        try:
            document = weasyprint.HTML(string=html, base_url=base_dir.resolve().as_uri() + "/",
                                       url_fetcher=fetcher)
            font_config, counter_style = _font_config(html), CounterStyle()
            sheets = _parsed_stylesheets(document, font_config, counter_style)
            with streams.serialized_once():  # the /ID's hash compresses nothing again
                pdf = document.write_pdf(font_config=font_config, counter_style=counter_style,
                                         stylesheets=sheets, **options)
        except FatalURLFetchingError as exc:
            cause = exc.__cause__
            raise RenderError(str(cause) if cause else str(exc)) from None
        except RefusedURL as exc:
            raise RenderError(str(exc)) from None
        except KeyError as exc:  # a chart the page names but nobody drew
            raise RenderError(f"no chart {exc.args[0]!r} for the PDF") from None
    if fetcher.refused:  # WeasyPrint swallowed a refusal somewhere: still a failure
        raise RenderError(f"refused to fetch {fetcher.refused[0]}")
    return bytes(pdf), library_warnings("pdf", messages)


# A page that touches what every note needs (the four Inter faces, text in an SVG image), so
# that fontconfig, Pango and HarfBuzz are set up before the first real note arrives.
_WARM_UP_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10">'
                '<text x="1" y="8" font-family="Inter">1.5</text></svg>')


def warm_up() -> None:
    """Import WeasyPrint and lay out a tiny page in the note's fonts (~0.1 s saved later)."""
    import base64

    from briefgen.note import webfonts

    svg = base64.b64encode(_WARM_UP_SVG.encode()).decode()
    html = (f"<style>{webfonts.font_faces_for_pdf()} body {{ font-family: Inter }}</style>"
            "<p>Warm <b>up</b> <i>1</i> <span style='font-weight: 600'>2</span></p>"
            f"<img src='data:image/svg+xml;base64,{svg}'>")
    html_to_pdf(html, base_dir=webfonts.FONT_DIR, allowed_roots=[])
