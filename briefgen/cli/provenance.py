"""`briefgen explain` (where a printed number came from) and `briefgen check` (every number in a
brief's PDF and HTML answered for by its provenance record)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from briefgen.errors import EXIT_BAD_INPUT, EXIT_FAILED_RUN, InputError

# Where to look for the spec a location names (relative to the spec's folder), in order.
SPEC_FOLDERS = (Path("specs"), Path("."))


def register(app: typer.Typer) -> None:
    app.command("explain")(explain)
    app.command("check")(check)


def _said(exc: InputError) -> typer.Exit:
    typer.echo(str(exc), err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def explain(
    target: Path = typer.Argument(
        ..., metavar="OUTPUT_OR_SPEC", show_default=False, hidden=True,
        help="A brief's folder or one of its files (output/x/), or a spec (rendered in memory).",
    ),
    number: str | None = typer.Argument(
        None, metavar="[NUMBER]", show_default=False, hidden=True,
        help="The number as printed, e.g. 'RMB 39.8bn', '+5.0%'."),
    as_json: bool = typer.Option(False, "--json", help="Print the records as JSON."),
    spec_dir: Path | None = typer.Option(
        None, "--spec-dir", metavar="DIR", help="The specs' folder, to quote the spec's line "
        "(default: the spec's own folder, else ./specs or the current folder)."),
) -> None:
    """Where a number the note prints came from: the spec's file:line:col, or the arithmetic.

    OUTPUT_OR_SPEC is a brief's folder or one of its files (output/x/), or a spec (rendered in
    memory); NUMBER is the number as printed, e.g. 'RMB 39.8bn' or '+5.0%'. Locations are relative
    to the spec's folder. Without NUMBER, every number of the note.
    """
    try:
        records, pdf = _records(target)
    except InputError as exc:
        raise _said(exc) from None
    if number is None:
        _print_all(records, as_json)
        return
    wanted = " ".join(number.replace("-", "−").split()) if number.startswith("-") else " ".join(
        number.split())
    folders = [*([spec_dir] if spec_dir else []),
               *([target.parent] if target.suffix in (".yaml", ".yml") else []), *SPEC_FOLDERS]
    found = [r for r in records if r["text"] in (wanted, number, f"+{wanted}")]
    if not found:
        printed = sorted({r["text"] for r in records if r.get("kind") not in ("mark",)})
        typer.echo(f"briefgen: {number!r} is not printed in this note; it prints "
                   f"{len(printed)} different numbers, e.g. {', '.join(printed[:8])}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if pdf is not None:
        _add_pages(found, pdf)
    if as_json:
        typer.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in found:
        key = json.dumps({k: v for k, v in record.items() if k not in ("id", "section", "page")},
                         sort_keys=True)
        groups.setdefault(key, []).append(record)
    for members in groups.values():
        first = members[0]
        places = ", ".join(f"{m['section']}" + (f" (page {m['page']})" if m.get("page") else "")
                           for m in members)
        typer.echo(f"{first['text']}: printed {len(members)} time"
                   f"{'s' if len(members) > 1 else ''}: {places}")
        for line in _origin_lines(first, "  ", folders):
            typer.echo(line)


def _records(target: Path) -> tuple[list[dict[str, Any]], Path | None]:
    """The provenance records of a rendered brief, or of a spec rendered now (HTML only)."""
    from briefgen.build.options import FILE_NAMES, PROVENANCE_FILE
    from briefgen.build.reconcile import brief_folder, load_records

    if target.is_file() and target.suffix in (".yaml", ".yml"):
        from briefgen.build.pipeline import RenderOptions, render_brief


        rendered = render_brief(target, RenderOptions(formats=("html",)))
        data = json.loads(rendered.files[PROVENANCE_FILE])
        return list(data["numbers"]), None
    if not target.exists():
        raise InputError(f"{target}: no such file or folder")
    folder = brief_folder(target)
    pdf = folder / FILE_NAMES["pdf"]
    return list(load_records(folder)["numbers"]), pdf if pdf.is_file() else None


def _add_pages(records: list[dict[str, Any]], pdf: Path) -> None:
    from briefgen.build.reconcile import check as reconcile

    pages = reconcile(pdf.parent).pages
    for record in records:
        record["page"] = pages.get(str(record["id"]), record.get("page"))


def _origin_lines(record: dict[str, Any], indent: str, folders: list[Path]) -> list[str]:
    kind = record.get("kind", "unexplained")
    lines = []
    if kind == "derived":
        lines.append(f"{indent}derived: {record.get('how')}")
        for item in record.get("inputs", []):
            lines.append(f"{indent}  {item['text']}: {_short(item)}")
            lines += _spec_lines(item, indent + "    ", folders)
        for place in record.get("spec", []):
            lines.append(f"{indent}  counted in {place['path']} at {place['at']}")
    elif kind in ("reported", "spec text", "spec date"):
        lines.append(f"{indent}{_short(record)}")
        lines += _spec_lines(record, indent + "  ", folders)
    else:
        lines.append(f"{indent}{kind}: {record.get('note') or 'no origin found'}")
    return lines


def _short(record: dict[str, Any]) -> str:
    kind = record.get("kind", "unexplained")
    places = record.get("spec", [])
    if kind == "derived":
        return f"derived: {record.get('how')}"
    if not places:
        return f"{kind}: {record.get('note') or 'no origin found'}"
    first = places[0]
    also = f" (also {', '.join(p['path'] for p in places[1:])})" if len(places) > 1 else ""
    return f"{kind}: {first['path']} at {first['at']}{also}"


def _spec_lines(record: dict[str, Any], indent: str, folders: list[Path]) -> list[str]:
    """The spec's line itself, so a reader sees the fact without opening the file."""
    places = record.get("spec", [])
    if not places or not places[0].get("at"):
        return []
    file, line, _ = str(places[0]["at"]).rsplit(":", 2)
    for folder in folders:
        try:
            text = (folder / file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        except (OSError, ValueError, IndexError):
            continue
        return [f"{indent}{line} | {text.strip()}"]
    return []


def _print_all(records: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    for record in records:
        typer.echo(f"{record['id']:>5}  {record['text']:<16} {str(record['section'])[:34]:<34} "
                   f"{_short(record)}")


def check(
    outputs: list[Path] = typer.Argument(
        ..., metavar="OUTPUT", show_default=False, hidden=True,
        help="Briefs' folders (output/x/) or files in them."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON report."),
) -> None:
    """Read every number in each brief's PDF and HTML and match it to its provenance record.

    OUTPUT is a brief's folder (output/x/) or a file in it; give one or more. Exits 0 when every
    number is explained, 1 when any is not, 2 for a folder that is no brief.
    """
    from briefgen.build.reconcile import check as reconcile

    try:
        reports = [reconcile(path) for path in outputs]
    except InputError as exc:
        raise _said(exc) from None
    if as_json:
        typer.echo(json.dumps([{
            "brief": str(r.folder), "ok": r.ok, "records": r.records,
            "numbers": {"html": r.html_numbers, "pdf": r.pdf_numbers},
            "unexplained": [{"where": f.where, "text": f.text, "context": f.context,
                             "problem": f.problem} for f in r.findings],
        } for r in reports], indent=2, ensure_ascii=False))
    else:
        for report in reports:
            for finding in report.findings:
                typer.echo(f"{report.folder}: {finding.where}: {finding.text!r} "
                           f"{finding.problem} (…{finding.context}…)")
            typer.echo(f"{report.folder}: {report.html_numbers} numbers in the HTML, "
                       f"{report.pdf_numbers} in the PDF, {report.records} records: "
                       + ("all explained" if report.ok
                          else f"{len(report.findings)} unexplained"))
    if not all(report.ok for report in reports):
        raise typer.Exit(EXIT_FAILED_RUN)
