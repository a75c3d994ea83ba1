"""The live progress line of a run on a terminal.

Its own module so that a run without a terminal (cron, CI, a fully cached run in a script) does
not import rich: `briefgen.cli.report.reporter` imports it only for a terminal. The line is drawn
by `rich.live.Live`, transient: erased at the end (or on Ctrl-C), so the run's summary is its
one final line and the bar is never printed twice.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from rich.console import Console, ConsoleOptions, RenderResult
from rich.live import Live
from rich.markup import escape
from rich.text import Text

from briefgen.build.progress import Progress, Rate, failure_lines, manifest_note, summary_line
from briefgen.words import count

if TYPE_CHECKING:
    from briefgen.build.manifest import BriefResult, RunResult


def _clock(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class _BarLine:
    """One line of the live display, laid out for the width it is given.

    Parts drop out by priority as the terminal narrows (elapsed time, then the ETA, then the
    rate, then cached), and the bar takes what is left, so nothing is cut mid-word at 60
    columns."""

    def __init__(self, view: RichProgress) -> None:
        self.view = view

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.view.line(options.max_width)


class RichProgress(Progress):
    """A live line on a terminal: a bar, done of total, failed and cached so far, rate, ETA."""

    MIN_BAR = 10

    def __init__(self, stream: TextIO | None = None, *, force_terminal: bool | None = None,
                 width: int | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.console = Console(file=stream or sys.stderr, force_terminal=force_terminal,
                               width=width)
        self.clock = clock
        self.live: Live | None = None
        self.total = 0
        self.completed = 0
        self.failed = 0
        self.cached = 0
        self.rate = Rate(clock)

    def start(self, total: int, done: list[BriefResult], to_render: int, workers: str) -> None:
        self.total, self.completed = total, len(done)
        self.cached = sum(1 for b in done if b.status == "cached")
        self.failed = sum(1 for b in done if b.status == "failed")
        self.rate = Rate(self.clock)
        for brief in done:
            if brief.status == "failed":
                self._report_failure(brief)
        if to_render:
            self.console.print(f"rendering {to_render} of {count(total, 'spec')} on {workers}",
                               highlight=False)
        # transient: the live line is erased at the end (or on Ctrl-C) and the summary is the
        # one final line, never a second copy of the bar.
        self.live = Live(_BarLine(self), console=self.console, auto_refresh=False,
                         transient=True, redirect_stdout=False, redirect_stderr=False)
        self.live.start()
        self.live.refresh()

    def line(self, width: int) -> Text:
        """The live line for a terminal `width` columns wide."""
        rate, eta = self.rate.per_second(), self.rate.eta(self.total - self.completed)
        counts = Text(f"{self.completed}/{self.total}")
        failed = Text(f"{self.failed} failed", style="bold red" if self.failed else "dim")
        cached = Text(f"{self.cached} cached", style="dim")
        # (part, priority): the lowest priority goes first when the line does not fit.
        parts: list[tuple[Text, int]] = [
            (counts, 9), (failed, 8), (cached, 3),
            (Text(f"{rate:.2f}/s" if rate else "–/s", style="progress.data.speed"), 5),
            (Text(f"ETA {_clock(eta)}" if eta is not None else "ETA –",
                  style="progress.remaining"), 6),
            (Text(_clock(self.clock() - self.rate.started), style="progress.elapsed"), 2),
        ]
        while parts and sum(len(t) + 1 for t, _ in parts) + self.MIN_BAR + 2 > width:
            parts.remove(min(parts, key=lambda item: item[1]))
        room = width - sum(len(t) + 1 for t, _ in parts) - 2
        line = Text()
        if room >= self.MIN_BAR:
            filled = round(room * self.completed / self.total) if self.total else room
            line.append("━" * filled, style="bar.complete")
            line.append("━" * (room - filled), style="bar.back")
            line.append("  ")
        for index, (text, _) in enumerate(parts):
            line.append_text(text)
            if index < len(parts) - 1:
                line.append(" ")
        return line

    def _report_failure(self, brief: BriefResult) -> None:
        self.console.print(f"[red]failed[/] {escape(str(brief.spec_path))}: "
                           f"{escape(brief.error or '')}", highlight=False)

    def brief_done(self, brief: BriefResult) -> None:
        self.completed += 1
        self.rate.done()
        if brief.status == "failed":
            self.failed += 1
            self._report_failure(brief)  # printed above the live line, which stays last
        else:
            for warning in brief.warnings:
                self.console.print(f"[yellow]warning[/] {escape(brief.slug or '')}: "
                                   f"{escape(warning)}", highlight=False)
        if self.live is not None:
            self.live.refresh()

    def tick(self) -> None:
        if self.live is not None:
            self.live.refresh()

    def finish(self, run: RunResult) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
        failures = failure_lines(run)
        if failures:
            self.console.print(f"[red]{len(failures)} failed:[/]", highlight=False)
        for line in failures:
            self.console.print(f"  {escape(line)}", highlight=False)
        colour = "green" if run.ok else "red"
        self.console.print(f"[{colour}]{escape(summary_line(run))}[/]"
                           f"{escape(manifest_note(run))}", highlight=False)
        self.reported = True
