"""pydantic's validation errors, in words a person can act on, at the place in the file they
concern: `segments[0].revenue: expected a number, got "abc" (remove the quotes ...)`.

One wording for every kind of file (spec, brand, delivery config, schedules, project): each
loader goes through `inputs.loader.load_model`, which calls `problem_from_error` here.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from briefgen.errors import Problem
from briefgen.inputs.located import LocatedDocument, Mark, PathKey, dotted, quoted
from briefgen.words import count


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


# "91–93", "91-93", "-2 to -4", "−2 to −4": a range written where one number goes.
RANGE_TEXT = re.compile(r"^\s*([-−]?\d+(?:\.\d+)?)\s*(?:[–—]|-|to)\s*([-−]?\d+(?:\.\d+)?)\s*%?\s*$")


def _number(text: str) -> str:
    return text.replace("−", "-")


def message_for(err: ErrorDetails, path: PathKey, model: type[BaseModel]) -> tuple[str, str | None]:
    kind = err["type"]
    value = err.get("input")
    got = describe(value)
    ctx = err.get("ctx") or {}
    if kind in {"float_parsing", "float_type", "int_parsing", "int_type"} or kind.startswith(
        "finite_number"
    ):
        whole = kind.startswith("int")
        if isinstance(value, str) and RANGE_TEXT.match(value) and path[-1:] == ("value",):
            ends = RANGE_TEXT.match(value).groups()  # type: ignore[union-attr]
            low, high = sorted((_number(end) for end in ends), key=float)
            return f"expected a number, got the range {got}", (
                f"write a range as `low: {low}` and `high: {high}` in place "
                "of `value`")
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
    if kind == "date_loose":
        return f"expected a date like 2025-06-30, got {got}", (
            "a source may also give a month (2025-09), 'about 2025-09-01' or 'n.d.'")
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
