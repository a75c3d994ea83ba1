"""`briefgen diff OLD NEW` / `briefgen diff NEW`: what changed since the company's last note.

Imports only the spec and derive stages (no matplotlib, no WeasyPrint): a diff is quick.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from briefgen.errors import EXIT_BAD_INPUT, InputError


def register(app: typer.Typer) -> None:
    app.command("diff")(diff)


def diff(
    # Described in the text below: typer would list it with a type hint (<list[Path]>).
    specs: list[Path] = typer.Argument(..., metavar="[OLD] NEW", show_default=False,
                                       hidden=True),
    as_json: bool = typer.Option(False, "--json", help="Print the changes as JSON."),
) -> None:
    """Every change of substance between two quarters' notes on one company, old -> new.

    OLD NEW: two specs, the earlier quarter first; or NEW alone, compared with its previous note.
    With one spec, its previous note is the one `previous:` names, else the spec in its folder
    with the same primary listing and the latest earlier quarter. Exits 2 when there is none,
    or when it is ambiguous.
    """
    try:
        _diff(specs, as_json)
    except InputError as exc:  # said here, so the command behaves alike under any runner
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _diff(specs: list[Path], as_json: bool) -> None:
    from briefgen.derive import derive
    from briefgen.derive.changes import compare, since_previous
    from briefgen.spec.load import load_spec

    if len(specs) not in (1, 2):
        raise InputError("give one spec (NEW) or two (OLD NEW)")
    new = load_spec(specs[-1], display=str(specs[-1]))
    if len(specs) == 2:
        old = load_spec(specs[0], display=str(specs[0]), find_previous=False)
        if old.spec.company.listings[0] != new.spec.company.listings[0]:
            raise InputError(
                f"{specs[0]} and {specs[1]} are notes on different companies (primary listings "
                f"{_listing(old.spec)} and {_listing(new.spec)})")
        if old.spec.period.quarter_end >= new.spec.period.quarter_end:
            raise InputError(f"{specs[0]} covers the quarter ended {old.spec.period.quarter_end}"
                             f", not one before {new.spec.period.quarter_end}: give the earlier "
                             "quarter first")
        changes = compare(old.spec, derive(old.spec), new.spec, derive(new.spec), str(specs[0]))
    else:
        found = since_previous(new)
        if found is None:
            how = new.previous.how if new.previous else "no previous note"
            typer.echo(f"briefgen: {specs[0]}: no previous note to compare with: {how}",
                       err=True)
            raise typer.Exit(EXIT_BAD_INPUT)
        changes = found
    if as_json:
        typer.echo(json.dumps(changes.as_json(), indent=2, ensure_ascii=False))
        return
    _print_table(changes, str(specs[-1]))


def _listing(spec: object) -> str:
    from briefgen.spec.model import Spec

    assert isinstance(spec, Spec)
    first = spec.company.listings[0]
    return f"{first.exchange}: {first.ticker}"


def _print_table(changes: object, new_name: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from briefgen.derive.changes import Changes

    assert isinstance(changes, Changes)
    console = Console(width=None if Console().is_terminal else 160)
    title = (f"Changes from {changes.old_path} ({changes.old_period}, {changes.old_date}) "
             f"to {new_name} ({changes.new_period})")
    if not changes.items:
        console.print(title + ": none", markup=False, highlight=False)
        return
    console.print(title, markup=False, highlight=False, soft_wrap=True)
    table = Table(show_lines=False)
    for header, justify in (("Group", "left"), ("What", "left"), ("Before", "right"),
                            ("Now", "right"), ("Change", "right"), ("Rank", "right")):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    ranks = {id(c): i for i, c in enumerate(changes.ranked(), start=1)}
    group = None
    for change in changes.items:
        table.add_row(change.group if change.group != group else "", change.label,
                      change.old or "—", change.new or "—",
                      change.delta.text if change.delta else change.kind,
                      str(ranks[id(change)]))
        group = change.group
    console.print(table, markup=False, highlight=False)
