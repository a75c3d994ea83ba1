"""The note's "Changes since our last note" box and revisions table, and the email's teaser."""

from __future__ import annotations

import email
import email.policy
import io
from email.message import EmailMessage

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from briefgen.derive import derive
from briefgen.derive.changes import since_previous
from briefgen.mail.compose import BriefContent, compose
from briefgen.mail.config import DeliveryConfig, Recipients
from briefgen.spec.load import load_spec
from tests.conftest import SAMPLE, SAMPLE_Q3
from tests.helpers.golden import rendered, soup_of


@pytest.fixture(scope="module")
def q3() -> BeautifulSoup:
    return soup_of("baba-2025q3")


def test_the_september_note_names_the_june_note_and_its_top_changes(q3: BeautifulSoup) -> None:
    box = q3.select_one("section.changes-box")
    assert box is not None
    assert box.h2 is not None and box.h2.get_text(strip=True) == "Changes since our last note"
    assert "1 September 2025" in box.get_text(" ", strip=True)
    lines = [li.get_text(" ", strip=True) for li in box.find_all("li")]
    assert 3 <= len(lines) <= 5
    # Ranked by rule, not by list order: the headline growth move leads, the revenue follows.
    assert lines[0] == "Cloud Intelligence Group growth y/y : +26% → +34% (+8.0 pp)"
    assert lines[1].startswith("Cloud Intelligence Group revenue : RMB 33.4bn → RMB 39.8bn")
    # It sits on page 1, in the lead column, before the takeaways.
    lead = q3.select_one("div.lead-main")
    assert lead is not None and lead.find("section", class_="changes-box") is box


def test_the_revisions_table_lists_every_change_by_group(q3: BeautifulSoup) -> None:
    changes = since_previous(load_spec(SAMPLE_Q3))
    assert changes is not None
    table = q3.select_one("#table-revisions table")
    assert table is not None
    groups = [th.get_text(strip=True) for th in table.select("tr.group-row th")]
    assert groups == list(dict.fromkeys(c.group for c in changes.items))
    rows = [tr for tr in table.select("tbody tr") if "group-row" not in (tr.get("class") or [])]
    assert len(rows) == len(changes.items)
    by_label = {tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
                for tr in rows if tr.th}
    assert by_label["Group growth y/y"] == ["+2%", "+5%", "+3.0 pp"]
    assert by_label["Risk: Margins"] == ["–", "listed", "added"]


def test_the_june_note_has_neither_box_nor_table() -> None:
    june = soup_of("baba")
    assert june.select_one("section.changes-box") is None
    assert june.select_one("section.revisions") is None
    assert "since our" not in june.get_text(" ").lower()


def test_page_one_of_the_pdf_carries_the_box() -> None:
    reader = PdfReader(io.BytesIO(rendered("baba-2025q3").files["brief.pdf"]))
    first = " ".join(reader.pages[0].extract_text().split())
    assert "CHANGES SINCE OUR LAST NOTE" in first.upper()
    assert "Since our note of 1 September 2025" in first
    june = PdfReader(io.BytesIO(rendered("baba").files["brief.pdf"]))
    assert "CHANGES SINCE" not in june.pages[0].extract_text().upper()


def message(spec_path: object, with_changes: bool) -> EmailMessage:
    loaded = load_spec(SAMPLE_Q3 if spec_path == "q3" else SAMPLE)
    content = BriefContent(loaded.slug, loaded.spec, derive(loaded.spec), b"%PDF-1.7 tiny",
                           "h", None, None, since_previous(loaded) if with_changes else None)
    config = DeliveryConfig.model_validate({"sender": {"from": "Desk <desk@research.example>"},
                                            "message_id_domain": "research.example"})
    raw = compose(content, Recipients(to=("pm@fund.example",)), config).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_the_email_teaser_leads_with_the_top_change() -> None:
    parsed = message("q3", True)
    text_part = parsed.get_body(("plain",))
    html_part = parsed.get_body(("html",))
    assert text_part is not None and html_part is not None
    text = " ".join(text_part.get_content().split())
    lead = ("Since our last note (1 September 2025): Cloud Intelligence Group growth y/y: "
            "+26% → +34% (+8.0 pp).")
    assert lead in text and text.index(lead) < text.index("Cloud revenue RMB 39.8bn")
    soup = BeautifulSoup(html_part.get_content(), "html.parser")
    preheader = soup.find("div").get_text(" ", strip=True)
    assert preheader.startswith(lead)
    assert "Since our last note" not in message("june", True).get_body(("plain",)).get_content()
