"""The weekly digest: a table of the run, a line per brief held back, PDFs within the budget."""

from __future__ import annotations

import email
import email.policy
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from briefgen.derive import derive
from briefgen.mail.compose import DigestEntry, DigestFailure, compose_digest, digest_entry
from briefgen.mail.config import DeliveryConfig, Recipients
from briefgen.mail.ledger import Ledger
from briefgen.mail.send import send_digest
from briefgen.spec.load import load_spec
from tests.conftest import SAMPLE, SAMPLE_Q3
from tests.helpers.mail_server import MailServer, running_mail_server

PEOPLE = Recipients(to=("desk-list@fund.example",), bcc=("archive@research.example",))
LABEL = "week 36, 2025"


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    with running_mail_server() as server:
        yield server


def config(**extra: object) -> DeliveryConfig:
    return DeliveryConfig.model_validate({"sender": {"from": "Desk <desk@research.example>"},
                                          **extra})


def entries(tmp_path: Path, pdf: Callable[[int], bytes] | None = None,
            size: int = 2000) -> list[DigestEntry]:
    made = []
    for index, spec_path in enumerate([SAMPLE, SAMPLE_Q3]):
        loaded = load_spec(spec_path)
        path = tmp_path / f"{loaded.slug}.pdf"
        path.write_bytes(pdf(size) if pdf else b"%PDF-1.7 " + bytes([65 + index]) * size)
        made.append(digest_entry(loaded.slug, loaded.spec, derive(loaded.spec), path))
    return made


FAILED = [DigestFailure("tcehy-2025q2", "render failed: specs/tcehy.yaml:3:1: brief: missing")]


def parsed(msg: EmailMessage) -> EmailMessage:
    back = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(back, EmailMessage)
    return back


def test_digest_entry_reads_the_derived_figures() -> None:
    loaded = load_spec(SAMPLE)
    entry = digest_entry("baba", loaded.spec, derive(loaded.spec), None)
    assert entry.company == "Alibaba Group (NYSE: BABA, HKEX: 9988)"
    assert entry.headline == "Cloud revenue RMB 33.4bn, +26% y/y"
    assert (entry.versus, entry.verdict) == ("+7.6 pp vs consensus", "beat")
    assert (entry.rating, entry.target) == (None, None)


def test_table_failures_and_attached_pdfs(tmp_path: Path) -> None:
    made = entries(tmp_path)
    msg = parsed(compose_digest(made, FAILED, PEOPLE, config(), label=LABEL))
    assert msg["Subject"] == "Equity Research: research digest, week 36, 2025"
    assert "Bcc" not in msg
    soup = BeautifulSoup(msg.get_body(("html",)).get_content(), "html.parser")
    assert not soup.find_all(["script", "style", "img"])
    table = soup.find("th").find_parent("table")
    rows = table.find_all("tr", recursive=False)[1:]
    assert len(rows) == 2
    first = " ".join(rows[0].get_text(" ", strip=True).split())
    assert "Alibaba Group (NYSE: BABA, HKEX: 9988)" in first
    assert "Cloud revenue RMB 33.4bn, +26% y/y" in first and "+7.6 pp vs consensus (beat)" in first
    text = " ".join(soup.get_text(" ", strip=True).split())
    assert ("tcehy-2025q2: held back, render failed: specs/tcehy.yaml:3:1: brief: missing"
            in text)
    attached = {p.get_filename(): p.get_content() for p in msg.iter_attachments()}
    assert attached == {e.slug + ".pdf": e.pdf.read_bytes() for e in made if e.pdf}
    plain = msg.get_body(("plain",)).get_content()
    assert "HELD BACK (1)" in plain and "Cloud revenue RMB 33.4bn, +26% y/y" in plain


