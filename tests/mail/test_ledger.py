"""The delivery ledger on its own: what a run decides from it, claims, and keeps."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.mail.ledger import BriefKey, Ledger
from briefgen.mail.runs import runs_folder

KEY = BriefKey("baba", "2025-06-30", "hash1")
PEOPLE = ["a@fund.example", "b@fund.example", "c@fund.example", "d@fund.example"]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "deliveries.sqlite"


@pytest.fixture
def ledger(path: Path) -> Iterator[Ledger]:
    clock = iter(dt.datetime(2025, 9, 1, 7, minute, tzinfo=dt.UTC) for minute in range(60))
    with Ledger(path, clock=lambda: next(clock)) as opened:
        yield opened


def statuses(ledger: Ledger) -> dict[str, str]:
    return {r: row.status for r, row in ledger.rows(KEY).items()}


def test_plan_from_each_status(ledger: Ledger) -> None:
    assert ledger.claim(KEY, PEOPLE, "<m1@x>").send == PEOPLE
    ledger.mark_sending(KEY, ["a@fund.example", "d@fund.example"])
    ledger.record(KEY, {"a@fund.example": ("sent", "accepted"),
                        "b@fund.example": ("refused", "550 no such user"),
                        "c@fund.example": ("failed", "gave up"),
                        "d@fund.example": ("unknown", "dropped after DATA began")})
    plan = ledger.claim(KEY, [*PEOPLE, "e@fund.example"], "<m1@x>")
    assert plan.already_sent == ["a@fund.example"]
    assert plan.unknown == ["d@fund.example"]
    assert plan.send == ["b@fund.example", "c@fund.example", "e@fund.example"]


def test_a_live_run_s_claim_is_left_alone_even_when_forced(ledger: Ledger, path: Path) -> None:
    assert ledger.claim(KEY, PEOPLE[:2], "<m1@x>").send == PEOPLE[:2]
    ledger.mark_sending(KEY, PEOPLE[:1])
    for decision in ("normal", "resend", "force"):
        with Ledger(path) as other:  # each one a run that ends (its claims with it)
            plan = other.claim(KEY, PEOPLE, "<m1@x>", decision)  # type: ignore[arg-type]
            assert plan.in_progress == PEOPLE[:2] and plan.send == PEOPLE[2:]
    assert statuses(ledger)["a@fund.example"] == "sending"


def test_a_dead_run_s_claims_are_retried_and_its_data_is_unknown(path: Path) -> None:
    dead = Ledger(path)
    dead.claim(KEY, PEOPLE[:2], "<m1@x>")
    dead.mark_sending(KEY, ["a@fund.example"])  # b: stopped during RCPT, before DATA
    dead.close()  # what a kill -9 does to its lock (the rows stay as they are)
    assert list(runs_folder(path).iterdir()) == []
    with Ledger(path) as ledger:
        assert statuses(ledger) == {"a@fund.example": "sending", "b@fund.example": "claimed"}
        plan = ledger.claim(KEY, PEOPLE[:2], "<m1@x>")
        assert plan.send == ["b@fund.example"] and plan.unknown == ["a@fund.example"]
        assert statuses(ledger) == {"a@fund.example": "unknown", "b@fund.example": "claimed"}
        details = [(e[3], e[5], e[6]) for e in ledger.history()][-3:]
        assert details[0][:2] == ("a@fund.example", "unknown")
        assert "stopped after DATA began" in details[0][2]
        assert details[1][:2] == ("b@fund.example", "failed")
        assert "stopped before DATA" in details[1][2]


def test_unknown_is_resolved_by_a_person(ledger: Ledger) -> None:
    ledger.claim(KEY, PEOPLE[:2], "<m1@x>")
    ledger.record(KEY, {r: ("unknown", "dropped") for r in PEOPLE[:2]})
    assert ledger.plan(KEY, PEOPLE[:2]).unknown == PEOPLE[:2]
    assumed = ledger.claim(KEY, PEOPLE[:1], "<m1@x>", "assume-sent")
    assert assumed.assumed_sent == PEOPLE[:1] and assumed.send == []
    assert ledger.rows(KEY)["a@fund.example"].detail == "assumed sent (--assume-sent)"
    resent = ledger.claim(KEY, PEOPLE[:2], "<m1@x>", "resend")
    assert resent.send == ["b@fund.example"] and resent.already_sent == ["a@fund.example"]
    assert ledger.claim(KEY, PEOPLE[:1], "<m1@x>", "force").send == PEOPLE[:1]


def test_plan_changes_nothing(ledger: Ledger) -> None:
    assert ledger.plan(KEY, PEOPLE).send == PEOPLE
    assert ledger.rows(KEY) == {} and ledger.history() == []


def test_new_content_is_a_new_row(ledger: Ledger) -> None:
    ledger.record(KEY, {"a@fund.example": ("sent", "accepted")})
    changed = BriefKey("baba", "2025-06-30", "hash2")
    assert ledger.claim(changed, ["a@fund.example"], "<m2@x>").send == ["a@fund.example"]


def test_rows_keep_tries_message_id_and_history(ledger: Ledger) -> None:
    ledger.claim(KEY, ["a@fund.example"], "<m1@x>")
    ledger.record(KEY, {"a@fund.example": ("failed", "connection refused")})
    ledger.claim(KEY, ["a@fund.example"], "<m1@x>")
    ledger.mark_sending(KEY, ["a@fund.example"])
    ledger.record(KEY, {"a@fund.example": ("sent", "accepted")})
    row = ledger.rows(KEY)["a@fund.example"]
    assert (row.status, row.tries, row.message_id, row.run_id) == ("sent", 2, "<m1@x>", None)
    assert [event[5] for event in ledger.history("baba")] == ["claimed", "failed", "claimed",
                                                               "sending", "sent"]
    assert row.updated_at == "2025-09-01T07:04:00+00:00"


def test_held_never_hides_a_sent_row(ledger: Ledger) -> None:
    ledger.record(KEY, {"a@fund.example": ("sent", "accepted")})
    ledger.hold(KEY, PEOPLE[:2], "stale")
    assert statuses(ledger) == {"a@fund.example": "sent", "b@fund.example": "held"}


def test_a_version_1_ledger_is_upgraded(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as old:
        old.executescript("""
            CREATE TABLE deliveries (slug TEXT NOT NULL, period TEXT NOT NULL,
                recipient TEXT NOT NULL, content_hash TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'refused', 'failed',
                                                       'held')),
                message_id TEXT, detail TEXT NOT NULL DEFAULT '',
                tries INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL, PRIMARY KEY (slug, period, recipient, content_hash));
            CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT NOT NULL, slug TEXT NOT NULL,
                period TEXT NOT NULL, recipient TEXT NOT NULL, content_hash TEXT NOT NULL,
                status TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');
            INSERT INTO deliveries VALUES ('baba', '2025-06-30', 'a@fund.example', 'hash1',
                'sent', '<m@x>', 'accepted', 1, 't', 't');
            INSERT INTO deliveries VALUES ('baba', '2025-06-30', 'b@fund.example', 'hash1',
                'pending', '<m@x>', 'sending', 1, 't', 't');
        """)
    old.close()
    with Ledger(path) as ledger:
        assert statuses(ledger) == {"a@fund.example": "sent", "b@fund.example": "unknown"}
        ledger.claim(KEY, ["c@fund.example"], "<m@x>")  # the new states are writable
        assert statuses(ledger)["c@fund.example"] == "claimed"


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
