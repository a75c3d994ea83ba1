"""The run flags of `briefgen render`: `--jobs`, `--timeout`, `--force`, `--dask`, `--json`,
`--dry-run`, declared once for typer.

The `render` command (in `briefgen.cli.render`) owns the render flags (formats, paper, templates,
brand) and turns them into `RenderOptions`; it declares these options with the objects below and
passes them to `briefgen.cli.report.render_specs`, which runs `build()` and reports.
"""

from __future__ import annotations

from typing import Any

import typer

# Where `briefgen --debug` leaves its answer in the click context's `meta` (shared by commands).
DEBUG_KEY = "briefgen.debug"

JOBS_OPTION: Any = typer.Option(
    None, "--jobs", "-j", min=1, metavar="N", help="Worker processes. [default: all cores]"
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
