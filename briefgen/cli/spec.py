"""`briefgen validate`, `briefgen schema`, `briefgen new`: commands about specs themselves.

Nothing heavy is imported here or by the library modules these commands use (pydantic and
PyYAML only), so validating a folder of specs costs one short-lived process.
Each command reports a user's mistake itself (message, exit 2), so it behaves the same when
called through `briefgen.cli.main` and through typer's test runner.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import asdict
from pathlib import Path

import typer

from briefgen.errors import EXIT_BAD_INPUT, Problem, escape_text
from briefgen.spec.find import specs_named, unique


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("schema")(schema)
    app.command("new")(new)


# --- finding the specs -------------------------------------------------------------------------


def expand_arguments(arguments: list[str]) -> list[Path | Problem]:
    """Files to validate in the order given, with a problem in place of an argument naming none.

    A folder means its specs, recursively; a pattern (`specs/*.yaml`, `**` included) is expanded
    here too, for shells that do not and for quoted patterns. A file is passed on even when it
    does not exist, so that the loader reports it like any other problem with that file.
    """
    found: list[Path | Problem] = []
    for argument in arguments:
        path = Path(argument)
        matches = specs_named(argument)
        if matches:
            found.extend(matches)
        elif path.is_dir():
            found.append(Problem(argument, None, None, "", "folder holds no .yaml or .yml files"))
        elif glob.has_magic(argument) and not path.exists():
            found.append(Problem(argument, None, None, "", "no file matches this pattern"))
        else:
            found.append(path)  # a missing file: the loader says so, located like any problem
    # A spec named twice (a folder and a file in it) is checked once.
    problems = [item for item in found if isinstance(item, Problem)]
    return [*unique(item for item in found if isinstance(item, Path)), *problems]


# --- validate ------------------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def validate(
    specs: list[str] | None = typer.Argument(None, metavar="SPEC", show_default=False, hidden=True),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    as_json: bool = typer.Option(
        False, "--json", help="Print one JSON report instead of lines (for scripts and CI)."
    ),
    brand: Path | None = typer.Option(
        None, "--brand", "-b", metavar="FILE", help="Also check this brand file, its colours' "
        "contrast included (WCAG AA: 4.5:1 for text)."),
    fix: bool = typer.Option(
        False, "--fix", help="Rewrite superseded forms (the warnings whose hint says so) to the "
        "current form in place, keeping comments and layout; then check the result."),
    dry_run: bool = typer.Option(
        False, "--dry-run", "--diff", help="Print what --fix would change as a unified diff, "
        "and check the fixed text; write nothing."),
) -> None:
    """Check specs and report every problem in each, as FILE:LINE:COLUMN: message.

    SPEC: spec files, folders (their *.yaml, recursively) or globs; without any, the project
    file's specs.

    Exits 0 when every spec is valid (after --fix, when given) and 2 when any is not.
    """
    from briefgen.errors import FileError, SpecError
    from briefgen.spec.load import load_spec

    if not specs:
        from briefgen.cli.options import project_specs, resolve_cli_project

        specs = [str(path) for path in project_specs(resolve_cli_project())]
    results: list[tuple[str, bool, list[Problem]]] = []
    fonts: frozenset[int] | None = None  # what the note's fonts draw: bundled, plus the brand's
    if brand is not None:
        from briefgen.brand.faces import drawn_by
        from briefgen.brand.load import load_brand

        try:
            loaded_brand = load_brand(brand, str(brand), strict=strict)
        except FileError as exc:
            results.append((str(brand), False, exc.problems))
        else:
            results.append((str(brand), True, list(loaded_brand.warnings)))
            fonts = drawn_by(loaded_brand.brand)
    fixes: dict[str, list[str]] = {}  # spec -> superseded forms rewritten (or to rewrite)
    diffs: dict[str, str] = {}
    for path in expand_arguments(specs):
        if isinstance(path, Problem):
            results.append((path.file, False, [path]))
            continue
        text = None
        if fix or dry_run:
            from briefgen.cli.fixing import fix_spec

            outcome = fix_spec(path, write=not dry_run)
            if outcome.problem is not None:
                results.append((str(path), False, [outcome.problem]))
                continue
            if outcome.forms:
                fixes[str(path)] = outcome.forms
                diffs[str(path)] = outcome.diff
                text = outcome.text if dry_run else None  # written: read back from the disk
        try:
            loaded = load_spec(path, strict=strict, display=str(path), fonts=fonts, text=text)
        except SpecError as exc:
            results.append((str(path), False, exc.problems))
        else:
            results.append((str(path), True, loaded.warnings))

    problems = [problem for _, _, found in results for problem in found]
    errors = sum(problem.severity == "error" for problem in problems)
    warnings = len(problems) - errors
    valid = sum(ok for _, ok, _ in results)
    if as_json:
        report = {
            "valid": valid == len(results),
            "summary": {"specs": len(results), "valid": valid, "errors": errors,
                        "warnings": warnings, **({"fixed": len(fixes)} if fix or dry_run else {})},
            "specs": [
                {"file": escape_text(file), "valid": ok,
                 "problems": [asdict(p) for p in found],
                 **({"fixed": fixes.get(file, []), "written": not dry_run}
                    if fix or dry_run else {}),
                 **({"diff": diffs[file]} if dry_run and file in diffs else {})}
                for file, ok, found in results
            ],
        }
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for file, forms in fixes.items():
            if dry_run:
                typer.echo(diffs[file], nl=False)
            verb = "would fix" if dry_run else "fixed"
            typer.echo(f"{escape_text(file)}: {verb} {', '.join(forms)}")
        for problem in problems:
            typer.echo(str(problem))
        summary = f"{valid} of {_plural(len(results), 'spec')} valid"
        if errors:
            summary += f", {_plural(errors, 'error')}"
        if warnings:
            summary += f", {_plural(warnings, 'warning')}"
        if fix or dry_run:
            summary += f", {len(fixes)} {'to fix' if dry_run else 'fixed'}"
        typer.echo(summary)
    if valid < len(results):
        raise typer.Exit(EXIT_BAD_INPUT)


# --- schema --------------------------------------------------------------------------------------


def _fail(message: str) -> typer.Exit:
    typer.echo(f"briefgen: {message}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def schema(
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="DIR", help="Write spec.schema.json into this folder (beside "
        "the specs, for editors) instead of printing it."
    ),
) -> None:
    """Print the JSON Schema of a spec: every field, described (the spec reference, offline;
    editors complete and check specs from it)."""
    from briefgen.spec.schema import SCHEMA_FILE, schema_text

    text = schema_text()
    if out is None:
        typer.echo(text, nl=False)
        return
    # -o is a folder in every command; a name ending in .json was the old way (a file).
    target = out if out.suffix == ".json" and not out.is_dir() else out / SCHEMA_FILE
    if not target.parent.is_dir():
        raise _fail(f"{target.parent} does not exist")
    target.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {target}")


# --- new -----------------------------------------------------------------------------------------


def _schema_line(folder: Path) -> str:
    """The editor comment, pointing at docs/spec.schema.json when a folder above has one."""
    from briefgen.spec.schema import SCHEMA_FILE

    for parent in [folder.resolve(), *folder.resolve().parents]:
        candidate = parent / "docs" / SCHEMA_FILE
        if candidate.is_file():
            relative = Path(os.path.relpath(candidate, folder.resolve())).as_posix()
            return f"# yaml-language-server: $schema={relative}"
    return (f"# Editor completion: run `briefgen schema --out .` in this folder and\n"
            f"# start this file with `# yaml-language-server: $schema={SCHEMA_FILE}`.")


def starter_text(file_name: str, folder: Path) -> str:
    from importlib.resources import files

    template = files("briefgen").joinpath("data/starter.yaml").read_text(encoding="utf-8")
    return template.replace("__SCHEMA_LINE__", _schema_line(folder)).replace(
        "__FILE_NAME__", file_name
    )


def new(
    name: str = typer.Argument(..., metavar="NAME", show_default=False, hidden=True),
    out: Path = typer.Option(Path("."), "--out", "-o", metavar="DIR",
                             help="Folder to write it in."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write NAME.yaml (e.g. acme-2025q3), a commented starter spec that validates, to fill
    in."""
    stem = name.removesuffix(".yaml").removesuffix(".yml")
    if not stem or Path(stem).name != stem or stem.startswith("."):
        raise _fail(f'"{name}" is not a file name; give a name such as acme-2025q3')
    if out.exists() and not out.is_dir():
        raise _fail(f"{out} is a file, not a folder")
    target = out / f"{stem}.yaml"
    if target.exists() and not force:
        raise _fail(f"{target} already exists; use --force to overwrite it")
    try:
        out.mkdir(parents=True, exist_ok=True)
        target.write_text(starter_text(str(target), out), encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {target}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {target}; check it with: briefgen validate --strict {target}")
