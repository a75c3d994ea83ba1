"""How a run shows itself: a rich progress bar on a terminal, plain log lines anywhere else.

`build()` calls a `Progress` at the start, once per finished brief, every fraction of a second
while renders are in flight (`tick`) and at the end. The base class does nothing, so a library
caller may pass nothing or override only what it needs. The bar redraws only when called (no
refresh thread), so worker processes are never forked while another thread holds a lock.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichBar
from rich.text import Text

if TYPE_CHECKING:
    from briefgen.build.manifest import BriefResult, RunResult


class Progress:
    """Receives the events of a run; does nothing with them."""

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
        self._say(f"briefgen: {total} specs: {cached} cached, {to_render} to render"
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


class RichProgress(Progress):
    """A live bar on a terminal: done of total, failed and cached so far, rate and ETA."""

    def __init__(self, stream: TextIO | None = None, *, force_terminal: bool | None = None,
                 width: int | None = None) -> None:
        self.console = Console(file=stream or sys.stderr, force_terminal=force_terminal,
                               width=width)
        self.bar: RichBar | None = None
        self.task_id: Any = None
        self.failed = 0
        self.cached = 0

    def start(self, total: int, done: list[BriefResult], to_render: int, workers: str) -> None:
        self.cached = sum(1 for b in done if b.status == "cached")
        self.failed = sum(1 for b in done if b.status == "failed")
        for brief in done:
            if brief.status == "failed":
                self._report_failure(brief)
        if to_render:
            self.console.print(f"rendering {to_render} of {total} specs on {workers}")
        self.bar = RichBar(
            SpinnerColumn(), TextColumn("briefs"), BarColumn(), MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed[/] · {task.fields[cached]} cached"),
            _RateColumn(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=self.console, auto_refresh=False, transient=False,
        )
        self.bar.start()
        # Briefs done before rendering start the bar without counting towards the rate.
        self.task_id = self.bar.add_task("briefs", total=total, completed=len(done),
                                         failed=self.failed, cached=self.cached)
        self.bar.refresh()

    def _report_failure(self, brief: BriefResult) -> None:
        self.console.print(f"[red]failed[/] {escape(str(brief.spec_path))}: "
                           f"{escape(brief.error or '')}", highlight=False)

    def brief_done(self, brief: BriefResult) -> None:
        if brief.status == "failed":
            self.failed += 1
            self._report_failure(brief)
        else:
            for warning in brief.warnings:
                self.console.print(f"[yellow]warning[/] {escape(brief.slug or '')}: "
                                   f"{escape(warning)}", highlight=False)
        if self.bar is not None:
            self.bar.update(self.task_id, advance=1, failed=self.failed, cached=self.cached)
            self.bar.refresh()

    def tick(self) -> None:
        if self.bar is not None:
            self.bar.refresh()

    def finish(self, run: RunResult) -> None:
        if self.bar is not None:
            self.bar.refresh()
            self.bar.stop()
        failures = failure_lines(run)
        if failures:
            self.console.print(f"[red]{len(failures)} failed:[/]", highlight=False)
        for line in failures:
            self.console.print(f"  {escape(line)}", highlight=False)
        colour = "green" if run.ok else "red"
        self.console.print(f"[{colour}]{escape(summary_line(run))}[/]{manifest_note(run)}",
                           highlight=False)


class _RateColumn(ProgressColumn):
    """Briefs per second, over the briefs actually rendered."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if not speed else f"{speed:.2f}/s", style="progress.data.speed")


def auto(stream: TextIO | None = None) -> Progress:
    """A bar when `stream` (stderr by default) is a terminal, log lines when it is not."""
    stream = stream or sys.stderr
    return RichProgress(stream) if stream.isatty() else LogLines(stream)
