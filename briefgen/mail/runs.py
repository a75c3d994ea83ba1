"""Which sending runs are alive: one locked file per run, in a hidden folder beside the ledger.

A run that claims recipients in the ledger holds an exclusive `flock` on `.<ledger>.runs/<id>`
for as long as it lives. The kernel drops the lock when the process dies, however it dies
(kill -9, power cut aside), so another run can tell a claim whose owner is still sending from
one left behind: it tries the same lock without waiting. A process id would not do: ids are
reused, and a run may be a thread of a process that also runs others (flock locks belong to the
open file, not the process, so two threads holding two opens of two files do not mix).

The checks are made inside the ledger's write transaction, so two runs never judge the same
leftover at once.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from pathlib import Path


def runs_folder(ledger_path: Path) -> Path:
    return ledger_path.with_name(f".{ledger_path.name}.runs")


class RunLock:
    """This run's lock: taken by `acquire()`, dropped (and its file removed) by `release()`."""

    def __init__(self, ledger_path: Path) -> None:
        self.folder = runs_folder(ledger_path)
        self.run_id = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        self.folder.mkdir(exist_ok=True)
        fd = os.open(self.folder / self.run_id, os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)  # a fresh name: never waits
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        (self.folder / self.run_id).unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None

    def is_alive(self, run_id: str) -> bool:
        """Whether the run `run_id` still holds its lock; a dead run's file is removed."""
        if run_id == self.run_id:
            return self.held
        path = self.folder / run_id
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            path.unlink(missing_ok=True)  # its owner is gone; we hold the lock while removing
            return False
        finally:
            os.close(fd)
