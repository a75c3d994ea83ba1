"""Chart text drawn a run at a time (`briefgen.pdf.svgtext`): still real text, still anchored, and
WeasyPrint's own drawer for text positioned letter by letter; the early printer's conditions."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from briefgen.pdf import printer
from briefgen.pdf.weasy import html_to_pdf

pypdf = pytest.importorskip("pypdf")


def _pdf_text(svg: str) -> str:
    data = base64.b64encode(svg.encode()).decode()
    pdf, _ = html_to_pdf(f'<img src="data:image/svg+xml;base64,{data}">', base_dir=Path.cwd(),
                         allowed_roots=[])
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join((page.extract_text() or "") for page in reader.pages)


def test_chart_text_stays_selectable_text() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 60">'
           '<text x="100" y="20" style="text-anchor: middle; font-size: 8px">Revenue by '
           'quarter</text><text x="4" y="50">+26% y/y</text></svg>')
    text = _pdf_text(svg)
    assert "Revenue by quarter" in text
    assert "+26% y/y" in text


def test_per_letter_positions_use_weasyprints_drawer() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 60">'
           '<text x="10 30 50" y="20" rotate="0 10 20">ABC</text></svg>')
    assert "A" in _pdf_text(svg)


def test_same_bytes_twice() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 60">'
           '<text x="4" y="20">Same</text></svg>')
    data = base64.b64encode(svg.encode()).decode()
    page = f'<img src="data:image/svg+xml;base64,{data}">'
    first = html_to_pdf(page, base_dir=Path.cwd(), allowed_roots=[])[0]
    assert first == html_to_pdf(page, base_dir=Path.cwd(), allowed_roots=[])[0]


@pytest.mark.parametrize("argv", [
    ["pytest", "render", "specs/baba.yaml"],  # not the console script
    ["briefgen", "validate", "specs/baba.yaml"],
    ["briefgen", "render", "specs/", "--jobs", "2"],
    ["briefgen", "render", "specs/baba.yaml", "--format=html"],
    ["briefgen", "render"],
])
def test_no_early_printer_unless_a_single_render(argv: list[str]) -> None:
    printer.start_early(argv)
    assert printer._early is None
