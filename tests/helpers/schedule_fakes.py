"""Fakes for scheduler tests: a clock to move by hand, build/deliver/notify steps that record."""

from __future__ import annotations

import textwrap
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefgen.brand.load import LoadedBrand
from briefgen.build.options import RenderOptions
from briefgen.schedule.contracts import BriefOutcome, DeliveryRequest, FailureNotice, Steps
from briefgen.schedule.file import Schedules, load_schedules
from briefgen.schedule.history import History
from briefgen.schedule.jobs import RunDueReport, run_due


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[arg-type, misc]


@dataclass
class Clock:
    """Aware UTC time that only moves when a test moves it."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class FakeSteps:
    """Build and deliver that record what they were asked; failures on demand."""

    fail_builds: int = 0  # the next N builds raise
    fail_deliveries: int = 0  # the next N deliveries raise
    broken_specs: set[str] = field(default_factory=set)  # these slugs fail to render
    build_seconds: float = 0.0  # a slow build, for concurrency tests
    builds: list[list[Path]] = field(default_factory=list)
    deliveries: list[DeliveryRequest] = field(default_factory=list)
    notices: list[FailureNotice] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def build(self, specs: Sequence[Path], out_dir: Path, formats: Sequence[str], *,
              brand: LoadedBrand | None = None,
              options: RenderOptions | None = None) -> list[BriefOutcome]:
        if self.build_seconds:
            time.sleep(self.build_seconds)
        with self.lock:
            self.builds.append(list(specs))
            if self.fail_builds:
                self.fail_builds -= 1
                raise RuntimeError("worker crashed")
        outcomes = []
        for spec in specs:
            slug = spec.stem
            if slug in self.broken_specs:
                outcomes.append(BriefOutcome(slug, spec, False, error="segments[0]: bad"))
            else:
                outputs = {f: out_dir / slug / f"brief.{f}" for f in formats}
                outcomes.append(BriefOutcome(slug, spec, True, outputs))
        return outcomes

    def deliver(self, request: DeliveryRequest) -> int:
        with self.lock:
            if self.fail_deliveries:
                self.fail_deliveries -= 1
                raise ConnectionRefusedError("SMTP server down")
            self.deliveries.append(request)
        return 1 if request.mode == "digest" else len(request.rendered)

    def notify(self, notice: FailureNotice) -> None:
        with self.lock:
            self.notices.append(notice)

    @property
    def steps(self) -> Steps:
        return Steps(self.build, self.deliver, self.notify)

    @property
    def slots(self) -> list[datetime]:
        return [request.slot for request in self.deliveries]


JOB = """\
  - name: {name}
    specs: ["specs/*.yaml"]
    cron: "{cron}"
    timezone: {zone}
    delivery: {{mode: digest, config: delivery.yaml, lists: [clients]}}
    owner: owner@example.com
    catch_up: {catch_up}
    retries: {{count: {retries}, backoff: 10m}}
"""


def job_yaml(name: str = "weekly", cron: str = "0 7 * * 1", zone: str = "Europe/London",
             catch_up: str = "once", retries: int = 2) -> str:
    return JOB.format(name=name, cron=cron, zone=zone, catch_up=catch_up, retries=retries)


def make_schedules(folder: Path, *jobs: str, specs: Sequence[str] = ("aapl", "baba"),
                   extra: str = "") -> Schedules:
    """A schedules file with the given job entries and empty spec files beside it."""
    (folder / "specs").mkdir(parents=True, exist_ok=True)
    for slug in specs:
        (folder / "specs" / f"{slug}.yaml").write_text("brief: {}\n")
    body = extra + "jobs:\n" + "".join(jobs or (job_yaml(),))
    (folder / "schedules.yaml").write_text(textwrap.dedent(body))
    return load_schedules(folder / "schedules.yaml")


def simulate(schedules: Schedules, fake: FakeSteps, start: datetime, end: datetime,
             step: timedelta) -> tuple[int, list[RunDueReport]]:
    """Call run-due every `step` from `start` to `end` (one shared history); count the calls."""
    clock = Clock(start)
    reports = []
    calls = 0
    with History(schedules.history_path, durable=False) as history:
        while clock.now <= end:
            report = run_due(schedules, now=clock, steps=fake.steps, history=history)
            if report.handled:
                reports.append(report)
            calls += 1
            clock.advance(step)
    return calls, reports
