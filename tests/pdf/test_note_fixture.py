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
