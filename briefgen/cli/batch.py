"""The batch part of `briefgen render`: `--jobs`, `--timeout`, `--force`, `--dask`, `--json`, and
the call to `briefgen.build.batch.build()` behind them.

The `render` command (in `briefgen.cli.render`) owns the render flags (formats, paper, templates,
brand) and turns them into `RenderOptions`; it declares these options with the objects below and
passes them to `render_specs`, which returns the exit code: 0 all rendered or cached, 1 a render
failed, 2 bad input (every failed spec did not load; or raised as `InputError`), 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from briefgen.build.manifest import EXIT_INTERRUPTED
from briefgen.errors import EXIT_BAD_INPUT, EXIT_OK
from briefgen.words import count

JOBS_OPTION: Any = typer.Option(
    None, "--jobs", "-j", min=1, help="Worker processes. [default: all cores]", metavar="N"
)
TIMEOUT_OPTION: Any = typer.Option(
    None, "--timeout", min=0.001, metavar="SECONDS",
    help="Stop a spec's render after this many seconds and report it as failed. "
    "[default: 300]",
)
FORCE_OPTION: Any = typer.Option(
    False, "--force", help="Render every spec, even those whose outputs are up to date."
)
DASK_OPTION: Any = typer.Option(
    None, "--dask", metavar="ADDRESS",
    help="Render on a Dask cluster (e.g. tcp://scheduler:8786) instead of local processes.",
)
DRY_RUN_OPTION: Any = typer.Option(
    False, "--dry-run", help="Say which specs would be rendered and why, which are cached and "
    "which fail to load; render and write nothing."
)
JSON_OPTION: Any = typer.Option(
    False, "--json", help="Print the run summary (the manifest) as JSON on stdout."
)


def render_specs(
    specs: list[Path],
    *,
    out_dir: Path,
    options: Any,
    jobs: int | None = None,
    timeout: float | None = None,
    force: bool = False,
    dask: str | None = None,
    as_json: bool = False,
    dry_run: bool = False,
    quiet: bool = False,
) -> int:
    """Render `specs` (files, folders, globs) with `build()`; report; return the exit code.

    Progress goes to stderr (a bar on a terminal, log lines otherwise), the JSON summary to
    stdout. `InputError` (no specs, clashing slugs) propagates to the CLI's edge (exit 2).
    """
    if dry_run:
        return report_plan(specs, out_dir=out_dir, options=options, force=force, as_json=as_json)
    from briefgen.build.batch import build
    from briefgen.build.progress import Progress, auto

    if dask is not None:
        from briefgen.build.dask import require_dask

        require_dask()  # before any spec is read or rendered

    progress = (lambda stream: Progress()) if quiet else auto

    try:
        result = build(specs, out_dir=out_dir, jobs=jobs, force=force, timeout=timeout,
                       options=options, dask_address=dask, progress=progress(sys.stderr))
    except KeyboardInterrupt:
        # The progress display has said it already, in its one final line ("interrupted with
        # N not done"); the CLI edge would add a second.
        return EXIT_INTERRUPTED

    if as_json:
        summary = result.to_json()
        summary["manifest"] = str(result.manifest_path)
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    return result.exit_code


def report_plan(specs: list[Path], *, out_dir: Path, options: Any, force: bool,
                as_json: bool) -> int:
    """`--dry-run`: one line per spec (or JSON) saying what a run would do; 1 if any would fail."""
    from briefgen.build.batch import plan

    planned = plan(specs, out_dir=out_dir, force=force, options=options)
    if as_json:
        typer.echo(json.dumps([{"spec": str(p.spec_path), "slug": p.slug, "action": p.action,
                                "why": p.why} for p in planned], indent=2, ensure_ascii=False))
    else:
        for brief in planned:
            target = out_dir / brief.slug if brief.slug else None
            if brief.action == "failed":
                typer.echo(f"failed  {brief.spec_path}: {brief.why}")
            elif brief.action == "cached":
                typer.echo(f"cached  {brief.spec_path} -> {target}/ (unchanged)")
            else:
                typer.echo(f"render  {brief.spec_path} -> {target}/ ({brief.why})")
        counts = {action: sum(p.action == action for p in planned)
                  for action in ("render", "cached", "failed")}
        typer.echo(f"{count(len(planned), 'spec')}: "
                   f"{counts['render']} to render, {counts['cached']} cached, "
                   f"{counts['failed']} failed (dry run: nothing rendered or written)")
    # A spec that does not load is bad input, as it is alone (exit 2).
    return EXIT_BAD_INPUT if any(p.action == "failed" for p in planned) else EXIT_OK
