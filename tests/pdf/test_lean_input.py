"""What WeasyPrint is handed for the PDF is leaner than the page, and prints the same pages.

The PDF is made from the plain page (no provenance spans: a tooltip is nothing on paper). Each
test fails when the saving is undone; the last one proves the lean input looks, pixel for pixel,
like the full page printed the old way: the same pages, a few glyphs a fraction of a pixel
apart (text that was split at a span's edge is now one run, kerned across it), which is why the
pages are compared with a tolerance (under 0.1% of pixels more than 32 grey levels apart at
60 dpi; the bench allows 0.5%).
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from briefgen.build.pipeline import RenderOptions, render_brief
from briefgen.note import html as note_html
from briefgen.pdf.printer import in_process
from briefgen.pdf.weasy import html_to_pdf

SPEC = Path(__file__).resolve().parents[2] / "specs" / "baba.yaml"


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


def test_the_pdf_is_made_from_the_page_without_provenance_spans(handed: dict[str, Any]) -> None:
    note = handed["brief"].files["brief.html"].decode()
    assert note.count('data-src="') > 100  # the reader's HTML keeps every tooltip
    assert "data-src=" not in handed["html"] and 'class="src ' not in handed["html"]
    assert "RMB 33.4bn" in handed["html"]


def _pages(pdf: bytes, folder: Path, name: str) -> list[Image.Image]:
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-gray", "-png", str(folder / f"{name}.pdf"),
                    str(folder / name)], check=True)
    return [Image.open(path).convert("L") for path in sorted(folder.glob(f"{name}-*.png"))]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_the_lean_input_prints_the_same_pages(handed: dict[str, Any], tmp_path: Path) -> None:
    page: note_html.Page = handed["page"]
    full = dataclasses.replace(page, plain=None).finish("pdf")  # as before: every span
    assert full != handed["html"]
    options = handed["options"]
    before, _ = html_to_pdf(full, charts=handed["charts"], **options)
    lean = _pages(handed["brief"].files["brief.pdf"], tmp_path, "lean")
    old = _pages(before, tmp_path, "full")
    assert len(lean) == len(old) >= 3
    for left, right in zip(lean, old, strict=True):
        assert left.size == right.size
        differ = sum(ImageChops.difference(left, right).histogram()[33:])
        assert differ < 0.001 * left.size[0] * left.size[1]
