"""The run history of scheduled jobs (SQLite) and the lock that keeps run-due single.

Two guards make a slot run once:

* `RunLock`: `fcntl.flock` on `<history>.lock`, taken without blocking. A second run-due on the
  same machine sees it held, says so and does nothing.
* the `runs` table's `UNIQUE (job, slot)`: a slot is claimed by inserting its row, and only one
  insert can win, even between machines that share the database file. (Share it over a file
  system whose locks SQLite trusts; the default rollback journal is used, not WAL, for that.)

`jobs` keeps, per job, when it was first seen (a new job runs from its next slot on, never for
slots before it existed) and the newest slot handled, so that pruning old runs never makes a slot
due again. All times are stored as UTC text, `2026-03-02T07:00:00Z`, which sorts as time does.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Literal

from briefgen.schedule.slots import parse_utc, utc_text
from briefgen.sqlitedb import transaction

Status = Literal["running", "ok", "failed", "skipped"]
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    job TEXT NOT NULL,
    slot TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'skipped')),
    started TEXT NOT NULL,
    ended TEXT,
    attempt INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT,
    briefs INTEGER NOT NULL DEFAULT 0,
    held_back INTEGER NOT NULL DEFAULT 0,
    messages INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    log TEXT,
    host TEXT,
    UNIQUE (job, slot)
);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started);
CREATE TABLE IF NOT EXISTS jobs (
    job TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    last_slot TEXT
);
"""


@dataclass(frozen=True)
class Run:
    """One row of the history: a slot of a job and how its latest attempt went."""

    id: int
    job: str
    slot: datetime
    status: Status
    started: datetime
    ended: datetime | None
    attempt: int
    next_attempt: datetime | None
    briefs: int
    held_back: int
    messages: int
    error: str | None
    log: str | None
    host: str | None


@dataclass(frozen=True)
class JobState:
    first_seen: datetime
    last_slot: datetime | None

    @property
    def since(self) -> datetime:
        """Slots after this are new: the newest handled one, or when the job first appeared."""
        return max(self.first_seen, self.last_slot) if self.last_slot else self.first_seen


