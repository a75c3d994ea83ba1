"""What WeasyPrint is handed for the PDF is leaner than the page, and prints the same pages.

The PDF is made from the page without what paper never shows (`note.printable.for_print`): no
provenance span round a number (its spaces are no-break spaces instead), no span round a figure
that no print rule styles, no part marked for the screen only; and
the stylesheet every note shares is parsed once per process and handed to WeasyPrint parsed
(`pdf.weasy._parsed_stylesheets`), not parsed again with every note. Each test fails when the
saving is undone; the last one proves the lean input looks, pixel for pixel,
like the full page printed the old way: the same pages, a few glyphs a fraction of a pixel
apart (text that was split at a span's edge is now one run, kerned across it), which is why the
pages are compared with a tolerance (under 0.1% of pixels more than 32 grey levels apart at
60 dpi; the bench allows 0.5%).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from PIL import Image, ImageChops
from pypdf import PdfReader

from briefgen.build.pipeline import RenderOptions, render_brief
from briefgen.note import html as note_html
from briefgen.note.printable import SCREEN_ONLY, for_print
from briefgen.pdf import weasy
from briefgen.pdf.printer import in_process
from briefgen.pdf.weasy import html_to_pdf

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "baba.yaml"
OTHER = ROOT / "tests" / "specs" / "gallery" / "miss-deceleration.yaml"


@pytest.fixture(scope="module")
def handed() -> dict[str, Any]:
    """The sample note's page, what the printer was handed for it, and the files made."""
    seen: dict[str, Any] = {}
    original = note_html.render_page

    def keep_page(*args: Any, **kwargs: Any) -> note_html.Page:
        seen["page"] = original(*args, **kwargs)
        return seen["page"]

    def printer(html: str, **options: Any) -> Any:
        seen.update(html=html, options=options)
        job = in_process(html, **options)
        charts_drawn = job.charts_drawn

        def keep_charts(charts: dict[str, str]) -> None:
            seen["charts"] = dict(charts)
            charts_drawn(charts)

        job.charts_drawn = keep_charts  # type: ignore[method-assign]
        return job

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(note_html, "render_page", keep_page)
        seen["brief"] = render_brief(SPEC, RenderOptions(), printer=printer)
    return seen


def test_the_pdf_is_made_from_the_page_without_what_paper_never_shows(
        handed: dict[str, Any]) -> None:
    note = handed["brief"].files["brief.html"].decode()
    lean, body = handed["html"], handed["html"].split("<body")[1]
    assert note.count('data-src="') > 100  # the reader's HTML keeps every tooltip
    assert 'class="src ' not in lean and "data-src=" not in lean
    # A figure a line could break inside stays whole by its no-break spaces.
    assert "Cloud revenue RMB\u00a033.4bn (+26% y/y)" in lean
    assert "29\u00a0Aug\u00a02025" in body and "RMB 33.4bn" not in body
    # Figures without a tone lose their span; a tone keeps it, for its colour.
    assert note.count('<span class="figure">') > 40 and '<span class="figure">' not in lean
    assert lean.count('<span class="figure pos">') == note.count('<span class="figure pos">') > 0
    # The chart's screen-reader caption and its figures for phones are the page's only.
    assert note.count(SCREEN_ONLY[0]) == 10 and note.count('class="chart-data"') == 5
    assert SCREEN_ONLY[0] not in lean and "chart-data" not in body
    assert "visually-hidden" not in body
    # Only the ids a † mark's link targets: each a named destination of the PDF.
    targets = set(re.findall(r'href="#([^"]+)"', body))
    assert set(re.findall(r' id="([^"]+)"', body)) == targets and len(targets) >= 5
    assert len(re.findall(r' id="', note.split("<body")[1])) > 2 * len(targets)
    pdf = PdfReader(io.BytesIO(handed["brief"].files["brief.pdf"]))
    links = {annotation.get_object()["/Dest"] for page in pdf.pages
             for annotation in page.get("/Annots", [])
             if annotation.get_object().get("/Subtype") == "/Link"}
    assert links == targets == set(pdf.named_destinations)
    # The brand's colours and font, written where they are used.
    assert note.count("var(--") > 40 and "var(--" not in lean
    assert "border-bottom: 3px solid #1F3A5F" in lean


