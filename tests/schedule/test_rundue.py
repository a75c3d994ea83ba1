"""run-due with fakes: downtime and catch-up, retries, held-back briefs, concurrent calls."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from briefgen.schedule.file import Schedules
from briefgen.schedule.history import History, RunLock
from briefgen.schedule.jobs import RunDueReport, run_due
from tests.helpers.schedule_fakes import Clock, FakeSteps, job_yaml, make_schedules, utc

MONDAY = utc(2026, 3, 2, 7)  # 07:00 GMT = 07:00 Europe/London


def call(schedules: Schedules, fake: FakeSteps, clock: Clock) -> RunDueReport:
    return run_due(schedules, now=clock, steps=fake.steps)


def runs(schedules: Schedules) -> list[tuple[str, str, int]]:
    with History(schedules.history_path) as history:
        return [(f"{r.slot:%Y-%m-%d %H:%M}", r.status, r.attempt)
                for r in reversed(history.runs(limit=None))]


def test_a_new_job_waits_for_its_next_slot(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path)
    fake, clock = FakeSteps(), Clock(utc(2026, 3, 4, 12))  # a Wednesday
    assert call(schedules, fake, clock).handled == []  # Monday's slot predates the job
    clock.now = MONDAY + timedelta(days=7, minutes=5)
    report = call(schedules, fake, clock)
    assert [(h.status, h.slot) for h in report.handled] == [("ok", MONDAY + timedelta(days=7))]
    assert fake.slots == [MONDAY + timedelta(days=7)]
    assert call(schedules, fake, clock).handled == []  # called again: nothing twice


@pytest.mark.parametrize("catch_up", ["once", "skip"])
def test_three_weeks_off(tmp_path: Path, catch_up: str) -> None:
    schedules = make_schedules(tmp_path, job_yaml(catch_up=catch_up))
    fake, clock = FakeSteps(), Clock(MONDAY - timedelta(hours=1))
    call(schedules, fake, clock)
    clock.now = MONDAY + timedelta(minutes=5)
    call(schedules, fake, clock)
    assert len(fake.deliveries) == 1
    # The machine is off for three weeks: three Mondays pass with nobody calling run-due.
    clock.now = MONDAY + timedelta(days=23, hours=2)  # Wednesday after the third one
    report = call(schedules, fake, clock)
    missed = [MONDAY + timedelta(days=7 * n) for n in (1, 2, 3)]
    if catch_up == "once":
        assert fake.slots == [MONDAY, missed[2]]  # the latest missed slot, once
        assert [(h.status, h.slot) for h in report.handled] == [
            ("skipped", missed[1]), ("ok", missed[2])]
        assert report.handled[0].detail == (
            "missed 2 slots (2026-03-09 07:00 GMT to 2026-03-16 07:00 GMT) while no run-due "
            "ran; catch_up: once ran only the latest")
        assert runs(schedules) == [("2026-03-02 07:00", "ok", 1),
                                   ("2026-03-16 07:00", "skipped", 0),
                                   ("2026-03-23 07:00", "ok", 1)]
    else:
        assert fake.slots == [MONDAY]  # nothing now...
        assert [(h.status, h.slot) for h in report.handled] == [("skipped", missed[2])]
        assert report.handled[0].detail == (
            "missed 3 slots (2026-03-09 07:00 GMT to 2026-03-23 07:00 GMT) while no run-due "
            "ran; catch_up: skip, more than 1h late")
    assert call(schedules, fake, clock).handled == []  # the next call does nothing more
    clock.now = utc(2026, 3, 30, 6, 10)  # ...until the next slot (07:00 BST)
    call(schedules, fake, clock)
    assert fake.slots[-1] == utc(2026, 3, 30, 6)


def test_a_slot_seen_within_grace_runs_even_with_skip(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path, job_yaml(catch_up="skip"))
    fake, clock = FakeSteps(), Clock(MONDAY - timedelta(days=1))
    call(schedules, fake, clock)
    clock.now = MONDAY + timedelta(minutes=59)
    call(schedules, fake, clock)
    assert fake.slots == [MONDAY]


def test_failure_is_retried_with_backoff_then_the_owner_is_told(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path, job_yaml(retries=2))
    fake, clock = FakeSteps(fail_deliveries=10), Clock(MONDAY - timedelta(hours=1))
    call(schedules, fake, clock)
    statuses = []
    for minutes in range(0, 120, 5):  # run-due every 5 minutes for two hours
        clock.now = MONDAY + timedelta(minutes=minutes)
        statuses += [(minutes, h.status, h.attempt) for h in call(schedules, fake, clock).handled]
    # Attempt 1 at 07:00, retry after 10m, then after 20m more; then no more.
    assert statuses == [(0, "failed", 1), (10, "failed", 2), (30, "failed", 3)]
    assert len(fake.builds) == 3 and fake.deliveries == []
    [notice] = fake.notices
    assert notice.owner == "owner@example.com" and notice.attempts == 3
    assert "SMTP server down" in notice.error
    assert notice.log == schedules.history_path.parent / "logs/weekly/20260302T070000Z.log"
    assert notice.log.read_text().count("attempt failed") == 3
    assert f"The log of every attempt: {notice.log}" in notice.body
    assert runs(schedules) == [("2026-03-02 07:00", "failed", 3)]


def test_a_retry_that_succeeds_tells_nobody(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path)
    fake, clock = FakeSteps(fail_builds=1), Clock(MONDAY - timedelta(hours=1))
    call(schedules, fake, clock)
    for minutes in (0, 5, 10, 15):
        clock.now = MONDAY + timedelta(minutes=minutes)
        call(schedules, fake, clock)
    assert fake.slots == [MONDAY] and fake.notices == []
    assert runs(schedules) == [("2026-03-02 07:00", "ok", 2)]


def test_failed_renders_are_held_back_and_reported(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path, specs=("aapl", "baba", "tcehy"))
    fake = FakeSteps(broken_specs={"baba"})
    clock = Clock(MONDAY - timedelta(hours=1))
    call(schedules, fake, clock)
    clock.now = MONDAY + timedelta(minutes=1)
    report = call(schedules, fake, clock)
    [request] = fake.deliveries
    assert [b.slug for b in request.rendered] == ["aapl", "tcehy"]
    assert [b.slug for b in request.held_back] == ["baba"]
    assert report.handled[0].status == "failed"
    assert report.handled[0].detail == ("1 of 3 briefs failed to render and were held back: "
                                        "baba: segments[0]: bad")
    assert len(fake.notices) == 1  # no retry: the spec needs a person, the digest has gone
    with History(schedules.history_path) as history:
        [run] = history.runs()
    assert (run.briefs, run.held_back, run.messages, run.next_attempt) == (2, 1, 1, None)


def test_nothing_is_mailed_when_every_brief_failed(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path, specs=("baba",))
    fake, clock = FakeSteps(broken_specs={"baba"}), Clock(MONDAY - timedelta(hours=1))
    call(schedules, fake, clock)
    clock.now = MONDAY
    call(schedules, fake, clock)
    assert fake.deliveries == [] and len(fake.notices) == 1


def test_a_spec_glob_that_matches_nothing_fails_the_job(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path, specs=())
    fake, clock = FakeSteps(), Clock(MONDAY - timedelta(hours=1))
    call(schedules, fake, clock)
    clock.now = MONDAY
    [done] = call(schedules, fake, clock).handled
    assert done.status == "failed"
    assert done.detail.endswith('job "weekly": "specs/*.yaml" matches no spec '
                                f"(looked in {tmp_path})")
    assert fake.builds == [] and len(fake.notices) == 1


def test_a_notice_that_cannot_be_sent_is_printed_instead(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path, job_yaml(retries=0))

    class Broken(FakeSteps):
        def notify(self, notice: object) -> None:
            raise OSError("no route to host")

    fake, clock = Broken(fail_builds=1), Clock(MONDAY - timedelta(hours=1))
    call(schedules, fake, clock)
    clock.now = MONDAY
    report = call(schedules, fake, clock)
    assert report.failed
    [warning] = report.warnings
    assert warning.startswith("job weekly failed and its owner owner@example.com could not be "
                              "told (no route to host); log: ")


def test_two_concurrent_calls_make_one_run(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path)
    fake, clock = FakeSteps(build_seconds=0.5), Clock(MONDAY - timedelta(hours=1))
    call(schedules, fake, clock)
    clock.now = MONDAY + timedelta(minutes=1)
    reports: list[RunDueReport] = []
    threads = [threading.Thread(target=lambda: reports.append(call(schedules, fake, clock)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.busy for r in reports) == [False, True]  # the second saw the lock
    assert len(fake.builds) == 1 and len(fake.deliveries) == 1
    assert runs(schedules) == [("2026-03-02 07:00", "ok", 1)]


def test_two_machines_sharing_the_history_claim_a_slot_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Separate lock files (two machines), one database: the unique (job, slot) decides."""
    schedules = make_schedules(tmp_path)
    fake, clock = FakeSteps(build_seconds=0.3), Clock(MONDAY - timedelta(hours=1))
    call(schedules, fake, clock)
    counter = iter(range(100))
    monkeypatch.setattr(History, "lock",
                        lambda self: RunLock(tmp_path / f"machine-{next(counter)}.lock"))
    clock.now = MONDAY + timedelta(minutes=1)
    reports: list[RunDueReport] = []
    barrier = threading.Barrier(4)

    def machine() -> None:
        barrier.wait()
        reports.append(call(schedules, fake, clock))

    threads = [threading.Thread(target=machine) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not any(r.busy for r in reports)
    assert sum(len(r.handled) for r in reports) == 1
    assert len(fake.deliveries) == 1


def test_a_run_left_running_by_a_dead_process_is_retried(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path)
    fake, clock = FakeSteps(), Clock(MONDAY - timedelta(hours=1))
    call(schedules, fake, clock)
    with History(schedules.history_path) as history:  # a run-due killed mid-run leaves this
        assert history.claim("weekly", MONDAY, MONDAY) is not None
    clock.now = MONDAY + timedelta(hours=13)
    abandoned, done = call(schedules, fake, clock).handled
    assert (abandoned.status, abandoned.detail) == ("failed", "abandoned by a run-due that stopped")
    assert (done.status, done.attempt) == ("ok", 2)
    assert fake.slots == [MONDAY] and fake.notices == []


def test_an_abandoned_run_without_retries_left_is_reported(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path, job_yaml(retries=0))
    fake, clock = FakeSteps(), Clock(MONDAY - timedelta(hours=1))
    call(schedules, fake, clock)
    with History(schedules.history_path) as history:
        assert history.claim("weekly", MONDAY, MONDAY) is not None
    clock.now = MONDAY + timedelta(hours=13)
    [abandoned] = call(schedules, fake, clock).handled
    assert abandoned.status == "failed" and fake.deliveries == []
    [notice] = fake.notices
    assert notice.error.startswith("abandoned: the run-due that started it stopped")
