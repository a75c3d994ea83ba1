"""`briefgen validate`, `briefgen schema`, `briefgen new`: commands about specs themselves."""

from __future__ import annotations

from pathlib import Path

import typer

from briefgen.errors import EXIT_BAD_INPUT


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)


def validate(
    specs: list[Path] = typer.Argument(..., help="Spec files, folders or globs."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
) -> None:
    """Check specs and report every problem in each, with file:line:column."""
    from briefgen.errors import SpecError
    from briefgen.validate import load_spec

    bad = 0
    for path in specs:
        try:
            loaded = load_spec(path, strict=strict)
        except SpecError as exc:
            bad += 1
            typer.echo(str(exc), err=True)
            continue
        for warning in loaded.warnings:
            typer.echo(str(warning), err=True)
    typer.echo(f"{len(specs) - bad} of {len(specs)} specs valid")
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)
