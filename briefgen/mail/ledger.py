"""The delivery ledger: one SQLite row per (brief slug, period, recipient, content hash).

It is what makes `briefgen send` exactly-once from the reader's side, also when several runs
(a scheduled one and a manual one, or two manual ones) send at the same time:

* **Claim.** A run decides whom to send to and marks them `claimed` (with its run id) in one
  write transaction (`BEGIN IMMEDIATE`): a second run that plans the same message a moment later
  finds them claimed by a live run and leaves them alone ("in progress in another run"). So
  concurrent runs split the work; none sends what another is sending.
* **DATA.** Just before the SMTP DATA command, the recipients the server accepted are marked
  `sending`. Until then nothing can have reached a reader; from then on it may have.
* **Outcome.** After the server's answer each becomes `sent`, `refused` or `failed`; a connection
  that drops or times out after DATA began, before the server's answer, is `unknown` (the server
  may have the message: sending again could be a duplicate, so it is not retried).
* **A run that died** (kill -9, a crash) leaves its rows behind. Whether a run is alive is told by
  its lock (`briefgen.mail.runs`). A dead run's `claimed` rows are known not sent (DATA never
  began) and are simply sent by the next run; its `sending` rows become `unknown`.
* **Unknown** outcomes are reported and count as failures until a person decides, after checking
  the mail server's log for the message's Message-ID: `--assume-sent` records them as sent,
  `--resend` sends them again. Messages carry a deterministic Message-ID, so a resend of a
  message that did arrive is one most mail systems recognise as a duplicate.
* `sent` is never sent again for the same content hash unless forced (`--force`, which sends
  duplicates on purpose); a changed brief has a new hash, hence new rows, and goes again. Rows a
  live run has claimed are skipped even when forced.
* `held` records a brief the preflight gate stopped (render failed, stale, empty, too large);
  `refused` a 5xx answer for one recipient; `failed` a send that gave up. All three are tried
  again on the next run.

Every change is also appended to `events`, the delivery history. WAL mode lets a reader (a status
command, the scheduler) look while a sender writes; each write is one short transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from briefgen.mail.runs import RunLock
from briefgen.sqlitedb import connect_wal, transaction

Status = Literal["claimed", "sending", "sent", "refused", "failed", "held", "unknown"]
RETRYABLE: frozenset[str] = frozenset({"refused", "failed", "held"})
IN_FLIGHT: frozenset[str] = frozenset({"claimed", "sending"})
# What to do with `unknown` (and `sent`) rows, chosen by the person running `send`.
Decision = Literal["normal", "assume-sent", "resend", "force"]

SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    slug TEXT NOT NULL,
    period TEXT NOT NULL,
    recipient TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('claimed', 'sending', 'sent', 'refused', 'failed',
                                           'held', 'unknown')),
    run_id TEXT,
    message_id TEXT,
    detail TEXT NOT NULL DEFAULT '',
    tries INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (slug, period, recipient, content_hash)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    slug TEXT NOT NULL,
    period TEXT NOT NULL,
    recipient TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
"""
# Version 1 (no run_id) wrote `pending` before connecting and could not tell a run that stopped
# during RCPT from one that stopped after DATA: such a row can only become `unknown`.
_FROM_VERSION_1 = """
ALTER TABLE deliveries RENAME TO deliveries_v1;
{schema}
INSERT INTO deliveries (slug, period, recipient, content_hash, status, message_id, detail, tries,
                        created_at, updated_at)
SELECT slug, period, recipient, content_hash,
       CASE status WHEN 'pending' THEN 'unknown' ELSE status END,
       message_id, detail, tries, created_at, updated_at FROM deliveries_v1;
DROP TABLE deliveries_v1;
"""


@dataclass(frozen=True)
class BriefKey:
    """Which content went out: the brief, its period and the hash of what it contains."""

    slug: str
    period: str
    content_hash: str


@dataclass(frozen=True)
class Row:
    recipient: str
    status: Status
    detail: str
    message_id: str | None
    tries: int
    updated_at: str
    run_id: str | None = None


