"""The live progress bar of a run on a terminal.

Its own module so that a run without a terminal (cron, CI, a fully cached run in a script) does
not import rich: `briefgen.cli.batch.reporter` imports it only for a terminal.
"""

from __future__ import annotations

import sys
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

from briefgen.build.progress import Progress, failure_lines, manifest_note, summary_line

if TYPE_CHECKING:
    from briefgen.build.manifest import BriefResult, RunResult


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
