"""The run part of `briefgen render` without typer: `render_specs` calls
`briefgen.build.batch.build()` (or `plan`, for `--dry-run`) and reports, returning the exit code:
0 all rendered or cached, 2 bad input (a spec that does not load, every failure of that kind; a
bad flag is raised as `InputError`), 1 any other failure, 130 interrupted.

stdout carries the results: a line per output written or reused (`wrote output/x/brief.pdf
(103 KB)`), or with `--json` the run summary alone. stderr carries progress and diagnostics
(`briefgen.build.progress`: a bar on a terminal, log lines otherwise; warnings; failures).

Nothing here imports typer (the flags are declared in `briefgen.cli.batch`): a proven cache hit
of `briefgen render SPEC` is answered through this module before typer is imported
(`briefgen.cli.early`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from briefgen.errors import EXIT_BAD_INPUT, EXIT_OK
from briefgen.words import count

EXIT_INTERRUPTED = 130  # as `briefgen.build.manifest` (not imported here: the CLI stays light)

if TYPE_CHECKING:
    from briefgen.build.manifest import RunResult
    from briefgen.build.options import RenderOptions
    from briefgen.build.progress import Progress


def echo(line: str, *, err: bool = False) -> None:
    """One line on stdout (or stderr), flushed, as `typer.echo` prints it."""
    stream = sys.stderr if err else sys.stdout
    stream.write(line + "\n")
    stream.flush()


def render_specs(
    specs: list[Path],
    *,
    out_dir: Path,
    options: RenderOptions,
    jobs: int | None = None,
    timeout: float | None = None,
    force: bool = False,
    dask: str | None = None,
    as_json: bool = False,
    dry_run: bool = False,
    single_in_process: bool = False,
    debug: bool = False,
    quiet: bool = False,
) -> int:
    """Render `specs` (files, folders, globs) with `build()`; report; return the exit code.

    Progress goes to stderr (a bar on a terminal, log lines otherwise), results or the JSON
    summary to stdout. `InputError` (no specs, clashing slugs) propagates to the CLI's edge
    (exit 2). `single_in_process` goes to `build()`; `debug` prints the traceback of each
    failed render on stderr; `quiet` prints neither progress nor the lines of outputs.
    """
    if dry_run:
        return report_plan(specs, out_dir=out_dir, options=options, force=force, as_json=as_json)
    from briefgen.build.batch import build
    from briefgen.build.progress import Progress

    if dask is not None:
        from briefgen.build.dask import require_dask

        require_dask()  # before any spec is read or rendered
    progress = Progress() if quiet else reporter(sys.stderr)
    try:
        result = build(specs, out_dir=out_dir, jobs=jobs, force=force, timeout=timeout,
                       options=options, dask_address=dask, progress=progress,
                       single_in_process=single_in_process)
    except KeyboardInterrupt:
        # Once the run has started, its display says so in its one final line ("interrupted
        # with N not done"); the CLI's edge would add a second.
        if not progress.reported:
            echo("Interrupted.", err=True)
        return EXIT_INTERRUPTED
    if as_json:
        summary = result.to_json()
        summary["manifest"] = str(result.manifest_path)
        echo(json.dumps(summary, indent=2, ensure_ascii=False))
    elif not quiet:
        for line in result_lines(result):
            echo(line)
    failed = [brief for brief in result.briefs if brief.status == "failed"]
    for brief in failed if debug else ():
        if brief.traceback:
            echo(f"{brief.spec_path}:\n{brief.traceback}", err=True)
    return result.exit_code  # 2 when every failure is bad input, as for one spec alone


def reporter(stream: TextIO) -> Progress:
    """A live bar when `stream` is a terminal, log lines when it is not (rich imported only
    for the bar)."""
    from briefgen.build.progress import LogLines

    if not stream.isatty():
        return LogLines(stream)
    from briefgen.build.progressbar import RichProgress

    return RichProgress(stream)


def result_lines(run: RunResult) -> list[str]:
    """What the run produced, in spec order: a line per output file written or reused."""
    lines = []
    for brief in run.briefs:
        verb = {"rendered": "wrote", "cached": "cached"}.get(brief.status)
        if verb is None:
            continue  # failed: reported on stderr
        for name, path in brief.outputs.items():
            size = brief.sizes.get(name)
            detail = "unchanged" if verb == "cached" else _size(size) if size is not None else ""
            lines.append(f"{verb} {path} ({detail})" if detail else f"{verb} {path}")
    return lines


def _size(number: int) -> str:
    return f"{number / 1024:.0f} KB" if number >= 1024 else f"{number} B"


def report_plan(specs: list[Path], *, out_dir: Path, options: RenderOptions, force: bool,
                as_json: bool) -> int:
    """`--dry-run`: one line per spec (or JSON) saying what a run would do; 2 if a spec does
    not load (bad input, as it is alone)."""
    from briefgen.build.batch import plan

    planned = plan(specs, out_dir=out_dir, force=force, options=options)
    if as_json:
        echo(json.dumps([{"spec": str(p.spec_path), "slug": p.slug, "action": p.action,
                                "why": p.why} for p in planned], indent=2, ensure_ascii=False))
    else:
        for brief in planned:
            target = out_dir / brief.slug if brief.slug else None
            if brief.action == "failed":
                echo(f"failed  {brief.spec_path}: {brief.why}")
            elif brief.action == "cached":
                echo(f"cached  {brief.spec_path} -> {target}/ (unchanged)")
            else:
                echo(f"render  {brief.spec_path} -> {target}/ ({brief.why})")
        counts = {action: sum(p.action == action for p in planned)
                  for action in ("render", "cached", "failed")}
        echo(f"{count(len(planned), 'spec')}: "
                   f"{counts['render']} to render, {counts['cached']} cached, "
                   f"{counts['failed']} failed (dry run: nothing rendered or written)")
    return EXIT_BAD_INPUT if any(p.action == "failed" for p in planned) else EXIT_OK
