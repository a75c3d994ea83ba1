"""The delivery ledger: one SQLite row per (brief slug, period, recipient, content hash).

It is what makes `briefgen send` exactly-once from the reader's side:

* A row `sent` means the server accepted the message for that recipient; the same brief (same
  content hash) is never sent to them again unless `--force`. A changed brief has a new content
  hash, hence a new row, and is sent again.
* Before any SMTP connection the recipients about to be sent to are written `pending` in one
  transaction; after the server's answer each becomes `sent`, `refused` or `failed` in one more.
  A crash (power, kill -9) between the server accepting the message and that second write leaves
  `pending` behind. A later run does **not** resend such a row (the reader may already have the
  note) and does **not** drop it either: it reports "unknown outcome" and counts it as a failure,
  until someone checks the mail server's log and runs again with `--force` to resend. Messages
  carry a deterministic Message-ID, so a forced resend of a message that did arrive is one that
  most mail systems recognise as a duplicate.
* `held` records a brief the preflight gate stopped (render failed, stale, empty, too large), with
  the reason; `refused` a 5xx answer for one recipient; `failed` a send that gave up. All three are
  tried again on the next run.

Every change is also appended to `events`, the delivery history. WAL mode lets a reader (a status
command, the scheduler) look while a sender writes; each write is one short transaction.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from briefgen.sqlitedb import transaction

Status = Literal["pending", "sent", "refused", "failed", "held"]
RETRYABLE: frozenset[str] = frozenset({"refused", "failed", "held"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    slug TEXT NOT NULL,
    period TEXT NOT NULL,
    recipient TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'refused', 'failed', 'held')),
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


@dataclass(frozen=True)
class Plan:
    """What to do for each recipient of one message, decided from the ledger."""

    send: list[str]
    already_sent: list[str]
    unknown: list[str]  # `pending` left by a run that did not finish: needs a person (--force)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Ledger:
    """The ledger file; use as a context manager, or call `close()`."""

    def __init__(self, path: Path, *, clock: Callable[[], dt.datetime] = utc_now) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.clock = clock
        # Autocommit mode: transactions are opened explicitly, one per write.
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # `sent` must survive a power cut
        self.db.executescript(_SCHEMA)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.db)

    def rows(self, key: BriefKey, recipients: Iterable[str] | None = None) -> dict[str, Row]:
        """The ledger's rows for `key`, by recipient (all of them when `recipients` is None)."""
        cursor = self.db.execute(
            "SELECT recipient, status, detail, message_id, tries, updated_at FROM deliveries "
            "WHERE slug = ? AND period = ? AND content_hash = ?",
            (key.slug, key.period, key.content_hash),
        )
        found = {r[0]: Row(*r) for r in cursor.fetchall()}
        if recipients is None:
            return found
        return {r: found[r] for r in recipients if r in found}

    def plan(self, key: BriefKey, recipients: list[str], *, force: bool = False) -> Plan:
        """Split recipients into those to send to, those already served, and unknown outcomes."""
        rows = self.rows(key, recipients)
        send: list[str] = []
        sent: list[str] = []
        unknown: list[str] = []
        for recipient in recipients:
            row = rows.get(recipient)
            if force or row is None or row.status in RETRYABLE:
                send.append(recipient)
            elif row.status == "sent":
                sent.append(recipient)
            else:
                unknown.append(recipient)
        return Plan(send, sent, unknown)

    def record(self, key: BriefKey, outcomes: dict[str, tuple[Status, str]],
               *, message_id: str | None = None, count_try: bool = False) -> None:
        """Write each recipient's status (and the history event) in one transaction."""
        if not outcomes:
            return
        now = self.clock().isoformat(timespec="seconds")
        with self._transaction() as db:
            for recipient, (status, detail) in outcomes.items():
                db.execute(
                    "INSERT INTO deliveries (slug, period, recipient, content_hash, status, "
                    "message_id, detail, tries, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (slug, period, recipient, content_hash) DO UPDATE SET "
                    "status = excluded.status, detail = excluded.detail, "
                    "message_id = COALESCE(excluded.message_id, message_id), "
                    "tries = tries + excluded.tries, updated_at = excluded.updated_at",
                    (key.slug, key.period, recipient, key.content_hash, status, message_id,
                     detail, int(count_try), now, now),
                )
                db.execute(
                    "INSERT INTO events (at, slug, period, recipient, content_hash, status, "
                    "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (now, key.slug, key.period, recipient, key.content_hash, status, detail),
                )

    def mark_pending(self, key: BriefKey, recipients: list[str], message_id: str) -> None:
        """Written before connecting: if we crash after the server accepts, this row remains."""
        self.record(key, {r: ("pending", "sending") for r in recipients},
                    message_id=message_id, count_try=True)

    def history(self, slug: str | None = None) -> list[tuple[str, ...]]:
        """Every event, oldest first: (at, slug, period, recipient, hash, status, detail)."""
        query = "SELECT at, slug, period, recipient, content_hash, status, detail FROM events"
        args: tuple[str, ...] = ()
        if slug is not None:
            query += " WHERE slug = ?"
            args = (slug,)
        return [tuple(r) for r in self.db.execute(query + " ORDER BY id", args).fetchall()]
