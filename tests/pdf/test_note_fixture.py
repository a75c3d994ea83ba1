"""The bench's fixture note (bench/fixtures/note-2026-12-03, the yardstick of "a cheaper note")
prints in any checkout: it names the package's fonts by a placeholder that `load_fixture` turns
into this checkout's folder, not by the absolute path of the checkout it was made in (which the
PDF's URL fetcher refuses everywhere else)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from briefgen.build.pipeline import RenderOptions, allowed_roots
from briefgen.pdf.weasy import html_to_pdf

pypdf = pytest.importorskip("pypdf")
BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_fixture_prints_in_this_checkout() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from make_note_fixture import FIXTURES, FONTS_PLACEHOLDER, load_fixture, to_fixture
    finally:
        sys.path.remove(str(BENCH))
    stored = (FIXTURES / "note-2026-12-03.html").read_text(encoding="utf-8")
    assert "file://" not in stored and FONTS_PLACEHOLDER in stored
    note = load_fixture()
    assert to_fixture(note["html"]) == stored  # the round trip a regenerated fixture takes
    pdf, _ = html_to_pdf(note["html"], base_dir=Path.cwd(), charts=note["charts"],
                         allowed_roots=allowed_roots(RenderOptions()), variant="none")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("Inter" in name for name in fonts), fonts  # the bundled fonts, not a fallback


def test_the_unstyled_note_keeps_the_words_charts_and_tags_and_nothing_else() -> None:
    """The bench's floor for "a cheaper note": the fixture unstyled prints every word and chart
    of the fixture, in the same fonts and sizes and with the same running header and footer, as
    the same kinds of tagged elements, with no class, wrapper or rule of the note's own."""
    from bs4 import BeautifulSoup

    sys.path.insert(0, str(BENCH))
    try:
        from make_note_fixture import load_fixture, unstyled
    finally:
        sys.path.remove(str(BENCH))
    note = load_fixture()
    bare = unstyled(note["html"])
    before, after = BeautifulSoup(note["html"], "html.parser"), BeautifulSoup(bare, "html.parser")
    # Every character (spaces aside: a separator the note's CSS adds between spans is gone).
    assert "".join(after.body.get_text().split()) == "".join(before.body.get_text().split())
    tagged = ("h1", "h2", "p", "ul", "li", "table", "th", "td", "figure", "img", "a", "dt", "dd")
    for name in tagged:
        assert len(after.find_all(name)) == len(before.find_all(name)), name
    assert not after.find_all(["div", "span", "section"])
    assert not after.find_all(class_=True) and not after.find_all(style=True)
    css = after.style.get_text()
    assert "@font-face" in css and "counter(pages)" in css and ".note" not in css

    roots = allowed_roots(RenderOptions())
    pdf, _ = html_to_pdf(bare, base_dir=Path.cwd(), charts=note["charts"],
                         allowed_roots=roots, variant="pdf/ua-1")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Page 1 of" in text and "Alibaba: cloud" in text
