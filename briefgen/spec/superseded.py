"""Superseded forms: what a spec may still say the earlier way, the warning that gives the new
form, and how `briefgen validate --fix` rewrites it to that form.

One list (`FORMS`), so a superseded form cannot warn without a fix, nor be fixed without a
warning. Each form finds itself in plain mappings and rewrites itself in a mutable mapping: the
plain data every spec is loaded as (for the warning), or ruamel.yaml's round-trip data (for the
fix, in `briefgen.spec.fix`), which keeps the desk's comments, key order and quoting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from briefgen.errors import Problem
from briefgen.inputs.located import LocatedDocument, PathKey, dotted

FIX_HINT = "`briefgen validate --fix` rewrites it"


@dataclass(frozen=True)
class Found:
    """One superseded form in one spec: where it is and what to write instead."""

    path: PathKey
    message: str
    hint: str
    fixable: bool  # whether `--fix` can rewrite it without a choice only the desk can make


@dataclass(frozen=True)
class Form:
    """A superseded form: `find` looks at the data; `fix` rewrites it in place and says whether
    it did. `make_map` builds a new mapping of the data's own kind (ruamel's keeps comments)."""

    name: str
    find: Callable[[Mapping[str, Any]], Iterator[Found]]
    fix: Callable[[MutableMapping[str, Any], Callable[[], MutableMapping[str, Any]]], bool]


# --- capex: plan_total, horizon_years, plan_scope -> guidance ---------------------------------

_OLD_PLAN = {"plan_total": "amount", "horizon_years": "years", "plan_scope": "scope"}


def _capex(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    capex = data.get("capex")
    return capex if isinstance(capex, Mapping) else None


def _find_capex_plan(data: Mapping[str, Any]) -> Iterator[Found]:
    capex = _capex(data)
    if capex is None:
        return
    guidance = capex.get("guidance")
    if "plan_total" in capex and guidance is None:
        years = capex.get("horizon_years")
        fixable = "horizon_years" in capex  # the model refuses a plan without its length
        shown = years if isinstance(years, int) and not isinstance(years, bool) else "N"
        scope = ", scope: …" if "plan_scope" in capex else ""
        yield Found(("capex", "plan_total"),
                    "`plan_total` and `horizon_years` are the earlier form of `guidance`",
                    f"write `guidance: {{amount: {{…}}, years: {shown}{scope}}}` with the same "
                    f"figures; {FIX_HINT}", fixable)
    elif "plan_scope" in capex and isinstance(guidance, Mapping):
        # Beside `guidance` the old key would be ignored: moved into it when it says nothing else.
        same = guidance.get("scope") in (None, capex["plan_scope"])
        yield Found(("capex", "plan_scope"),
                    "`plan_scope` is the earlier form of `guidance.scope`",
                    f"move it into `guidance` as `scope:`; {FIX_HINT}" if same
                    else "`guidance.scope` already says the scope: remove `plan_scope`", same)


def _fix_capex_plan(data: MutableMapping[str, Any],
                    make_map: Callable[[], MutableMapping[str, Any]]) -> bool:
    capex = data.get("capex")
    if not isinstance(capex, MutableMapping):
        return False
    found = list(_find_capex_plan(data))
    if not found or not found[0].fixable:
        return False
    guidance = capex.get("guidance")
    if isinstance(guidance, MutableMapping):  # only `plan_scope` left beside it
        if "scope" not in guidance:
            _move(capex, "plan_scope", guidance, "scope")
        else:
            del capex["plan_scope"]
        return True
    guidance = make_map()
    keys = list(capex)
    position = keys.index("plan_total")
    for old, new in _OLD_PLAN.items():
        if old in capex:
            _move(capex, old, guidance, new)
    _insert(capex, position, "guidance", guidance)
    return True


def _move(source: MutableMapping[str, Any], old: str, target: MutableMapping[str, Any],
          new: str) -> None:
    """`source[old]` becomes `target[new]`, with the comment that followed it, if any."""
    target[new] = source.pop(old)
    comments = getattr(source, "ca", None)
    if comments is not None and old in comments.items:
        target.ca.items[new] = comments.items.pop(old)  # type: ignore[attr-defined]


def _insert(mapping: MutableMapping[str, Any], position: int, key: str, value: Any) -> None:
    """`key` at `position` in a ruamel mapping (its `insert`), at the end of a plain dict."""
    insert = getattr(mapping, "insert", None)
    if insert is not None:
        insert(position, key, value)
    else:
        mapping[key] = value


FORMS: tuple[Form, ...] = (
    Form("capex plan", _find_capex_plan, _fix_capex_plan),
)


def find(data: Any) -> list[Found]:
    """Every superseded form in a spec's data."""
    if not isinstance(data, Mapping):
        return []
    return [found for form in FORMS for found in form.find(data)]


def fix(data: MutableMapping[str, Any], make_map: Callable[[], MutableMapping[str, Any]]
        ) -> list[str]:
    """Rewrite every fixable superseded form in place; the names of the forms rewritten."""
    return [form.name for form in FORMS if form.fix(data, make_map)]


def problems(doc: LocatedDocument) -> list[Problem]:
    """A warning per superseded form, located at it, its hint the new form."""
    found: list[Problem] = []
    for item in find(doc.data):
        mark = doc.key_marks.get(item.path) or doc.mark_for(item.path, key=True)
        found.append(Problem(mark.file if mark else doc.file, mark.line if mark else None,
                             mark.column if mark else None, dotted(item.path), item.message,
                             item.hint, "warning"))
    return found
