"""Running scheduled jobs: `run_due` (what cron or a systemd timer calls) and one job's attempt.

An attempt is build (render the job's specs) then deliver (one digest, or one message per brief).
Both steps, and the owner's failure notice, are injected callables with small typed signatures;
the runner wires the real ones (`schedule.steps`, imported only when used), tests pass fakes.
Time comes from an injected clock; nothing below reads the real clock except `utc_now`, the default.

Outcomes of an attempt:
- every brief rendered and delivered: `ok`;
- some briefs failed to render: those are held back (never mailed; a digest lists them), the rest
  are delivered, and the run is `failed` without retry: a broken spec needs a person, and a
  second digest would reach readers twice. The owner is told at once;
- the build or the delivery raised (SMTP down, a worker crash): `failed`, and retried on later
  run-due calls after `retries.backoff`, doubling each time, up to `retries.count` extra
  attempts; then the owner is told. Retrying across calls, rather than sleeping inside one,
  keeps run-due short and the lock free, and survives a reboot between attempts. A retry does
  not resend what went out: the delivery ledger is exactly-once per brief content and reader.
Each slot's attempts append to one log file beside the history; the notice names it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import BriefgenError, InputError
from briefgen.schedule.contracts import (
    DeliveryRequest,
    FailureNotice,
    Steps,
)
from briefgen.schedule.file import Job, Schedules, format_duration
from briefgen.schedule.history import History, Status
from briefgen.schedule.slots import plan, utc_text
from briefgen.words import count

if TYPE_CHECKING:
    pass

Clock = Callable[[], datetime]
STALE_AFTER = timedelta(hours=12)
log = logging.getLogger("briefgen.schedule.jobs")


def utc_now() -> datetime:
    """The real clock, aware UTC: the default `now` of everything here, and the only one."""
    return datetime.now(UTC)


# --- run-due -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handled:
    """One slot handled by a run-due call, for its report."""

    job: str
    slot: datetime
    status: Status
    attempt: int = 0
    detail: str = ""


@dataclass
class RunDueReport:
    busy: bool = False  # another run-due held the lock: nothing was done
    handled: list[Handled] = field(default_factory=list)
    pruned: int = 0
    warnings: list[str] = field(default_factory=list)  # e.g. an owner who could not be told

    @property
    def failed(self) -> bool:
        return any(h.status == "failed" for h in self.handled)


def run_due(schedules: Schedules, *, now: Clock = utc_now, steps: Steps | None = None,
            history: History | None = None, stale_after: timedelta = STALE_AFTER
            ) -> RunDueReport:
    """Run every job whose slot has come since its last handled slot, once; record it all."""
    own = history is None
    db = history if history is not None else History(schedules.history_path)
    try:
        with db.lock() as lock:
            if not lock.acquired:
                return RunDueReport(busy=True)
            return _run_due_locked(schedules, db, now, steps, stale_after)
    finally:
        if own:
            db.close()


def _run_due_locked(schedules: Schedules, db: History, now: Clock, steps: Steps | None,
                    stale_after: timedelta) -> RunDueReport:
    report = RunDueReport()
    moment = now()
    report.pruned = db.prune(moment, schedules.model.history.retention,
                             {job.name: schedules.retention(job) for job in schedules.jobs})
    runner = _Runner(schedules, db, now, steps)
    jobs = {job.name: job for job in schedules.jobs}
    for stale in db.reap_stale(moment, stale_after):
        job = jobs.get(stale.job)
        if job is None:
            continue
        report.handled.append(Handled(job.name, stale.slot.astimezone(job.zone), "failed",
                                      stale.attempt, "abandoned by a run-due that stopped"))
        if stale.attempt <= job.retries.count:
            db.set_next_attempt(stale.id, moment)  # retried just below
        else:
            runner.tell_owner(job, stale.slot, stale.attempt, "abandoned: the run-due that "
                              "started it stopped before it finished (killed or crashed)")
    for job in schedules.jobs:
        report.handled.extend(runner.retries(job))
        report.handled.extend(runner.new_slots(job))
    report.warnings = runner.warnings
    return report


class _Runner:
    def __init__(self, schedules: Schedules, db: History, now: Clock,
                 steps: Steps | None) -> None:
        self.schedules, self.db, self.now = schedules, db, now
        self._steps = steps
        self.warnings: list[str] = []

    @property
    def steps(self) -> Steps:
        if self._steps is None:  # the real ones are imported only when a job really runs
            from briefgen.schedule import steps as real

            self._steps = Steps(real.build, real.deliver, real.notify)
        return self._steps

    def new_slots(self, job: Job) -> list[Handled]:
        moment = self.now()
        state = self.db.job_state(job.name, moment)
        decision = plan(job, state.since, moment)
        if decision.idle:
            return []
        done: list[Handled] = []
        if decision.missed and decision.missed_last and decision.missed_first:
            note = _missed_note(job, decision.missed, decision.missed_first,
                                decision.missed_last, ran_latest=decision.run is not None)
            self.db.record_missed(job.name, decision.missed_last, moment, note,
                                  newest=decision.newest)
            done.append(Handled(job.name, decision.missed_last, "skipped", 0, note))
        if decision.run is None:
            return done
        slot = decision.run
        run_id = self.db.claim(job.name, slot, self.now(), newest=decision.newest,
                               log=str(self.log_path(job, slot)))
        if run_id is not None:  # else another run-due (another machine) has this slot
            done.append(self.attempt(job, slot, run_id, 1, late=decision.late))
        return done

    def retries(self, job: Job) -> list[Handled]:
        done = []
        for run in self.db.due_retries(job.name, self.now()):
            slot = run.slot.astimezone(job.zone)
            state = self.db.job_state(job.name, self.now())
            if state.last_slot is not None and state.last_slot > run.slot:
                # A later slot has come: its run replaces this one (no stale digest).
                error = f"{run.error}\nnot retried: a later slot of the job has come"
                self.db.finish(run.id, "failed", self.now(), briefs=run.briefs,
                               held_back=run.held_back, messages=run.messages, error=error)
                self.tell_owner(job, slot, run.attempt, error)
                done.append(Handled(job.name, slot, "failed", run.attempt, "superseded"))
            elif self.db.claim_retry(run, self.now()):
                done.append(self.attempt(job, slot, run.id, run.attempt + 1, late=False))
        return done

    def log_path(self, job: Job, slot: datetime) -> Path:
        stamp = utc_text(slot).replace(":", "").replace("-", "")
        return self.schedules.history_path.parent / "logs" / job.name / f"{stamp}.log"

    def attempt(self, job: Job, slot: datetime, run_id: int, attempt: int, *,
                late: bool) -> Handled:
        slot = slot.astimezone(job.zone)
        log_file = self.log_path(job, slot)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        package_log = logging.getLogger("briefgen")
        package_log.addHandler(handler)
        level = package_log.level
        package_log.setLevel(min(level or logging.INFO, logging.INFO))
        try:
            log.info("job %s, slot %s (%s), attempt %d%s", job.name, slot.isoformat(),
                     utc_text(slot), attempt, " (catch-up after downtime)" if late else "")
            result = self.build_and_deliver(job, slot)
        finally:
            package_log.removeHandler(handler)
            package_log.setLevel(level)
            handler.close()
        next_attempt = None
        if result.error and result.retryable and attempt <= job.retries.count:
            next_attempt = self.now() + job.retries.delay(attempt)
        status: Status = "failed" if result.error else "ok"
        self.db.finish(run_id, status, self.now(), briefs=result.briefs,
                       held_back=result.held_back, messages=result.messages,
                       error=result.error, next_attempt=next_attempt)
        if result.error and next_attempt is None:
            self.tell_owner(job, slot, attempt, result.error)
        detail = result.error or (f"{count(result.briefs, 'brief')}, "
                                  f"{count(result.messages, 'message')}")
        if next_attempt is not None:
            detail += f" (retry after {utc_text(next_attempt)})"
        return Handled(job.name, slot, status, attempt, detail)

    def build_and_deliver(self, job: Job, slot: datetime) -> _Result:
        result = _Result()
        try:
            specs = self.schedules.spec_paths(job)
        except InputError as exc:  # the schedules file points at nothing: a person must fix it
            log.error("%s", exc)
            return _Result(error=str(exc), retryable=False)
        try:
            outcomes = tuple(self.steps.build(specs, self.schedules.output_dir, job.formats,
                                              brand=self.schedules.brand,
                                              options=self.schedules.options))
            request = DeliveryRequest(job.name, slot, job.delivery.mode,
                                      self.schedules.resolve(job.delivery.config),
                                      tuple(job.delivery.lists), outcomes,
                                      self.schedules.output_dir, tuple(job.formats),
                                      self.schedules.brand, self.schedules.options)
            result.briefs, result.held_back = len(request.rendered), len(request.held_back)
            for brief in request.held_back:
                log.error("held back %s (%s): %s", brief.slug, brief.spec_path, brief.error)
            if request.rendered:
                result.messages = self.steps.deliver(request)
                log.info("delivered %s", count(result.messages, "message"))
        except Exception as exc:  # any failure of a step is this attempt's failure
            log.exception("attempt failed")
            result.error = str(exc) if isinstance(exc, BriefgenError) else f"{exc!r}"
            result.retryable = not isinstance(exc, InputError)  # bad input fails the same again
            return result
        if not outcomes:
            result.error, result.retryable = "no briefs were built", False
        elif request.held_back:
            result.retryable = False
            result.error = (f"{len(request.held_back)} of {count(len(outcomes), 'brief')} "
                            "failed to render and were held back: "
                            + "; ".join(f"{b.slug}: {b.error}" for b in request.held_back))
        return result

    def tell_owner(self, job: Job, slot: datetime, attempts: int, error: str) -> None:
        notice = FailureNotice(job.name, job.owner, slot.astimezone(job.zone), attempts, error,
                               self.log_path(job, slot),
                               self.schedules.resolve(job.delivery.config), self.now(),
                               self.schedules.path.resolve())
        try:
            self.steps.notify(notice)
        except Exception as exc:  # cron mails what run-due prints: the last way to reach a person
            log.error("could not tell %s that job %s failed: %r", job.owner, job.name, exc)
            self.warnings.append(f"job {job.name} failed and its owner {job.owner} could not be "
                                 f"told ({exc}); log: {notice.log}")


@dataclass
class _Result:
    briefs: int = 0
    held_back: int = 0
    messages: int = 0
    error: str | None = None
    retryable: bool = True


def _missed_note(job: Job, count: int, first: datetime, last: datetime, *,
                 ran_latest: bool) -> str:
    slots = f"{count} slot" + ("s" if count != 1 else "")
    span = f"{first:%Y-%m-%d %H:%M %Z}" if count == 1 else (
        f"{first:%Y-%m-%d %H:%M %Z} to {last:%Y-%m-%d %H:%M %Z}")
    why = ("catch_up: once ran only the latest" if ran_latest
           else f"catch_up: {job.catch_up}, more than {format_duration(job.grace)} late")
    return f"missed {slots} ({span}) while no run-due ran; {why}"
