"""The HTML note, checked by parsing it: sections, headings, tables, charts, sources, marks."""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from briefgen.build.pipeline import RenderOptions, render_brief
from tests.helpers.golden import rendered, soup_of, variant_spec

SECTIONS = ["Key data", "Analyst", "Key takeaways", "Results against consensus",
            "Capital spending", "Infrastructure", "Market reaction", "Highlights",
            "What management said", "Analyst views", "Risks", "Sources", "Rating definitions",
            "Analyst certification", "Disclaimer"]


@pytest.fixture(scope="module")
def soup() -> BeautifulSoup:
    return soup_of("baba")


@pytest.fixture(scope="module")
def q3() -> BeautifulSoup:
    return soup_of("baba-2025q3")


def headings(doc: BeautifulSoup, level: str = "h2") -> list[str]:
    return [h.get_text(" ", strip=True) for h in doc.find_all(level)]


def test_every_section_has_its_heading_in_order(soup: BeautifulSoup) -> None:
    assert headings(soup) == SECTIONS


def test_one_h1_the_headline_and_no_skipped_heading_level(soup: BeautifulSoup) -> None:
    assert headings(soup, "h1") == [rendered("baba").loaded.spec.brief.title]
    levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_page_one_carries_company_listings_sector_date_and_desk(soup: BeautifulSoup) -> None:
    masthead = soup.select_one("header.masthead")
    assert masthead is not None
    text = masthead.get_text(" ", strip=True)
    standfirst = "Cloud revenue RMB 33.4bn (+26% y/y), 7.6 pp †2 above the 18.4% growth consensus"
    for expected in ["Alibaba Group", "NYSE: BABA, HKEX: 9988", "Internet & cloud",
                     "1 September 2025", standfirst]:
        assert expected in text
    analyst = soup.select_one(".analysts")
    assert analyst is not None
    assert "Sample Analyst" in analyst.get_text() and "China Internet & Cloud" in analyst.get_text()
    takeaways = soup.select(".takeaways > ul:not(.notes) > li")
    assert len(takeaways) == len(rendered("baba").derived.takeaways)


def test_key_data_box_marks_the_derived_beat(soup: BeautifulSoup) -> None:
    rows = {div.dt.get_text(strip=True): div.dd for div in soup.select(".key-data dl > div")}
    assert rows["Cloud revenue"].get_text(strip=True) == "RMB 33.4bn"
    beat = rows["vs consensus"]
    assert beat.select_one(".derived-mark").get_text() == "†2"  # its mark in the takeaways
    assert ("Derived: 26% − 18.4%; growth against consensus growth."
            in soup.select_one(".key-data .notes").get_text())


def marked_numbers(block: Tag) -> list[tuple[str, str]]:
    """(number, mark) for each † in `block`: the figure's text just before its mark."""
    found = []
    for sup in block.select("sup.derived-mark"):
        figure = sup.find_previous_sibling("span", class_="figure")
        assert figure is not None, sup
        found.append((figure.get_text(), sup.get_text()))
    return found


def test_takeaways_mark_derived_numbers_and_say_how(soup: BeautifulSoup) -> None:
    items = soup.select(".takeaways > ul:not(.notes) > li")
    assert [marked_numbers(li) for li in items] == [
        [("USD 4.67bn", "†1"), ("7.6 pp", "†2")], [], [("10.9%", "†3")],
        [("at least 79%", "†4"), ("up to RMB 127bn", "†5")], []]
    # Reported numbers stay plain words; the sentence reads as before, with its marks.
    assert items[0].get_text() == ("Cloud revenue of RMB 33.4bn (about USD 4.67bn†1), +26% y/y, "
                                   "7.6 pp†2 above the 18.4% growth consensus.")
    notes = [li.get_text(" ", strip=True) for li in soup.select(".takeaways .notes li")]
    # Each derivation names its inputs as printed, so redoing the sum gives the printed result.
    assert notes == [
        "†1 Derived: RMB 33.4bn / 7.152; RMB per USD on 29 Aug 2025.",
        "†2 Derived: 26% − 18.4%; growth against consensus growth.",
        "†3 Derived: RMB 33,398m / RMB 30,127m − 1; Jun-25 against Mar-25.",
        "†4 Derived: more than RMB 100bn / (up to RMB 380bn / 3); invested over four quarters "
        "against the yearly pace.",
        "†5 Derived: up to RMB 380bn / 3; the plan spread evenly over 3 years."]


