"""`briefgen schedule list | run-due | install` and `briefgen runs`: the scheduler's commands.

There is no daemon: cron or a systemd timer calls `schedule run-due` every few minutes, and it runs
whatever has become due (see `briefgen.schedule.jobs`). `schedule install` prints both kinds of
trigger.
"""

from __future__ import annotations

import getpass
import json
import shlex
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from briefgen import words
from briefgen.errors import EXIT_FAILED_RUN, InputError

if TYPE_CHECKING:
    from briefgen.schedule.file import Job, Schedules

FILE_HELP = ("The schedules file; relative paths inside it are read from its folder. "
             "[default: the project file's schedules, else schedules.yaml]")


def register(app: typer.Typer) -> None:
    schedule = typer.Typer(
        help="Render and mail specs on a schedule: list jobs, run what is due, install a timer.",
        no_args_is_help=True,
    )
    schedule.command("list")(list_jobs)
    schedule.command("run-due")(run_due)
    schedule.command("install")(install)
    app.add_typer(schedule, name="schedule")
    app.command("runs")(runs)


def _file_option() -> Any:
    # `--file` was its first name; `-f` is `--format` everywhere now, so it has no short flag.
    return typer.Option(None, "--schedules", "--file", metavar="FILE", help=FILE_HELP)


def project_schedules(file: Path | None) -> Schedules:
    """The schedules file (the flag, else the project's, else ./schedules.yaml) with the
    project's render options: a scheduled note is the note `briefgen render` makes."""
    import dataclasses

    from briefgen.cli.options import resolve_cli_project
    from briefgen.schedule.file import load_schedules

    project = resolve_cli_project(schedules=file)
    schedules = load_schedules(project.schedules or Path("schedules.yaml"))
    if project.file is None:
        return schedules
    brand = project.brand
    if schedules.brand is not None:
        if brand is not None and brand.path.resolve() != schedules.brand.path.resolve():
            raise InputError(
                f"{schedules.path}: brand: {schedules.brand.path} is not the project's brand "
                f"{brand.path} ({project.file}); a scheduled note must be the note `briefgen "
                "render` makes: remove `brand:` from the schedules file or make them the same")
        brand = schedules.brand
    return dataclasses.replace(schedules, brand=brand, options=project.with_brand(brand))


def list_jobs(
    file: Path | None = _file_option(),
    count: int = typer.Option(5, "--limit", "--count", "-n", min=1, max=100, metavar="N",
                              help="Next runs per job."),
    start: str | None = typer.Option(None, "--from", metavar="TIME",
                                     help="Show runs after this UTC time (e.g. "
                                     "2026-10-20T00:00Z) instead of after now."),
    as_json: bool = typer.Option(False, "--json", help="Print the jobs and their next runs as "
                                 "JSON on stdout."),
) -> None:
    """Show every job with its next runs, in the job's own time zone and in UTC."""
    from briefgen.schedule.jobs import utc_now
    from briefgen.schedule.slots import next_slots

    schedules = project_schedules(file)
    after = _parse_instant(start) if start else utc_now()
    if as_json:
        typer.echo(json.dumps([{
            "job": job.name, "cron": job.cron, "timezone": job.timezone,
            "delivery": {"mode": job.delivery.mode, "lists": list(job.delivery.lists)},
            "next": [slot.isoformat() for slot in next_slots(job, after, count)],
        } for job in schedules.jobs], indent=2, ensure_ascii=False))
        return
    rows: list[list[str]] = []
    for job in schedules.jobs:
        for index, slot in enumerate(next_slots(job, after, count)):
            first = index == 0
            rows.append([
                job.name if first else "", job.cron if first else "",
                job.timezone if first else "", f"{slot:%a %Y-%m-%d %H:%M %Z}",
                f"{slot.astimezone(UTC):%Y-%m-%d %H:%M}Z",
                _delivery_text(job) if first else "",
            ])
    _table(["Job", "Cron", "Time zone", "Local time", "UTC", "Delivery"], rows,
           title=f"Next {words.count(count, 'run')} per job after "
                 f"{after.astimezone(UTC):%Y-%m-%d %H:%M}Z")


def run_due(file: Path | None = _file_option()) -> None:
    """Run each job whose slot has come since its last run, once; for cron or a systemd timer.

    Safe to call while another call runs: that one finishes the work, this one says so and
    exits 0. Prints one line per slot handled and nothing when nothing was due."""
    from briefgen.schedule import jobs
    from briefgen.schedule.slots import utc_text

    schedules = project_schedules(file)
    report = jobs.run_due(schedules)
    if report.busy:
        typer.echo("another run-due is in progress")
        return
    for done in report.handled:
        typer.echo(f"{done.job}: {done.slot:%Y-%m-%d %H:%M %Z} ({utc_text(done.slot)}): "
                   f"{done.status}" + (f", attempt {done.attempt}" if done.attempt > 1 else "")
                   + (f": {done.detail}" if done.detail else ""))
    for warning in report.warnings:
        typer.echo(warning, err=True)
    if report.failed:
        raise typer.Exit(EXIT_FAILED_RUN)


