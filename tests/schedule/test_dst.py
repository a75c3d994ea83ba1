"""Slots in local time across the 2026 DST changes, by simulating run-due every few minutes.

EU clocks change on 29 Mar and 25 Oct 2026, US clocks on 8 Mar and 1 Nov 2026; Hong Kong has no
DST. A job at 07:00 local must fire once a week at 07:00 local whatever the UTC offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefgen.schedule.file import load_schedules
from briefgen.schedule.slots import iter_slots, latest_slot, next_slots, plan
from tests.helpers.schedule_fakes import FakeSteps, job_yaml, make_schedules, simulate, utc

START, END = utc(2026, 2, 15), utc(2026, 11, 30, 18)


def mondays(first: date, last: date) -> list[date]:
    day = first + timedelta(days=(7 - first.weekday()) % 7)
    found = []
    while day <= last:
        found.append(day)
        day += timedelta(days=7)
    return found


def hours_offset(moment: datetime) -> float:
    offset = moment.utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


@pytest.fixture(scope="module")
def weekly_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, FakeSteps]:
    """One weekly job per zone, run-due every 15 minutes from 15 Feb to 30 Nov 2026."""
    folder = tmp_path_factory.mktemp("dst")
    schedules = make_schedules(
        folder,
        job_yaml("hk", "0 7 * * 1", "Asia/Hong_Kong"),
        job_yaml("london", "0 7 * * 1", "Europe/London"),
        job_yaml("new-york", "0 7 * * 1", "America/New_York"),
    )
    fake = FakeSteps()
    calls, _ = simulate(schedules, fake, START, END, timedelta(minutes=15))
    return calls, fake


def fired(fake: FakeSteps, job: str) -> list[datetime]:
    return [r.slot for r in fake.deliveries if r.job == job]


@pytest.mark.parametrize("job, zone", [("hk", "Asia/Hong_Kong"), ("london", "Europe/London"),
                                       ("new-york", "America/New_York")])
def test_weekly_job_fires_once_a_week_at_seven_local(
    weekly_run: tuple[int, FakeSteps], job: str, zone: str
) -> None:
    calls, fake = weekly_run
    assert calls == (END - START) // timedelta(minutes=15) + 1  # 27,721 calls
    slots = fired(fake, job)
    expected = mondays(date(2026, 2, 16), date(2026, 11, 30))
    assert len(expected) == 42
    assert [s.date() for s in slots] == expected  # once a week, none missed, none twice
    for slot in slots:
        assert slot.tzinfo == ZoneInfo(zone)
        assert (slot.weekday(), slot.hour, slot.minute) == (0, 7, 0)


def test_utc_offsets_change_in_the_right_weeks(weekly_run: tuple[int, FakeSteps]) -> None:
    _, fake = weekly_run
    london = {s.date(): hours_offset(s) for s in fired(fake, "london")}
    assert london[date(2026, 3, 23)] == 0 and london[date(2026, 3, 30)] == 1  # EU: 29 Mar
    assert london[date(2026, 10, 19)] == 1 and london[date(2026, 10, 26)] == 0  # EU: 25 Oct
    assert [d for d in london if london[d] == 1] == mondays(date(2026, 3, 30), date(2026, 10, 19))
    new_york = {s.date(): hours_offset(s) for s in fired(fake, "new-york")}
    assert new_york[date(2026, 3, 2)] == -5 and new_york[date(2026, 3, 9)] == -4  # US: 8 Mar
    assert new_york[date(2026, 10, 26)] == -4 and new_york[date(2026, 11, 2)] == -5  # US: 1 Nov
    assert set(hours_offset(s) for s in fired(fake, "hk")) == {8}
    # In UTC, London's 07:00 is 07:00Z in winter and 06:00Z in summer; New York's 12:00Z/11:00Z.
    assert {s.astimezone(UTC).hour for s in fired(fake, "london")} == {6, 7}
    assert {s.astimezone(UTC).hour for s in fired(fake, "new-york")} == {11, 12}
    assert {s.astimezone(UTC).hour for s in fired(fake, "hk")} == {23}


def test_runs_start_within_one_call_of_their_slot(weekly_run: tuple[int, FakeSteps]) -> None:
    _, fake = weekly_run
    for request in fake.deliveries:
        # The fake build saw the clock of the call that ran it; the history has the start time.
        assert request.slot.astimezone(UTC).minute == 0


def test_history_records_each_slot_once(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path, job_yaml("london", "0 7 * * 1", "Europe/London"))
    fake = FakeSteps()
    simulate(schedules, fake, utc(2026, 3, 20), utc(2026, 4, 10), timedelta(minutes=15))
    from briefgen.schedule.history import History

    with History(schedules.history_path) as history:
        runs = history.runs(limit=None)
    assert [(r.slot, r.status) for r in reversed(runs)] == [
        (utc(2026, 3, 23, 7), "ok"), (utc(2026, 3, 30, 6), "ok"), (utc(2026, 4, 6, 6), "ok")]
    for run in runs:  # started in the first call at or after the slot
        assert timedelta(0) <= run.started - run.slot < timedelta(minutes=15)


@pytest.mark.parametrize("cron, zone, nights, expected", [
    # 01:30 does not exist on 29 Mar in London: it runs once, at 02:00 BST (01:00Z).
    ("30 1 * * *", "Europe/London", (utc(2026, 3, 27), utc(2026, 3, 31)),
     ["2026-03-27T01:30:00+00:00", "2026-03-28T01:30:00+00:00", "2026-03-29T02:00:00+01:00",
      "2026-03-30T01:30:00+01:00"]),
    # 01:30 happens twice on 25 Oct in London: it runs once, at the first (BST) one.
    ("30 1 * * *", "Europe/London", (utc(2026, 10, 23), utc(2026, 10, 27)),
     ["2026-10-23T01:30:00+01:00", "2026-10-24T01:30:00+01:00", "2026-10-25T01:30:00+01:00",
      "2026-10-26T01:30:00+00:00"]),
    ("30 2 * * *", "America/New_York", (utc(2026, 3, 7), utc(2026, 3, 10)),
     ["2026-03-07T02:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"]),
    ("30 1 * * *", "America/New_York", (utc(2026, 10, 31), utc(2026, 11, 3)),
     ["2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]),
])
def test_daily_job_runs_once_on_the_nights_clocks_change(
    tmp_path: Path, cron: str, zone: str, nights: tuple[datetime, datetime], expected: list[str]
) -> None:
    schedules = make_schedules(tmp_path, job_yaml("nightly", cron, zone))
    fake = FakeSteps()
    start, end = nights
    simulate(schedules, fake, start, end, timedelta(minutes=5))
    assert [s.isoformat() for s in fake.slots] == expected


def test_hourly_job_runs_both_repeated_hours(tmp_path: Path) -> None:
    """With `*` for the hour, 01:30 BST and 01:30 GMT are two hours apart in time: both run."""
    schedules = make_schedules(tmp_path, job_yaml("hourly", "30 * * * *", "Europe/London"))
    job = schedules.jobs[0]
    slots = next_slots(job, utc(2026, 10, 24, 23, 45), 4)
    assert [s.astimezone(UTC).isoformat() for s in slots] == [
        "2026-10-25T00:30:00+00:00", "2026-10-25T01:30:00+00:00", "2026-10-25T02:30:00+00:00",
        "2026-10-25T03:30:00+00:00"]
    assert [f"{s:%H:%M %Z}" for s in slots] == ["01:30 BST", "01:30 GMT", "02:30 GMT",
                                               "03:30 GMT"]


def test_slots_forward_and_backward_agree_across_a_year(tmp_path: Path) -> None:
    schedules = make_schedules(
        tmp_path, job_yaml("a", "30 1 * * *", "Europe/London"),
        job_yaml("b", "*/20 1-2 * * *", "America/New_York"))
    for job in schedules.jobs:
        forward = []
        for slot in iter_slots(job, utc(2026, 1, 1)):
            if slot > utc(2027, 1, 1):
                break
            forward.append(slot)
        backward = []
        for slot in iter_slots(job, utc(2027, 1, 1), backwards=True):
            if slot <= utc(2026, 1, 1):
                break
            backward.append(slot)
        assert forward == backward[::-1]
        utcs = [s.astimezone(UTC) for s in forward]
        assert utcs == sorted(set(utcs))  # strictly increasing: no instant twice


def test_latest_slot_includes_a_slot_exactly_now(tmp_path: Path) -> None:
    job = make_schedules(tmp_path, job_yaml(zone="Asia/Hong_Kong")).jobs[0]
    assert latest_slot(job, utc(2026, 3, 1, 23)) == utc(2026, 3, 1, 23)  # Mon 07:00 HKT
    assert latest_slot(job, utc(2026, 3, 1, 22, 59, 59)) == utc(2026, 2, 22, 23)


def test_plan_counts_slots_missed_during_downtime(tmp_path: Path) -> None:
    folder = tmp_path
    schedules = make_schedules(folder, job_yaml(catch_up="skip"))
    job = schedules.jobs[0]
    decision = plan(job, utc(2026, 3, 2, 7), utc(2026, 3, 24))  # three Mondays later
    assert decision.run is None and decision.missed == 3
    assert decision.missed_first == utc(2026, 3, 9, 7)
    assert decision.missed_last == decision.newest == utc(2026, 3, 23, 7)
    on_time = plan(job, utc(2026, 3, 2, 7), utc(2026, 3, 9, 7, 30))
    assert on_time.run == utc(2026, 3, 9, 7) and not on_time.late and on_time.missed == 0
    assert load_schedules(folder / "schedules.yaml").jobs[0].grace == timedelta(hours=1)
