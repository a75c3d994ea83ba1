"""From a YAML file to a validated `Spec`, with every problem located and worded for a person.

pydantic finds type and shape problems; `checks` finds problems between fields. All of them are
collected and raised together as one `SpecError`, sorted by position in the file.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from briefgen.errors import Problem, SpecError
from briefgen.inputs.located import (
    LocatedDocument,
    Mark,
    PathKey,
    dotted,
    load_located,
    quoted,
    read_text,
)
from briefgen.spec import checks
from briefgen.spec.model import Spec
from briefgen.spec.previous import PreviousNote
from briefgen.spec.previous import data_files as previous_files
from briefgen.spec.previous import find_previous as previous_note
from briefgen.words import count


@dataclass
class LoadedSpec:
    """A valid spec with what later stages need to know about where it came from."""

    path: Path
    display: str
    spec: Spec
    slug: str
    warnings: list[Problem] = field(default_factory=list)
    data_files: list[Path] = field(default_factory=list)
    # Where every node of the spec stood (file:line:col), for provenance.
    marks: dict[PathKey, Mark] = field(default_factory=dict)
    previous: PreviousNote | None = None  # the company's previous note, or why there is none

    @property
    def base_dir(self) -> Path:
        return self.path.parent.resolve()


def load_spec(path: Path | str, *, strict: bool = False, display: str | None = None,
              find_previous: bool = True) -> LoadedSpec:
    """Load and validate one spec; raise `SpecError` with every problem in it.

    With `strict`, warnings (figures without a source, growth that disagrees with the history)
    count as errors.
    """
    path = Path(path)
    display = display if display is not None else str(path)
    doc = load_located(path, display, keep_going=True,
                       empty_hint="`briefgen new NAME` writes a starter spec")
    return validate_document(doc, path, strict=strict, find_previous=find_previous)


def validate_document(doc: LocatedDocument, path: Path, *, strict: bool = False,
                      find_previous: bool = True) -> LoadedSpec:
    display = doc.file
    if not isinstance(doc.data, dict):
        mark = doc.value_marks.get(())
        raise SpecError([Problem(
            display, mark.line if mark else None, mark.column if mark else None, "",
            f"expected a mapping of sections (brief, company, …), got {describe(doc.data)}",
        ), *doc.problems])
    problems: list[Problem] = list(doc.problems)
    unreadable = {dotted(path) for path in doc.unreadable}  # already reported by the loader
    data_files = _inline_csv_histories(doc, path.parent, problems)
    spec: Spec | None = None
    try:
        spec = Spec.model_validate(doc.data)
    except ValidationError as exc:
        for err in exc.errors():
            problem = problem_from_error(doc, err, Spec)
            if problem.where not in unreadable:
                problems.append(problem)
    problems.extend(checks.citation_problems(doc))
    problems.extend(checks.currency_problems(doc))
    if spec is not None:
        problems.extend(checks.cross_field_problems(spec, doc))
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if strict:
        # "Warnings are errors" is what --strict promises, and how they are then printed.
        errors += [replace(p, severity="error") for p in warnings]
        warnings = []
    previous = None
    if spec is not None and not errors and find_previous:
        previous = previous_note(path, doc, spec.previous)
        if previous.problem is not None:
            (errors if previous.problem.severity == "error" else warnings).append(
                previous.problem)
        if previous.path is not None:
            data_files = list(dict.fromkeys([*data_files, *previous_files(previous.path)]))
    if errors:
        raise SpecError(sorted(set(errors + warnings), key=_order))
    assert spec is not None
    slug = spec.brief.slug or slug_from_path(path)
    return LoadedSpec(path, display, spec, slug, sorted(warnings, key=_order), data_files,
                      doc.value_marks, previous)


def slug_from_path(path: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return slug or "brief"


def _order(problem: Problem) -> tuple[str, int, int, str, str]:
    # `where` before `message`: several "missing required key" share a place and a message.
    return (problem.file, problem.line or 0, problem.column or 0, problem.where, problem.message)


# --- pydantic errors, in words ---------------------------------------------------------------


def describe(value: Any) -> str:
    """How a bad value is named in a message: `"abc"`, `true`, `a list`."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quoted(value, limit=40)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)


