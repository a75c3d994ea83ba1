"""The delivery ledger on its own: what a run decides from it, and what it keeps."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from briefgen.mail.ledger import BriefKey, Ledger

KEY = BriefKey("baba", "2025-06-30", "hash1")
PEOPLE = ["a@fund.example", "b@fund.example", "c@fund.example", "d@fund.example"]


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    clock = iter(dt.datetime(2025, 9, 1, 7, minute, tzinfo=dt.UTC) for minute in range(60))
    return Ledger(tmp_path / "state" / "deliveries.sqlite", clock=lambda: next(clock))


def test_plan_from_each_status(ledger: Ledger) -> None:
    ledger.mark_pending(KEY, PEOPLE, "<m1@x>")
    ledger.record(KEY, {"a@fund.example": ("sent", "accepted"),
                        "b@fund.example": ("refused", "550 no such user"),
                        "c@fund.example": ("failed", "gave up")})  # d stays pending
    plan = ledger.plan(KEY, [*PEOPLE, "e@fund.example"])
    assert plan.already_sent == ["a@fund.example"]
    assert plan.unknown == ["d@fund.example"]
    assert plan.send == ["b@fund.example", "c@fund.example", "e@fund.example"]
    forced = ledger.plan(KEY, PEOPLE, force=True)
    assert forced.send == PEOPLE and not forced.unknown and not forced.already_sent


def test_new_content_is_a_new_row(ledger: Ledger) -> None:
    ledger.record(KEY, {"a@fund.example": ("sent", "accepted")})
    changed = BriefKey("baba", "2025-06-30", "hash2")
    assert ledger.plan(changed, ["a@fund.example"]).send == ["a@fund.example"]


def test_rows_keep_tries_message_id_and_history(ledger: Ledger) -> None:
    ledger.mark_pending(KEY, ["a@fund.example"], "<m1@x>")
    ledger.record(KEY, {"a@fund.example": ("failed", "connection refused")})
    ledger.mark_pending(KEY, ["a@fund.example"], "<m1@x>")
    ledger.record(KEY, {"a@fund.example": ("sent", "accepted")})
    row = ledger.rows(KEY)["a@fund.example"]
    assert (row.status, row.tries, row.message_id) == ("sent", 2, "<m1@x>")
    assert [event[5] for event in ledger.history("baba")] == ["pending", "failed", "pending",
                                                               "sent"]
    assert row.updated_at == "2025-09-01T07:03:00+00:00"


def test_wal_mode_and_a_reader_while_a_writer_works(ledger: Ledger) -> None:
    mode = ledger.db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    ledger.record(KEY, {"a@fund.example": ("sent", "accepted")})
    with sqlite3.connect(ledger.path) as reader:
        assert reader.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 1


def test_a_failed_write_leaves_nothing_half_done(ledger: Ledger) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        ledger.record(KEY, {"a@fund.example": ("sent", "ok"),
                            "b@fund.example": ("bogus", "not a status")})  # type: ignore[dict-item]
    assert ledger.rows(KEY) == {} and ledger.history() == []
