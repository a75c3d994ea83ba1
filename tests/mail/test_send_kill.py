"""kill -9 of a sending run, at RCPT and after DATA began, with a real server and process.

Before DATA nothing can have reached a reader: the next run sends (no recipient stays pending
for ever). After DATA began the reader may have it: the next run reports an unknown outcome and
does not resend until a person decides.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.mail.ledger import BriefKey, Ledger
from briefgen.mail.smtp import deliver
from tests.helpers.mail_server import MailServer
from tests.helpers.senders import RECIPIENTS, round_message

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def killed_at(request: pytest.FixtureRequest, mail_server: MailServer,
              tmp_path: Path) -> Iterator[Path]:
    """A sender process stopped by SIGKILL while the server holds the command `param`."""
    mail_server.handler.stall_at = request.param
    ledger_path = tmp_path / "deliveries.sqlite"
    started = time.monotonic()
    sender = subprocess.Popen([sys.executable, "-m", "tests.helpers.senders", str(ledger_path),
                               str(mail_server.port)], cwd=ROOT)
    try:
        assert mail_server.handler.stalled.wait(30), "the sender never reached the server"
        os.kill(sender.pid, signal.SIGKILL)
        assert sender.wait(10) == -signal.SIGKILL
    finally:
        sender.kill()
        mail_server.handler.stall_at = None
        mail_server.handler.release.set()
    print(f"killed at {request.param} {time.monotonic() - started:.2f}s after start")
    yield ledger_path


def statuses(ledger: Ledger, key: BriefKey) -> set[str]:
    return {row.status for row in ledger.rows(key).values()}


@pytest.mark.parametrize("killed_at", ["RCPT"], indirect=True)
def test_a_kill_during_rcpt_is_sent_by_the_next_run(killed_at: Path,
                                                    mail_server: MailServer) -> None:
    message, key = round_message(0, 0)
    with Ledger(killed_at) as ledger:
        assert statuses(ledger, key) == {"claimed"}
        delivery = deliver(message, RECIPIENTS, key, ledger, mail_server.settings())
        assert delivery.ok and sorted(delivery.report.outcomes) == sorted(RECIPIENTS)
        assert statuses(ledger, key) == {"sent"}
    assert [sorted(r.rcpt_tos) for r in mail_server.received] == [sorted(RECIPIENTS)]


@pytest.mark.parametrize("killed_at", ["DATA"], indirect=True)
def test_a_kill_after_data_began_is_an_unknown_outcome(killed_at: Path,
                                                       mail_server: MailServer) -> None:
    message, key = round_message(0, 0)
    with Ledger(killed_at) as ledger:
        assert statuses(ledger, key) == {"sending"}
        delivery = deliver(message, RECIPIENTS, key, ledger, mail_server.settings())
        assert not delivery.ok and sorted(delivery.unknown) == sorted(RECIPIENTS)
        assert delivery.report.outcomes == {} and statuses(ledger, key) == {"unknown"}
        resolved = deliver(message, RECIPIENTS, key, ledger, mail_server.settings(),
                           decision="assume-sent")
        assert resolved.ok and sorted(resolved.assumed_sent) == sorted(RECIPIENTS)
        assert statuses(ledger, key) == {"sent"}
    # The killed run's connection was the only one: nothing was sent again.
    assert mail_server.connections == 1 and len(mail_server.received) <= 1
