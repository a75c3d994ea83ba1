"""One loader for every kind of YAML file briefgen reads: spec, brand, delivery config, schedules.

Each kind is a `FileKind`: its pydantic model, its error class and how its top level is described.
`load_model` does what every kind needs, the same way for all: read the file with the position of
every node, check it is a mapping, let the kind prepare the data (read a CSV or a logo it names),
validate it, word pydantic's errors (`inputs.worded`), run the kind's cross-field checks, and raise
every problem at once, sorted by place, as the kind's error. Warnings come back with the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from briefgen.errors import FileError, Problem
from briefgen.inputs.located import LocatedDocument, dotted, load_located, parse_located
from briefgen.inputs.worded import describe, problem_from_error

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class FileKind(Generic[Model]):
    """What differs between kinds of file; everything else `load_model` does alike."""

    model: type[Model]
    error: type[FileError]
    top_level: str  # `expected {top_level}, got …` when the file is not a mapping
    empty_hint: str | None = None  # how to start an empty file


# What a kind may add to the shared steps, each optional:
# prepare(doc, data) -> problems: read what the file names (CSV, logo) into `data`, in place;
Prepare = Callable[[LocatedDocument, dict[str, Any]], list[Problem]]
# reword(problem, error) -> problem: a message that only makes sense for this kind;
Reword = Callable[[Problem, ErrorDetails], Problem]
# check(doc, model or None) -> problems: between fields (runs even when the model is invalid).
Check = Callable[[LocatedDocument, Any], list[Problem]]


@dataclass
class Validated(Generic[Model]):
    model: Model
    doc: LocatedDocument
    warnings: list[Problem] = field(default_factory=list)


def problem_order(problem: Problem) -> tuple[str, int, int, str, str]:
    """Problems are listed by file and place; `where` before `message`, since several "missing
    required key" share a place and a message."""
    return (problem.file, problem.line or 0, problem.column or 0, problem.where, problem.message)


def _within(place: str, where: str) -> bool:
    """Whether `place` is `where` or inside it (`logo.file` is inside `logo`)."""
    return place == where or place.startswith((f"{where}.", f"{where}["))


def load_model(
    path: Path,
    kind: FileKind[Model],
    *,
    display: str | None = None,
    strict: bool = False,
    prepare: Prepare | None = None,
    reword: Reword | None = None,
    check: Check | None = None,
    text: str | None = None,
) -> Validated[Model]:
    """Load, validate and check one file of `kind`; raise `kind.error` with every problem in it.

    With `strict`, warnings count as errors (what `--strict` promises, and how they are printed).
    `text`: the file's contents as they would be (a fix not yet written), read instead of `path`.
    """
    try:
        return _load(path, kind, display, strict, prepare, reword, check, text)
    except FileError as exc:
        if isinstance(exc, kind.error):
            raise
        # The located layer, or a file this one names (a CSV), does not know whose it is.
        raise kind.error(exc.problems) from None


def _load(path: Path, kind: FileKind[Model], display: str | None, strict: bool,
          prepare: Prepare | None, reword: Reword | None, check: Check | None,
          text: str | None = None) -> Validated[Model]:
    shown = display if display is not None else str(path)
    if text is None:
        doc = load_located(path, shown, keep_going=True, empty_hint=kind.empty_hint)
    else:
        doc = parse_located(text.removeprefix("\ufeff"), shown, keep_going=True,
                            empty_hint=kind.empty_hint)
    if not isinstance(doc.data, dict):
        mark = doc.value_marks.get(())
        raise kind.error([Problem(doc.file, mark.line if mark else None,
                                  mark.column if mark else None, "",
                                  f"expected {kind.top_level}, got {describe(doc.data)}"),
                          *doc.problems])
    data = dict(doc.data)
    problems = list(doc.problems)
    if prepare is not None:
        problems += prepare(doc, data)
    # One problem per place: a value the loader or `prepare` already reported (an unreadable
    # value, a logo that is not there), or what holds it, is not reported again by pydantic.
    reported = {p.where for p in problems} | {dotted(path) for path in doc.unreadable}
    model: Model | None = None
    try:
        model = kind.model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            problem = problem_from_error(doc, err, kind.model)
            if not any(_within(place, problem.where) for place in reported):
                problems.append(reword(problem, err) if reword else problem)
    if check is not None:
        problems += check(doc, model)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if strict:
        errors += [replace(p, severity="error") for p in warnings]
        warnings = []
    if errors or model is None:
        raise kind.error(sorted(set(errors + warnings), key=problem_order))
    return Validated(model, doc, sorted(warnings, key=problem_order))
