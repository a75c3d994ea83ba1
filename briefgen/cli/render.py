"""`briefgen render`: specs in, `output/<slug>/brief.html` and `brief.pdf` out.

The command parses flags into `RenderOptions`. Several specs, a folder, a glob or any batch flag
(`--jobs`, `--timeout`, `--force`, `--dask`, `--json`, `--dry-run`) go through
`briefgen.build.batch.build` (or `plan`, for a dry run): a warm worker pool, the content-hash cache
and `output/manifest.json`. One spec file with no batch flag
takes the quickest cold path instead: rendered in this process while a forked child imports
WeasyPrint in parallel with the charts, then written by the one `OutputWriter`.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import typer

from briefgen.cli import batch as cli_batch

Paper = Literal["a4", "letter"]

if TYPE_CHECKING:
    from briefgen.build.pipeline import RenderOptions
    from briefgen.pdf.printer import ForkedPrinter


def register(app: typer.Typer) -> None:
    app.command("render")(render)


def render(
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
    from briefgen.pdf.printer import ForkedPrinter, discard_early

    # When the process ends, the interpreter's last garbage collections walk every object that
    # matplotlib, pydantic and Jinja left behind: 0.13 s of a 1.5 s render. Freezing them first
    # (after every other atexit handler has run) skips that walk; buffers are flushed as usual.
    atexit.unregister(gc.freeze)  # once, however often the command runs in this process
    atexit.register(gc.freeze)

    batch_flags = (jobs is not None or timeout is not None or force or dask or as_json
                   or dry_run)
    if batch_flags or len(specs) != 1 or not specs[0].is_file():
        discard_early()
        options = render_options(formats, paper, templates, pdf_variant, brand)
        raise typer.Exit(cli_batch.render_specs(
            specs, out_dir=out, options=options, jobs=jobs, timeout=timeout, force=force,
            dask=dask, as_json=as_json, dry_run=dry_run))

    # Before anything heavy: the child imports WeasyPrint while this process draws the charts.
    if "pdf" not in formats.lower():
        discard_early()  # e.g. `-fhtml`, which `start_early` did not recognise
    printer = ForkedPrinter.start() if "pdf" in formats.lower() else None
    try:
        options = render_options(formats, paper, templates, pdf_variant, brand)
        for line in render_to_folder(specs, out, options, printer):
            typer.echo(line)
    finally:
        if printer:
            printer.close()


def render_options(formats: str, paper: str, templates: list[Path],
                   pdf_variant: str | None, brand: Path | None = None) -> RenderOptions:
    """Flags to `RenderOptions`; a bad flag or brand file is an `InputError` (exit 2).

    The brand file's templates folder comes after `--templates` folders, before the built-ins."""
    from briefgen.build.pipeline import RenderOptions

    loaded = None
    if brand is not None:
        from briefgen.brand.load import load_brand

        loaded = load_brand(brand)
        for warning in loaded.warnings:  # low contrast: said, not fatal (validate --strict is)
            typer.echo(str(warning), err=True)
    return RenderOptions(
        formats=tuple(f for f in formats.split(",") if f.strip()),
        paper=cast(Paper, paper.strip().lower()),  # RenderOptions checks it
        template_dirs=(*templates, *(loaded.template_dirs if loaded else ())),
        brand=loaded.brand if loaded else None,
        pdf_variant=pdf_variant,
    )


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
