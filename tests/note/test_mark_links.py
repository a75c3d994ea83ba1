"""One numbering of † marks per note: a derived figure carries the same mark wherever it is
printed, no two figures share a mark, and every mark links to its note (href and
aria-describedby naming an element that exists and explains that mark)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.helpers.golden import all_notes


@pytest.fixture(scope="module")
def pages() -> dict[str, BeautifulSoup]:
    return {name: BeautifulSoup(brief.files["brief.html"], "html.parser")
            for name, brief in all_notes().items()}


def test_a_figure_keeps_its_mark_and_a_mark_means_one_figure(
        pages: dict[str, BeautifulSoup]) -> None:
    for name, page in pages.items():
        explained: dict[str, set[str]] = {}
        for note in page.select(".notes li[id]"):
            mark = note.select_one(".mark").get_text()
            explained.setdefault(mark, set()).add(note.get_text(" ", strip=True))
        # every listing of a mark, under any block, explains it in the same words
        assert all(len(texts) == 1 for texts in explained.values()), (name, explained)
        figures: dict[str, set[str]] = {}
        for sup in page.select("sup.derived-mark"):
            figure = sup.find_previous_sibling("span", class_="figure")
            if figure is not None:
                figures.setdefault(sup.get_text(), set()).add(figure.get_text().lstrip("+"))
        assert figures, name
        assert all(len(texts) == 1 for texts in figures.values()), (name, figures)


def test_the_sample_marks_the_beat_the_same_in_takeaways_key_data_and_table(
        pages: dict[str, BeautifulSoup]) -> None:
    page = pages["baba"]
    marks = {block: [a.get_text() for a in page.select(f"{block} sup.derived-mark a")]
             for block in (".standfirst", ".takeaways", ".key-data", "#table-results")}
    beat = marks[".key-data"]
    assert len(beat) == 1 and beat[0] in marks[".takeaways"]
    assert beat[0] in marks[".standfirst"] and beat[0] in marks["#table-results"]
    numbers = sorted({int(a.get_text()[1:]) for a in page.select("sup.derived-mark a")})
    assert numbers == list(range(1, len(numbers) + 1))  # one sequence, no gaps


def test_every_mark_links_to_its_note(pages: dict[str, BeautifulSoup]) -> None:
    for name, page in pages.items():
        links = page.select("sup.derived-mark a")
        assert links, name
        for link in links:
            target = link["href"].removeprefix("#")
            assert link["aria-describedby"] == target, (name, link)
            note = page.find(id=target)
            assert note is not None and note.name == "li", (name, target)
            assert note.select_one(".mark").get_text() == link.get_text(), (name, target)
            assert "Derived:" in note.get_text(), (name, target)
        ids = [tag["id"] for tag in page.find_all(id=True)]
        assert len(ids) == len(set(ids)), name
