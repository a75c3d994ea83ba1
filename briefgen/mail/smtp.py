"""Sending one composed message over SMTP: timeouts, retries, and each recipient's outcome.

* Every network call has a timeout (`smtp.timeout`, given to smtplib, which sets it on the socket).
* A connection that fails, drops or times out before DATA, and a 4xx answer (greeting, MAIL, RCPT
  or DATA), are retried with exponential backoff (`smtp.retry`), within a bounded total time.
  Only recipients still outstanding are retried: one the server accepted on an earlier try is not
  sent twice.
* A connection that drops or times out after DATA began, before the server's answer, is an
  `unknown` outcome and is **not** retried: the server may have the whole message and be about to
  deliver it (seen in practice: a server that accepts and drops before its 250 would otherwise get
  the message once per retry). `on_data` is told the recipients just before DATA, which is how the
  ledger knows from when on a crash leaves an unknown outcome rather than a known "not sent".
* A 5xx answer is final and never retried; so are a failed login and a server that does not offer
  STARTTLS when the config asks for it (briefgen never falls back to plain text).
* `deliver()` wraps a send in the ledger (see `briefgen.mail.ledger` for the exactly-once rules).

The sleep and the clock are parameters so that tests run the backoff without waiting.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING, Literal

from briefgen.mail.config import Smtp
from briefgen.mail.ledger import BriefKey, Decision, Ledger, Status
from briefgen.words import count

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

OutcomeStatus = Literal["sent", "refused", "failed", "unknown"]


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
    detail: str
    code: int | None = None


@dataclass
class SendReport:
    """What happened to one message: an outcome per envelope recipient."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    attempts: int = 0
    connected: bool = False  # whether any connection to the server was made

    @property
    def ok(self) -> bool:
        return all(o.status == "sent" for o in self.outcomes.values())


class _Permanent(Exception):
    """Do not retry: a 5xx answer, a failed login, a TLS requirement the server cannot meet."""

    def __init__(self, detail: str, code: int | None = None) -> None:
        super().__init__(detail)
        self.code = code


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {text}".strip()


@dataclass
class _Watch:
    """What one connection got to: the recipients RCPT accepted, and whether DATA began."""

    on_data: Callable[[list[str]], None]
    accepted: list[str] = field(default_factory=list)
    data_began: bool = False


class _WatchedSMTP(smtplib.SMTP):
    """smtplib's client, telling `watch` about RCPT answers and calling it just before DATA
    (smtplib's `sendmail` runs MAIL, every RCPT, then DATA, with no hook in between)."""

    watch: _Watch

    def rcpt(self, recip: str, options: Sequence[str] = ()) -> tuple[int, bytes]:
        code, text = super().rcpt(recip, options)
        if code in (250, 251):
            self.watch.accepted.append(recip)
        return code, text

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self.watch.on_data(list(self.watch.accepted))
        self.watch.data_began = True
        return super().data(msg)


class _WatchedSMTPSSL(_WatchedSMTP, smtplib.SMTP_SSL):
    pass