def test_standfirst_reuses_the_takeaways_marks_and_meta_stays_plain(soup: BeautifulSoup) -> None:
    standfirst = soup.select_one("header.masthead .standfirst")
    assert standfirst is not None
    assert marked_numbers(standfirst) == [("7.6 pp", "†2")]  # the same figure as takeaway 1's †2
    assert standfirst.select_one(".derived-mark a")["href"] == "#takeaways-note-2"
    description = soup.find("meta", attrs={"name": "description"})
    assert description["content"] == ("Cloud revenue RMB 33.4bn (+26% y/y), 7.6 pp above the "
                                      "18.4% growth consensus")


@pytest.mark.parametrize("sample", ["baba", "baba-2025q3"])
def test_every_mark_has_its_note_in_its_block(sample: str) -> None:
    """Wherever a † appears, the note saying how sits under its table, box or takeaways."""
    doc = soup_of(sample)
    marks = doc.select("sup.derived-mark")
    assert marks
    for sup in marks:
        block = sup.find_parent(["figure", "section"])
        if block is None or block.find_parent("header") or sup.find_parent("header"):
            block = doc.select_one("section.takeaways")  # the standfirst's notes
        assert block is not None
        notes = [mark.get_text() for mark in block.select(".notes .mark")]
        assert sup.get_text() in notes, (sample, sup)
    method = doc.select_one(".sources .method")
    assert method is not None and "Figures marked † were derived" in method.get_text()


def table(doc: BeautifulSoup, table_id: str) -> Tag:
    found = doc.select_one(f"#table-{table_id}")
    assert found is not None, table_id
    return found


def cells(exhibit: Tag) -> dict[str, list[str]]:
    return {row.th.get_text(" ", strip=True): [td.get_text(" ", strip=True) for td in
                                               row.find_all("td")]
            for row in exhibit.select("tbody tr")}


def test_tables_have_header_cells_with_scope(soup: BeautifulSoup) -> None:
    tables = soup.find_all("table")
    assert len(tables) == 4  # results, capex, new sites, market
    for each in tables:
        assert each.thead is not None and each.tbody is not None
        assert all(th.get("scope") == "col" for th in each.thead.find_all("th"))
        assert all(row.th is not None and row.th.get("scope") == "row"
                   for row in each.tbody.find_all("tr"))
        assert all(th.get_text(strip=True) for th in each.thead.find_all("th"))


def test_results_table_against_consensus_with_derived_difference(soup: BeautifulSoup) -> None:
    results = table(soup, "results")
    header = [th.get_text(strip=True) for th in results.thead.find_all("th")]
    assert header == ["Segment", "Revenue", "y/y", "Consensus", "vs consensus", "Prior quarter",
                      "Prior year"]
    rows = cells(results)
    assert rows["Cloud Intelligence Group"] == ["RMB 33.4bn", "+26%", "+18.4%", "+7.6 pp †2",
                                                "RMB 30,127m", "RMB 26,549m"]
    assert rows["Group"][:2] == ["RMB 247,652m", "+2%"]  # as the spec gives it
    notes = results.select_one(".notes").get_text(" ", strip=True)
    assert "†2 Derived: 26% − 18.4%; growth against consensus growth." in notes
    assert "Group: +10% y/y excluding the disposed Sun Art and Intime businesses." in notes


def test_every_table_and_chart_has_a_source_line_under_it(soup: BeautifulSoup) -> None:
    exhibits = soup.select("figure.exhibit")
    assert len(exhibits) == 4 + 5  # four tables, five charts
    for exhibit in exhibits:
        source = exhibit.select_one("p.source")
        assert source is not None, exhibit.get("id")
        assert source.get_text().startswith("Source: "), exhibit.get("id")
        # the source line comes after the table or chart it belongs to
        body = exhibit.select_one("table, svg")
        assert body is not None and body.sourceline <= source.sourceline  # type: ignore[operator]


def test_capex_rows_mark_each_derived_figure(soup: BeautifulSoup) -> None:
    rows = cells(table(soup, "capex"))
    assert rows["Plan over three years"] == ["up to RMB 380bn"]
    assert rows["Implied yearly pace"] == ["up to RMB 127bn †5"]  # as in the takeaways
    assert rows["Invested, past four quarters"] == ["more than RMB 100bn"]
    notes = table(soup, "capex").select_one(".notes").get_text(" ", strip=True)
    assert "†5 Derived: up to RMB 380bn / 3; the plan spread evenly over 3 years." in notes


def test_infrastructure_footprint_and_new_sites(soup: BeautifulSoup) -> None:
    footprint = soup.select_one(".footprint")
    assert footprint is not None
    assert footprint.get_text() == "Footprint: 29 cloud regions and 89 availability zones."
    rows = cells(table(soup, "sites"))
    assert list(rows) == ["Beijing", "Shanghai", "Hangzhou", "Thailand", "South Korea",
                          "Malaysia", "Dubai", "Mexico"]
    assert rows["Dubai"] == ["United Arab Emirates", "Overseas"]  # no "Opened" column: no dates


