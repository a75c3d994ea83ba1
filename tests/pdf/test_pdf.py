"""The PDF, checked by parsing it with pypdf: text, pages, metadata, fonts, bookmarks, bytes."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from briefgen.build.pipeline import RenderOptions, render_loaded
from tests.helpers.golden import rendered

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)


@pytest.fixture(scope="module")
def pdf() -> PdfReader:
    return reader(rendered("baba").files["brief.pdf"])


@pytest.fixture(scope="module")
def text(pdf: PdfReader) -> str:
    return text_of(pdf)


@pytest.mark.parametrize("figure", [
    "RMB 33.4bn", "+26%", "7.6 pp", "18.4%", "RMB 380bn", "29 cloud regions",
    "89 availability zones", "more than RMB 100bn", "RMB 127bn", "nearly +13%", "+18%",
    "USD 4.67bn", "RMB 30,127m", "RMB 26,549m",
])
def test_key_figures_are_in_the_text(text: str, figure: str) -> None:
    assert figure in text


def test_page_one_marks_derived_numbers_in_standfirst_and_takeaways(pdf: PdfReader) -> None:
    page_one = " ".join((pdf.pages[0].extract_text() or "").split())
    standfirst = "Cloud revenue RMB 33.4bn (+26% y/y), 7.6 pp†2 above the 18.4% growth consensus"
    takeaways = page_one[page_one.index("Key takeaways"):]
    for expected in ["(about USD 4.67bn†1), +26% y/y, 7.6 pp†2 above",
                     "revenue rose 10.9%†3 on the prior quarter",
                     "at least 79%†4 of a yearly pace of up to RMB 127bn†5",
                     "†1 Derived: RMB 33.4bn / 7.152; RMB per USD on 29 Aug 2025.",
                     "†5 Derived: up to RMB 380bn / 3; the plan spread evenly over 3 years."]:
        assert expected in takeaways
    assert standfirst in page_one
    assert "RMB 33.4bn†" not in page_one and "+26%†" not in page_one  # reported: no mark


def test_sources_and_back_page_are_in_the_text(text: str) -> None:
    for expected in ["Alibaba's AI business after the June-quarter results (article)",
                     "TradingKey", "(via Yahoo Finance)",
                     "Quarterly results announcements, quarters ended June 2024 to June 2025",
                     "Rating definitions", "Analyst certification", "Disclaimer",
                     "Source: TradingKey (via Yahoo Finance), 1 Sep 2025"]:
        assert expected in text


def test_chart_text_is_selectable(text: str) -> None:
    for chart in rendered("baba").charts:
        assert chart.title in text, chart.title


def test_page_count_and_a4(pdf: PdfReader) -> None:
    assert 3 <= len(pdf.pages) <= 5
    for page in pdf.pages:
        assert tuple(round(float(v), 2) for v in page.mediabox[2:]) == A4


def test_running_header_and_footer(pdf: PdfReader) -> None:
    count = len(pdf.pages)
    for number, page in enumerate(pdf.pages, start=1):
        page_text = " ".join((page.extract_text() or "").split())
        assert f"Page {number} of {count}" in page_text
        assert "1 September 2025" in page_text
        assert "For information only" in page_text
        header = "Alibaba: June quarter 2025 (Q1 FY2026)"
        assert (header in page_text) == (number > 1)  # page 1 has the masthead instead


def test_metadata_comes_from_the_spec(pdf: PdfReader) -> None:
    info = pdf.metadata
    assert info is not None
    spec = rendered("baba").loaded.spec
    assert info.title == spec.brief.title
    assert info.author == "Sample Analyst"
    assert info.subject == rendered("baba").derived.standfirst.text  # words only, no † marks
    assert "BABA" in (info.get("/Keywords") or "")
    assert str(info["/CreationDate"]).startswith("D:20250901")
    assert str(info["/ModDate"]).startswith("D:20250901")


def fonts(pdf: PdfReader) -> dict[str, DictionaryObject]:
    found: dict[str, DictionaryObject] = {}
    for page in pdf.pages:
        resources = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            found[str(font["/BaseFont"])] = described["/FontDescriptor"].get_object()
    return found


def test_fonts_are_inter_and_embedded(pdf: PdfReader) -> None:
    found = fonts(pdf)
    assert found
    for name, descriptor in found.items():
        assert "Inter" in name, name
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), name
    weights = {re.sub(r"^/[A-Z]{6}\+", "", name) for name in found}
    assert {"Inter", "Inter-Bold"} <= weights


def test_bookmarks_follow_the_headings(pdf: PdfReader) -> None:
    def titles(outline: list) -> list[str]:  # type: ignore[type-arg]
        flat: list[str] = []
        for item in outline:
            flat.extend(titles(item) if isinstance(item, list) else [item.title])
        return flat

    found = titles(pdf.outline)
    assert found[0] == rendered("baba").loaded.spec.brief.title
    for heading in ["Key takeaways", "Results against consensus", "Capital spending",
                    "Infrastructure", "Market reaction", "Risks", "Sources", "Disclaimer"]:
        assert heading in found
    assert "Key data" not in found  # sidebar boxes are not chapters


def test_small_enough_to_mail() -> None:
    assert len(rendered("baba").files["brief.pdf"]) <= 150 * 1024


def test_letter_paper_tagged() -> None:
    letter = render_loaded(rendered("baba-2025q3").loaded,
                           RenderOptions(formats=("pdf",), paper="letter", pdf_variant="tagged"))
    pdf = reader(letter.files["brief.pdf"])
    assert all(tuple(round(float(v), 2) for v in p.mediabox[2:]) == LETTER for p in pdf.pages)
    assert "/StructTreeRoot" in pdf.trailer["/Root"].get_object()  # tagged for screen readers


# Same input, same bytes: here for PDF/A (whose XMP metadata could carry a date or an id), in
# test_render_cli for a plain PDF made by a fresh process against the one made in this one.
def test_pdf_a_is_reproducible_and_says_so() -> None:
    loaded = rendered("baba-2025q3").loaded
    options = RenderOptions(formats=("pdf",), pdf_variant="pdf/a-3b")
    first = render_loaded(loaded, options).files["brief.pdf"]
    assert render_loaded(loaded, options).files["brief.pdf"] == first
    metadata = reader(first).trailer["/Root"].get_object()["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in metadata and b"2025-11-25" in metadata


def test_pdf_ua_is_tagged() -> None:
    ua = render_loaded(rendered("baba-2025q3").loaded,
                       RenderOptions(formats=("pdf",), pdf_variant="pdf/ua-1"))
    catalog = reader(ua.files["brief.pdf"]).trailer["/Root"].get_object()
    assert "/StructTreeRoot" in catalog
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()
