"""What the two SQLite stores (the delivery ledger and the run history) share."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction that takes the write lock up front.

    `BEGIN IMMEDIATE` rather than a deferred begin: two processes that both read before writing
    would otherwise deadlock on the upgrade, and both stores are written by concurrent runs.
    The connection must be in autocommit mode (`isolation_level=None`) so this owns the begin.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
