"""`briefgen render`: specs in, `output/<slug>/brief.html` and `brief.pdf` out.

The command resolves its flags over the project file (`briefgen.cli.options`) into
`RenderOptions`. Several specs, a folder, a glob or any batch flag
(`--jobs`, `--timeout`, `--force`, `--dask`, `--json`, `--dry-run`) go through
`briefgen.build.batch.build` (or `plan`, for a dry run): a warm worker pool, the content-hash
cache and `output/manifest.json`. One spec file with no batch flag takes the quickest cold path
instead: rendered in this process while a forked child imports
WeasyPrint in parallel with the charts, then written by the one `OutputWriter`.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from briefgen.cli import batch as cli_batch
from briefgen.pdf.weasy import PDF_VARIANTS

if TYPE_CHECKING:
    from briefgen.build.pipeline import RenderOptions
    from briefgen.pdf.printer import ForkedPrinter


def register(app: typer.Typer) -> None:
    app.command("render")(render)


def render(
    specs: list[Path] | None = typer.Argument(
        None, metavar="[SPEC]...",
        help="Spec files, folders of them, or globs. Default: the project file's specs."),
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
        help="PDF flavour: " + ", ".join(PDF_VARIANTS) + ". [default: plain PDF]"),
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

    Settings not given as flags come from the project file (briefgen.yaml, found from here
    upward); `briefgen config` shows what is in force.
    """
    from briefgen.cli.options import FLAGS, project_specs, resolve_cli_project
    from briefgen.pdf.printer import ForkedPrinter, discard_early

    # When the process ends, the interpreter's last garbage collections walk every object that
    # matplotlib, pydantic and Jinja left behind: 0.13 s of a 1.5 s render. Freezing them first
    # (after every other atexit handler has run) skips that walk; buffers are flushed as usual.
    atexit.unregister(gc.freeze)  # once, however often the command runs in this process
    atexit.register(gc.freeze)

    try:
        project = resolve_cli_project(out=out, formats=formats, paper=paper,
                                      templates=templates, pdf_variant=pdf_variant, brand=brand)
        specs = specs or project_specs(project)
    except BaseException:
        discard_early()
        raise
    options, out = project.render, project.out_dir
    batch_flags = (jobs is not None or timeout is not None or force or dask or as_json
                   or dry_run)
    if batch_flags or len(specs) != 1 or not specs[0].is_file():
        discard_early()
        raise typer.Exit(cli_batch.render_specs(
            specs, out_dir=out, options=options, jobs=jobs, timeout=timeout, force=force,
            dask=dask, as_json=as_json, dry_run=dry_run, quiet=FLAGS.quiet))

    # Before anything heavy: the child imports WeasyPrint while this process draws the charts.
    if "pdf" not in options.formats:
        discard_early()  # e.g. `-fhtml`, or html only in the project file
    printer = ForkedPrinter.start() if "pdf" in options.formats else None
    try:
        for line in render_to_folder(specs, out, options, printer):
            if not FLAGS.quiet:
                typer.echo(line)
    finally:
        if printer:
            printer.close()


def render_to_folder(paths: list[Path], out: Path, options: RenderOptions,
                     printer: ForkedPrinter | None = None) -> Iterator[str]:
    """Render and write each spec; yield what was written, one line per file.

    The same content-hash cache as the batch runner: an unchanged brief is not rendered again,
    and a rendered one gets its cache record, so either path finds the other's work.
    The first failure stops the run (its `BriefgenError` reaches the CLI's edge: exit 2 for a bad
    spec, 1 for a failed render). Warnings go to stderr.
    """
    import dataclasses

    from briefgen.build.cache import CACHE_RECORD, CacheRecord, Inputs, check, environment_parts
    from briefgen.build.pipeline import render_loaded
    from briefgen.build.writer import OutputWriter
    from briefgen.spec.load import load_spec

    writer = OutputWriter(out)
    environment = environment_parts(options)
    for path in paths:
        loaded = load_spec(path)
        inputs = Inputs.of(environment, path.read_bytes(), loaded.path.parent, loaded.data_files)
        record, _ = check(writer.root / loaded.slug, inputs)
        if record is not None:
            for name in record.outputs:
                yield f"cached {writer.root / loaded.slug / name} (unchanged)"
            continue
        rendered = render_loaded(loaded, options, printer=printer.submit if printer else None)
        for warning in rendered.warnings:
            typer.echo(f"warning: {warning}", err=True)
        for written in writer.write_brief(rendered):
            yield f"wrote {written} ({_size(written.stat().st_size)})"
        record = CacheRecord(
            key=inputs.key, spec=str(path),
            outputs={name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                     for name, data in rendered.files.items()},
            timings=rendered.timings, warnings=rendered.warnings,
            inputs=dataclasses.asdict(inputs),
        )
        # Written last, as in the batch: an interrupted write leaves no record, so no false hit.
        writer.write(Path(loaded.slug) / CACHE_RECORD, record.to_bytes())


def _size(count: int) -> str:
    return f"{count / 1024:.0f} KB" if count >= 1024 else f"{count} B"
