"""Schedules: cron slots in IANA zones, the jobs that render and deliver, and the run history.

Public: `load_schedules`, `run_due`, `next_slots`."""

from briefgen.schedule.file import load_schedules
from briefgen.schedule.jobs import run_due
from briefgen.schedule.slots import next_slots

__all__ = ["load_schedules", "next_slots", "run_due"]