class RunLock:
    """A non-blocking exclusive `flock` on a file; `acquired` says whether we hold it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.acquired = False
        self._handle: IO[str] | None = None

    def __enter__(self) -> RunLock:
        self._handle = self.path.open("a")
        try:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._handle.close()
            self._handle = None
            return self
        self.acquired = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
        self.acquired = False


def _time(text: str | None) -> datetime | None:
    return parse_utc(text) if text else None


class History:
    """The history database; use as a context manager, or call `close()`."""

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        """`durable=False` skips fsync (tests that simulate months of calls); a claim must
        survive a power cut in real use, or a slot could run twice."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # Autocommit: each change that must be atomic opens its own IMMEDIATE transaction.
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        if not durable:
            self.db.execute("PRAGMA synchronous = OFF")
        with self._transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def lock(self) -> RunLock:
        return RunLock(self.path.with_name(self.path.name + ".lock"))

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.db)

    # --- job state -------------------------------------------------------------------------------

    def job_state(self, job: str, now: datetime) -> JobState:
        """The job's state, registering it (first seen now) when it is new."""
        query = "SELECT first_seen, last_slot FROM jobs WHERE job = ?"
        row = self.db.execute(query, (job,)).fetchone()
        if row is None:
            with self._transaction() as db:
                db.execute("INSERT OR IGNORE INTO jobs (job, first_seen) VALUES (?, ?)",
                           (job, utc_text(now)))
                row = db.execute(query, (job,)).fetchone()
        return JobState(parse_utc(row["first_seen"]), _time(row["last_slot"]))

    def _advance(self, db: sqlite3.Connection, job: str, slot: datetime) -> None:
        db.execute("INSERT INTO jobs (job, first_seen, last_slot) VALUES (?1, ?2, ?2) "
                   "ON CONFLICT (job) DO UPDATE SET last_slot = excluded.last_slot "
                   "WHERE last_slot IS NULL OR last_slot < excluded.last_slot",
                   (job, utc_text(slot)))

    def advance(self, job: str, slot: datetime) -> None:
        """Record that every slot up to `slot` has been handled (run, claimed or missed)."""
        with self._transaction() as db:
            self._advance(db, job, slot)

    # --- claiming and finishing runs -------------------------------------------------------------

    def claim(self, job: str, slot: datetime, now: datetime, *, newest: datetime | None = None,
              log: str | None = None) -> int | None:
        """Insert the `running` row for (job, slot); None when someone else already has it."""
        try:
            with self._transaction() as db:
                cursor = db.execute(
                    "INSERT INTO runs (job, slot, status, started, attempt, log, host) "
                    "VALUES (?, ?, 'running', ?, 1, ?, ?)",
                    (job, utc_text(slot), utc_text(now), log, os.uname().nodename),
                )
                self._advance(db, job, newest or slot)
        except sqlite3.IntegrityError:
            return None
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def claim_retry(self, run: Run, now: datetime) -> bool:
        """Take a failed run for its next attempt; False when another caller took it first."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE runs SET status = 'running', attempt = attempt + 1, started = ?, "
                "ended = NULL, next_attempt = NULL, host = ? "
                "WHERE id = ? AND status = 'failed' AND attempt = ? AND next_attempt IS NOT NULL",
                (utc_text(now), os.uname().nodename, run.id, run.attempt),
            )
        return cursor.rowcount == 1

    def record_missed(self, job: str, slot: datetime, now: datetime, note: str,
                      newest: datetime | None = None) -> None:
        """A `skipped` row for slots that will not run (idempotent), and move the job past them."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO runs (job, slot, status, started, ended, error, host) "
                "VALUES (?, ?, 'skipped', ?, ?, ?, ?)",
                (job, utc_text(slot), utc_text(now), utc_text(now), note, os.uname().nodename),
            )
            self._advance(db, job, newest or slot)

    def finish(self, run_id: int, status: Status, now: datetime, *, briefs: int = 0,
               held_back: int = 0, messages: int = 0, error: str | None = None,
               next_attempt: datetime | None = None) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET status = ?, ended = ?, briefs = ?, held_back = ?, messages = ?, "
                "error = ?, next_attempt = ? WHERE id = ?",
                (status, utc_text(now), briefs, held_back, messages, error,
                 utc_text(next_attempt) if next_attempt else None, run_id),
            )

    def due_retries(self, job: str, now: datetime) -> list[Run]:
        rows = self.db.execute(
            "SELECT * FROM runs WHERE job = ? AND status = 'failed' AND next_attempt IS NOT NULL "
            "AND next_attempt <= ? ORDER BY slot", (job, utc_text(now))).fetchall()
        return [_run(row) for row in rows]

    def reap_stale(self, now: datetime, older_than: timedelta) -> list[Run]:
        """Mark `running` rows older than `older_than` failed: their run-due died mid-run."""
        cutoff = utc_text(now - older_than)
        stale = "SELECT 1 FROM runs WHERE status = 'running' AND started < ? LIMIT 1"
        if self.db.execute(stale, (cutoff,)).fetchone() is None:
            return []
        with self._transaction() as db:
            rows = db.execute("SELECT * FROM runs WHERE status = 'running' AND started < ?",
                              (cutoff,)).fetchall()
            db.execute(
                "UPDATE runs SET status = 'failed', ended = ?, error = 'abandoned: the run-due "
                "that started it stopped before it finished' "
                "WHERE status = 'running' AND started < ?", (utc_text(now), cutoff))
        return [_run(row) for row in rows]

    def set_next_attempt(self, run_id: int, when: datetime | None) -> None:
        with self._transaction() as db:
            db.execute("UPDATE runs SET next_attempt = ? WHERE id = ?",
                       (utc_text(when) if when else None, run_id))

    # --- reading and pruning ---------------------------------------------------------------------

    def runs(self, job: str | None = None, limit: int | None = 20) -> list[Run]:
        """The newest runs first (by slot), optionally of one job."""
        sql, params = "SELECT * FROM runs", []
        if job is not None:
            sql += " WHERE job = ?"
            params.append(job)
        sql += " ORDER BY slot DESC, id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_run(row) for row in self.db.execute(sql, params).fetchall()]

    def prune(self, now: datetime, default: timedelta,
              per_job: Mapping[str, timedelta] | None = None) -> int:
        """Delete finished runs that ended longer ago than their job's retention."""
        per_job = per_job or {}
        finished = ("status != 'running' AND NOT (status = 'failed' AND next_attempt IS NOT NULL) "
                    "AND COALESCE(ended, started) < ?")
        oldest = self.db.execute("SELECT MIN(started) FROM runs").fetchone()[0]
        if oldest is None or oldest >= utc_text(now - min([default, *per_job.values()])):
            return 0  # nothing is old enough anywhere: the usual case, and a read only
        logs: list[str] = []
        removed = 0
        with self._transaction() as db:
            marks = ",".join("?" * len(per_job))
            groups: list[tuple[str, datetime, tuple[str, ...]]] = [
                (" AND job = ?", now - keep, (job,)) for job, keep in per_job.items()]
            groups.append((f" AND job NOT IN ({marks})" if per_job else "", now - default,
                           tuple(per_job)))
            for condition, cutoff, names in groups:
                where, params = f"WHERE {finished}{condition}", (utc_text(cutoff), *names)
                logs += [row[0] for row in db.execute(f"SELECT log FROM runs {where}", params)
                         if row[0]]
                removed += db.execute(f"DELETE FROM runs {where}", params).rowcount
        for log in logs:  # each slot has its own log file, named in its row only
            Path(log).unlink(missing_ok=True)
        return removed


def _run(row: sqlite3.Row) -> Run:
    return Run(
        id=row["id"], job=row["job"], slot=parse_utc(row["slot"]), status=row["status"],
        started=parse_utc(row["started"]), ended=_time(row["ended"]), attempt=row["attempt"],
        next_attempt=_time(row["next_attempt"]), briefs=row["briefs"],
        held_back=row["held_back"], messages=row["messages"], error=row["error"],
        log=row["log"], host=row["host"],
    )
