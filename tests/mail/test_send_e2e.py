"""`briefgen send` end to end: real render (once per session), real SMTP server, real ledger.

What arrives is parsed with the standard library's email parser, never grepped.
"""

from __future__ import annotations

import atexit
import email
import email.policy
import functools
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli.main import app, main
from briefgen.mail.config import DeliveryConfig
from briefgen.mail.ledger import Ledger
from briefgen.mail.send import preflight, send_specs
from tests.conftest import SAMPLE
from tests.helpers.mail_server import MailServer, running_mail_server

runner = CliRunner()


def run_main(args: list[str]) -> tuple[int, str]:
    """The command through `briefgen.cli.main`, which turns a `BriefgenError` into its exit code
    and message (the command itself lets errors through); stdout and stderr together."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(out), pytest.raises(SystemExit) as done:
        main(args)
    return int(done.value.code or 0), out.getvalue()


@functools.cache
def built_output() -> Path:
    """specs/baba.yaml rendered once per test process; tests copy it (a cache hit for build)."""
    from briefgen.build.batch import build

    root = Path(tempfile.mkdtemp(prefix="briefgen-send-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    run = build([SAMPLE], out_dir=root / "output", jobs=1)
    assert run.ok, run.briefs[0].error
    return root / "output"


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    with running_mail_server() as server:
        yield server


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    target = tmp_path / "output"
    shutil.copytree(built_output(), target)
    return target


def config_for(server: MailServer | None, tmp_path: Path, **extra: object) -> DeliveryConfig:
    smtp = server.settings().model_dump() if server else {"host": "127.0.0.1", "tls": "none"}
    data: dict[str, object] = {
        "sender": {"from": "China Desk <desk@research.example>",
                   "reply_to": "analyst@research.example"},
        "message_id_domain": "research.example",
        "lists": {"pms": ["Jane PM <jane@fund.example>", "bob@fund.example"]},
        "recipients": [{"specs": "baba*", "to": ["pms"], "cc": ["head@fund.example"],
                        "bcc": ["compliance@research.example"]}],
        "smtp": smtp,
        **extra,
    }
    return DeliveryConfig.model_validate(data)


def write_config(path: Path, server: MailServer, extra: str = "") -> Path:
    path.write_text(f"""\
sender:
  from: "China Desk <desk@research.example>"
message_id_domain: research.example
recipients:
  - specs: "baba*"
    to: [pm@fund.example]
