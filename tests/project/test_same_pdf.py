"""The PDF a client receives is the PDF `render` made: one project file, one set of options.

A project chooses Letter, PDF/UA-1 and a brand in `briefgen.yaml`; `render`, `send --dry-run`
(the message it writes, and a fresh render into another folder) and a scheduled run (into its
own folder) must all give the same bytes.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from briefgen.cli.main import app
from briefgen.cli.schedule import project_schedules
from briefgen.errors import InputError
from briefgen.schedule import steps as job_steps
from briefgen.schedule.jobs import Steps, run_due
from tests.conftest import ROOT, SAMPLE, SPECS
from tests.helpers.schedule_fakes import Clock, FakeSteps, utc

runner = CliRunner()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attached_pdf(eml: Path) -> bytes:
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    [pdf] = [part for part in message.iter_attachments()
             if part.get_content_type() == "application/pdf"]
    data = pdf.get_content()
    assert isinstance(data, bytes)
    return data


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    desk = tmp_path / "desk"
    (desk / "specs").mkdir(parents=True)
    shutil.copy(SAMPLE, desk / "specs" / "baba.yaml")
    for extra in SPECS.glob("*.csv"):
        shutil.copy(extra, desk / "specs" / extra.name)
    (desk / "house").mkdir()
    shutil.copy(ROOT / "examples" / "brand.yaml", desk / "house" / "brand.yaml")
    shutil.copy(ROOT / "examples" / "brand-logo.svg", desk / "house" / "brand-logo.svg")
    (desk / "briefgen.yaml").write_text(
        "paper: letter\npdf_variant: pdf/ua-1\nbrand: house/brand.yaml\n"
        "delivery: delivery.yaml\nschedules: schedules.yaml\nspecs: [specs]\n")
    (desk / "delivery.yaml").write_text(
        'sender: {from: "China desk <desk@research.example>"}\n'
        'lists: {clients: ["Jane PM <jane@fund.example>"]}\n'
        'recipients: [{specs: "*", bcc: [clients]}]\n'
        "smtp: {host: 127.0.0.1, port: 2525, tls: none}\n")
    (desk / "schedules.yaml").write_text(
        "output: scheduled\n"
        "jobs:\n"
        "  - name: weekly\n"
        "    specs: [specs]\n"
        '    cron: "0 7 * * MON"\n'
        "    timezone: Europe/London\n"
        "    delivery: {mode: per-brief, config: delivery.yaml, lists: [clients]}\n"
        "    owner: lead@research.example\n")
    monkeypatch.chdir(desk / "specs")  # the project file is found from a folder below it
    return desk


@pytest.mark.e2e
def test_render_send_and_a_schedule_give_the_same_pdf(desk: Path) -> None:
    rendered = runner.invoke(app, ["render", "baba.yaml"])
    assert rendered.exit_code == 0, rendered.output
    pdf = (desk / "output" / "baba" / "brief.pdf").read_bytes()
    # What the project file chose: Letter, tagged (PDF/UA-1), in the brand's name.
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp  # claims PDF/UA-1
    assert "Harbour Lane Research" in reader.pages[0].extract_text()

    sent = runner.invoke(app, ["send", "--dry-run"])
    assert sent.exit_code == 0, sent.output
    assert (f"baba: {desk / 'output' / 'baba' / 'brief.pdf'} is current for these options: "
            "sent as it is") in sent.output
    assert attached_pdf(desk / "output" / "baba" / "email.eml") == pdf
    assert (desk / "output" / "baba" / "brief.pdf").read_bytes() == pdf  # not rendered again

    elsewhere = runner.invoke(app, ["send", "--dry-run", "--out", str(desk / "fresh")])
    assert elsewhere.exit_code == 0, elsewhere.output
    assert "with these options first (not rendered before)" in elsewhere.output
    assert sha(attached_pdf(desk / "fresh" / "baba" / "email.eml")) == sha(pdf)

    schedules = project_schedules(None)
    fakes = FakeSteps()  # the real build; the delivery is recorded, not sent
    steps = Steps(job_steps.build, fakes.deliver, fakes.notify)
    clock = Clock(utc(2026, 3, 1, 12))
    assert run_due(schedules, now=clock, steps=steps).handled == []
    clock.now = utc(2026, 3, 2, 7, 5)
    [done] = run_due(schedules, now=clock, steps=steps).handled
    assert done.status == "ok", done.detail
    [request] = fakes.deliveries
    [brief] = request.briefs
    assert brief.outputs["pdf"] == desk / "scheduled" / "baba" / "brief.pdf"
    assert sha(brief.outputs["pdf"].read_bytes()) == sha(pdf)


def test_a_schedules_brand_other_than_the_projects_is_refused(desk: Path) -> None:
    shutil.copy(desk / "house" / "brand.yaml", desk / "other-brand.yaml")
    shutil.copy(desk / "house" / "brand-logo.svg", desk / "brand-logo.svg")
    schedules = desk / "schedules.yaml"
    schedules.write_text("brand: other-brand.yaml\n" + schedules.read_text())
    result = runner.invoke(app, ["schedule", "list"])
    assert isinstance(result.exception, InputError) and result.exception.exit_code == 2
    assert "is not the project's brand" in str(result.exception)
