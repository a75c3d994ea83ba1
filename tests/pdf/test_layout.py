"""Layout that holds for any length, read back from the PDF's word positions (`pdftotext
-bbox-layout`) and from a browser's layout (Chromium at phone and desktop widths):

- page 1 is filled when a results table runs on to page 2 (the table splits, its header repeats);
- a heading never sits at a page foot without its content under it, and neither a list's last
  item nor a table's source or notes starts a page alone; an exhibit is not held to the next
  one by a list of one note;
- a figure never breaks from its currency, unit or sign, nor a range from its other end;
- long names, titles and words wrap inside the page and the screen, and a word too long for
  the line beside the sidebar breaks there rather than leaving its bullet behind.

The specs are generated here, of several lengths; those whose shape must put a break at one
place (a list's last item at a page top, a heading at a page foot) are sized from a first render
of the same note, so they keep testing that case when the stylesheet's sizes change.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

from briefgen.build.pipeline import RenderedBrief, render_brief
from tests.helpers.chromium import CHROMIUM, DevTools, attached_page, evaluate, open_page
from tests.helpers.golden import rendered
from tests.helpers.pdflayout import MARGIN_SIDE, PDFTOTEXT, Line, Page, pdf_pages
from tests.helpers.specs import spec_data

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext is not installed")]

GALLERY = Path(__file__).resolve().parents[1] / "specs" / "gallery"
SAMPLES = Path(__file__).resolve().parents[2] / "specs"
LONG_NAME = ("Consolidated Hyperscale Infrastructure-as-a-Service, Platform and "
             "Artificial-Intelligence Solutions")
LONG_WORD = "Supercalifragilisticexpialidocious" * 3  # no space to break at
# Lines a table or chart hangs under it: never the first of a page.
TAIL = re.compile(r"^(?:Source:|Sources:|†\d|Consensus:|Derived:)")


def quarters(values: list[float], growth: list[float]) -> dict[str, Any]:
    ends = ["2024-06-30", "2024-09-30", "2024-12-31", "2025-03-31", "2025-06-30"]
    return {"currency": "USD", "unit": "bn", "source": "s",
            "quarters": [{"quarter_end": end, "revenue": value, "growth_yoy": rate}
                         for end, value, rate in zip(ends, values, growth, strict=True)]}


def note_spec(*, segments: int = 3, risks: int = 0, highlights: int = 0, long: bool = False,
              figures: bool = False) -> dict[str, Any]:
    """A spec of a chosen length: `segments` rows in the results table, `risks` and
    `highlights` one-line list items, `long` names everywhere, `figures` text dense with
    amounts, ranges and points."""
    # Long: every name long, and one a single word far wider than its column.
    name = ((lambda i: f"{LONG_WORD} {i}" if i == 1 else f"{LONG_NAME} {i}") if long
            else (lambda i: f"Segment {i}"))
    rows = [{"name": name(i), "source": "s", "headline": i == 0,
             "revenue": {"value": round(10 + 1.37 * i, 2), "currency": "USD"},
             "growth_yoy": {"value": 5 + i},
             **({"consensus": {"provider": "LSEG", "growth_yoy": {"value": 4 + i}}}
                if i % 2 == 0 else {})}
            for i in range(segments)]
    rows[0]["history"] = quarters([8.1, 8.6, 9.0, 9.4, 10.0], [3, 4, 4, 5, 5])
    company = spec_data()["company"]
    if long:
        company = {**company, "name": f"{LONG_NAME} Holdings Corporation Limited",
                   "sector": "Cloud infrastructure, platforms, software and AI services",
                   "listings": [{"exchange": exchange, "ticker": ticker, "currency": currency}
                                for exchange, ticker, currency in (
                                    ("NASDAQ", "EXMPL", "USD"), ("NYSE", "EXMPLB", "USD"),
                                    ("HKEX", "09999", "HKD"), ("LSE", "EXML", "GBP"),
                                    ("XETRA", "EXMG", "EUR"))]}
    brief = {**spec_data()["brief"], "summary": "Revenue grew. " * (30 if long else 3)}
    if long:
        brief["title"] = (f"{LONG_NAME}: a {LONG_WORD} quarter in which every segment beat, "
                          "guidance rose and the shares moved")[:200]
    if figures:
        brief["key_data"] = [
            {"label": label, "text": text, "source": "s"} for label, text in (
                ("Market capitalisation at the close", "USD 290.37bn"),
                ("52-week trading range of the shares", "USD 80.15–148.43"),
                ("Enterprise value including leases", "USD 312.95bn"),
                ("Net cash at the end of the quarter", "USD 1,234.5bn"))]
    data = spec_data(brief=brief, company=company, segments=rows)
    amounts = " ".join(f"{'a' * (i % 7 + 1)} USD {i + 10}.{i % 10}bn, +{i % 9}.5 pp and "
                       f"USD {i + 20}–{i + 30}bn;" for i in range(40))
    data["capex"] = {"source": "s",
                     "quarterly": [{"quarter_end": "2024-06-30",
                                    "spend": {"value": 4.1, "currency": "USD"}},
                                   {"quarter_end": "2025-06-30",
                                    "spend": {"value": 5.2, "currency": "USD"}}]}
    if figures:
        data["capex"]["outlook"] = amounts
    if highlights:
        data["highlights"] = [{"title": f"Launch {i + 1}", "text": "A product launched.",
                               "source": "s"} for i in range(highlights)]
    if risks:
        data["risks"] = [{"title": f"Risk {i + 1}", "text": "It could go wrong."}
                         for i in range(risks)]
    if long:
        data["sources"] = [{**data["sources"][0], "publisher": LONG_NAME,
                            "url": "https://example.com/" + "a-very-long-path-segment/" * 12}]
    return data


@functools.cache
def render(folder: Path, **shape: Any) -> RenderedBrief:
    key = "-".join(f"{k}{int(v)}" for k, v in sorted(shape.items())) or "default"
    path = folder / f"{key}.yaml"
    path.write_text(yaml.safe_dump(note_spec(**shape), allow_unicode=True), encoding="utf-8")
    return render_brief(path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("layout-specs")


# --- what a desk editor would stop, read from the PDF ----------------------------------------

def headings(html: bytes) -> list[str]:
    """The body's section headings and table titles (not the sidebar boxes' labels)."""
    soup = BeautifulSoup(html, "html.parser")
    return [" ".join(node.get_text(" ", strip=True).split())
            for node in soup.select("main h2, main .exhibit-title")
            if not node.find_parent(class_="box") and "visually-hidden" not in node.get(
                "class", [])]


def is_heading(line: Line, titles: list[str]) -> bool:
    text = line.text
    return any(title == text or (len(text) >= 12 and title.startswith(text)) for title in titles)


def back_page(pages: list[Page]) -> int:
    """The number of the page the back matter (sources, disclaimer) starts on."""
    return next(page.number for page in pages
                if any(line.text == "Sources" for line in page.body_lines()))


BULLETS = ("•", "◦", "▪")


def page_breaks(brief: RenderedBrief) -> list[str]:
    """Every place the note's pages break badly: a heading with under two rows of text after it
    on its page, a page that starts with a table's source or notes, or whose text before its
    first heading is one row (a section's last line alone), or a list bullet with no text
    beside it."""
    pages = pdf_pages(brief.files["brief.pdf"])
    titles = headings(brief.files["brief.html"])
    found = []
    for page in pages:
        lines = page.body_lines()
        for line in lines:
            if line.text in BULLETS:  # its item's text went elsewhere (below a float)
                found.append(f"page {page.number}: a list bullet alone on its line")
            if is_heading(line, titles):
                below = {round(other.y0) for other in lines if other.y0 > line.y1}
                if len(below) < 2:
                    found.append(f"page {page.number}: heading {line.text!r} at the page foot")
        if page.number == 1 or not lines:
            continue
        if TAIL.match(lines[0].text):
            found.append(f"page {page.number} starts with a tail: {lines[0].text!r}")
        first = next((line.y0 for line in lines if is_heading(line, titles)), page.bottom)
        before = {round(line.y0) for line in lines if line.y1 <= first}
        if len(before) == 1:
            found.append(f"page {page.number} starts with one row alone: {lines[0].text!r}")
    return found


def split_figures(pages: list[Page], currencies: set[str]) -> list[str]:
    """Figures broken across lines: a currency code ending a line whose next line starts with
    its number, `pp` starting a line, or a range broken at its dash."""
    found = []
    for page in pages:
        for block in page.blocks:
            for line, after in itertools.pairwise(block):
                last, first = line.words[-1].text, after.words[0].text
                number_next = first[:1].isdigit()
                if ((last.lstrip("+−-") in currencies and number_next)  # "USD" | "30.9bn"
                        or first in ("pp", "bn", "m", "%")  # "+7.6" | "pp"
                        or (last.endswith("–") and number_next)  # "64–" | "72bn"
                        or (last in ("+", "−", "-") and number_next)):  # "+" | "5.0%"
                    found.append(f"page {page.number}: {last!r} | {first!r}")
    return found


def test_page_one_is_filled_when_the_results_table_runs_on(folder: Path) -> None:
    for segments in (9, 14):
        pages = pdf_pages(render(folder, segments=segments).files["brief.pdf"])
        first, second = pages[0], pages[1]
        assert back_page(pages) > 2, "the body should run on to page 2"
        assert second.body_lines(), "page 2 has the rest of the body"
        foot = max(line.y1 for line in first.body_lines())
        blank = (first.bottom - foot) / (first.bottom - first.top)
        assert blank < 0.15, f"{segments} segments: {blank:.0%} of page 1 left blank"
        # the table went on, its header repeated at the top of page 2
        top = second.body_lines()[0]
        header = {word.text for line in second.body_lines() if round(line.y0) == round(top.y0)
                  for word in line.words}
        assert {"Segment", "Revenue", "Consensus"} <= header, header


def test_a_table_with_no_text_beside_it_starts_at_the_left_margin(folder: Path) -> None:
    # Capital spending with no plan and no outlook: its table alone, not floated right of an
    # empty column.
    pages = pdf_pages(render(folder, segments=9).files["brief.pdf"])
    header = [line for page in pages for line in page.body_lines()
              if line.words[0].text == "Measure"]
    assert header, "the capex table is printed"
    assert header[0].words[0].x0 < MARGIN_SIDE + 10, header[0].words[0]


def first_on_page(brief: RenderedBrief, prefix: str) -> tuple[int, int] | None:
    """(page, n): the n-th item whose text starts with `prefix` is the first on a later page."""
    pages = pdf_pages(brief.files["brief.pdf"])
    seen = 0
    for page in pages:
        numbers = [int(m.group(1)) for line in page.body_lines()
                   if (m := re.search(rf"\b{re.escape(prefix)} (\d+):", line.text))]
        if numbers and seen:
            return page.number, numbers[0]
        seen += len(numbers)
    return None


def test_a_lists_last_item_never_starts_a_page_alone(folder: Path) -> None:
    # Find the risk that starts page 2 with a long list, then end the list with it: laid out
    # naively, that item alone starts the page.
    probe = first_on_page(render(folder, risks=60), "Risk")
    assert probe, "sixty risks should run over a page"
    brief = render(folder, risks=probe[1])
    assert page_breaks(brief) == []
    pages = pdf_pages(brief.files["brief.pdf"])
    body = [page for page in pages if page.number < back_page(pages)]
    for page in body[1:]:
        risks = [line for line in page.body_lines() if re.search(r"\bRisk \d+:", line.text)]
        assert len(risks) != 1, f"page {page.number} starts with the list's last item alone"


def test_a_heading_never_sits_at_a_page_foot(folder: Path) -> None:
    # Find the highlight that starts a page; with one fewer, the next section's heading ("Risks")
    # falls where that highlight was: at the foot of the page before.
    probe = first_on_page(render(folder, highlights=60), "Launch")
    assert probe, "sixty highlights should run over a page"
    for count in range(probe[1] - 1, probe[1] - 5, -1):
        brief = render(folder, highlights=count, risks=3)
        assert page_breaks(brief) == [], count


def test_an_exhibit_ending_in_one_note_does_not_hold_to_what_follows() -> None:
    # capex-range: the results table (one row, one note) and then a chart too tall for the foot
    # of page 1. The table goes on page 1 under its heading; only the chart moves on. When the
    # one note's list held on to the chart, both went to page 2 and a quarter of page 1 was blank.
    brief = render_brief(GALLERY / "capex-range.yaml")
    pages = pdf_pages(brief.files["brief.pdf"])
    first = pages[0].body_lines()
    assert any(line.text == "Results against consensus" for line in first)
    assert any(line.text.startswith("Consensus:") for line in first)  # the table's note
    blank = (pages[0].bottom - max(line.y1 for line in first)) / (pages[0].bottom - pages[0].top)
    assert blank < 0.15, f"{blank:.0%} of page 1 left blank"
    assert page_breaks(brief) == []


def baselines(pdf: bytes, page_number: int = 0) -> dict[str, list[float]]:
    """Each piece of text drawn on the page, and the heights of the baselines it is drawn on."""
    import io

    from pypdf import PdfReader

    found: dict[str, list[float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            found.setdefault(text.strip(), []).append(round(cm[5] + tm[5] * cm[3], 1))

    PdfReader(io.BytesIO(pdf)).pages[page_number].extract_text(visitor_text=visit)
    return found


def test_the_rating_and_its_label_share_a_baseline() -> None:
    # The rating is set larger than its label; a floated label would sit above its baseline.
    drawn = baselines(render_brief(GALLERY / "miss-deceleration.yaml").files["brief.pdf"])
    assert drawn["Rating"] == drawn["Neutral"], drawn
    assert drawn["Period"] == drawn["Q2 2025"], drawn  # a key datum: label and value too


@pytest.mark.parametrize("path", [*sorted(GALLERY.glob("*.yaml")), SAMPLES / "baba.yaml",
                                  SAMPLES / "baba-2025q3.yaml"], ids=lambda p: p.stem)
def test_gallery_and_samples_break_well(path: Path) -> None:
    brief = render_brief(path)
    assert page_breaks(brief) == []
    currencies = {"USD", "RMB", "HKD", "EUR", "GBP", "JPY"}
    assert split_figures(pdf_pages(brief.files["brief.pdf"]), currencies) == []


def test_no_figure_breaks_from_its_currency_unit_or_other_end_in_the_pdf(folder: Path) -> None:
    brief = render(folder, figures=True)
    pages = pdf_pages(brief.files["brief.pdf"])
    text = " ".join(line.text for page in pages for block in page.blocks for line in block)
    assert text.count("USD ") >= 80  # the figures are there, in the text's reading order
    assert split_figures(pages, {"USD"}) == []
    assert page_breaks(brief) == []


def test_long_names_titles_and_words_stay_inside_the_page(folder: Path) -> None:
    brief = render(folder, long=True, segments=5, risks=3)
    pages = pdf_pages(brief.files["brief.pdf"])
    outside = [f"page {page.number}: {word.text!r} at {word.x0:.0f}–{word.x1:.0f} pt"
               for page in pages for block in page.blocks for line in block
               for word in line.words
               if word.x0 < MARGIN_SIDE - 1 or word.x1 > page.width - MARGIN_SIDE + 1]
    assert outside == []
    text = " ".join(line.text for page in pages for block in page.blocks for line in block)
    assert LONG_NAME.split()[1] in text and "Supercalifragilistic" in text
    assert page_breaks(brief) == []
    # The results table's labels need a break inside a word, the sample's never do.
    page = BeautifulSoup(brief.files["brief.html"], "html.parser")
    assert "labels-fit" not in page.select_one("#table-results table")["class"]
    sample_page = BeautifulSoup(rendered("baba").files["brief.html"],
                                "html.parser")
    assert all("labels-fit" in table["class"] for table in sample_page.select("table.data")
               if "revisions-table" not in table["class"])


# --- the same in a browser ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    with attached_page(tmp_path_factory.mktemp("chromium-profile"), ("Page", "Runtime")) as tools:
        yield tools


def opened(browser: DevTools, brief: RenderedBrief, folder: Path, width: int) -> None:
    path = folder / f"{brief.slug}-{width}.html"
    path.write_bytes(brief.files["brief.html"])
    open_page(browser, path.as_uri(), width, 844, mobile=width < 600)


# A figure on two lines is taller than two lines' text; `.src` wraps every figure, `.nw` a range.
SPLIT_IN_BROWSER = """[...document.querySelectorAll('main .src, main .nw')].filter(e =>
    e.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(e).fontSize))
    .map(e => e.textContent)"""
# Elements whose right edge passes the screen's, outside a box that scrolls sideways.
OVERFLOWING = """[...document.querySelectorAll('main *')].filter(e =>
    !e.closest('.table-scroll, .visually-hidden, svg') &&
    e.getBoundingClientRect().right > innerWidth + 1).map(e => e.tagName + '.' + e.className)"""


sample = functools.cache(rendered)

# Table cells whose text runs past their own edge (into the next column).
CELL_OVERFLOW = """[...document.querySelectorAll('main td, main th')].filter(c =>
    c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.trim())"""


@pytest.mark.parametrize("width", [390, 1280])
def test_in_a_browser_figures_stay_whole_and_nothing_overflows(
        browser: DevTools, folder: Path, width: int) -> None:
    for brief in (render(folder, figures=True), render(folder, long=True, segments=5, risks=3),
                  sample("baba-2025q3")):  # with its revisions table
        opened(browser, brief, folder, width)
        assert evaluate(browser, "document.documentElement.scrollWidth <= innerWidth")
        assert evaluate(browser, OVERFLOWING) == []
        assert evaluate(browser, SPLIT_IN_BROWSER) == []
        assert evaluate(browser, CELL_OVERFLOW) == []
