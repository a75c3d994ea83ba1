"""Safe YAML loading that remembers where every key and value stood in the file.

PyYAML's safe loader forgets positions once it builds Python objects; we walk its node graph
ourselves so that a later validation error on `segments[0].revenue` can still say `14:5`.
The walk also rejects what a plain `yaml.safe_load` lets through: duplicate keys (the last one
silently wins there), alias bombs and recursive aliases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from briefgen.errors import Problem, SpecError

MAX_FILE_BYTES = 1_000_000
# A real spec has a few hundred nodes; a "billion laughs" alias bomb expands to millions.
MAX_NODES = 50_000

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    file: str
    line: int
    column: int


@dataclass
class LocatedDocument:
    """Plain Python data from one YAML file plus the position of each node in it."""

    file: str
    data: Any
    value_marks: dict[PathKey, Mark] = field(default_factory=dict)
    key_marks: dict[PathKey, Mark] = field(default_factory=dict)

    def mark_for(self, path: PathKey, *, key: bool = False) -> Mark | None:
        """The nearest known position for `path`: itself, else its closest ancestor."""
        marks = self.key_marks if key else self.value_marks
        for cut in range(len(path), -1, -1):
            found = marks.get(path[:cut]) or (self.key_marks.get(path[:cut]) if key else None)
            if found:
                return found
        return None


def dotted(path: PathKey) -> str:
    """`("segments", 0, "revenue")` -> `segments[0].revenue`, the way users write it."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def read_text(path: Path, display: str, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file, turning every way it can fail into a one-line SpecError."""
    if not path.exists():
        raise SpecError.single(display, "no such file", hint="check the path")
    if path.is_dir():
        raise SpecError.single(display, "is a folder, not a file")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SpecError.single(
                display,
                f"file is {size:,} bytes; the limit is {max_bytes:,}",
                hint="long series belong in a CSV file beside the spec",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError.single(display, f"cannot be read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise SpecError.single(
            display,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            line=line,
            column=column,
            hint="save the file as UTF-8",
        ) from None


def _mark(display: str, node: yaml.Node, *, end: bool = False) -> Mark:
    where = node.end_mark if end else node.start_mark
    return Mark(display, where.line + 1, where.column + 1)


class _Walker:
    """Turns a composed node graph into plain data, recording marks and collecting problems."""

    def __init__(self, loader: yaml.SafeLoader, display: str) -> None:
        self.loader = loader
        self.display = display
        self.doc = LocatedDocument(display, None)
        self.problems: list[Problem] = []
        self.nodes_seen = 0

    def problem(self, mark: Mark, path: PathKey, message: str, hint: str | None = None) -> None:
        self.problems.append(
            Problem(mark.file, mark.line, mark.column, dotted(path), message, hint)
        )

    def walk(self, node: yaml.Node, path: PathKey, ancestors: frozenset[int]) -> Any:
        self.nodes_seen += 1
        if self.nodes_seen > MAX_NODES:
            raise SpecError.single(
                self.display,
                f"more than {MAX_NODES:,} values after expanding aliases",
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
                hint="is this an alias bomb? a spec needs far fewer",
            )
        mark = _mark(self.display, node)
        self.doc.value_marks.setdefault(path, mark)
        if id(node) in ancestors:
            self.problem(mark, path, "an alias refers to itself")
            return None
        if isinstance(node, yaml.ScalarNode):
            try:
                return self.loader.construct_object(node)
            except yaml.constructor.ConstructorError as exc:
                self.problem(mark, path, f"cannot read value: {exc.problem}")
                return None
        inner = ancestors | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, i), inner) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.walk_mapping(node, path, inner)
        self.problem(mark, path, f"unsupported YAML node {node.tag}")
        return None

    def walk_mapping(
        self, node: yaml.MappingNode, path: PathKey, inner: frozenset[int]
    ) -> dict[str, Any]:
        try:
            self.loader.flatten_mapping(node)  # applies `<<` merge keys like safe_load does
        except yaml.constructor.ConstructorError as exc:
            self.problem(_mark(self.display, node), path, str(exc.problem))
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_mark = _mark(self.display, key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_mark, path, "keys must be plain words, not lists or mappings")
                continue
            key = self.loader.construct_object(key_node)
            if not isinstance(key, str):
                # `2025: x` or `yes: x` loads as a number or boolean; keys are names here.
                key = str(key_node.value)
            if key in result:
                first = self.doc.key_marks[(*path, key)]
                self.problem(
                    key_mark,
                    (*path, key),
                    f'duplicate key "{key}"',
                    hint=f"first given on line {first.line}; keep one",
                )
                continue
            self.doc.key_marks[(*path, key)] = key_mark
            result[key] = self.walk(value_node, (*path, key), inner)
        return result


def load_located(path: Path, display: str | None = None) -> LocatedDocument:
    """Load one YAML document with positions; every problem in it is raised together."""
    display = display if display is not None else str(path)
    text = read_text(path, display)
    return parse_located(text, display)


def parse_located(text: str, display: str) -> LocatedDocument:
    if not text.strip() or all(
        line.lstrip().startswith("#") or not line.strip() for line in text.splitlines()
    ):
        raise SpecError.single(
            display, "the file is empty", hint="`briefgen new NAME` writes a starter spec"
        )
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise SpecError.single(display, "the file holds no YAML document")
        walker = _Walker(loader, display)
        walker.doc.data = walker.walk(root, (), frozenset())
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        problem = exc.problem or "YAML syntax error"
        if exc.context and "expected a single document" in exc.context:
            problem = "more than one YAML document (a second `---`)"
        raise SpecError.single(
            display,
            f"YAML syntax error: {problem}",
            line=where.line + 1 if where else None,
            column=where.column + 1 if where else None,
            hint=_syntax_hint(problem),
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError.single(display, f"YAML error: {exc}") from None
    except RecursionError:
        raise SpecError.single(display, "the document is nested too deeply") from None
    finally:
        loader.dispose()
    if walker.problems:
        raise SpecError(sorted(walker.problems, key=_position))
    return walker.doc


def _syntax_hint(problem: str) -> str | None:
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "quote text that contains ': '"
    if "could not find expected ':'" in problem:
        return "each line in a mapping reads `key: value`"
    return None


def _position(problem: Problem) -> tuple[int, int]:
    return (problem.line or 0, problem.column or 0)
