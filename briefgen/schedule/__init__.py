"""Schedules: cron slots in IANA zones, the jobs that render and deliver, and the run history."""
