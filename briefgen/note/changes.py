"""The note's "Changes since our last note": a page-1 box and a revisions table in the body.

Both come from `derive.changes.Changes` and are absent when there is no previous note. The box
shows the few changes that rank highest (the rule is in derive/changes.py); the table shows every
change, in group order, with the group as a sub-heading row.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.derive.changes import Change, Changes
from briefgen.note.marks import Cell, Part, text_cell


@dataclass(frozen=True)
class ChangeLine:
    """One line of the box: what, then `old → new (delta)` or the new wording."""

    label: str
    text: str
    tone: str | None = None  # "pos" / "neg" for a move up or down


@dataclass(frozen=True)
class ChangesView:
    previous_date: str  # "1 September 2025"
    previous_period: str
    lines: list[ChangeLine]
    columns: list[str]
    groups: list[tuple[str, list[tuple[str, list[Cell]]]]]  # group -> rows (label, cells)
    note: str


def _line(change: Change) -> ChangeLine:
    if change.kind in ("added", "removed"):
        return ChangeLine(change.label, change.kind)
    if change.delta is None:  # wording: the new words, or what is no longer given
        return ChangeLine(change.label, f"now: {change.new}" if change.new else "not given")
    tone = None
    if change.delta.value:
        tone = "pos" if change.delta.value > 0 else "neg"
    return ChangeLine(change.label, f"{change.old} → {change.new} ({change.delta.text})", tone)


def _cells(change: Change) -> list[Cell]:
    if change.kind == "added":
        return [text_cell("–"), text_cell("listed"), text_cell("added")]
    if change.kind == "removed":
        return [text_cell("listed"), text_cell("–"), text_cell("dropped")]
    delta = (Cell((Part(change.delta.text),)) if change.delta
             else text_cell(change.kind if change.kind != "changed" else "reworded"))
    return [text_cell(change.old or "–"), text_cell(change.new or "–"), delta]


def changes_view(changes: Changes | None) -> ChangesView | None:
    if changes is None or not changes.items:
        return None
    groups: dict[str, list[tuple[str, list[Cell]]]] = {}
    for change in changes.items:
        groups.setdefault(change.group, []).append((change.label, _cells(change)))
    return ChangesView(
        previous_date=changes.old_date,
        previous_period=changes.old_period,
        lines=[_line(change) for change in changes.top()],
        columns=["Item", f"Previous note ({changes.old_period})",  # a header a reader hears
                 f"This note ({changes.new_period})", "Change"],
        groups=list(groups.items()),
        note=("Changes in money are given as amounts and in %, changes in rates in "
              "percentage points (pp); each is computed from the two notes' figures."),
    )