def _attempt(message: EmailMessage, sender: str, recipients: list[str], settings: Smtp,
             credentials: tuple[str, str] | None, on_connect: Callable[[], None], watch: _Watch
             ) -> dict[str, tuple[int, bytes]]:
    """One connection: returns the recipients the server refused (smtplib's dict)."""
    host, port, timeout = settings.host, settings.effective_port, settings.timeout
    client: _WatchedSMTP
    if settings.tls == "tls":
        client = _WatchedSMTPSSL(host, port, timeout=timeout,
                                 context=ssl.create_default_context())
    else:
        client = _WatchedSMTP(host, port, timeout=timeout)
    client.watch = watch
    on_connect()
    try:
        client.ehlo()
        if settings.tls == "starttls":
            if not client.has_extn("starttls"):
                raise _Permanent(f"{host}:{port} does not offer STARTTLS, which smtp.tls asks "
                                 f"for; not sending in plain text")
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if credentials:
            try:
                client.login(*credentials)
            except smtplib.SMTPAuthenticationError as exc:
                raise _Permanent("login refused: " + _reply(exc.smtp_code, exc.smtp_error),
                                 exc.smtp_code) from None
        refused = client.send_message(message, from_addr=sender, to_addrs=recipients)
        return dict(refused)
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def send_message(
    message: EmailMessage,
    sender: str,
    recipients: list[str],
    settings: Smtp,
    *,
    credentials: tuple[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    on_data: Callable[[list[str]], None] = lambda accepted: None,
) -> SendReport:
    """Send `message` to the envelope `recipients` (bare addresses; Bcc ones included).

    Never raises for a delivery problem: the report holds each recipient's outcome. `on_data`
    is called with the recipients the server accepted, before each DATA command; what it raises
    ends the send before DATA (nothing went out)."""
    report = SendReport()
    outstanding = list(dict.fromkeys(recipients))
    retry = settings.retry
    started = monotonic()
    delay = retry.initial_delay
    last_error = "not attempted"

    def connected() -> None:
        report.connected = True

    while outstanding:
        report.attempts += 1
        temporary: dict[str, str] = {}
        watch = _Watch(on_data)
        try:
            refused = _attempt(message, sender, outstanding, settings, credentials, connected,
                               watch)
        except smtplib.SMTPRecipientsRefused as exc:  # every recipient refused
            refused = dict(exc.recipients)
        except _Permanent as exc:
            _fail_all(report, outstanding, str(exc), exc.code)
            return report
        except smtplib.SMTPResponseException as exc:  # MAIL, DATA or greeting answered 4xx/5xx
            reply = _reply(exc.smtp_code, exc.smtp_error)
            if not 400 <= exc.smtp_code < 500:
                _fail_all(report, outstanding, f"rejected: {reply}", exc.smtp_code)
                return report
            refused, last_error = {}, f"temporary failure: {reply}"
            temporary = dict.fromkeys(outstanding, last_error)
        except smtplib.SMTPNotSupportedError as exc:  # e.g. an address needing SMTPUTF8
            _fail_all(report, outstanding, f"the server cannot take this message: {exc}")
            return report
        except ssl.SSLCertVerificationError as exc:
            _fail_all(report, outstanding, f"TLS certificate not trusted: {exc.verify_message}")
            return report
        except (smtplib.SMTPException, OSError) as exc:  # refused, dropped, timed out
            problem = _connection_problem(exc, settings)
            if watch.data_began:  # the server may have it: neither sent nor safe to retry
                for address in watch.accepted:
                    report.outcomes[address] = Outcome(
                        "unknown", f"{problem} after DATA began, before the server's answer")
                outstanding = [a for a in outstanding if a not in watch.accepted]
            refused, last_error = {}, problem
            temporary = dict.fromkeys(outstanding, last_error)
        if not temporary:
            for address in outstanding:
                if address not in refused:
                    report.outcomes[address] = Outcome("sent", "accepted")
            for address, (code, text) in refused.items():
                reply = _reply(code, text)
                if 400 <= code < 500:
                    temporary[address] = last_error = f"temporary failure: {reply}"
                else:
                    report.outcomes[address] = Outcome("refused", f"refused: {reply}", code)
        outstanding = list(temporary)
        if not outstanding:
            break
        waited = monotonic() - started
        if report.attempts >= retry.attempts or waited + delay > retry.max_total:
            _fail_all(report, outstanding,
                      f"gave up after {count(report.attempts, 'attempt')} in {waited:.1f}s: "
                      f"{last_error}")
            break
        sleep(delay)
        delay *= 2
    return report


def _connection_problem(exc: BaseException, settings: Smtp) -> str:
    where = f"{settings.host}:{settings.effective_port}"
    # smtplib reports a timeout while reading a reply as a disconnection "...: timed out".
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return f"{where} did not answer within {settings.timeout:g}s"
    if isinstance(exc, ConnectionRefusedError):
        return f"cannot connect to {where}: connection refused (is the mail server running?)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection: {exc}"
    return f"{where}: {type(exc).__name__}: {exc}"


def _fail_all(report: SendReport, recipients: list[str], detail: str,
              code: int | None = None) -> None:
    for address in recipients:
        report.outcomes[address] = Outcome("failed", detail, code)


# --- exactly once ----------------------------------------------------------------------------


@dataclass
class Delivery:
    """One message's fate across the ledger and the server, for reports."""

    key: BriefKey
    message_id: str
    already_sent: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # left unknown by an earlier run
    in_progress: list[str] = field(default_factory=list)  # another live run is sending
    assumed_sent: list[str] = field(default_factory=list)
    report: SendReport = field(default_factory=SendReport)

    @property
    def ok(self) -> bool:
        return not self.unknown and self.report.ok

    @property
    def unknown_now(self) -> list[str]:
        """Every recipient whose outcome is unknown after this delivery (earlier or now)."""
        return self.unknown + [a for a, o in self.report.outcomes.items()
                               if o.status == "unknown"]


def deliver(
    message: EmailMessage,
    recipients: list[str],
    key: BriefKey,
    ledger: Ledger,
    settings: Smtp,
    *,
    decision: Decision = "normal",
    credentials: tuple[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> Delivery:
    """Send `message` to those of `recipients` the ledger says have not had it and no other run
    is sending to; `decision` says what to do with unknown outcomes (and, `force`, with those
    already sent). See `briefgen.mail.ledger` for the states and why."""
    message_id = str(message["Message-ID"])
    plan = ledger.claim(key, recipients, message_id, decision)
    delivery = Delivery(key, message_id, plan.already_sent, plan.unknown, plan.in_progress,
                        plan.assumed_sent)
    if not plan.send:
        return delivery
    sender = message["From"].addresses[0].addr_spec
    delivery.report = send_message(message, sender, plan.send, settings,
                                   credentials=credentials, sleep=sleep, monotonic=monotonic,
                                   on_data=lambda accepted: ledger.mark_sending(key, accepted))
    outcomes: dict[str, tuple[Status, str]] = {
        address: (outcome.status, outcome.detail)
        for address, outcome in delivery.report.outcomes.items()
    }
    ledger.record(key, outcomes, message_id=message_id)
    return delivery
