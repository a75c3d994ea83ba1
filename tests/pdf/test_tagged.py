"""The default PDF is tagged (PDF/UA-1) and its structure is what a screen reader needs.

Checked with pypdf (tests/helpers/pdfstructure.py), for every note the suite renders: the catalog
says Marked, has a StructTreeRoot, a /Lang from the spec and shows the title; the XMP claims
pdfuaid:part 1; every painting operator is inside tagged marked content or an artifact, and all
tagged content belongs to an element of the tree; every Figure has Alt text that carries the
chart's numbers; every TH has a Scope; the key-data box and the tables read in the order a
reader expects. This is not a PDF/UA validation (veraPDF, the open validator, is not available
offline here): it checks these properties and nothing more.
"""

from __future__ import annotations

import io
import re

import pytest

from briefgen.build.pipeline import RenderedBrief, RenderOptions, render_brief
from tests.helpers.golden import SAMPLES, all_notes, variant_spec
from tests.helpers.pdfstructure import Structure, read_structure

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def notes() -> dict[str, RenderedBrief]:
    return all_notes()


@pytest.fixture(scope="module")
def structures(notes: dict[str, RenderedBrief]) -> dict[str, Structure]:
    return {name: read_structure(io.BytesIO(brief.files["brief.pdf"]))
            for name, brief in notes.items()}


def test_every_note_is_marked_with_a_structure_tree_language_and_title(
        structures: dict[str, Structure]) -> None:
    for name, pdf in structures.items():
        catalog = pdf.catalog
        assert catalog["/MarkInfo"]["/Marked"] == True, name  # noqa: E712 (a pypdf BooleanObject)
        assert "/StructTreeRoot" in catalog and pdf.root and pdf.root.children, name
        assert catalog["/Lang"] == "en", name
        assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True, name  # noqa: E712
        assert "/Outlines" in catalog, name  # bookmarks from the headings
        assert 'pdfuaid:part="1"' in pdf.xmp, name
        assert "<dc:title>" in pdf.xmp, name


def test_all_content_is_tagged_or_an_artifact_and_in_the_tree(
        structures: dict[str, Structure]) -> None:
    for name, pdf in structures.items():
        assert pdf.unmarked == [], name
        assert pdf.content_mcids, name
        # The running header and footer are artifacts (briefgen.pdf.tagging), so no tagged
        # content is left outside the tree.
        assert pdf.orphans() == [], name
        assert not any("Page 1 of" in text for page in pdf.page_text for text in page.values())


def test_every_figure_has_alt_text_with_the_chart_data(
        notes: dict[str, RenderedBrief], structures: dict[str, Structure]) -> None:
    for name, pdf in structures.items():
        figures = [e for e in pdf.root.walk() if e.role == "/Figure"] if pdf.root else []
        assert figures and all(figure.alt for figure in figures), name
        # Each chart's alternative text states its numbers (the logo's is the firm's name).
        charts = len(re.findall(rb'<svg [^>]*role="img"', notes[name].files["brief.html"]))
        with_data = [f.alt for f in figures if f.alt and re.search(r"\d[\d.]* ", f.alt)]
        assert charts and len(with_data) == charts, (name, [f.alt for f in figures])
    revenue = next(e.alt for e in structures["baba"].root.walk()  # type: ignore[union-attr]
                   if e.role == "/Figure" and e.alt and e.alt.startswith("Cloud revenue"))
    assert "Jun-25 33.4 (current quarter)" in revenue and "Jun-25 +26%" in revenue


def test_table_headers_have_a_scope(structures: dict[str, Structure]) -> None:
    for name, pdf in structures.items():
        headers = [e for e in pdf.root.walk() if e.role == "/TH"] if pdf.root else []
        assert headers, name
        scopes = {e.attributes.get("/Scope") for e in headers}
        assert scopes == {"/Column", "/Row"}, (name, scopes)


def test_key_data_reads_label_then_value(structures: dict[str, Structure]) -> None:
    pdf = structures["baba"]
    assert pdf.root
    box = next(e for e in pdf.root.walk()
               if e.role == "/Sect" and pdf.text_of(e).lower().startswith("key data"))
    text = pdf.text_of(box)
    assert ("Cloud revenue RMB 33.4bn Growth y/y +26% vs consensus +7.6 pp †2 Capex plan"
            in text), text


def test_tables_read_row_by_row(structures: dict[str, Structure]) -> None:
    pdf = structures["baba"]
    assert pdf.root
    tables = [pdf.text_of(e) for e in pdf.root.walk() if e.role == "/Table"]
    results = next(t for t in tables if t.startswith("Segment"))
    assert results.startswith("Segment Revenue y/y Consensus vs consensus Prior quarter "
                              "Prior year Cloud Intelligence Group RMB 33.4bn +26%"), results
    market = next(t for t in tables if t.startswith("Listing"))
    assert "NYSE: BABA 29 Aug 2025 Friday, the results day nearly +13% HKEX: 9988" in market


def test_the_language_comes_from_the_spec(tmp_path: object) -> None:
    from pathlib import Path

    def british(data: dict[str, dict[str, str]]) -> None:
        data["brief"]["language"] = "en-GB"

    spec = variant_spec(Path(str(tmp_path)), british)
    brief = render_brief(spec)
    assert b'<html lang="en-GB">' in brief.files["brief.html"]
    assert read_structure(io.BytesIO(brief.files["brief.pdf"])).catalog["/Lang"] == "en-GB"


def test_variant_none_is_untagged() -> None:
    brief = render_brief(SAMPLES["baba"], RenderOptions(pdf_variant="none"))
    pdf = read_structure(io.BytesIO(brief.files["brief.pdf"]))
    assert "/StructTreeRoot" not in pdf.catalog and "/MarkInfo" not in pdf.catalog
    assert RenderOptions().pdf_variant == "pdf/ua-1"


def test_plain_text_extraction_follows_the_page(notes: dict[str, RenderedBrief]) -> None:
    """A reader without tags (copy and paste, pypdf, a search index) reads the content stream:
    the headline comes before the sidebar, and each key datum reads label then value."""
    from pypdf import PdfReader

    page = " ".join(PdfReader(io.BytesIO(notes["baba"].files["brief.pdf"])).pages[0]
                    .extract_text().split())
    assert page.index("Alibaba: cloud re-accelerates") < page.index("KEY DATA")
    assert ("KEY DATA Period June quarter 2025 (Q1 FY2026) Results 29 Aug 2025 Cloud revenue "
            "RMB 33.4bn Growth y/y +26% vs consensus +7.6 pp†2 Capex plan") in page
    assert ("FX 7.152 RMB/USD †2 Derived: 26% − 18.4%; growth against consensus growth. "
            "ANALYST Sample Analyst") in page  # the box's note, then the next box
    last = " ".join(PdfReader(io.BytesIO(notes["baba"].files["brief.pdf"])).pages[-1]
                    .extract_text().split())
    assert ("Rating definitions Buy expected total return above 10% over the horizon Hold "
            "expected") in last
    assert ("is published Ratings are relative to the stock's expected total return over "
            "12 months. Analyst certification The analyst(s)") in last