def _pages(pdf: bytes, folder: Path, name: str) -> list[Image.Image]:
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-gray", "-png", str(folder / f"{name}.pdf"),
                    str(folder / name)], check=True)
    return [Image.open(path).convert("L") for path in sorted(folder.glob(f"{name}-*.png"))]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_the_lean_input_prints_the_same_pages(handed: dict[str, Any], tmp_path: Path) -> None:
    page: note_html.Page = handed["page"]
    with pytest.MonkeyPatch.context() as patch:  # as before: every span, with its tooltip
        patch.setattr(note_html, "for_print", lambda text: text)
        full = page.finish("pdf")
    assert full != handed["html"]
    options = handed["options"]
    with pytest.MonkeyPatch.context() as patch:  # and WeasyPrint parses the <style> text
        patch.setattr(weasy, "_parsed_stylesheets", lambda *args: [])
        before, _ = html_to_pdf(full, charts=handed["charts"], **options)
    lean = _pages(handed["brief"].files["brief.pdf"], tmp_path, "lean")
    old = _pages(before, tmp_path, "full")
    assert len(lean) == len(old) >= 3
    for left, right in zip(lean, old, strict=True):
        assert left.size == right.size
        differ = sum(ImageChops.difference(left, right).histogram()[33:])
        assert differ < 0.001 * left.size[0] * left.size[1]


def test_the_shared_stylesheet_is_parsed_once_per_process(
        handed: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    css = weasyprint.CSS

    def counting(*args: Any, string: str = "", **kwargs: Any) -> Any:
        parsed.append(string)
        return css(*args, string=string, **kwargs)

    monkeypatch.setattr(weasyprint, "CSS", counting)
    other = render_brief(OTHER, RenderOptions(formats=("pdf",))).files["brief.pdf"]
    assert len(PdfReader(io.BytesIO(other)).pages) >= 2
    # Another company's note after the sample's: only its own page's rules (@page headers and
    # footers) are parsed; the note's stylesheet and the brand's rules were parsed already. (Its
    # page's rules too, when another test of this process printed that note before: none.)
    assert len(parsed) <= 1 and all("@page" in text and "h1" not in text for text in parsed)


def _colours(html: str) -> list[bytes]:
    pdf, _ = html_to_pdf(html, base_dir=Path.cwd(), allowed_roots=[], variant="none")
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()
    return re.findall(rb"[\d.]+ [\d.]+ [\d.]+ rg", content)


def test_parsed_sheets_keep_the_cascade() -> None:
    """A later sheet beats an earlier one and a style attribute beats both, as in the page."""
    page = ('<style>p, em { color: #ff0000 }</style><style media="screen">p { color: #000 }'
            '</style><style>p { color: #0000ff }</style>'
            '<p>one</p><p style="color: #00ff00">two <em>three</em></p>')
    assert _colours(page) == [b"0 0 1 rg", b"0 1 0 rg", b"1 0 0 rg"]
    assert _colours(page) == [b"0 0 1 rg", b"0 1 0 rg", b"1 0 0 rg"]  # parsed sheets, again


def test_a_page_that_links_a_stylesheet_is_left_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "linked.css").write_text("p { color: #00ff00 }", encoding="utf-8")
    page = '<link rel="stylesheet" href="linked.css"><style>p { color: #0000ff }</style><p>x</p>'
    pdf, _ = html_to_pdf(page, base_dir=tmp_path, allowed_roots=[], variant="none")
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()
    assert re.findall(rb"[\d.]+ [\d.]+ [\d.]+ rg", content) == [b"0 0 1 rg"]


def _span(kind: str, number: str) -> str:
    return (f'<span class="src src-{kind}" data-src="n1" title="Reported: a.b (x.yaml:1:2)">'
            f"{number}</span>")


def test_numbers_lose_their_spans_and_keep_whole_by_no_break_spaces() -> None:
    page = (f'<p>{_span("reported", "RMB 33.4bn")} ({_span("reported", "+26%")}), '
            f'<span class="nw">{_span("derived", "64")}–{_span("derived", "72bn")}</span> '
            f'{_span("reported", "−5.1%")}, {_span("spec-date", "29 Aug 2025")}, '
            f'{_span("reported", "7.6 pp")}, {_span("reported", "1,234.5m")}</p>')
    assert for_print(page) == (
        '<p>RMB\u00a033.4bn (+26%), <span class="nw">64–72bn</span> −5.1%, '
        '29\u00a0Aug\u00a02025, 7.6\u00a0pp, 1,234.5m</p>')


