"""Concurrent senders for the exactly-once tests: each one a run with its own ledger connection.

`send_rounds` is what one sender does: in each round, every message of the round to every
recipient, in its own shuffled order, through `briefgen.mail.smtp.deliver`. It runs in a thread
or, through `multiprocessing`'s spawn, in a process of its own; the barrier starts every sender's
round at the same moment, which is when they race for the same rows.
"""

from __future__ import annotations

import random
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from briefgen.mail.config import Smtp
from briefgen.mail.ledger import BriefKey, Ledger
from briefgen.mail.smtp import deliver

RECIPIENTS = ["a@fund.example", "b@fund.example", "c@fund.example"]
MESSAGES_PER_ROUND = 3


class Barrier(Protocol):
    def wait(self, timeout: float | None = None) -> int: ...


def message_id(round_no: int, index: int) -> str:
    return f"<r{round_no}.m{index}@research.example>"


def round_message(round_no: int, index: int) -> tuple[EmailMessage, BriefKey]:
    msg = EmailMessage()
    msg["Subject"] = f"round {round_no} message {index}"
    msg["From"] = "desk@research.example"
    msg["To"] = ", ".join(RECIPIENTS)
    msg["Message-ID"] = message_id(round_no, index)
    msg.set_content("hello")
    return msg, BriefKey(f"m{index}", "2025-06-30", f"round-{round_no}")


def send_rounds(ledger_path: Path, port: int, rounds: range, seed: int, barrier: Barrier) -> int:
    """Returns how many messages this sender handed to the server."""
    settings = Smtp.model_validate({"host": "127.0.0.1", "port": port, "tls": "none",
                                    "timeout": 60, "retry": {"initial_delay": 0.01}})
    shuffle = random.Random(seed)
    handed = 0
    with Ledger(ledger_path) as ledger:
        for round_no in rounds:
            order = list(range(MESSAGES_PER_ROUND))
            shuffle.shuffle(order)
            barrier.wait(timeout=60)
            for index in order:
                msg, key = round_message(round_no, index)
                delivery = deliver(msg, RECIPIENTS, key, ledger, settings)
                handed += bool(delivery.report.outcomes)
                assert not delivery.unknown_now, delivery.report.outcomes
    return handed


def process_sender(ledger_path: Path, port: int, rounds: range, seed: int, barrier: Barrier,
                   results: Any) -> None:
    """`send_rounds` in a spawned process; puts (seed, handed) or (seed, error text)."""
    try:
        results.put((seed, send_rounds(ledger_path, port, rounds, seed, barrier)))
    except BaseException as exc:
        results.put((seed, repr(exc)))
        raise


if __name__ == "__main__":  # one sender as a process of its own, for the kill -9 tests
    import sys

    class _NoBarrier:
        def wait(self, timeout: float | None = None) -> int:
            return 0

    send_rounds(Path(sys.argv[1]), int(sys.argv[2]), range(1), 0, _NoBarrier())