smtp:
  host: 127.0.0.1
  port: {server.port}
  tls: none
  timeout: 5
  retry: {{attempts: 2, initial_delay: 0.01}}
{extra}""")
    return path


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def ledger_rows(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT recipient, status, content_hash FROM deliveries "
                          "ORDER BY recipient, updated_at").fetchall()


def test_the_message_that_arrives(mail_server: MailServer, out_dir: Path,
                                  tmp_path: Path) -> None:
    config = config_for(mail_server, tmp_path)
    summary = send_specs([SAMPLE], config, out_dir=out_dir, echo=lambda line: None)
    assert summary.ok
    [got] = mail_server.received
    assert got.mail_from == "desk@research.example"
    assert sorted(got.rcpt_tos) == sorted(["jane@fund.example", "bob@fund.example",
                                           "head@fund.example", "compliance@research.example"])
    msg = got.message
    assert msg["Subject"] == "Alibaba (BABA): cloud +26% y/y, 7.6 pp above consensus"
    assert msg["From"].addresses[0].addr_spec == "desk@research.example"
    assert [a.addr_spec for a in msg["To"].addresses] == ["jane@fund.example", "bob@fund.example"]
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["head@fund.example"]
    assert msg["Reply-To"].addresses[0].addr_spec == "analyst@research.example"
    assert "Bcc" not in msg and b"compliance@" not in got.data
    assert msg["Message-ID"].endswith("@research.example>")
    assert msg["Date"].datetime.tzinfo is not None

    assert msg.get_content_type() == "multipart/mixed"
    types = [part.get_content_type() for part in msg.walk()]
    assert types == ["multipart/mixed", "multipart/alternative", "text/plain",
                     "multipart/related", "text/html", "image/png", "application/pdf"]
    html = msg.get_body(("html",)).get_content()
    [png] = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    cid = png["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html
    assert png.get_content().startswith(b"\x89PNG")
    [pdf] = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "baba.pdf"
    assert pdf.get_content() == (out_dir / "baba" / "brief.pdf").read_bytes()
    text = msg.get_body(("plain",)).get_content()
    assert "KEY TAKEAWAYS" in text and "baba.pdf" in text


def test_second_run_sends_nothing(mail_server: MailServer, out_dir: Path, tmp_path: Path) -> None:
    config = config_for(mail_server, tmp_path)
    send_specs([SAMPLE], config, out_dir=out_dir, echo=lambda line: None)
    lines: list[str] = []
    summary = send_specs([SAMPLE], config, out_dir=out_dir, echo=lines.append)
    assert summary.ok and len(mail_server.received) == 1
    assert mail_server.connections == 1  # the second run did not even connect
    assert any("already sent to jane@fund.example" in line for line in lines)
    statuses = {r[1] for r in ledger_rows(out_dir / "deliveries.sqlite")}
    assert statuses == {"sent"}


def test_force_sends_again(mail_server: MailServer, out_dir: Path, tmp_path: Path) -> None:
    config = config_for(mail_server, tmp_path)
    send_specs([SAMPLE], config, out_dir=out_dir, echo=lambda line: None)
    send_specs([SAMPLE], config, out_dir=out_dir, decision="force", echo=lambda line: None)
    assert len(mail_server.received) == 2
    first, second = (r.message["Message-ID"] for r in mail_server.received)
    assert first == second  # deterministic: receivers can tell it is the same message


def test_a_changed_spec_is_sent_again(mail_server: MailServer, spec_dir: Path,
                                      tmp_path: Path) -> None:
    out = tmp_path / "output"
    shutil.copytree(built_output(), out)
    spec = spec_dir / "baba.yaml"
    config = config_for(mail_server, tmp_path)
    send_specs([spec], config, out_dir=out, echo=lambda line: None)
    text = spec.read_text()
    assert "Both listings rallied after the results." in text
    spec.write_text(text.replace("Both listings rallied after the results.",
                                 "Both listings rallied hard."))
    summary = send_specs([spec], config, out_dir=out, echo=lambda line: None)
    assert summary.ok and len(mail_server.received) == 2
    rows = ledger_rows(out / "deliveries.sqlite")
    assert len({r[2] for r in rows}) == 2  # two content hashes, each sent
    assert "rallied hard" in mail_server.received[1].message.get_body(("plain",)).get_content()


def test_server_refusal_is_a_clear_failure_not_retried(mail_server: MailServer, out_dir: Path,
                                                       tmp_path: Path) -> None:
    mail_server.handler.data_replies = ["554 5.6.0 Attachments not allowed"]
    config = config_for(mail_server, tmp_path)
    lines: list[str] = []
    summary = send_specs([SAMPLE], config, out_dir=out_dir, echo=lines.append)
    assert not summary.ok and mail_server.connections == 1
    assert any("failed for jane@fund.example: rejected: 554 5.6.0 Attachments not allowed"
               in line for line in lines)
    assert {r[1] for r in ledger_rows(out_dir / "deliveries.sqlite")} == {"failed"}
    # A failure is not "sent": the next run tries again, and succeeds.
    assert send_specs([SAMPLE], config, out_dir=out_dir, echo=lambda line: None).ok
    assert len(mail_server.received) == 1


def test_crash_after_accept_leaves_unknown_outcome(mail_server: MailServer, out_dir: Path,
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_for(mail_server, tmp_path)
    real_record = Ledger.record

    def crash_after_server_accepted(self: Ledger, key: object, outcomes: dict, **kw: object
                                    ) -> None:
        raise KeyboardInterrupt("power cut before the ledger write")

    monkeypatch.setattr(Ledger, "record", crash_after_server_accepted)
    with pytest.raises(KeyboardInterrupt):
        send_specs([SAMPLE], config, out_dir=out_dir, echo=lambda line: None)
    monkeypatch.setattr(Ledger, "record", real_record)
    assert len(mail_server.received) == 1  # the server has it; the ledger does not know
    assert {r[1] for r in ledger_rows(out_dir / "deliveries.sqlite")} == {"sending"}

    lines: list[str] = []
    summary = send_specs([SAMPLE], config, out_dir=out_dir, echo=lines.append)
    assert not summary.ok, "an unknown outcome must not pass silently"
    assert len(mail_server.received) == 1, "and must not be resent silently"
    message_id = mail_server.received[0].message["Message-ID"]
    assert any("unknown outcome for jane@fund.example" in line and message_id in line
               and "--assume-sent" in line and "--resend" in line for line in lines)
    assert {r[1] for r in ledger_rows(out_dir / "deliveries.sqlite")} == {"unknown"}

    # The server's log shows it arrived: a person records that; nothing is sent.
    lines.clear()
    assert send_specs([SAMPLE], config, out_dir=out_dir, decision="assume-sent",
                      echo=lines.append).ok
    assert len(mail_server.received) == 1
    assert {r[1] for r in ledger_rows(out_dir / "deliveries.sqlite")} == {"sent"}
    assert any("recorded as sent (--assume-sent): jane@fund.example" in line for line in lines)


def test_a_server_dropping_after_data_is_one_delivery_and_unknown(
        mail_server: MailServer, out_dir: Path, tmp_path: Path) -> None:
    mail_server.handler.accept_then_drop = 1
    config = config_for(mail_server, tmp_path)
    lines: list[str] = []
    summary = send_specs([SAMPLE], config, out_dir=out_dir, echo=lines.append)
    assert not summary.ok and len(mail_server.received) == 1 and mail_server.connections == 1
    assert {r[1] for r in ledger_rows(out_dir / "deliveries.sqlite")} == {"unknown"}
    assert any("unknown outcome for jane@fund.example" in line and "after DATA began" in line
               for line in lines)
    assert not send_specs([SAMPLE], config, out_dir=out_dir, echo=lambda line: None).ok
    assert len(mail_server.received) == 1  # a plain second run does not resend it
    # The server's log shows it never arrived (here it did: the resend is a duplicate, which
    # is what --resend risks and why it is a person's decision).
    assert send_specs([SAMPLE], config, out_dir=out_dir, decision="resend",
                      echo=lambda line: None).ok
    assert len(mail_server.received) == 2
    assert {r[1] for r in ledger_rows(out_dir / "deliveries.sqlite")} == {"sent"}


def test_cli_resolution_flags_are_one_choice(out_dir: Path) -> None:
    code, output = run_main(["send", str(SAMPLE), "--to", "pm@fund.example", "--out",
                             str(out_dir), "--assume-sent", "--resend"])
    assert code == 2 and "--assume-sent and --resend: choose one" in output


def test_oversize_attachment_is_refused_before_connecting(mail_server: MailServer,
                                                          out_dir: Path, tmp_path: Path) -> None:
    config = config_for(mail_server, tmp_path, attachment_budget_mb=0.05)
    lines: list[str] = []
    summary = send_specs([SAMPLE], config, out_dir=out_dir, echo=lines.append)
    assert not summary.ok
    assert mail_server.connections == 0 and mail_server.received == []
    [line] = [line for line in lines if "held back" in line]
    assert "exceed the attachment budget of 51 KB" in line and "baba.pdf" in line
    with sqlite3.connect(out_dir / "deliveries.sqlite") as db:
        rows = db.execute("SELECT status, detail FROM deliveries").fetchall()
    assert rows and all(s == "held" and "attachment budget" in d for s, d in rows)


def test_stale_outputs_are_held_back(out_dir: Path, tmp_path: Path) -> None:
    from briefgen.brand.model import DEFAULT_BRAND
    from briefgen.build.batch import build

    run = build([SAMPLE], out_dir=out_dir)
    [brief] = run.briefs
    assert brief.status in ("cached", "rendered")
    config = config_for(None, tmp_path)
    assert preflight(brief, out_dir, config, DEFAULT_BRAND).problem is None
    # Someone (another run, a person) replaces the PDF after the build: it no longer matches.
    (out_dir / "baba" / "brief.pdf").write_bytes(b"%PDF-1.7 another note")
    prepared = preflight(brief, out_dir, config, DEFAULT_BRAND)
    assert prepared.content is None and prepared.problem is not None
    assert prepared.problem.startswith("stale")


def test_failed_render_is_held_back(mail_server: MailServer, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("brief: {title: x}\n")
    config = config_for(mail_server, tmp_path)
    lines: list[str] = []
    summary = send_specs([bad], config, out_dir=tmp_path / "out", to=["pm@fund.example"],
                         echo=lines.append)
    assert not summary.ok and mail_server.connections == 0
    assert any(line.startswith("bad: held back: render failed:") for line in lines)
    assert {r[1] for r in ledger_rows(tmp_path / "out" / "deliveries.sqlite")} == {"held"}


class _Rendered:
    """The part of a RenderedBrief that `batch.build` reads."""

    def __init__(self, slug: str, spec_path: Path, files: dict[str, bytes]) -> None:
        self.slug, self.spec_path, self.files = slug, spec_path, files
        self.timings: dict[str, float] = {}
        self.warnings: list[str] = []


def fake_render_empty_pdf(spec_path: Path, options: object) -> _Rendered:
    return _Rendered("baba", spec_path, {"brief.html": b"<html></html>", "brief.pdf": b""})


def test_empty_pdf_is_held_back(mail_server: MailServer, tmp_path: Path) -> None:
    config = config_for(mail_server, tmp_path)
    lines: list[str] = []
    summary = send_specs([SAMPLE], config, out_dir=tmp_path / "out", render=fake_render_empty_pdf,
                         echo=lines.append)
    assert not summary.ok and mail_server.connections == 0
    assert "baba: held back: the PDF is empty or missing" in lines


# --- through the command line ------------------------------------------------------------------


def test_cli_sends_then_reports_already_sent(mail_server: MailServer, out_dir: Path,
                                             tmp_path: Path) -> None:
    config = write_config(tmp_path / "delivery.yaml", mail_server)
    args = ["send", str(SAMPLE), "--config", str(config), "--out", str(out_dir)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "baba: sent to pm@fund.example" in first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "already sent to pm@fund.example" in second.output
    assert len(mail_server.received) == 1


def test_cli_failed_delivery_exits_1(mail_server: MailServer, out_dir: Path,
                                     tmp_path: Path) -> None:
    mail_server.handler.rcpt_replies = {"pm@fund.example": ["550 5.1.1 No such user"]}
    config = write_config(tmp_path / "delivery.yaml", mail_server)
    result = runner.invoke(app, ["send", str(SAMPLE), "--config", str(config),
                                 "--out", str(out_dir)])
    assert result.exit_code == 1, result.output
    assert "refused for pm@fund.example: refused: 550 5.1.1 No such user" in result.output


def test_cli_server_down_exits_1_and_ledger_says_failed(out_dir: Path, tmp_path: Path) -> None:
    from tests.helpers.mail_server import free_port

    class Down:
        port = free_port()

    config = write_config(tmp_path / "delivery.yaml", Down())  # type: ignore[arg-type]
    result = runner.invoke(app, ["send", str(SAMPLE), "--config", str(config),
                                 "--out", str(out_dir)])
    assert result.exit_code == 1, result.output
    assert "gave up after 2 attempts" in result.output and "connection refused" in result.output
    assert {r[1] for r in ledger_rows(out_dir / "deliveries.sqlite")} == {"failed"}


def test_cli_bad_config_exits_2_with_located_errors(mail_server: MailServer, out_dir: Path,
                                                    tmp_path: Path) -> None:
    config = write_config(tmp_path / "delivery.yaml", mail_server,
                          "attachment_budget: 5\n")
    config.write_text(config.read_text().replace("  timeout: 5\n", "  timeout: 5\n"
                                                 "  password: hunter2\n"))
    code, output = run_main(["send", str(SAMPLE), "--config", str(config),
                             "--out", str(out_dir)])
    assert code == 2, output
    assert f"{config}:12:3: smtp.password: credentials must not be written" in output
    assert "hunter2" not in output
    assert f"{config}:14:1: attachment_budget: unknown key" in output
    assert mail_server.connections == 0


def test_cli_dry_run_writes_a_whole_eml(mail_server: MailServer, out_dir: Path) -> None:
    result = runner.invoke(app, ["send", str(SAMPLE), "--to", "pm@fund.example",
                                 "--out", str(out_dir), "--dry-run"])
    assert result.exit_code == 0, result.output
    eml = out_dir / "baba" / "email.eml"
    msg = parse(eml.read_bytes())
    assert [p.get_content_type() for p in msg.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "multipart/related",
        "text/html", "image/png", "application/pdf"]
    [pdf] = list(msg.iter_attachments())
    assert pdf.get_content() == (out_dir / "baba" / "brief.pdf").read_bytes()
    assert msg["To"] == "pm@fund.example"
    assert mail_server.connections == 0
    assert not (out_dir / "deliveries.sqlite").exists()


def test_cli_bad_to_address_exits_2(out_dir: Path) -> None:
    code, output = run_main(["send", str(SAMPLE), "--to", "not an address",
                             "--out", str(out_dir), "--dry-run"])
    assert code == 2
    assert "--to: expected an email address" in output


def test_cli_brand_styles_the_email_and_the_pdf_it_attaches(out_dir: Path,
                                                            tmp_path: Path) -> None:
    brand = tmp_path / "brand.yaml"
    brand.write_text('firm_name: Halden Row Research\ncolours: {primary: "#7a1f5c"}\n')
    code, output = run_main(["send", str(SAMPLE), "--to", "pm@fund.example", "--out",
                             str(out_dir), "--dry-run", "--brand", str(brand)])
    assert code == 0, output
    msg = parse((out_dir / "baba" / "email.eml").read_bytes())
    html, text = msg.get_body(("html",)), msg.get_body(("plain",))
    assert html is not None and text is not None
    assert "#7a1f5c" in html.get_content().lower()
    assert "Halden Row Research" in html.get_content()
    assert "Halden Row Research" in text.get_content()
    # The cached default-brand render was not reused: the note was rendered with the brand.
    assert "Halden Row Research" in (out_dir / "baba" / "brief.html").read_text()
    [pdf] = list(msg.iter_attachments())
    assert pdf.get_content() == (out_dir / "baba" / "brief.pdf").read_bytes()


def test_cli_bad_brand_file_exits_2_with_its_place(out_dir: Path, tmp_path: Path) -> None:
    brand = tmp_path / "brand.yaml"
    brand.write_text("firm_name: Halden Row Research\ncolours: {primary: red}\n")
    code, output = run_main(["send", str(SAMPLE), "--to", "pm@fund.example", "--out",
                             str(out_dir), "--dry-run", "--brand", str(brand)])
    assert code == 2, output
    assert f"{brand}:2:" in output and "colours.primary" in output
    assert not (out_dir / "baba" / "email.eml").exists()


def test_cli_debug_shows_the_traceback(out_dir: Path) -> None:
    from briefgen.errors import InputError

    with pytest.raises(InputError, match="--to: expected an email address"):
        main(["--debug", "send", str(SAMPLE), "--to", "not an address", "--out", str(out_dir),
              "--dry-run"])
