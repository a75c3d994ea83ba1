"""run-due end to end: the real build, a real SMTP server, the real ledger and history, the CLI.

Two Mondays of a weekly digest job: the first renders the sample spec and mails the digest (and a
second job mails the same brief on its own, from the cached render); the second Monday has a
broken spec among them, which is held back (listed in the digest, never attached) and reported to
the job's owner.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from briefgen.cli.main import app
from briefgen.schedule.file import load_schedules
from briefgen.schedule.jobs import run_due
from tests.conftest import SAMPLE, SPECS
from tests.helpers.schedule_fakes import Clock, utc

pytestmark = pytest.mark.e2e


@dataclass
class Inbox:
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_run_due_renders_mails_a_digest_and_shows_in_runs(
    tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    mail, port = inbox
    desk = tmp_path / "desk"
    (desk / "specs").mkdir(parents=True)
    shutil.copy(SAMPLE, desk / "specs" / "baba.yaml")
    for extra in SPECS.glob("*.csv"):  # data files the sample may cite
        shutil.copy(extra, desk / "specs" / extra.name)
    (desk / "delivery.yaml").write_text(f"""\
sender: {{from: "China desk <desk@research.example>"}}
lists:
  clients: ["Jane PM <jane@fund.example>", bob@fund.example]
smtp: {{host: 127.0.0.1, port: {port}, tls: none, timeout: 10, retry: {{attempts: 1}}}}
""")
    (desk / "schedules.yaml").write_text("""\
jobs:
  - name: weekly-digest
    specs: ["specs/*.yaml"]
    cron: "0 7 * * MON"
    timezone: Asia/Hong_Kong
    delivery: {mode: digest, config: delivery.yaml, lists: [clients]}
    owner: lead@research.example
  - name: each-brief
    specs: [specs]
    cron: "0 8 * * MON"
    timezone: Asia/Hong_Kong
    delivery: {mode: per-brief, config: delivery.yaml, lists: [clients]}
    owner: lead@research.example
""")
    schedules = load_schedules(desk / "schedules.yaml")
    clock = Clock(utc(2026, 3, 1, 12))  # Sunday: the job is first seen
    assert run_due(schedules, now=clock).handled == []
    clock.now = utc(2026, 3, 1, 23, 5)  # Monday 07:05 HKT

    report = run_due(schedules, now=clock)

    assert [(h.job, h.status) for h in report.handled] == [("weekly-digest", "ok")], report
    assert (desk / "output/baba/brief.pdf").read_bytes().startswith(b"%PDF")
    [(envelope, digest)] = mail.messages
    assert sorted(envelope) == ["bob@fund.example", "jane@fund.example"]
    assert digest["To"] == "undisclosed-recipients:;"  # list members never see each other
    assert "jane@" not in digest.as_string()
    assert [part.get_filename() for part in digest.iter_attachments()] == ["baba.pdf"]
    assert run_due(schedules, now=clock).handled == []  # called again: nothing more is sent
    assert len(mail.messages) == 1

    clock.now = utc(2026, 3, 2, 0, 5)  # 08:05 HKT: the per-brief job, from the cached render
    [done] = run_due(schedules, now=clock).handled
    assert (done.job, done.status, done.detail) == ("each-brief", "ok", "1 brief, 1 message")
    envelope, note = mail.messages[1]
    assert sorted(envelope) == ["bob@fund.example", "jane@fund.example"]
    assert note["To"] == "undisclosed-recipients:;"
    assert [part.get_filename() for part in note.iter_attachments()] == ["baba.pdf"]

    # Next Monday a broken spec has joined: held back from readers, reported to the owner.
    (desk / "specs" / "zz-broken.yaml").write_text(
        SAMPLE.read_text().replace("author: Sample Analyst", "author: [not, text]"))
    clock.now = utc(2026, 3, 8, 23, 5)
    [done] = run_due(schedules, now=clock).handled
    assert done.status == "failed" and "held back: zz-broken" in done.detail
    recipients = {tuple(sorted(rcpt)): message for rcpt, message in mail.messages[2:]}
    digest, notice = recipients[("bob@fund.example", "jane@fund.example")], recipients[
        ("lead@research.example",)]
    assert [part.get_filename() for part in digest.iter_attachments()] == ["baba.pdf"]
    body = digest.get_body(("plain",))
    assert body is not None and "zz-broken" in body.get_content()
    assert notice["Subject"] == "briefgen: job weekly-digest failed (2026-03-09 07:00 HKT)"
    log_file = desk / ".briefgen/logs/weekly-digest/20260308T230000Z.log"
    notice_body = notice.get_body(("plain",))
    assert notice_body is not None and str(log_file) in notice_body.get_content()
    assert "held back zz-broken" in log_file.read_text()

    result = CliRunner().invoke(app, ["runs", "--file", str(desk / "schedules.yaml")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split()[:3] == ["Job", "Slot", "Status"]
    assert lines[2].split()[:5] == ["weekly-digest", "2026-03-09", "07:00", "HKT", "failed"]
    assert lines[3].split()[:5] == ["each-brief", "2026-03-02", "08:00", "HKT", "ok"]
    assert lines[4].split()[:5] == ["weekly-digest", "2026-03-02", "07:00", "HKT", "ok"]


def test_the_schedules_brand_styles_the_notes_and_the_digest(
    tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    mail, port = inbox
    desk = tmp_path / "desk"
    (desk / "specs").mkdir(parents=True)
    (desk / "style").mkdir()
    shutil.copy(SAMPLE, desk / "specs" / "baba.yaml")
    for extra in SPECS.glob("*.csv"):
        shutil.copy(extra, desk / "specs" / extra.name)
    (desk / "style" / "brand.yaml").write_text(
        'firm_name: Halden Row Research\ncolours: {primary: "#7a1f5c"}\n')
    (desk / "delivery.yaml").write_text(f"""\
sender: {{from: "China desk <desk@research.example>"}}
lists:
  clients: [bob@fund.example]
smtp: {{host: 127.0.0.1, port: {port}, tls: none, timeout: 10, retry: {{attempts: 1}}}}
""")
    (desk / "schedules.yaml").write_text("""\
brand: style/brand.yaml
jobs:
  - name: weekly-digest
    specs: [specs]
    cron: "0 7 * * MON"
    timezone: Asia/Hong_Kong
    delivery: {mode: digest, config: delivery.yaml, lists: [clients]}
    owner: lead@research.example
""")
    schedules = load_schedules(desk / "schedules.yaml")
    clock = Clock(utc(2026, 3, 1, 12))
    assert run_due(schedules, now=clock).handled == []
    clock.now = utc(2026, 3, 1, 23, 5)  # Monday 07:05 HKT

    [done] = run_due(schedules, now=clock).handled

    assert done.status == "ok", done.detail
    [(_, digest)] = mail.messages
    assert digest["Subject"].startswith("Halden Row Research: research digest")
    text, html = digest.get_body(("plain",)), digest.get_body(("html",))
    assert text is not None and "Halden Row Research" in text.get_content()
    assert html is not None and "Halden Row Research" in html.get_content()
    assert "Equity Research" not in digest.as_string()  # the built-in firm name
    # The notes were rendered with the brand, and the digest attaches that PDF.
    assert "Halden Row Research" in (desk / "output/baba/brief.html").read_text()
    [pdf] = list(digest.iter_attachments())
    assert pdf.get_content() == (desk / "output/baba/brief.pdf").read_bytes()
