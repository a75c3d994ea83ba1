"""The brief's email for every reader: real lists, a chart whose alt text carries its data, a
blurb naming only the sections the note has, the note's font, List-Unsubscribe headers from the
delivery config, and a text part that says everything the HTML part says."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

from briefgen.mail.compose import compose
from tests.helpers.golden import variant_spec
from tests.mail.test_compose import CLOCK, PEOPLE, config, content, html_of, parsed


def message(spec: Path | None = None, **extra: object):  # type: ignore[no-untyped-def]
    brief = content(spec) if spec else content()
    return parsed(compose(brief, PEOPLE, config(**extra), clock=lambda: CLOCK))


def test_takeaways_are_a_list_and_the_chart_alt_states_its_data() -> None:
    html = html_of(message())
    items = html.select("ul > li")
    assert len(items) >= 3 and "Cloud revenue of RMB 33.4bn" in items[0].get_text()
    assert "■" not in html.get_text() and "&#9632;" not in str(html)
    alt = html.find("img")["alt"]
    assert alt.startswith("Chart: Cloud revenue by quarter and y/y growth. Revenue, RMB bn:")
    assert "Jun-25 33.4 (current quarter)" in alt and "Jun-25 +26%" in alt
    # key data is a data table: each label a row header
    assert [th.get_text() for th in html.select("th[scope=row]")][:2] == ["Period", "Results"]


def test_the_blurb_names_the_sections_the_note_has(tmp_path: Path) -> None:
    full = html_of(message()).get_text(" ", strip=True)
    assert ("results against consensus, capital spending, infrastructure, the market's reaction, "
            "highlights, what management said, analysts' views, risks, sources and "
            "disclosures.") in full

    def bare(data: dict) -> None:  # type: ignore[type-arg]
        for key in ("capex", "risks", "infrastructure", "quotes", "highlights", "analyst_views",
                    "market_reaction"):
            data.pop(key, None)

    spec = variant_spec(tmp_path, bare)
    text = html_of(message(spec)).get_text(" ", strip=True)
    blurb = text[text.index("The full note is attached"):].split(".pdf", 1)[1]
    assert "capital spending" not in blurb and "risks" not in blurb, blurb
    assert "results against consensus" in blurb and "sources and disclosures" in blurb


def test_set_in_the_notes_font_stack() -> None:
    html = html_of(message())
    assert "Georgia" not in str(html)
    assert html.h1["style"].count("font-family:Inter,'Helvetica Neue',Arial,sans-serif;") == 1


def test_list_unsubscribe_headers_come_from_the_config() -> None:
    plain = message()
    assert "List-Unsubscribe" not in plain and "List-Unsubscribe-Post" not in plain
    msg = message(unsubscribe={"url": "https://research.example/unsubscribe?list=notes",
                               "mailto": "leave@research.example"})
    assert msg["List-Unsubscribe"] == ("<https://research.example/unsubscribe?list=notes>, "
                                       "<mailto:leave@research.example?subject=unsubscribe>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert html_of(msg).find("a", string="unsubscribe")["href"].startswith("https://research.")
    mail_only = message(unsubscribe={"mailto": "leave@research.example"})
    assert "List-Unsubscribe-Post" not in mail_only  # one click needs an https address
    assert "write to leave@research.example" in mail_only.get_body(("plain",)).get_content()


def words(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).lower()


def test_the_text_part_says_what_the_html_part_says() -> None:
    msg = message(unsubscribe={"url": "https://research.example/unsubscribe"},
                  base_url="https://research.example/notes")
    text = words(msg.get_body(("plain",)).get_content())
    html = html_of(msg)
    missing, out_of_order = [], []
    pieces, at = 0, 0
    for string in html.body.find_all(string=True):
        if string.find_parent(style=re.compile("display:none")):
            continue  # the inbox preview line: the standfirst again
        link = string.find_parent("a")
        if link is not None:  # a link's words are the HTML's; its address is what both give
            if link["href"].split("?")[0] not in text:
                missing.append(link["href"])
            continue
        for piece in re.split(r"\s*·\s*", str(string)):
            said = words(piece).strip(" .,:")
            if said:
                pieces += 1
                if said not in text:
                    missing.append(piece)
                elif text.find(said, at) < 0:  # said, but before what the HTML says first
                    out_of_order.append(piece)
                else:
                    at = text.find(said, at)
    alt = html.find("img")["alt"]
    if words(alt.removeprefix("Chart: ")) not in text:
        missing.append(alt)
    assert pieces > 30
    assert out_of_order == [], out_of_order  # and in the same order
    assert missing == [], missing
    assert "https://research.example/unsubscribe" in text
    assert "https://research.example/notes/baba/brief.html" in text


def test_the_html_part_passes_a_parser_check() -> None:
    soup = BeautifulSoup(message().get_body(("html",)).get_content(), "html.parser")
    assert soup.html["lang"] == "en"
    assert not soup.select("table:not([role=presentation]) table")  # data tables hold no layout
