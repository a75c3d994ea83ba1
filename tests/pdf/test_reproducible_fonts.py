"""The same note gives the same PDF bytes whichever library subsets its fonts, on every run.

Without libharfbuzz-subset WeasyPrint subsets with fontTools, which stamps the current time
into each font (`head.modified`) unless SOURCE_DATE_EPOCH is set; briefgen pins it to the note's
date while a PDF is written. Which subsetter a machine has is part of the cache key, since the
two give different bytes.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from briefgen.build import cache
from briefgen.build.pipeline import RenderOptions
from briefgen.note import webfonts
from briefgen.pdf.weasy import html_to_pdf

PAGE = ('<html><head><meta name="dcterms.created" content="2025-09-01">'
        "<style>{faces} body {{ font-family: Inter }}</style></head>"
        "<body><p>Cloud revenue <b>+26%</b> <i>y/y</i></p></body></html>")


def _pdf() -> bytes:
    html = PAGE.format(faces=webfonts.font_faces_for_pdf())
    pdf, _ = html_to_pdf(html, base_dir=webfonts.FONT_DIR, allowed_roots=[])
    return pdf


@pytest.mark.parametrize("subsetter", ["fonttools", "harfbuzz"])
def test_pdf_bytes_do_not_depend_on_the_clock(
        subsetter: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint.pdf.fonts as fonts

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # the tests pin it; users may not
    if subsetter == "fonttools":
        monkeypatch.setattr(fonts, "harfbuzz_subset", None)  # as on a machine without it
    elif fonts.harfbuzz_subset is None:
        pytest.skip("libharfbuzz-subset is not installed")
    first = _pdf()
    time.sleep(1.1)  # fontTools' timestamps count seconds
    assert _pdf() == first


def test_a_user_source_date_epoch_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import weasyprint.pdf.fonts as fonts

    monkeypatch.setattr(fonts, "harfbuzz_subset", None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    one = _pdf()
    assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    assert _pdf() != one  # the user's date, not the note's, went into the fonts


def test_the_font_subsetter_is_part_of_the_cache_key(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    parts = cache.environment_parts(RenderOptions())
    assert "subsetter" in parts
    found = cache.font_subsetter()
    monkeypatch.setattr(cache, "HARFBUZZ_SUBSET_NAMES", ("libno-such-subsetter.so.0",))
    assert cache.font_subsetter() == "fonttools"
    if found == "harfbuzz-subset":  # the two machines' keys differ
        cache._process_parts.cache_clear()
        try:
            assert cache.environment_parts(RenderOptions())["subsetter"] != parts["subsetter"]
        finally:
            cache._process_parts.cache_clear()
