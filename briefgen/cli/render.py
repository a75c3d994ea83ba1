"""`briefgen render`: specs in, `output/<slug>/brief.html` and `brief.pdf` out.

The command resolves its flags over the project file (`briefgen.cli.options`) into
`RenderOptions` and hands one spec or many to the same
`briefgen.build.batch.build` (or `plan`, for `--dry-run`): the content-hash cache, the one
writer and `output/manifest.json` alike. What differs for a single spec without `--jobs`,
`--timeout` or `--dask` is only where it renders: in this process (`single_in_process`), its PDF
made by the printer `briefgen.pdf.printer.start_early` forked before typer was imported, rather
than in a pool. Results go to stdout, progress and diagnostics to stderr (`briefgen.cli.report`).
"""

from __future__ import annotations

import atexit
import gc
from pathlib import Path

import typer

from briefgen.cli import batch as cli_batch
from briefgen.cli import report
from briefgen.pdf.weasy import DEFAULT_PDF_VARIANT, PDF_VARIANTS


def register(app: typer.Typer) -> None:
    app.command("render")(render)


def render(
    ctx: typer.Context,
    specs: list[Path] | None = typer.Argument(None, metavar="SPEC", show_default=False,
                                              hidden=True),
    out: Path | None = typer.Option(None, "--out", "-o", metavar="DIR",
                                    help="Output folder. [default: output]"),
    formats: str | None = typer.Option(
        None, "--format", "-f", metavar="LIST",
        help="Outputs to write, comma-separated: html, pdf. [default: html,pdf]"),
    paper: str | None = typer.Option(None, "--paper", metavar="SIZE",
                                     help="Paper size of the PDF: a4 or letter. [default: a4]"),
    templates: list[Path] = typer.Option(
        [], "--templates", "-t", metavar="DIR", help="Folder of templates searched before the "
        "brand's and the built-in ones (repeatable). A template can extend the built-in note: "
        '{% extends "default:note.html" %}.'),
    pdf_variant: str | None = typer.Option(
        None, "--pdf-variant", metavar="VARIANT",
        help="The PDF's flavour: " + ", ".join(PDF_VARIANTS) + " (untagged). "
        f"[default: {DEFAULT_PDF_VARIANT}, tagged for screen readers]"),
    brand: Path | None = typer.Option(
        None, "--brand", "-b", metavar="FILE", help="Brand file (brand.yaml): firm name, logo, "
        "colours, fonts, legal text, and a templates folder; relative paths in it are read from "
        "its folder."),
    jobs: int | None = cli_batch.JOBS_OPTION,
    timeout: float | None = cli_batch.TIMEOUT_OPTION,
    force: bool = cli_batch.FORCE_OPTION,
    dask: str | None = cli_batch.DASK_OPTION,
    as_json: bool = cli_batch.JSON_OPTION,
    dry_run: bool = cli_batch.DRY_RUN_OPTION,
) -> None:
    """Render specs to a research note: one HTML file and one PDF each.

    SPEC: spec files, folders of them, or globs; without any, the project file's specs.
    Settings not given as flags come from the project file (briefgen.yaml, found from here
    upward); `briefgen config` shows what is in force.
    """
    from briefgen.cli.options import FLAGS, project_specs, resolve_cli_project
    from briefgen.pdf.printer import discard_early

    # When the process ends, the interpreter's last garbage collections walk every object that
    # matplotlib, pydantic and Jinja left behind: 0.13 s of a 1.5 s render. Freezing them first
    # (after every other atexit handler has run) skips that walk; buffers are flushed as usual.
    atexit.unregister(gc.freeze)  # once, however often the command runs in this process
    atexit.register(gc.freeze)
    try:
        project = resolve_cli_project(out=out, formats=formats, paper=paper,
                                      templates=templates, pdf_variant=pdf_variant, brand=brand)
        raise typer.Exit(report.render_specs(
            specs or project_specs(project), out_dir=project.out_dir, options=project.render,
            jobs=jobs, timeout=timeout, force=force, dask=dask, as_json=as_json,
            dry_run=dry_run, single_in_process=jobs is None and timeout is None and dask is None,
            debug=bool(ctx.meta.get(cli_batch.DEBUG_KEY)), quiet=FLAGS.quiet))
    finally:
        discard_early()  # unused (a cache hit, a bad spec, a pool run): end it now