@dataclass
class Plan:
    """What to do for each recipient of one message, decided from the ledger."""

    send: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # needs a person: --assume-sent / --resend
    in_progress: list[str] = field(default_factory=list)  # claimed by another live run
    assumed_sent: list[str] = field(default_factory=list)  # unknown, resolved by --assume-sent


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Ledger:
    """The ledger file; use as a context manager, or call `close()`.

    One `Ledger` is one run: the recipients it claims are its own until it records their outcome
    or closes. Each thread or process that sends needs its own `Ledger`."""

    def __init__(self, path: Path, *, clock: Callable[[], dt.datetime] = utc_now) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.clock = clock
        self.run = RunLock(path)
        # Autocommit mode: transactions are opened explicitly, one per write.
        self.db = connect_wal(path, check_same_thread=False)
        self.db.execute("PRAGMA synchronous=FULL")  # `sent` must survive a power cut
        self._migrate()

    def _migrate(self) -> None:
        if self.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        with transaction(self.db) as db:  # checked again under the write lock: one run migrates
            if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                return
            old = db.execute("SELECT sql FROM sqlite_master WHERE name = 'deliveries'").fetchone()
            if old is not None and "run_id" not in old[0]:
                for statement in _FROM_VERSION_1.format(schema=_SCHEMA).split(";"):
                    if statement.strip():
                        db.execute(statement)
            else:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file and end this run: what it left `claimed` is free for the next run,
        what it left `sending` becomes an unknown outcome."""
        self.db.close()
        self.run.release()

    # --- reading ---------------------------------------------------------------------------

    def rows(self, key: BriefKey, recipients: Iterable[str] | None = None) -> dict[str, Row]:
        """The ledger's rows for `key`, by recipient (all of them when `recipients` is None)."""
        cursor = self.db.execute(
            "SELECT recipient, status, detail, message_id, tries, updated_at, run_id "
            "FROM deliveries WHERE slug = ? AND period = ? AND content_hash = ?",
            (key.slug, key.period, key.content_hash),
        )
        found = {r[0]: Row(*r) for r in cursor.fetchall()}
        if recipients is None:
            return found
        return {r: found[r] for r in recipients if r in found}

    def plan(self, key: BriefKey, recipients: list[str],
             decision: Decision = "normal") -> Plan:
        """What a run would do, changing nothing (a dry run). `claim` is the one that acts."""
        return self._decide(self.rows(key, recipients), recipients, decision)

    def _decide(self, rows: dict[str, Row], recipients: list[str], decision: Decision) -> Plan:
        plan = Plan()
        for recipient in dict.fromkeys(recipients):
            row = rows.get(recipient)
            status: str | None = row.status if row else None
            if status in IN_FLIGHT:
                assert row is not None
                if row.run_id is not None and self.run.is_alive(row.run_id):
                    plan.in_progress.append(recipient)
                    continue
                # Its run is gone: before DATA nothing went out; after, nobody knows.
                status = "failed" if status == "claimed" else "unknown"
            if status is None or status in RETRYABLE:
                plan.send.append(recipient)
            elif status == "sent":
                (plan.send if decision == "force" else plan.already_sent).append(recipient)
            elif decision in ("resend", "force"):
                plan.send.append(recipient)
            elif decision == "assume-sent":
                plan.assumed_sent.append(recipient)
            else:
                plan.unknown.append(recipient)
        return plan

    # --- writing ---------------------------------------------------------------------------

    def claim(self, key: BriefKey, recipients: list[str], message_id: str,
              decision: Decision = "normal") -> Plan:
        """Decide and claim in one write transaction: the recipients in `plan.send` are this
        run's to send to, and no other run will send to them while it lives."""
        self.run.acquire()
        now = self._now()
        with transaction(self.db):
            rows = self.rows(key, recipients)
            plan = self._decide(rows, recipients, decision)
            left = [r for r in recipients if r in rows and rows[r].status in IN_FLIGHT
                    and r not in plan.in_progress]
            for recipient in left:
                before = rows[recipient].status
                self._write(key, recipient, "unknown" if before == "sending" else "failed",
                            f"run {rows[recipient].run_id} stopped "
                            + ("after DATA began" if before == "sending" else "before DATA"),
                            now)
            for recipient in plan.assumed_sent:
                self._write(key, recipient, "sent", "assumed sent (--assume-sent)", now)
            for recipient in plan.send:
                self._write(key, recipient, "claimed", "claimed", now, run_id=self.run.run_id,
                            message_id=message_id, count_try=True)
        return plan

    def mark_sending(self, key: BriefKey, recipients: list[str]) -> None:
        """Written just before DATA: from here on the server may deliver, whatever happens."""
        now = self._now()
        with transaction(self.db):
            for recipient in recipients:
                self._write(key, recipient, "sending", "DATA began", now,
                            run_id=self.run.run_id)

    def record(self, key: BriefKey, outcomes: dict[str, tuple[Status, str]],
               *, message_id: str | None = None) -> None:
        """Write each recipient's status (and the history event) in one transaction."""
        if not outcomes:
            return
        now = self._now()
        with transaction(self.db):
            for recipient, (status, detail) in outcomes.items():
                self._write(key, recipient, status, detail, now, message_id=message_id)

    def hold(self, key: BriefKey, recipients: list[str], reason: str) -> None:
        """Record a brief held back by the gate, for the recipients it has not reached (a
        `sent`, in-flight or `unknown` row says more than "held" and is kept)."""
        now = self._now()
        with transaction(self.db):
            rows = self.rows(key, recipients)
            for recipient in recipients:
                row = rows.get(recipient)
                if row is None or row.status in RETRYABLE:
                    self._write(key, recipient, "held", reason, now)

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    def _write(self, key: BriefKey, recipient: str, status: Status, detail: str, now: str, *,
               run_id: str | None = None, message_id: str | None = None,
               count_try: bool = False) -> None:
        self.db.execute(
            "INSERT INTO deliveries (slug, period, recipient, content_hash, status, run_id, "
            "message_id, detail, tries, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (slug, period, recipient, content_hash) DO UPDATE SET "
            "status = excluded.status, run_id = excluded.run_id, detail = excluded.detail, "
            "message_id = COALESCE(excluded.message_id, message_id), "
            "tries = tries + excluded.tries, updated_at = excluded.updated_at",
            (key.slug, key.period, recipient, key.content_hash, status, run_id, message_id,
             detail, int(count_try), now, now),
        )
        self.db.execute(
            "INSERT INTO events (at, slug, period, recipient, content_hash, status, "
            "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (now, key.slug, key.period, recipient, key.content_hash, status, detail),
        )

    def history(self, slug: str | None = None) -> list[tuple[str, ...]]:
        """Every event, oldest first: (at, slug, period, recipient, hash, status, detail)."""
        query = "SELECT at, slug, period, recipient, content_hash, status, detail FROM events"
        args: tuple[str, ...] = ()
        if slug is not None:
            query += " WHERE slug = ?"
            args = (slug,)
        return [tuple(r) for r in self.db.execute(query + " ORDER BY id", args).fetchall()]