def test_over_budget_pdfs_are_zipped(tmp_path: Path) -> None:
    made = entries(tmp_path, size=700_000)  # two compressible 0.7 MB files, 1 MB budget
    msg = parsed(compose_digest(made, [], PEOPLE, config(attachment_budget_mb=1), label=LABEL))
    [archive] = list(msg.iter_attachments())
    assert archive.get_content_type() == "application/zip"
    assert archive.get_filename() == "briefs-week-36-2025.zip"
    with zipfile.ZipFile(io.BytesIO(archive.get_content())) as zipped:
        assert {n: zipped.read(n) for n in zipped.namelist()} == {
            e.slug + ".pdf": e.pdf.read_bytes() for e in made if e.pdf}
    assert "attached as one zip file" in msg.get_body(("plain",)).get_content()


def test_still_too_large_when_zipped_becomes_links(tmp_path: Path) -> None:
    made = entries(tmp_path, pdf=os.urandom, size=700_000)  # random bytes do not compress
    cfg = config(attachment_budget_mb=1, base_url="https://research.example/notes")
    msg = parsed(compose_digest(made, [], PEOPLE, cfg, label=LABEL))
    assert list(msg.iter_attachments()) == []
    soup = BeautifulSoup(msg.get_body(("html",)).get_content(), "html.parser")
    assert [a["href"] for a in soup.find_all("a")] == [
        "https://research.example/notes/baba/brief.pdf",
        "https://research.example/notes/baba-2025q3/brief.pdf"]
    assert "too large to attach" in msg.get_body(("plain",)).get_content()


def test_the_digest_says_how_to_unsubscribe_as_its_header_does(tmp_path: Path) -> None:
    """Every message with a List-Unsubscribe header says the same in its body, in both parts;
    the text part gives the address unescaped (an `&` stays an `&`)."""
    url = "https://research.example/unsubscribe?list=digest&who=desk"
    msg = parsed(compose_digest(entries(tmp_path), [], PEOPLE,
                                config(unsubscribe={"url": url}), label=LABEL))
    assert msg["List-Unsubscribe"] == f"<{url}>"
    soup = BeautifulSoup(msg.get_body(("html",)).get_content(), "html.parser")
    assert soup.find("a", string="unsubscribe")["href"] == url
    assert f"To stop receiving these notes, unsubscribe: {url}" in \
        msg.get_body(("plain",)).get_content()
    by_mail = parsed(compose_digest(entries(tmp_path), [], PEOPLE,
                                    config(unsubscribe={"mailto": "leave@research.example"}),
                                    label=LABEL))
    assert "write to leave@research.example (subject: unsubscribe)" in \
        by_mail.get_body(("plain",)).get_content()
    plain = parsed(compose_digest(entries(tmp_path), [], PEOPLE, config(), label=LABEL))
    assert "To stop receiving" not in plain.get_body(("plain",)).get_content()


def test_send_digest_goes_once_per_content(mail_server: MailServer, tmp_path: Path) -> None:
    made = entries(tmp_path)
    cfg = config(smtp=mail_server.settings().model_dump())
    out = tmp_path / "out"
    lines: list[str] = []
    first = send_digest(made, FAILED, cfg, label=LABEL, recipients=PEOPLE, out_dir=out,
                        echo=lines.append)
    again = send_digest(made, FAILED, cfg, label=LABEL, recipients=PEOPLE, out_dir=out,
                        echo=lines.append)
    assert not isinstance(first, Path) and first.ok and again.already_sent
    [got] = mail_server.received
    assert sorted(got.rcpt_tos) == ["archive@research.example", "desk-list@fund.example"]
    made[0].pdf.write_bytes(b"%PDF-1.7 corrected")  # type: ignore[union-attr]
    send_digest(made, FAILED, cfg, label=LABEL, recipients=PEOPLE, out_dir=out,
                echo=lines.append)
    assert len(mail_server.received) == 2
    with Ledger(out / "deliveries.sqlite") as ledger:
        assert {e[5] for e in ledger.history("digest")} == {"claimed", "sending", "sent"}


def test_send_digest_dry_run_writes_an_eml(tmp_path: Path) -> None:
    path = send_digest(entries(tmp_path), [], config(), label=LABEL, recipients=PEOPLE,
                       out_dir=tmp_path / "out", dry_run=True, echo=lambda line: None)
    assert isinstance(path, Path) and path.name == "digest-week-36-2025.eml"
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert len(list(msg.iter_attachments())) == 2
