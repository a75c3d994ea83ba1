"""`briefgen render`: specs in, `output/<slug>/brief.html` and `brief.pdf` out.

The command parses flags into `RenderOptions` and hands one spec or many to the same
`briefgen.build.batch.build` (or `plan`, for `--dry-run`): the content-hash cache, the one
writer and `output/manifest.json` alike. What differs for a single spec without `--jobs`,
`--timeout` or `--dask` is only where it renders: in this process (`single_in_process`), its PDF
made by the printer `briefgen.pdf.printer.start_early` forked before typer was imported, rather
than in a pool. Results go to stdout, progress and diagnostics to stderr (`briefgen.cli.batch`).
"""

from __future__ import annotations

import atexit
import gc
from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer

from briefgen.cli import batch as cli_batch

if TYPE_CHECKING:
    from briefgen.build.options import Paper, RenderOptions


def register(app: typer.Typer) -> None:
    app.command("render")(render)


def render(
    ctx: typer.Context,
    specs: list[Path] = typer.Argument(..., help="Spec files, folders of them, or globs."),
    out: Path = typer.Option(Path("output"), "--out", "-o", help="Output folder."),
    formats: str = typer.Option("html,pdf", "--format", "-f",
                                help="Outputs to write, comma-separated: html, pdf."),
    paper: str = typer.Option("a4", "--paper", help="Paper size of the PDF: a4 or letter."),
    templates: list[Path] = typer.Option(
        [], "--templates", "-t", help="Folder of templates searched before the built-in ones "
        "(repeatable). A template can extend the built-in note: "
        '{% extends "default:note.html" %}.'),
    pdf_variant: str | None = typer.Option(
        None, "--pdf-variant",
        help="pdf/ua-1 (tagged for screen readers; the default), pdf/a-3b, pdf/a-2b, tagged, "
             "none (untagged), …"),
    brand: Path | None = typer.Option(
        None, "--brand", "-b", help="Brand file (brand.yaml): firm name, logo, colours, fonts, "
        "legal text, and a templates folder; relative paths in it are read from its folder."),
    jobs: int | None = cli_batch.JOBS_OPTION,
    timeout: float | None = cli_batch.TIMEOUT_OPTION,
    force: bool = cli_batch.FORCE_OPTION,
    dask: str | None = cli_batch.DASK_OPTION,
    as_json: bool = cli_batch.JSON_OPTION,
    dry_run: bool = cli_batch.DRY_RUN_OPTION,
) -> None:
    """Render specs to a research note: one HTML file and one PDF each."""
    from briefgen.pdf.printer import discard_early

    # When the process ends, the interpreter's last garbage collections walk every object that
    # matplotlib, pydantic and Jinja left behind: 0.13 s of a 1.5 s render. Freezing them first
    # (after every other atexit handler has run) skips that walk; buffers are flushed as usual.
    atexit.unregister(gc.freeze)  # once, however often the command runs in this process
    atexit.register(gc.freeze)
    try:
        options = render_options(formats, paper, templates, pdf_variant, brand)
        raise typer.Exit(cli_batch.render_specs(
            specs, out_dir=out, options=options, jobs=jobs, timeout=timeout, force=force,
            dask=dask, as_json=as_json, dry_run=dry_run,
            single_in_process=jobs is None and timeout is None and dask is None,
            debug=bool(ctx.meta.get(cli_batch.DEBUG_KEY))))
    finally:
        discard_early()  # unused (a cache hit, a bad spec, a pool run): end it now


def render_options(formats: str, paper: str, templates: list[Path],
                   pdf_variant: str | None, brand: Path | None = None) -> RenderOptions:
    """Flags to `RenderOptions`; a bad flag or brand file is an `InputError` (exit 2).

    The brand file's templates folder comes after `--templates` folders, before the built-ins."""
    from briefgen.build.options import RenderOptions

    loaded = None
    if brand is not None:
        from briefgen.brand.load import load_brand

        loaded = load_brand(brand)
        for warning in loaded.warnings:  # low contrast: said, not fatal (validate --strict is)
            typer.echo(str(warning), err=True)
    return RenderOptions(
        formats=tuple(f for f in formats.split(",") if f.strip()),
        paper=cast("Paper", paper.strip().lower()),  # RenderOptions checks it
        template_dirs=(*templates, *(loaded.template_dirs if loaded else ())),
        brand=loaded.brand if loaded else None,
        pdf_variant=pdf_variant,
    )
