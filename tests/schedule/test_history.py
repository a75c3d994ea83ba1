"""The run history: claims are unique, retention prunes what is old and only that, the lock."""

from __future__ import annotations

import multiprocessing
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from briefgen.schedule.history import History, RunLock
from tests.helpers.schedule_fakes import utc

SLOT = utc(2026, 3, 2, 7)


def test_a_slot_is_claimed_once(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as one, History(tmp_path / "h.sqlite") as two:
        first = one.claim("weekly", SLOT, SLOT)
        assert first is not None
        assert two.claim("weekly", SLOT, SLOT) is None
        assert two.claim("other", SLOT, SLOT) is not None
        assert one.job_state("weekly", SLOT).last_slot == SLOT


def test_finish_and_read_back(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as history:
        run_id = history.claim("weekly", SLOT, SLOT + timedelta(minutes=1), log="/x.log")
        assert run_id is not None
        history.finish(run_id, "failed", SLOT + timedelta(minutes=3), briefs=4, held_back=1,
                       messages=1, error="boom", next_attempt=SLOT + timedelta(minutes=13))
        [run] = history.runs()
    assert (run.job, run.slot, run.status, run.attempt) == ("weekly", SLOT, "failed", 1)
    assert (run.started, run.ended) == (SLOT + timedelta(minutes=1), SLOT + timedelta(minutes=3))
    assert (run.briefs, run.held_back, run.messages, run.error, run.log) == (4, 1, 1, "boom",
                                                                            "/x.log")
    assert run.next_attempt == SLOT + timedelta(minutes=13)


def test_a_retry_is_claimed_once(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as history:
        run_id = history.claim("weekly", SLOT, SLOT)
        assert run_id is not None
        history.finish(run_id, "failed", SLOT, error="x", next_attempt=SLOT)
        [due] = history.due_retries("weekly", SLOT)
        assert history.claim_retry(due, SLOT)
        assert not history.claim_retry(due, SLOT)  # a second caller loses
        assert history.due_retries("weekly", SLOT) == []
        [run] = history.runs()
        assert (run.status, run.attempt) == ("running", 2)


def test_retention_prunes_old_finished_runs_per_job(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as history:
        for job in ("weekly", "daily", "gone"):
            for week in range(20):
                slot = SLOT + timedelta(weeks=week)
                run_id = history.claim(job, slot, slot)
                assert run_id is not None
                history.finish(run_id, "ok", slot + timedelta(minutes=5))
        now = SLOT + timedelta(weeks=20)
        removed = history.prune(now, timedelta(days=90), {"daily": timedelta(days=30)})
        kept = {job: len(history.runs(job, limit=None)) for job in ("weekly", "daily", "gone")}
    # 90 days = 12.9 weeks: runs of weeks 8..19 remain; 30 days = 4.3 weeks: weeks 16..19.
    assert kept == {"weekly": 12, "daily": 4, "gone": 12}
    assert removed == 8 + 16 + 8


def test_pruning_keeps_running_runs_and_pending_retries(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as history:
        history.claim("a", SLOT, SLOT)  # still running (or abandoned: reap_stale's business)
        run_id = history.claim("b", SLOT, SLOT)
        assert run_id is not None
        history.finish(run_id, "failed", SLOT, error="x", next_attempt=SLOT + timedelta(days=1))
        assert history.prune(SLOT + timedelta(days=365), timedelta(days=90)) == 0


def test_job_state_survives_pruning(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as history:
        first = history.job_state("weekly", SLOT - timedelta(days=3))
        assert first.since == SLOT - timedelta(days=3) and first.last_slot is None
        run_id = history.claim("weekly", SLOT, SLOT)
        assert run_id is not None
        history.finish(run_id, "ok", SLOT)
        history.prune(SLOT + timedelta(days=200), timedelta(days=90))
        assert history.runs() == []
        assert history.job_state("weekly", SLOT + timedelta(days=200)).since == SLOT


def test_missed_slots_are_recorded_once(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as history:
        history.record_missed("weekly", SLOT, SLOT, "missed", newest=SLOT + timedelta(weeks=1))
        history.record_missed("weekly", SLOT, SLOT, "missed")
        [run] = history.runs()
        assert (run.status, run.error) == ("skipped", "missed")
        assert history.job_state("weekly", SLOT).last_slot == SLOT + timedelta(weeks=1)


def test_stored_times_are_utc_text(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as history:
        history.claim("weekly", SLOT.astimezone(ZoneInfo("Asia/Tokyo")), SLOT)
    with closing(sqlite3.connect(tmp_path / "h.sqlite")) as db:
        row = db.execute("SELECT slot, started FROM runs").fetchone()
    assert row == ("2026-03-02T07:00:00Z", "2026-03-02T07:00:00Z")


def _hold_lock(path: str, ready: multiprocessing.synchronize.Event,
               release: multiprocessing.synchronize.Event) -> None:
    with RunLock(Path(path)) as lock:
        assert lock.acquired
        ready.set()
        release.wait(10)


def test_the_lock_is_exclusive_between_processes(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite.lock"
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(str(path), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with RunLock(path) as lock:
            assert not lock.acquired
    finally:
        release.set()
        holder.join(10)
    with RunLock(path) as lock:  # released when its holder ends
        assert lock.acquired


def test_pruning_deletes_the_runs_log_files(tmp_path: Path) -> None:
    old_log, new_log = tmp_path / "logs/old.log", tmp_path / "logs/new.log"
    old_log.parent.mkdir()
    old_log.write_text("x")
    new_log.write_text("y")
    with History(tmp_path / "h.sqlite") as history:
        for slot, log in ((SLOT, old_log), (SLOT + timedelta(days=100), new_log)):
            run_id = history.claim("weekly", slot, slot, log=str(log))
            assert run_id is not None
            history.finish(run_id, "ok", slot)
        assert history.prune(SLOT + timedelta(days=120), timedelta(days=90)) == 1
    assert not old_log.exists() and new_log.exists()
