"""From a YAML file to a validated `Spec`, with every problem located and worded for a person.

The shared loader (`inputs.loader`) reads and validates it like every other kind of file; this
module adds what is the spec's own: CSV histories read in beside it (their problems located in the
CSV) and the cross-field `checks`. Every problem is raised together as one `SpecError`.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from briefgen.errors import FileError, Problem, SpecError, debugging
from briefgen.inputs.loader import FileKind, load_model, problem_order
from briefgen.inputs.located import (
    LocatedDocument,
    Mark,
    PathKey,
    dotted,
    quoted,
    read_text,
)
from briefgen.spec import checks, glyphs, superseded
from briefgen.spec.model import Spec
from briefgen.spec.previous import PreviousNote
from briefgen.spec.previous import data_files as previous_files
from briefgen.spec.previous import find_previous as previous_note


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


SPEC = FileKind(Spec, SpecError, "a mapping of sections (brief, company, …)",
                empty_hint="`briefgen new NAME` writes a starter spec")


def load_spec(path: Path | str, *, strict: bool = False, display: str | None = None,
              find_previous: bool = True, fonts: frozenset[int] | None = None,
              text: str | None = None) -> LoadedSpec:
    """Load and validate one spec; raise `SpecError` with every problem in it.

    With `strict`, warnings (figures without a source, growth that disagrees with the history)
    count as errors. With `find_previous`, the company's previous note is found too. `fonts`:
    the code points the note's fonts draw (default: the bundled fonts); text outside them warns.
    `text`: the spec as it would read (a fix not yet written), validated as if it were at `path`.
    """
    path = Path(path)
    try:
        return _load_spec(path, strict=strict, display=display, find_previous=find_previous,
                          fonts=fonts, text=text)
    except SpecError:
        raise
    except Exception as exc:
        # A bug met by one spec is that spec's error: every command that reads many specs
        # (validate, render, --dry-run, send) goes on with the others and reports this one.
        if debugging():
            raise
        raise SpecError.single(
            display if display is not None else str(path),
            f"internal error while reading this spec: {exc!r}",
            hint="a bug in briefgen; run with --debug for the traceback",
        ) from exc


def _load_spec(path: Path, *, strict: bool, display: str | None,
               find_previous: bool, fonts: frozenset[int] | None,
               text: str | None = None) -> LoadedSpec:
    data_files: list[Path] = []

    def inline_csv(doc: LocatedDocument, data: dict[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        data_files.extend(_inline_csv_histories(doc, path.parent, problems))
        return problems

    def cross_checks(doc: LocatedDocument, spec: Spec | None) -> list[Problem]:
        problems = [*checks.citation_problems(doc), *checks.currency_problems(doc),
                    *superseded.problems(doc), *glyphs.undrawable_problems(doc, fonts)]
        if spec is not None:
            problems += checks.cross_field_problems(spec, doc)
        return problems

    done = load_model(path, SPEC, display=display, strict=strict, prepare=inline_csv,
                      check=cross_checks, text=text)
    spec, doc, warnings = done.model, done.doc, done.warnings
    previous = None
    if find_previous:
        previous = previous_note(path, doc, spec.previous)
        if previous.problem is not None:
            if previous.problem.severity == "error" or strict:
                raise SpecError(sorted({*warnings, replace(previous.problem, severity="error")},
                                       key=problem_order))
            warnings = sorted([*warnings, previous.problem], key=problem_order)
        if previous.path is not None:
            data_files = list(dict.fromkeys([*data_files, *previous_files(previous.path)]))
    slug = spec.brief.slug or slug_from_path(path)
    return LoadedSpec(path, doc.file, spec, slug, warnings, data_files, doc.value_marks, previous)


def slug_from_path(path: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return slug or "brief"


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
        located = functools.partial(Problem, mark.file, mark.line, mark.column, dotted(where))
        relative = Path(history["csv"])
        if not relative.parts:  # `csv: ""` would name the spec's own folder
            problems.append(located("must name a CSV file beside the spec", "e.g. cloud.csv"))
            continue
        # Inside the spec's folder by how it is written (no absolute path, no `..`), so a symlink
        # the desk put in that folder is followed like any file there, wherever it points.
        if relative.is_absolute() or ".." in relative.parts:
            problems.append(located("the CSV file must be inside the spec's folder",
                                    "give a path relative to the spec, without `..`"))
            continue
        csv_path = folder / relative
        display = str(Path(doc.file).parent / relative)
        try:
            exists, is_dir = csv_path.exists(), csv_path.is_dir()
        except (OSError, ValueError):  # a NUL byte or a name the OS refuses
            problems.append(located("is not a usable file name"))
            continue
        if not exists:
            problems.append(located(f"no such file: {display}",
                                    "the path is relative to the spec's folder"))
            continue
        if is_dir:
            problems.append(located(f"{display} is a folder, not a CSV file"))
            continue
        try:
            text = read_text(csv_path, display)
        except FileError as exc:  # too large, not UTF-8: located in the CSV itself
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
