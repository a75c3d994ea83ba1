"""`fixed_text`: a spec's text with its superseded forms rewritten (`briefgen validate --fix`).

ruamel.yaml reads and writes the YAML round trip, keeping comments, key order, quoting and block
scalars. It still normalises a little it does not model (a flow mapping spread over several lines
becomes one line), so its output is not taken whole: the lines the fix changed are merged into
the desk's own text (a three-way merge with ruamel's unchanged round trip as the base), and the
merge is kept only when it reads back as exactly the data ruamel wrote.
Imported only by `--fix`: ruamel.yaml is not loaded to validate.
"""

from __future__ import annotations

import difflib
import io
import itertools
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from briefgen.spec import superseded

BOM = "\ufeff"


@dataclass(frozen=True)
class Fixed:
    """A spec's text before and after; `forms` names what was rewritten (empty: nothing)."""

    before: str
    after: str
    forms: list[str]

    @property
    def changed(self) -> bool:
        return self.after != self.before

    def diff(self, display: str) -> str:
        """A unified diff, `a/` and `b/` the file as shown to the user."""
        return "".join(difflib.unified_diff(
            self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
            f"a/{display}", f"b/{display}"))


def fixed_text(text: str) -> Fixed:
    """`text` with every fixable superseded form rewritten; unchanged when there is none or when
    it is not YAML ruamel can read (the loader then reports the file's problems itself)."""
    bom = BOM if text.startswith(BOM) else ""
    body = text.removeprefix(BOM)
    newline = "\r\n" if "\r\n" in body else "\n"
    body = body.replace("\r\n", "\n")
    yaml = _yaml(body)
    try:
        data = yaml.load(body)
    except YAMLError:
        return Fixed(text, text, [])
    if not isinstance(data, CommentedMap):
        return Fixed(text, text, [])
    base = _dump(yaml, data)
    forms = superseded.fix(data, CommentedMap)
    if not forms:
        return Fixed(text, text, [])
    after = _dump(yaml, data)
    merged = _merge(base, body, after)
    if _plain(merged) != _plain(after):
        merged = after  # the desk's layout could not be kept around the change: ruamel's whole
    return Fixed(text, bom + merged.replace("\n", newline), forms)


def _yaml(text: str) -> YAML:
    """A round-trip YAML that writes indentation the way `text` does."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # a line ruamel writes anew is not wrapped at 80 columns
    try:
        _, sequence, offset = load_yaml_guess_indent(text)
    except YAMLError:
        sequence, offset = None, None
    mapping = _mapping_indent(text) or 2
    sequence = sequence if isinstance(sequence, int) and sequence > 0 else mapping
    offset = offset if isinstance(offset, int) and 0 <= offset < sequence else 0
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _mapping_indent(text: str) -> int | None:
    """How far a block mapping's keys sit inside their parent's: the first nested key."""
    lines = text.splitlines()
    for line, following in itertools.pairwise(lines):
        if line[:1].isalpha() and line.rstrip().endswith(":"):
            indent = len(following) - len(following.lstrip(" "))
            stripped = following.strip()
            if indent and stripped and not stripped.startswith(("-", "#")):
                return indent
    return None


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _plain(text: str) -> Any:
    """The data a text holds, without layout or comments, to compare two texts."""
    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError:
        return None


def _merge(base: str, ours: str, theirs: str) -> str:
    """Three-way line merge: `ours` (the desk's text) and `theirs` (the fix) both differ from
    `base` (ruamel's round trip). A region only the fix changed takes the fix's lines; one only
    the desk's layout changed keeps the desk's; where both did, the fix's lines win (they hold
    the new data; the caller checks the result reads back as it)."""
    base_lines = base.splitlines(keepends=True)
    ours_lines = ours.splitlines(keepends=True)
    theirs_lines = theirs.splitlines(keepends=True)
    if ours and not ours.endswith("\n"):
        ours_lines[-1] += "\n"
    layout = _hunks(base_lines, ours_lines)
    changes = _hunks(base_lines, theirs_lines)
    out: list[str] = []
    position = 0
    for start, end, from_layout, from_fix in _clusters(layout, changes):
        out.extend(base_lines[position:start])
        if from_fix:
            out.extend(_apply(base_lines, start, end, from_fix, theirs_lines))
        else:
            out.extend(_apply(base_lines, start, end, from_layout, ours_lines))
        position = end
    out.extend(base_lines[position:])
    return "".join(out)


Hunk = tuple[int, int, int, int]  # base[i1:i2] became other[j1:j2]


def _hunks(base: list[str], other: list[str]) -> list[Hunk]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _clusters(a: list[Hunk], b: list[Hunk]
              ) -> list[tuple[int, int, list[Hunk], list[Hunk]]]:
    """Hunks of both sides grouped where their base ranges overlap (two insertions at one
    place overlap too), in base order."""
    tagged = sorted([(h, 0) for h in a] + [(h, 1) for h in b], key=lambda t: (t[0][0], t[0][1]))
    clusters: list[tuple[int, int, list[Hunk], list[Hunk]]] = []
    for hunk, side in tagged:
        start, end = hunk[0], hunk[1]
        if clusters and (start < clusters[-1][1] or start == end == clusters[-1][1]):
            first, last, sides_a, sides_b = clusters[-1]
            clusters[-1] = (first, max(last, end), sides_a, sides_b)
        else:
            clusters.append((start, end, [], []))
        (clusters[-1][2] if side == 0 else clusters[-1][3]).append(hunk)
    return clusters


def _apply(base: list[str], start: int, end: int, hunks: list[Hunk], other: list[str]
           ) -> list[str]:
    """base[start:end] with `hunks` (all inside it) replaced by the other side's lines."""
    out: list[str] = []
    position = start
    for i1, i2, j1, j2 in sorted(hunks):
        out.extend(base[position:i1])
        out.extend(other[j1:j2])
        position = i2
    out.extend(base[position:end])
    return out