def test_market_reaction_table(soup: BeautifulSoup) -> None:
    rows = cells(table(soup, "market"))
    assert rows["NYSE: BABA"] == ["29 Aug 2025", "Friday, the results day", "nearly +13%"]
    assert rows["HKEX: 9988"] == ["1 Sep 2025", "Monday, the next Hong Kong session", "+18%"]


def test_quotes_are_attributed_and_views_marked_quote_or_paraphrase(soup: BeautifulSoup) -> None:
    quote = soup.select_one(".quotes figure.quote")
    assert quote is not None
    caption = quote.figcaption.get_text(" ", strip=True)
    assert "Eddie Wu" in caption and "Group CEO, Alibaba" in caption and "TradingKey" in caption
    assert quote.blockquote.get_text(strip=True).startswith("“Our investments")
    view = soup.select_one(".views figure.view")
    assert view is not None
    assert view.select_one(".view-kind").get_text(strip=True).startswith("Paraphrase")
    assert view.blockquote is None  # a paraphrase is not set as a quotation
    assert "Charu Chanana" in view.figcaption.get_text()


def test_back_page_lists_numbered_sources_ratings_certification_disclaimer(
        soup: BeautifulSoup) -> None:
    sources = soup.select("ol.source-list > li")
    assert [s.select_one(".publisher").get_text() for s in sources] == ["TradingKey",
                                                                          "Alibaba Group"]
    first = sources[0].get_text(" ", strip=True)
    assert "Alibaba's AI business after the June-quarter results (article)" in first
    assert "1 Sep 2025" in first and "(via Yahoo Finance)" in first
    ratings = [dt.get_text() for dt in soup.select(".rating-definitions dt")]
    assert ratings[:3] == ["Buy", "Hold", "Sell"]
    assert "accurately reflect" in soup.select_one(".certification").get_text()
    assert "does not constitute an offer" in soup.select_one(".disclaimer").get_text()


def test_charts_are_inline_svg_with_an_accessible_name(soup: BeautifulSoup) -> None:
    svgs = soup.find_all("svg")
    assert len(svgs) == len(rendered("baba").charts) == 5
    for svg in svgs:
        assert svg.get("role") == "img"
        assert (svg.get("aria-label") or "").strip() or svg.find("title")
        figure = svg.find_parent("figure")
        assert figure is not None and figure.figcaption is not None
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "ids repeat across charts"


def test_self_contained_no_script_no_external_resources(soup: BeautifulSoup) -> None:
    assert soup.find("script") is None
    assert soup.find("link") is None and soup.find("iframe") is None
    for tag in soup.find_all(src=True):
        assert tag["src"].startswith("data:"), tag
    source_urls = {s.url for s in rendered("baba").loaded.spec.sources if s.url}
    for tag in soup.find_all(href=True):
        assert tag["href"].startswith("#") or tag["href"] in source_urls, tag
    for tag in soup.find_all(attrs={"xlink:href": True}):
        assert tag["xlink:href"].startswith("#")
    css = " ".join(style.get_text() for style in soup.find_all("style"))
    urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    assert urls and all(url.startswith("data:") for url in urls)


def test_fonts_embedded_subset_and_small(soup: BeautifulSoup) -> None:
    css = soup.find("style").get_text()
    faces = re.findall(r"@font-face\s*{[^}]*}", css)
    assert len(faces) == 4
    assert all("font-family: Inter" in face and "data:font/woff;base64," in face
               for face in faces)
    size = len(rendered("baba").files["brief.html"])
    assert size < 300_000, f"HTML is {size} bytes: are the fonts subset?"


def test_sections_without_data_are_left_out(q3: BeautifulSoup) -> None:
    assert headings(q3) == ["Key data", "Analyst", "Changes since our last note",
                            "Key takeaways", "Results against consensus",
                            "Capital spending", "Highlights", "Risks",
                            "Revisions since our note of 1 September 2025", "Sources",
                            "Rating definitions", "Analyst certification", "Disclaimer"]
    for heading in q3.find_all("h2"):
        section = heading.find_parent(["section", "aside"])
        assert section is not None
        assert section.get_text(" ", strip=True) != heading.get_text(" ", strip=True)
    assert q3.select_one(".rating-box") is None  # the spec gives no rating


def test_value_consensus_shows_percent_difference_and_derived_growth(q3: BeautifulSoup) -> None:
    rows = cells(table(q3, "results"))
    cloud = rows["Cloud Intelligence Group"]
    assert cloud[:2] == ["RMB 39.8bn", "+34%"]
    consensus, mark = cloud[2].rsplit(" ", 1)  # the note's one numbering decides the number
    assert consensus == "RMB 37.9bn +28.0% y/y" and mark.startswith("†")  # implied: derived
    assert re.fullmatch(r"\+5\.0% †\d+ \+6\.0 pp †\d+", cloud[3])
    notes = table(q3, "results").select_one(".notes").get_text(" ", strip=True)
    assert (f"{mark} Derived: RMB 37.9bn / RMB 29,610m − 1; consensus revenue against revenue a "
            "year earlier.") in notes


