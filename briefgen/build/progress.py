"""How a run shows itself: plain log lines here, a rich progress bar on a terminal
(`progressbar`).

`build()` calls a `Progress` at the start, once per finished brief, every fraction of a second
while renders are in flight (`tick`) and at the end. The base class does nothing, so a library
caller may pass nothing or override only what it needs. The bar redraws only when called (no
refresh thread), so worker processes are never forked while another thread holds a lock.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from briefgen.words import count

if TYPE_CHECKING:
    from briefgen.build.manifest import BriefResult, RunResult


class Progress:
    """Receives the events of a run; does nothing with them."""

    # Whether `finish` printed the run's final line (after Ctrl-C, nothing is to follow it).
    reported = False

    def start(self, total: int, done: list[BriefResult], to_render: int, workers: str) -> None:
        """`done`: briefs finished before any render (cache hits, unreadable specs)."""

    def brief_done(self, brief: BriefResult) -> None:
        """A brief was rendered or failed."""

    def tick(self) -> None:
        """Renders are in flight; nothing finished since the last call."""

    def finish(self, run: RunResult) -> None:
        """The run ended (also when interrupted)."""


def _first_line(text: str | None) -> str:
    lines = (text or "").splitlines()
    more = f" (+{len(lines) - 1} more)" if len(lines) > 1 else ""
    return (lines[0] if lines else "") + more


def failure_lines(run: RunResult) -> list[str]:
    """Every failed spec again, one line each, for the end of a long run (where the lines that
    reported them as they happened have scrolled away). Nothing for a run of one spec."""
    if len(run.briefs) < 2:
        return []
    lines = []
    for brief in run.briefs:
        if brief.status != "failed":
            continue
        error = _first_line(brief.error)
        # A spec error is located already ("specs/x.yaml:14:5: …"); others need the spec named.
        lines.append(error if error.startswith(str(brief.spec_path))
                     else f"{brief.spec_path}: {error}")
    return lines


def summary_line(run: RunResult) -> str:
    counts = run.counts
    seconds = (time.time() - run.started.timestamp()) if run.finished is None else (
        run.finished - run.started).total_seconds()
    text = (f"{counts['rendered']} rendered, {counts['cached']} cached, {counts['failed']} failed "
            f"of {counts['total']} in {seconds:.1f} s")
    if run.interrupted:
        text += f"; interrupted with {counts['pending']} not done"
    if run.manifest_error:
        text += f"; but the manifest was not written: {run.manifest_error}"
    return text


def manifest_note(run: RunResult) -> str:
    return "" if run.manifest_error else f"; manifest: {run.manifest_path}"


class LogLines(Progress):
    """One line per event, for logs, cron mail and CI (no cursor movement)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = 0
        self.count = 0

    def _say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def start(self, total: int, done: list[BriefResult], to_render: int, workers: str) -> None:
        self.total = total
        self.count = len(done)
        cached = sum(1 for b in done if b.status == "cached")
        self._say(f"briefgen: {count(total, 'spec')}: {cached} cached, {to_render} to render"
                  + (f" on {workers}" if to_render else ""))
        for brief in done:
            if brief.status == "failed":
                self._say(f"failed {brief.spec_path}: {brief.error}")

    def brief_done(self, brief: BriefResult) -> None:
        self.count += 1
        width = len(str(self.total))
        where = f"[{self.count:>{width}}/{self.total}]"
        if brief.status == "failed":
            self._say(f"{where} failed {brief.spec_path}: {brief.error}")
        else:
            seconds = brief.timings.get("total", 0.0)
            why = f"; {brief.reason}" if brief.reason else ""
            self._say(f"{where} {brief.status} {brief.slug} ({seconds:.2f} s{why})")
            for warning in brief.warnings:
                self._say(f"warning: {brief.slug}: {warning}")

    def finish(self, run: RunResult) -> None:
        failures = failure_lines(run)
        if failures:
            self._say(f"briefgen: {len(failures)} failed:")
        for line in failures:
            self._say(f"  {line}")
        self._say(f"briefgen: {summary_line(run)}{manifest_note(run)}")
        self.reported = True


class Rate:
    """Briefs per second over a moving window of the latest completions, and the time left.

    Honest from the start: no rate until two briefs have finished in this run (one finish says
    nothing about the pace), and until the window is full it is measured from the run's start,
    so two briefs that finish together on two workers do not read as "17.96/s". Cache hits and
    unreadable specs, done before any render, never count."""

    WINDOW = 20

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.started = clock()
        self.finished: deque[float] = deque(maxlen=self.WINDOW + 1)
        self.count = 0

    def done(self) -> None:
        self.count += 1
        self.finished.append(self.clock())

    def per_second(self) -> float | None:
        if self.count < 2:
            return None
        if self.count <= self.WINDOW:
            briefs, since = self.count, self.started
        else:  # the last WINDOW briefs, timed from the finish just before them
            briefs, since = self.WINDOW, self.finished[0]
        seconds = max(self.finished[-1] - since, 1e-6)
        return briefs / seconds

    def eta(self, remaining: int) -> float | None:
        rate = self.per_second()
        return None if rate is None else remaining / rate