def _model_at(model: type[BaseModel], path: PathKey) -> type[BaseModel] | None:
    """The pydantic model that owns the mapping at `path` (for did-you-mean on keys)."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return None
        current = _inner_model(fields[part].annotation)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _field_hint(err: ErrorDetails, path: PathKey) -> tuple[str, str | None] | None:
    """Messages for pattern errors, which depend on what the field is."""
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    value = err.get("input")
    if name in {"currency", "reporting_currency"}:
        hint = "the ISO 4217 code for renminbi is CNY" if value in {"RMB", "rmb"} else None
        return f"expected an ISO 4217 currency code like CNY or USD, got {describe(value)}", hint
    if name in {"source", "id"}:
        return (
            f"expected an id of lower-case letters, digits, - and _, got {describe(value)}",
            None,
        )
    if name == "url":
        return f"expected an http or https address, got {describe(value)}", None
    if name == "slug":
        return f"expected lower-case letters, digits and -, got {describe(value)}", None
    return None


def message_for(err: ErrorDetails, path: PathKey, model: type[BaseModel]) -> tuple[str, str | None]:
    kind = err["type"]
    value = err.get("input")
    got = describe(value)
    ctx = err.get("ctx") or {}
    if kind in {"float_parsing", "float_type", "int_parsing", "int_type"} or kind.startswith(
        "finite_number"
    ):
        whole = kind.startswith("int")
        return f"expected {'a whole number' if whole else 'a number'}, got {got}", (
            "remove the quotes and any units or commas" if isinstance(value, str) else None
        )
    if kind == "int_from_float":
        return f"expected a whole number, got {got}", None
    if kind in {"bool_parsing", "bool_type"}:
        return f"expected true or false, got {got}", None
    if kind == "string_type":
        hint = f'quote it: "{value}"' if isinstance(value, bool | int | float) else None
        if isinstance(value, bool):
            hint = 'YAML reads yes/no/on/off as true/false; quote the text, e.g. "NO"'
        return f"expected text, got {got}", hint
    if kind.startswith("date_"):
        detail = str(ctx.get("error", ""))
        # pydantic's "month value is outside expected range of 1-12" is worth passing on;
        # "input is too short" is not.
        return f"expected a date like 2025-06-30, got {got}", (
            detail.replace(" value is outside expected range", " is out of range")
            if "range" in detail else None
        )
    if kind == "enum" or kind == "literal_error":
        expected = ctx.get("expected", "")
        options = re.findall(r"'([^']*)'", str(expected))
        match = difflib.get_close_matches(str(value), options, n=1, cutoff=0.5) or [
            o for o in options if str(value).lower() == o.lower()
        ]
        return (
            f"expected one of {', '.join(options)}; got {got}",
            f'did you mean "{match[0]}"?' if match else None,
        )
    if kind == "string_pattern_mismatch":
        special = _field_hint(err, path)
        if special:
            return special
        return f"does not match the pattern {ctx.get('pattern')}, got {got}", None
    if kind == "string_too_short":
        return "must not be empty", None
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)", None
    if kind == "too_short":
        return f"needs at least {count(int(ctx.get('min_length') or 0), 'item')}", None
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        words = {
            "greater_than": "greater than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        bound = next(iter(ctx.values()), "")
        if isinstance(bound, float):
            bound = f"{bound:g}"  # pydantic says 0.0 for `gt=0`
        return f"must be {words} {bound}, got {got}", None
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"expected a mapping of keys, got {got}", None
    if kind == "list_type":
        return f"expected a list, got {got}", "start each item with '- '"
    if kind == "missing":
        return "missing required key", None
    if kind == "extra_forbidden":
        owner = _model_at(model, path[:-1])
        options = list(owner.model_fields) if owner else []
        match = difflib.get_close_matches(str(path[-1]), options, n=1, cutoff=0.6)
        hint = f'did you mean "{match[0]}"?' if match else None
        if not hint and options:
            hint = "allowed: " + ", ".join(options)
        return "unknown key", hint
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])), None
    return err["msg"][:1].lower() + err["msg"][1:], None


def problem_from_error(doc: LocatedDocument, err: ErrorDetails, model: type[BaseModel]) -> Problem:
    path: PathKey = tuple(err["loc"])
    message, hint = message_for(err, path, model)
    # A validator of any config model (schedules, delivery, brand) may attach its own hint by
    # raising PydanticCustomError(..., {"hint": ...}); it reaches the user like ours do.
    hint = hint or (err.get("ctx") or {}).get("hint")
    mark: Mark | None
    if err["type"] == "extra_forbidden":
        mark = doc.key_marks.get(path) or doc.mark_for(path)
    elif err["type"] == "missing":
        # Point at the mapping that lacks the key: its own key line reads best (`brief:`).
        mark = doc.key_marks.get(path[:-1]) or doc.mark_for(path[:-1])
    else:
        mark = doc.value_marks.get(path) or doc.mark_for(path)
    if mark and mark.file != doc.file and hint and "quotes" in hint:
        hint = "remove any units or thousands separators"  # a CSV cell has no YAML quotes
    return Problem(
        mark.file if mark else doc.file,
        mark.line if mark else None,
        mark.column if mark else None,
        dotted(path),
        message,
        hint,
    )


# --- CSV histories -------------------------------------------------------------------------------


def _inline_csv_histories(
    doc: LocatedDocument, folder: Path, problems: list[Problem]
) -> list[Path]:
    """Read each `history.csv` into `history.quarters`, keeping CSV line numbers for errors."""
    used: list[Path] = []
    segments = doc.data.get("segments")
    if not isinstance(segments, list):
        return used
    for index, segment in enumerate(segments):
        history = segment.get("history") if isinstance(segment, dict) else None
        if not isinstance(history, dict) or not isinstance(history.get("csv"), str):
            continue
        where: PathKey = ("segments", index, "history", "csv")
        mark = doc.value_marks[where]
        if history.get("quarters"):
            problems.append(Problem(mark.file, mark.line, mark.column, dotted(where),
                                    "give either csv or quarters, not both"))
            continue
        try:
            csv_path = (folder / history["csv"]).resolve()
        except (OSError, ValueError):  # a NUL byte or a name the OS refuses
            problems.append(Problem(mark.file, mark.line, mark.column, dotted(where),
                                    "is not a usable file name"))
            continue
        if not csv_path.is_relative_to(folder.resolve()):
            problems.append(Problem(mark.file, mark.line, mark.column, dotted(where),
                                    "the CSV file must be inside the spec's folder",
                                    "give a path relative to the spec, without `..`"))
            continue
        display = str(Path(doc.file).parent / history["csv"])
        try:
            text = read_text(csv_path, display)
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        used.append(csv_path)
        rows_path = (*where[:-1], "quarters")
        history["quarters"] = _rows_from_csv(text, display, doc, rows_path, problems)
    return used


CSV_COLUMNS = ("quarter_end", "revenue", "growth_yoy", "source")
CSV_REQUIRED = ("quarter_end", "revenue")


def _cell_starts(line: str) -> list[int]:
    """1-based character column of each cell; exact for the unquoted CSV that desks export."""
    starts, offset = [], 1
    for cell in line.split(","):
        starts.append(offset)
        offset += len(cell) + 1
    return starts


def _rows_from_csv(
    text: str, display: str, doc: LocatedDocument, base: PathKey, problems: list[Problem]
) -> list[dict[str, Any]]:
    """The CSV's rows as `quarters` entries, each value's position recorded for later errors.

    Problems with the file itself (empty, bad header, unreadable) leave the history empty, so
    they are not repeated once per row.
    """
    raw_lines = text.splitlines()
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error as exc:
        problems.append(Problem(display, 1, None, "", f"cannot be read as CSV: {exc}"))
        return []
    if not header:
        problems.append(Problem(display, None, None, "", "the CSV file is empty",
                                "the first line names the columns: " + ",".join(CSV_COLUMNS)))
        return []
    reader.fieldnames = header
    bad_header = False
    for name, column in zip(header, _cell_starts(raw_lines[0]), strict=False):
        if name not in CSV_COLUMNS:
            bad_header = True
            match = difflib.get_close_matches(name, CSV_COLUMNS, n=1)
            problems.append(Problem(display, 1, column, "", f"unknown column {quoted(name)}",
                                    f'did you mean "{match[0]}"?' if match
                                    else "columns: " + ", ".join(CSV_COLUMNS)))
    for name in CSV_REQUIRED:
        if name not in header:
            bad_header = True
            problems.append(Problem(display, 1, 1, "", f'missing column "{name}"'))
    if bad_header:
        return []
    rows: list[dict[str, Any]] = []
    try:
        for number, row in enumerate(reader):
            line = reader.line_num
            starts = _cell_starts(raw_lines[line - 1]) if line <= len(raw_lines) else []
            if row.get(None):  # DictReader files extra cells under the key None
                column = starts[len(header)] if len(starts) > len(header) else 1
                problems.append(Problem(display, line, column, "",
                                        f"row has more cells than the {len(header)} columns"))
            clean = {k: (v.strip() or None) for k, v in row.items()
                     if k in CSV_COLUMNS and isinstance(v, str)}
            for index, name in enumerate(header):
                if name in clean:
                    column = starts[index] if index < len(starts) else 1
                    doc.value_marks[(*base, number, name)] = Mark(display, line, column)
            doc.value_marks[(*base, number)] = Mark(display, line, 1)
            rows.append(clean)
    except csv.Error as exc:
        problems.append(Problem(display, reader.line_num, None, "",
                                f"cannot be read as CSV: {exc}"))
        return []
    return rows