def install(
    file: Path | None = _file_option(),
    every: int = typer.Option(5, "--every", min=1, max=59, metavar="MINUTES",
                              help="Minutes between run-due calls."),
    name: str = typer.Option("briefgen-run-due", "--name", metavar="NAME",
                             help="Name of the systemd units."),
) -> None:
    """Print a crontab line and a systemd service + timer that call `schedule run-due`."""
    schedules = project_schedules(file)  # refuse to install a trigger for a broken file
    schedules_path = schedules.path.resolve()
    command = shlex.join([*_briefgen_command(), "schedule", "run-due", "--schedules",
                          str(schedules_path)])
    folder = shlex.quote(str(schedules_path.parent))
    typer.echo(f"""\
# --- cron: `crontab -e` and add this line (output is mailed to MAILTO when something ran) ---
*/{every} * * * * cd {folder} && {command}

# --- or systemd: save the two units below, then
#   sudo systemctl daemon-reload && sudo systemctl enable --now {name}.timer
#   (history: {schedules.history_path}; logs: {schedules.history_path.parent / "logs"})

# /etc/systemd/system/{name}.service
[Unit]
Description=briefgen: run the scheduled jobs that are due ({schedules_path.name})
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
User={getpass.getuser()}
WorkingDirectory={schedules_path.parent}
ExecStart={command}
# SMTP credentials named by the delivery config's username_env/password_env:
# EnvironmentFile=/etc/briefgen/smtp.env

# /etc/systemd/system/{name}.timer
[Unit]
Description=briefgen: call run-due every {every} minutes

[Timer]
OnCalendar=*:0/{every}
AccuracySec=30s

[Install]
WantedBy=timers.target""")


def runs(
    file: Path | None = _file_option(),
    job: str | None = typer.Option(None, "--job", metavar="NAME", help="Only this job's runs."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, metavar="N",
                              help="How many runs, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print the runs as JSON on stdout."),
) -> None:
    """Show the run history of scheduled jobs, newest first."""
    from briefgen.schedule.history import History

    schedules = project_schedules(file)
    if job is not None:
        schedules.job(job)  # an unknown name is an error with a did-you-mean
    found = []
    if schedules.history_path.exists():
        with History(schedules.history_path) as history:
            found = history.runs(job, limit)
    if as_json:
        typer.echo(json.dumps([{
            "id": run.id, "job": run.job, "slot": run.slot.isoformat(), "status": run.status,
            "attempt": run.attempt, "started": run.started.isoformat(),
            "ended": run.ended.isoformat() if run.ended else None,
            "next_attempt": run.next_attempt.isoformat() if run.next_attempt else None,
            "briefs": run.briefs, "held_back": run.held_back, "messages": run.messages,
            "error": run.error, "log": run.log,
        } for run in found], indent=2, ensure_ascii=False))
        return
    if not schedules.history_path.exists():
        typer.echo(f"no runs recorded yet (history: {schedules.history_path})")
        return
    zones = {j.name: j.zone for j in schedules.jobs}
    rows = []
    for run in found:
        slot = run.slot.astimezone(zones[run.job]) if run.job in zones else run.slot
        took = f"{(run.ended - run.started).total_seconds():.0f}s" if run.ended else ""
        status: str = run.status
        if run.next_attempt is not None:
            status += f" (retry {run.next_attempt:%H:%M}Z)"
        note = (run.error or "").splitlines()[0] if run.error else ""
        rows.append([run.job, f"{slot:%Y-%m-%d %H:%M %Z}", status, str(run.attempt),
                     f"{run.started:%Y-%m-%d %H:%M:%S}Z", took, str(run.briefs),
                     str(run.held_back), str(run.messages), note[:100]])
    if not rows:
        typer.echo("no runs recorded" + (f" for {job}" if job else ""))
        return
    _table(["Job", "Slot", "Status", "Try", "Started", "Took", "Briefs", "Held", "Sent",
            "Error / note"], rows, title=f"Runs ({schedules.history_path})")


# --- helpers -------------------------------------------------------------------------------------


def _delivery_text(job: Job) -> str:
    return f"{job.delivery.mode} to {', '.join(job.delivery.lists)}"


def _parse_instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f'--from: expected a time like 2026-10-20T00:00Z, got "{text}"') from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _briefgen_command() -> list[str]:
    """Absolute command that runs this briefgen: the console script beside this Python."""
    script = Path(sys.executable).parent / "briefgen"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from briefgen.cli.main import main; main()"]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, title: str) -> None:
    """A rich table on a terminal; plain aligned columns when piped or captured."""
    from rich.console import Console

    console = Console()
    if console.is_terminal:
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for header in headers:
            table.add_column(header)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    typer.echo(title)
    for line in [list(headers), *rows]:
        typer.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
