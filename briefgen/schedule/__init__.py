"""Schedules: cron slots in IANA zones, the jobs that render and deliver, and the run history.

Public: `load_schedules`, `run_due`, `next_slots`. Each is
imported when first asked for (`briefgen.lazy`)."""

from briefgen.lazy import public_names

__all__ = ["load_schedules", "next_slots", "run_due"]
__getattr__ = public_names(__name__, {
    "load_schedules": "file",
    "run_due": "jobs",
    "next_slots": "slots",
})