def test_rating_box_with_target_and_implied_upside(tmp_path: Path) -> None:
    def rate(data: dict) -> None:  # type: ignore[type-arg]
        data["brief"]["rating"] = "Buy"
        data["brief"]["price_target"] = {"value": 150, "currency": "USD", "listing": "BABA",
                                         "horizon_months": 12, "price_at_setting": 120,
                                         "source": "tradingkey"}

    spec = variant_spec(tmp_path, rate)
    html = render_brief(spec, RenderOptions(formats=("html",))).files["brief.html"]
    box = BeautifulSoup(html, "html.parser").select_one(".rating-box")
    assert box is not None
    rows = {div.dt.get_text(strip=True): div.dd.get_text(" ", strip=True)
            for div in box.select("dl > div")}
    assert rows == {"Rating": "Buy", "Price target (NYSE: BABA)": "USD 150.00",
                    "Horizon": "12 months", "Price when set": "USD 120.00",
                    "Implied upside": "+25.0% " + box.select_one(".derived-mark").get_text()}
    assert ("Derived: USD 150.00 / USD 120.00 − 1; the target against the price when it was "
            "set." in box.select_one(".notes").get_text())


def test_figure_columns_are_right_aligned_text_columns_left(soup: BeautifulSoup) -> None:
    def alignments(table_id: str) -> list[str]:
        row = table(soup, table_id).select_one("tbody tr")
        return [" ".join(td.get("class", [])) for td in row.find_all("td")]

    assert alignments("results") == ["num"] * 6
    assert alignments("market") == ["text", "text", "num"]
    assert alignments("sites") == ["text", "text"]


@pytest.mark.parametrize("subsetter", ["harfbuzz", "fonttools"])
def test_embedded_font_is_a_woff_subset_with_the_text(
        subsetter: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import base64
    import io
    import tempfile

    from fontTools.ttLib import TTFont

    from briefgen.note import webfonts

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # an empty subset cache
    if subsetter == "fonttools":  # as on a system without libharfbuzz-subset
        monkeypatch.setattr(webfonts, "_harfbuzz", lambda: None)
    webfonts._woff_base64.cache_clear()
    webfonts._woff_base64_of.cache_clear()
    data = base64.b64decode(webfonts._woff_base64(webfonts.FACES[0], frozenset("RMB 33.4bn†−")))
    font = TTFont(io.BytesIO(data))
    assert font.flavor == "woff"
    cmap = font["cmap"].getBestCmap()
    assert {ord(ch) for ch in "RMB 33.4bn†−"} <= set(cmap)
    assert ord("Z") not in cmap  # a subset, not the whole font
    assert len(data) < 40_000


def test_subset_fonts_are_kept_between_processes_by_font_text_and_subsetter(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import tempfile

    from briefgen.note import webfonts

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    harfbuzz = webfonts._harfbuzz()
    if harfbuzz is None:
        pytest.skip("libharfbuzz-subset is not installed")
    data, text = webfonts.FACES[0].path.read_bytes(), frozenset(map(ord, "RMB 33.4bn"))
    webfonts._woff_base64_of.cache_clear()
    first = webfonts._woff_base64_of(data, text, keep=True)
    kept = list((tmp_path / f"briefgen-fonts-{os.getuid()}").glob("*.woff64"))
    assert len(kept) == 1 and kept[0].read_bytes().decode() == first

    webfonts._woff_base64_of.cache_clear()  # as a new process: nothing cut again
    monkeypatch.setattr(type(harfbuzz), "subset", lambda *args: pytest.fail("subset again"))
    assert webfonts._woff_base64_of(data, text, keep=True) == first

    monkeypatch.undo()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(harfbuzz, "version", "harfbuzz 99.0.0")  # another HarfBuzz: cut afresh
    webfonts._woff_base64_of.cache_clear()
    assert webfonts._woff_base64_of(data, text, keep=True) == first
    assert len(list(kept[0].parent.glob("*.woff64"))) == 2
    webfonts._woff_base64_of(data, frozenset(map(ord, "星云")))  # a fallback face's: not kept
    assert len(list(kept[0].parent.glob("*.woff64"))) == 2


def test_the_notes_own_symbols_are_in_every_subset() -> None:
    from briefgen.note.webfonts import BASE_CHARACTERS

    # The derivations and charts write these themselves ("plan ÷ 3", "−8.3%", "2 × 3").
    assert set("−×÷†–") <= BASE_CHARACTERS