def test_only_a_figure_span_no_print_rule_styles_goes() -> None:
    page = ('<p><span class="figure">about USD 4.67bn</span>, '
            '<span class="figure">up to <span class="nw">64–72bn</span></span>, '
            '<span class="figure pos">+26%</span>, '
            f'<span class="figure">{_span("reported", "RMB 33.4bn")}</span></p>'
            '<p><span class="figure">a <em>shape</em> the macros never write</span></p>')
    assert for_print(page) == (
        '<p>about USD 4.67bn, up to <span class="nw">64–72bn</span>, '
        '<span class="figure pos">+26%</span>, RMB\u00a033.4bn</p>'
        '<p><span class="figure">a <em>shape</em> the macros never write</span></p>')


def test_a_css_variable_is_written_as_its_value_only_where_it_holds_everywhere() -> None:
    page = ("<style>:root { --ink: #102030; --font: \"A; B\", serif; --tint: #eee;"
            " --alias: var(--ink); --big: 2em }</style>"
            "<style>p { color: var(--ink); font-family: var( --font ); }"
            " .box { --tint: #fff; background: var(--tint) } h1 { color: var(--alias) }"
            " em { color: var(--ink, red) } h2 { font-size: var(--big) }</style><p>x</p>")
    assert for_print(page) == (
        "<style>:root { --ink: #102030; --font: \"A; B\", serif; --tint: #eee;"
        " --alias: #102030; --big: 2em }</style>"
        "<style>p { color: #102030; font-family: \"A; B\", serif; }"
        " .box { --tint: #fff; background: var(--tint) } h1 { color: var(--alias) }"
        " em { color: var(--ink, red) } h2 { font-size: 2em }</style><p>x</p>")


def test_an_id_stays_only_where_a_link_or_a_style_names_it() -> None:
    page = ('<html><head><style>#lede { color: #D3D9E1 }</style></head><body id="top">'
            '<h2 id="risks-heading">Risks</h2><p id="lede">x<sup><a href="#n-1">†1</a></sup></p>'
            '<ul><li id="n-1">Derived</li><li id="n-2">Other</li></ul></body></html>')
    assert for_print(page) == (
        '<html><head><style>#lede { color: #D3D9E1 }</style></head><body>'
        '<h2>Risks</h2><p id="lede">x<sup><a href="#n-1">†1</a></sup></p>'
        '<ul><li id="n-1">Derived</li><li>Other</li></ul></body></html>')


def test_a_word_too_long_for_a_line_gets_places_to_break() -> None:
    word = "Supercalifragilisticexpialidocious"  # 34 characters
    page = (f'<html><head><title>{word}</title></head><body><p title="{word}">{word} '
            f'https://example.com/{word} Infrastructure-as-a-Service &amp;{"z" * 23}</p></body>'
            '</html>')
    zwsp = "\u200b"
    assert for_print(page) == (
        f'<html><head><title>{word}</title></head><body><p title="{word}">'
        f'Supercal{zwsp}ifragili{zwsp}sticexpi{zwsp}alidocio{zwsp}us '
        f'https://example.com/Supercal{zwsp}ifragili{zwsp}sticexpi{zwsp}alidocio{zwsp}us '
        f'Infrastructure-as-a-Service &amp;{"z" * 23}</p></body></html>')


def test_screen_only_parts_are_left_out_each_on_its_own() -> None:
    start, end = SCREEN_ONLY
    page = (f"<figure>{start}<figcaption>Cap</figcaption>{end}<img alt='x'>"
            f"{start}<details><p>1, 2</p></details>{end}<p>kept</p></figure>")
    assert for_print(page) == "<figure><img alt='x'><p>kept</p></figure>"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_what_for_print_leaves_without_a_span_cannot_break(tmp_path: Path) -> None:
    """The rule `for_print` relies on: in a column one pixel wide, each of these stays whole
    (Unicode line breaking), while a space is a break. A no-break space is drawn as a space;
    pdftotext reads it back as one (pypdf as U+00A0, which is whitespace to `str.split`)."""
    unbroken = ["Jun-25", "+26%", "−5.1%", "1,234.5m", "7.152", "RMB\u00a033.4bn",
                "29\u00a0Aug\u00a02025", "−7.6\u00a0pp"]
    page = f'<p style="width: 1px; font-size: 30px">{" ".join(unbroken)} RMB 33.4bn</p>'
    pdf, _ = html_to_pdf(page, base_dir=tmp_path, allowed_roots=[], variant="none")
    (tmp_path / "narrow.pdf").write_bytes(pdf)
    lines = subprocess.run(["pdftotext", str(tmp_path / "narrow.pdf"), "-"], check=True,
                           capture_output=True, text=True).stdout.split("\n")
    assert [line for line in lines if line.strip("\f")] == [
        *(word.replace("\u00a0", " ") for word in unbroken), "RMB", "33.4bn"]
