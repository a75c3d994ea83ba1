"""Runs that open a new delivery ledger at the same moment all get it (none fails "locked")."""

from __future__ import annotations

import threading
from pathlib import Path

from briefgen.mail.ledger import Ledger


def _open_together(path: Path, runs: int, errors: list[BaseException]) -> None:
    barrier = threading.Barrier(runs)

    def open_it() -> None:
        try:
            barrier.wait()
            with Ledger(path):
                pass
        except BaseException as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def test_many_runs_open_a_new_ledger_at_once(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    for round_ in range(60):
        _open_together(tmp_path / f"round-{round_}" / "deliveries.sqlite", 6, errors)
    assert errors == []
