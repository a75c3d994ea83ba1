"""Exactly once under concurrency: 2 and 4 senders at once against a real SMTP server on
loopback, each a run with its own ledger connection; every delivery is counted at the server.

A round is 3 messages x 3 recipients, due to every sender at the same moment (a barrier). With
plan and claim in separate transactions (the ledger before issue 14) this finds duplicates within
a few rounds; the claim in one write transaction must give exactly one delivery per message and
recipient: no duplicate, no loss.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from pathlib import Path

import pytest

from briefgen.mail.ledger import BriefKey, Ledger
from tests.helpers.mail_server import MailServer
from tests.helpers.senders import (
    MESSAGES_PER_ROUND,
    RECIPIENTS,
    message_id,
    process_sender,
    send_rounds,
)


def deliveries(server: MailServer) -> Counter[tuple[str, str]]:
    """(Message-ID, recipient) -> how many times the server received it."""
    return Counter((str(r.message["Message-ID"]), rcpt)
                   for r in server.received for rcpt in r.rcpt_tos)


def check_exactly_once(server: MailServer, ledger_path: Path, rounds: range) -> int:
    counted = deliveries(server)
    due = {(message_id(n, i), r) for n in rounds for i in range(MESSAGES_PER_ROUND)
           for r in RECIPIENTS}
    duplicates = {k: v for k, v in counted.items() if v > 1}
    lost = due - set(counted)
    assert not duplicates, f"{len(duplicates)} delivered more than once: {duplicates}"
    assert not lost, f"{len(lost)} never delivered: {sorted(lost)[:5]}"
    assert set(counted) == due
    with Ledger(ledger_path) as ledger:
        for n in rounds:
            for i in range(MESSAGES_PER_ROUND):
                rows = ledger.rows(BriefKey(f"m{i}", "2025-06-30", f"round-{n}"))
                assert {row.status for row in rows.values()} == {"sent"}
    return sum(counted.values())


def run_threads(senders: int, rounds: range, ledger_path: Path, port: int) -> list[int]:
    barrier = threading.Barrier(senders)
    handed = [0] * senders
    errors: list[BaseException] = []

    def sender(n: int) -> None:
        try:
            handed[n] = send_rounds(ledger_path, port, rounds, n, barrier)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    return handed


def run_processes(senders: int, rounds: range, ledger_path: Path, port: int) -> list[int]:
    spawn = multiprocessing.get_context("spawn")  # no fork of a process running a server loop
    barrier = spawn.Barrier(senders)
    results = spawn.Queue()
    processes = [spawn.Process(target=process_sender,
                               args=(ledger_path, port, rounds, n, barrier, results))
                 for n in range(senders)]
    for process in processes:
        process.start()
    handed = dict(results.get(timeout=600) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert all(isinstance(v, int) for v in handed.values()), handed
    return [int(handed[n]) for n in range(senders)]


@pytest.mark.parametrize(("senders", "rounds"), [(2, 50), (4, 30)])
def test_concurrent_senders_deliver_each_message_once(mail_server: MailServer, tmp_path: Path,
                                                      senders: int, rounds: int) -> None:
    ledger_path = tmp_path / "deliveries.sqlite"
    handed = run_threads(senders, range(rounds), ledger_path, mail_server.port)
    total = check_exactly_once(mail_server, ledger_path, range(rounds))
    assert total == rounds * MESSAGES_PER_ROUND * len(RECIPIENTS)
    assert sum(handed) == len(mail_server.received)
    print(f"{senders} threads, {rounds} rounds: {total} deliveries, messages handed per "
          f"sender {handed}")


@pytest.mark.e2e
@pytest.mark.parametrize(("senders", "rounds"), [(2, 100), (4, 100)])
def test_concurrent_processes_deliver_each_message_once(mail_server: MailServer,
                                                        tmp_path: Path, senders: int,
                                                        rounds: int) -> None:
    ledger_path = tmp_path / "deliveries.sqlite"
    handed = run_processes(senders, range(rounds), ledger_path, mail_server.port)
    total = check_exactly_once(mail_server, ledger_path, range(rounds))
    assert total == rounds * MESSAGES_PER_ROUND * len(RECIPIENTS)
    assert sum(handed) == len(mail_server.received)
    print(f"{senders} processes, {rounds} rounds: {total} deliveries, messages handed per "
          f"sender {handed}")
