"""Composing one brief's message: parts, headers, identifiers, and HTML that suits mail clients.

Messages are parsed back with the standard library and the HTML with BeautifulSoup."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import functools
import io
import struct
import zlib
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from briefgen.derive import derive
from briefgen.derive.text import said, sentence
from briefgen.mail.compose import DERIVED_NOTE, BriefContent, compose
from briefgen.mail.config import DeliveryConfig, Recipients
from briefgen.spec.load import load_spec
from tests.conftest import SAMPLE

CLOCK = dt.datetime(2025, 9, 1, 7, 30, tzinfo=dt.UTC)
RATED = """\
  rating: Buy
  price_target:
    {value: 150, currency: USD, listing: BABA, price_at_setting: 120, source: tradingkey}
"""


@functools.cache
def small_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x1f\x3a\x5f")) + chunk(b"IEND", b""))


def content(spec_path: Path = SAMPLE, *, content_hash: str = "h1", html: bytes | None = None,
            chart: bool = True) -> BriefContent:
    loaded = load_spec(spec_path)
    return BriefContent(loaded.slug, loaded.spec, derive(loaded.spec), small_pdf(), content_hash,
                        html, tiny_png() if chart else None)


def config(**extra: object) -> DeliveryConfig:
    return DeliveryConfig.model_validate({"sender": {"from": "Desk <desk@research.example>"},
                                          "message_id_domain": "research.example", **extra})


def edited_spec(spec_dir: Path, *, rated: bool = False, title: str | None = None) -> Path:
    path = spec_dir / "baba.yaml"
    text = path.read_text()
    if rated:
        text = text.replace("  desk: China Internet & Cloud\n",
                            "  desk: China Internet & Cloud\n" + RATED)
    if title is not None:
        start = text.index("  title: ")
        end = text.index("\n", start)
        text = text[:start] + f"  title: {title!r}" + text[end:]
    path.write_text(text)
    return path


PEOPLE = Recipients(to=("Jane PM <jane@fund.example>",), cc=("head@fund.example",),
                    bcc=("compliance@research.example",))


def parsed(msg: EmailMessage) -> EmailMessage:
    back = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(back, EmailMessage)
    return back


def html_of(msg: EmailMessage) -> BeautifulSoup:
    return BeautifulSoup(msg.get_body(("html",)).get_content(), "html.parser")


def test_parts_and_headers() -> None:
    msg = parsed(compose(content(), PEOPLE, config(), clock=lambda: CLOCK))
    assert [p.get_content_type() for p in msg.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "multipart/related",
        "text/html", "image/png", "application/pdf"]
    assert msg["Subject"] == "Alibaba (BABA): cloud +26% y/y, 7.6 pp above consensus"
    assert str(msg["To"]) == "Jane PM <jane@fund.example>"
    assert str(msg["Cc"]) == "head@fund.example"
    assert "Bcc" not in msg and "compliance@" not in msg.as_string()
    assert msg["Date"].datetime == CLOCK
    [png] = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    [img] = html_of(msg).find_all("img")
    assert img["src"] == "cid:" + png["Content-ID"].strip("<>")
    assert png.get_content() == tiny_png()
    [pdf] = list(msg.iter_attachments())
    assert (pdf.get_filename(), pdf.get_content()) == ("baba.pdf", small_pdf())


def test_message_id_is_deterministic() -> None:
    def mid(hash_: str, people: Recipients) -> str:
        return str(compose(content(content_hash=hash_), people, config())["Message-ID"])

    first = mid("h1", PEOPLE)
    assert first == mid("h1", PEOPLE)
    assert first.startswith("<baba.") and first.endswith("@research.example>")
    assert mid("h2", PEOPLE) != first  # changed content
    assert mid("h1", Recipients(to=("other@fund.example",))) != first  # other recipients


def test_html_is_fit_for_mail_clients() -> None:
    soup = html_of(compose(content(), PEOPLE, config()))
    assert not soup.find_all(["script", "style", "link", "iframe", "form"])
    assert all(img["src"].startswith("cid:") for img in soup.find_all("img"))
    assert all(img.get("alt") for img in soup.find_all("img"))
    outer = soup.find("table", attrs={"width": "600"})
    assert outer is not None and "max-width:600px" in outer["style"]
    for tag in soup.find_all(["td", "h1", "h2", "p", "a"]):
        assert tag.get("style"), f"<{tag.name}> without inline style: {tag}"
    text = soup.get_text(" ", strip=True)
    assert "Key takeaways" in text and "baba.pdf" in text
    for takeaway in derive(load_spec(SAMPLE).spec).takeaways:
        assert takeaway.marked() in text


def test_spec_text_is_escaped(spec_dir: Path) -> None:
    path = edited_spec(spec_dir, title="<script>alert('x')</script> & <b>bold</b> claims")
    msg = compose(content(path), PEOPLE, config())
    soup = html_of(msg)
    assert not soup.find_all(["script", "b"])
    assert "<script>alert('x')</script> & <b>bold</b> claims" in soup.find("h1").get_text()
    # The text part is plain text: shown as written, not escaped.
    assert "<script>alert('x')</script> & <b>bold</b>" in msg.get_body(("plain",)).get_content()


def test_rating_and_target_box_when_the_desk_rates(spec_dir: Path) -> None:
    plain = compose(content(SAMPLE), PEOPLE, config())
    assert html_of(plain).find_all("td", attrs={"width": "33%"}) == []
    assert "Rating:" not in plain.get_body(("plain",)).get_content()
    rated = compose(content(edited_spec(spec_dir, rated=True)), PEOPLE, config())
    cells = [" ".join(td.get_text(" ", strip=True).split())
             for td in html_of(rated).find_all("td", attrs={"width": "33%"})]
    assert cells == ["Rating Buy", "Target USD 150.00 BABA, 12 months",
                     "Upside +25.0% from USD 120.00"]
    text = rated.get_body(("plain",)).get_content()
    assert "Rating: Buy\nTarget: USD 150.00 (BABA, 12 months)\nUpside: +25.0%" in text


def test_subject_template_and_link_from_config(spec_dir: Path) -> None:
    cfg = config(subject="[{{ rating or 'NR' }}] {{ company }}, {{ period }}: {{ subject }}",
                 base_url="https://research.example/notes/")
    msg = compose(content(edited_spec(spec_dir, rated=True)), PEOPLE, cfg)
    assert msg["Subject"] == ("[Buy] Alibaba, June quarter 2025 (Q1 FY2026): Alibaba (BABA): "
                              "cloud +26% y/y, 7.6 pp above consensus")
    links = [a["href"] for a in html_of(msg).find_all("a")]
    assert links == ["https://research.example/notes/baba/brief.html"]
    assert "Online: https://research.example/notes/baba/brief.html" in \
        msg.get_body(("plain",)).get_content()


def test_text_part_has_the_same_story_in_72_columns() -> None:
    msg = compose(content(), PEOPLE, config())
    text = msg.get_body(("plain",)).get_content()
    derived = derive(load_spec(SAMPLE).spec)
    flat = " ".join(text.split())
    assert derived.standfirst.marked() in flat
    for takeaway in derived.takeaways:
        assert takeaway.marked() in flat
    long_lines = [line for line in text.splitlines() if len(line) > 72]
    assert long_lines == []


def test_html_attachment_only_when_asked_and_no_chart_without_history() -> None:
    msg = compose(content(html=b"<html>note</html>", chart=False), PEOPLE,
                  config(include_html=True))
    names = [p.get_filename() for p in msg.iter_attachments()]
    assert names == ["baba.pdf", "baba.html"]
    assert html_of(msg).find("img") is None
    assert "image/png" not in [p.get_content_type() for p in msg.walk()]


def test_bcc_only_message_says_undisclosed_recipients() -> None:
    msg = parsed(compose(content(), Recipients(bcc=("a@fund.example",)), config()))
    assert str(msg["To"]) == "undisclosed-recipients:;"
    assert "Bcc" not in msg and "a@fund.example" not in msg.as_string()


@pytest.mark.parametrize("newline", ["\n", "\r"])
def test_subject_stays_on_one_line(newline: str) -> None:
    cfg = config(subject="{{ company }}" + newline + "Bcc: everyone@x.example")
    msg = compose(content(), PEOPLE, cfg)
    assert msg["Subject"] == "Alibaba Bcc: everyone@x.example"
    assert "\nBcc:" not in msg.as_string()


def test_the_brand_styles_both_parts() -> None:
    from briefgen.brand.model import Brand

    brand = Brand.model_validate({"firm_name": "Halden Row Research",
                                  "colours": {"primary": "#7a1f5c"}})
    msg = parsed(compose(content(), PEOPLE, config(), brand=brand, clock=lambda: CLOCK))
    html_part, text_part = msg.get_body(("html",)), msg.get_body(("plain",))
    assert html_part is not None and text_part is not None
    html, text = html_part.get_content(), text_part.get_content()
    assert "#7a1f5c" in html.lower()
    assert "Halden Row Research" in html and "Halden Row Research" in text
    plain = parsed(compose(content(), PEOPLE, config(), clock=lambda: CLOCK))
    assert "#7a1f5c" not in plain.as_string().lower()
    assert "Halden Row Research" not in plain.as_string()


def test_derived_numbers_are_marked_and_explained_in_both_parts() -> None:
    msg = compose(content(), PEOPLE, config())
    text = " ".join(msg.get_body(("plain",)).get_content().split())
    assert "(about USD 4.67bn†), +26% y/y, 7.6 pp† above the 18.4% growth consensus." in text
    assert DERIVED_NOTE in text
    soup = html_of(msg)
    shown = soup.get_text(" ", strip=True)
    assert "at least 79%† of a yearly pace of up to RMB 127bn†" in shown and DERIVED_NOTE in shown
    # The inbox preview line is the standfirst without marks.
    preheader = soup.find("div", style=lambda s: bool(s) and "display:none" in s)
    assert preheader is not None and "†" not in preheader.get_text()
    assert "7.6 pp above" in preheader.get_text()


def test_no_derived_note_when_no_sentence_marks_a_number() -> None:
    brief = content()
    plain = sentence("Cloud revenue ", said(brief.derived.headline.revenue), ".")
    unmarked = replace(brief, derived=replace(brief.derived, standfirst=plain, takeaways=[plain]))
    msg = compose(unmarked, PEOPLE, config())
    for part in ("plain", "html"):
        body = msg.get_body((part,)).get_content()
        assert "†" not in body and "Derived by arithmetic" not in body


def test_a_users_email_template_extends_the_built_in_one(tmp_path: Path) -> None:
    (tmp_path / "brief.txt").write_text(
        '{% extends "default:brief.txt" %}', encoding="utf-8")
    (tmp_path / "brief.html").write_text(
        '{% extends "default:brief.html" %}', encoding="utf-8")
    own = parsed(compose(content(), PEOPLE, config(templates=str(tmp_path)), clock=lambda: CLOCK))
    built_in = parsed(compose(content(), PEOPLE, config(), clock=lambda: CLOCK))
    def bodies(msg: EmailMessage) -> list[str]:
        return [part.get_content() for part in msg.walk()
                if part.get_content_type() in ("text/plain", "text/html")]

    assert bodies(own) == bodies(built_in)
    assert "Alibaba" in bodies(own)[0]
