"""Sending over real SMTP: a local aiosmtpd server that accepts, refuses, defers, drops or is down.

`MailServer` and the `mail_server` fixture are shared by the other test_send_* modules.
"""

from __future__ import annotations

import datetime as dt
import socket
from email.message import EmailMessage
from pathlib import Path

import pytest

from briefgen.mail.config import Smtp
from briefgen.mail.ledger import BriefKey, Ledger
from briefgen.mail.smtp import deliver, send_message
from tests.helpers.mail_server import MailServer, free_port


class Sleeps(list[float]):
    """An injected sleep that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def small_message(to: str = "pm@fund.example") -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = "Test"
    msg["From"] = "Desk <desk@research.example>"
    msg["To"] = to
    msg["Message-ID"] = "<test.1@research.example>"
    msg.set_content("hello")
    return msg


def test_accepted_message_arrives_whole(mail_server: MailServer) -> None:
    sleeps = Sleeps()
    report = send_message(small_message(), "desk@research.example",
                          ["pm@fund.example", "hidden@fund.example"], mail_server.settings(),
                          sleep=sleeps)
    assert report.ok and report.attempts == 1 and sleeps == []
    [got] = mail_server.received
    assert got.mail_from == "desk@research.example"
    assert got.rcpt_tos == ["pm@fund.example", "hidden@fund.example"]
    assert got.message["Subject"] == "Test"
    assert got.message.get_content().strip() == "hello"


def test_5xx_on_data_is_not_retried(mail_server: MailServer) -> None:
    mail_server.handler.data_replies = ["554 5.7.1 Message rejected as spam"]
    sleeps = Sleeps()
    report = send_message(small_message(), "desk@research.example", ["pm@fund.example"],
                          mail_server.settings(), sleep=sleeps)
    outcome = report.outcomes["pm@fund.example"]
    assert outcome.status == "failed" and outcome.code == 554
    assert "554 5.7.1 Message rejected as spam" in outcome.detail
    assert report.attempts == 1 and sleeps == [] and mail_server.received == []


def test_4xx_then_accept_is_retried_with_backoff(mail_server: MailServer) -> None:
    mail_server.handler.data_replies = ["451 4.3.0 Try again later", "452 4.3.1 Still busy"]
    sleeps = Sleeps()
    report = send_message(small_message(), "desk@research.example", ["pm@fund.example"],
                          mail_server.settings(), sleep=sleeps)
    assert report.ok and report.attempts == 3
    assert sleeps == [0.01, 0.02]  # exponential
    assert len(mail_server.received) == 1


def test_one_recipient_refused_the_others_delivered(mail_server: MailServer) -> None:
    mail_server.handler.rcpt_replies = {"gone@fund.example": ["550 5.1.1 No such user"]}
    report = send_message(small_message(), "desk@research.example",
                          ["pm@fund.example", "gone@fund.example"], mail_server.settings(),
                          sleep=Sleeps())
    assert report.outcomes["pm@fund.example"].status == "sent"
    refused = report.outcomes["gone@fund.example"]
    assert refused.status == "refused" and refused.code == 550 and "No such user" in refused.detail
    assert report.attempts == 1
    assert mail_server.received[0].rcpt_tos == ["pm@fund.example"]


def test_temporary_refusal_retries_only_that_recipient(mail_server: MailServer) -> None:
    mail_server.handler.rcpt_replies = {"busy@fund.example": ["450 4.2.1 Mailbox busy"]}
    report = send_message(small_message(), "desk@research.example",
                          ["pm@fund.example", "busy@fund.example"], mail_server.settings(),
                          sleep=Sleeps())
    assert report.ok and report.attempts == 2
    assert [r.rcpt_tos for r in mail_server.received] == [["pm@fund.example"],
                                                          ["busy@fund.example"]]


def test_connection_dropped_before_data_is_retried(mail_server: MailServer) -> None:
    mail_server.handler.drop_rcpt = 1
    sleeps = Sleeps()
    report = send_message(small_message(), "desk@research.example", ["pm@fund.example"],
                          mail_server.settings(), sleep=sleeps)
    assert report.ok and report.attempts == 2 and sleeps == [0.01]
    assert len(mail_server.received) == 1 and mail_server.connections == 2


def test_connection_dropped_before_data_every_time_gives_up(mail_server: MailServer) -> None:
    mail_server.handler.drop_rcpt = 99
    sleeps = Sleeps()
    report = send_message(small_message(), "desk@research.example", ["pm@fund.example"],
                          mail_server.settings(attempts=3), sleep=sleeps)
    outcome = report.outcomes["pm@fund.example"]
    assert outcome.status == "failed"
    assert "gave up after 3 attempts" in outcome.detail
    assert "closed the connection" in outcome.detail
    assert sleeps == [0.01, 0.02] and mail_server.received == []


def test_a_drop_after_data_is_unknown_and_not_retried(mail_server: MailServer) -> None:
    """The server keeps the message and drops before its 250: a retry would be a duplicate."""
    mail_server.handler.accept_then_drop = 1
    told: list[list[str]] = []
    sleeps = Sleeps()
    report = send_message(small_message(), "desk@research.example",
                          ["pm@fund.example", "hidden@fund.example"], mail_server.settings(),
                          sleep=sleeps, on_data=told.append)
    assert len(mail_server.received) == 1  # delivered once, and only once
    assert report.attempts == 1 and sleeps == [] and mail_server.connections == 1
    assert {a: o.status for a, o in report.outcomes.items()} == {
        "pm@fund.example": "unknown", "hidden@fund.example": "unknown"}
    assert "after DATA began" in report.outcomes["pm@fund.example"].detail
    assert told == [["pm@fund.example", "hidden@fund.example"]]


def test_on_data_hears_only_the_recipients_rcpt_accepted(mail_server: MailServer) -> None:
    mail_server.handler.rcpt_replies = {"gone@fund.example": ["550 5.1.1 No such user"]}
    told: list[list[str]] = []
    send_message(small_message(), "desk@research.example",
                 ["pm@fund.example", "gone@fund.example"], mail_server.settings(),
                 sleep=Sleeps(), on_data=told.append)
    assert told == [["pm@fund.example"]]


def test_server_down_retries_then_fails_and_ledger_records_it(tmp_path: Path) -> None:
    port = free_port()  # nothing listens here
    settings = Smtp.model_validate({"host": "127.0.0.1", "port": port, "tls": "none",
                                    "timeout": 2, "retry": {"attempts": 4, "initial_delay": 0.5}})
    sleeps = Sleeps()
    key = BriefKey("baba", "2025-06-30", "hash1")
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        delivery = deliver(small_message(), ["pm@fund.example"], key, ledger, settings,
                           sleep=sleeps)
        row = ledger.rows(key)["pm@fund.example"]
    assert not delivery.ok and delivery.report.attempts == 4
    assert sleeps == [0.5, 1.0, 2.0]
    assert row.status == "failed" and "connection refused" in row.detail
    assert f"127.0.0.1:{port}" in row.detail


def test_total_retry_time_is_bounded() -> None:
    settings = Smtp.model_validate({"host": "127.0.0.1", "port": free_port(), "tls": "none",
                                    "retry": {"attempts": 10, "initial_delay": 1,
                                              "max_total": 5}})
    clock = [0.0]
    sleeps = Sleeps()

    def sleep(seconds: float) -> None:
        sleeps(seconds)
        clock[0] += seconds

    report = send_message(small_message(), "d@research.example", ["pm@fund.example"], settings,
                          sleep=sleep, monotonic=lambda: clock[0])
    assert sleeps == [1, 2]  # a third wait (4 s) would pass the 5 s bound
    assert report.attempts == 3 and not report.ok


def test_a_silent_server_times_out() -> None:
    with socket.socket() as listener:  # accepts connections (backlog) and never says a word
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        port = listener.getsockname()[1]
        settings = Smtp.model_validate({"host": "127.0.0.1", "port": port, "tls": "none",
                                        "timeout": 0.2,
                                        "retry": {"attempts": 2, "initial_delay": 0}})
        started = dt.datetime.now()
        report = send_message(small_message(), "d@research.example", ["pm@fund.example"],
                              settings, sleep=Sleeps())
        elapsed = (dt.datetime.now() - started).total_seconds()
    outcome = report.outcomes["pm@fund.example"]
    assert outcome.status == "failed" and "did not answer within 0.2s" in outcome.detail
    assert elapsed < 3


def test_starttls_required_but_not_offered_sends_nothing(mail_server: MailServer) -> None:
    settings = mail_server.settings().model_copy(update={"tls": "starttls"})
    sleeps = Sleeps()
    report = send_message(small_message(), "d@research.example", ["pm@fund.example"], settings,
                          sleep=sleeps)
    outcome = report.outcomes["pm@fund.example"]
    assert outcome.status == "failed" and "does not offer STARTTLS" in outcome.detail
    assert sleeps == [] and mail_server.received == []


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen.errors import InputError

    settings = Smtp.model_validate({"username_env": "BG_TEST_USER",
                                    "password_env": "BG_TEST_PASS"})
    monkeypatch.delenv("BG_TEST_PASS", raising=False)
    monkeypatch.setenv("BG_TEST_USER", "desk")
    with pytest.raises(InputError, match="BG_TEST_PASS is not set"):
        settings.credentials()
    monkeypatch.setenv("BG_TEST_PASS", "s3cret")
    assert settings.credentials() == ("desk", "s3cret")
