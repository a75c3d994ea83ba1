"""When a job's slots fall, and which slot is due: cron read in the job's own IANA time zone.

A slot is an aware datetime in the job's zone; "0 7 * * MON" in Europe/London is 07:00 London time
all year, whatever the UTC offset. The history stores slots as UTC text (`utc_text`).

Slots around DST changes (checked against croniter, see tests/test_schedule_dst.py):
- a slot whose local time does not exist (the skipped hour of spring-forward) is moved by croniter
  to the first minute after the gap, and runs once;
- a slot whose local time happens twice (the repeated hour of fall-back) runs once, at its first
  occurrence, when the cron names its hours; with `*` in the hour field (an hourly job) both
  instants are distinct hours of elapsed time and both run, as Vixie cron does.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from briefgen.schedule.file import Job

MAX_COUNTED = 10_000


def _is_repeat(slot: datetime) -> bool:
    """Whether `slot` is the second occurrence of a wall-clock time repeated by fall-back."""
    return slot.utcoffset() != slot.replace(fold=0).utcoffset()


def iter_slots(job: Job, start: datetime, *, backwards: bool = False) -> Iterator[datetime]:
    """The job's slots strictly after (or before) `start`, as aware datetimes in its zone."""
    from croniter import croniter

    skip_repeats = job.names_hours
    cursor = croniter(job.cron, start.astimezone(job.zone))
    while True:
        slot = cursor.get_prev(datetime) if backwards else cursor.get_next(datetime)
        if not _is_repeat(slot):
            yield slot.replace(fold=0)  # croniter may set fold=1 where it means nothing
        elif not skip_repeats:
            yield slot


def next_slots(job: Job, after: datetime, count: int) -> list[datetime]:
    slots = iter_slots(job, after)
    return [next(slots) for _ in range(count)]


def _first_after(job: Job, since: datetime) -> datetime:
    return _first_slot_after(job.cron, job.timezone, job.names_hours, since)


@functools.lru_cache(maxsize=1024)
def _first_slot_after(cron: str, zone: str, skip_repeats: bool, since: datetime) -> datetime:
    # Cached: a process that calls run-due often (a test, a long-lived orchestrator) asks for the
    # same "next slot after the last one handled" until that slot comes.
    from croniter import croniter

    cursor = croniter(cron, since.astimezone(ZoneInfo(zone)))
    while True:
        slot: datetime = cursor.get_next(datetime)
        if not (skip_repeats and _is_repeat(slot)):
            return slot


def latest_slot(job: Job, now: datetime) -> datetime:
    """The newest slot at or before `now` (croniter's get_prev is strictly before its start)."""
    for slot in iter_slots(job, now + timedelta(seconds=1), backwards=True):
        if slot <= now:
            return slot
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class Plan:
    """What run-due does with one job now: the slot to run (if any) and the slots passed over."""

    run: datetime | None
    late: bool = False  # the slot to run is older than the job's grace: a catch-up run
    missed: int = 0  # slots that came and will never run
    missed_first: datetime | None = None
    missed_last: datetime | None = None
    newest: datetime | None = None  # the newest slot considered; nothing before it is due again

    @property
    def idle(self) -> bool:
        return self.newest is None



def plan(job: Job, since: datetime, now: datetime) -> Plan:
    """Decide what is due for `job`: slots after `since` (its last handled slot) up to `now`.

    Only the newest slot can run; older ones were missed while nothing called run-due. The newest
    runs if it is within `grace`; when older than that it runs with `catch_up: once` and is
    missed with `catch_up: skip`.
    """
    if _first_after(job, since) > now:
        return Plan(None)  # the common case, every few minutes between slots: nothing due
    newest = latest_slot(job, now)
    older: list[datetime] = []
    for slot in iter_slots(job, since):
        if slot >= newest or len(older) >= MAX_COUNTED:
            break
        older.append(slot)
    late = now - newest > job.grace
    if late and job.catch_up == "skip":
        older.append(newest)
        return Plan(None, True, len(older), older[0], older[-1], newest)
    return Plan(newest, late, len(older), older[0] if older else None,
                older[-1] if older else None, newest)


def utc_text(moment: datetime) -> str:
    """The form stored in the history and shown as UTC: `2026-03-02T07:00:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
