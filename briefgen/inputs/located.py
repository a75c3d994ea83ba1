"""Safe YAML loading that remembers where every key and value stood in the file.

PyYAML's safe loader forgets positions once it builds Python objects; we walk its node graph
ourselves so that a later validation error on `segments[0].revenue` can still say `14:5`.
The walk also rejects what a plain `yaml.safe_load` lets through: duplicate keys (the last one
silently wins there), alias and merge-key bombs, recursive aliases and absurd nesting.

Parsing uses libyaml when PyYAML was built with it (about ten times faster, which is most of the
cost of `briefgen validate` on a folder); a file libyaml rejects is parsed again by the pure-Python
parser, whose error messages are the ones we word and test, so messages do not depend on the build.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from briefgen.errors import FileError, Problem, escape_text

MAX_FILE_BYTES = 1_000_000
# A real spec has a few hundred nodes; a "billion laughs" alias bomb expands to millions.
MAX_NODES = 50_000
# A spec nests six levels at most; the cap keeps every later recursive walk far from Python's limit.
MAX_DEPTH = 50

_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

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
    # Problems that left the data usable (a duplicate key: the first is kept), when the caller
    # asked to keep going so they can be reported beside the later checks' problems.
    problems: list[Problem] = field(default_factory=list)
    # Values the loader could not read and left as None; a type check there would add nothing.
    unreadable: set[PathKey] = field(default_factory=set)

    def mark_for(self, path: PathKey, *, key: bool = False) -> Mark | None:
        """The nearest known position for `path`: itself, else its closest ancestor."""
        marks = self.key_marks if key else self.value_marks
        for cut in range(len(path), -1, -1):
            found = marks.get(path[:cut]) or (self.key_marks.get(path[:cut]) if key else None)
            if found:
                return found
        return None


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")
# What YAML refuses to find literally in a file (PyYAML's reader check), minus tab and line
# breaks. A double-quoted escape (`"\a"`, `"\e"`, `"\0"`, `"\ud800"`) would still smuggle one
# in, and then an SVG or the HTML cannot hold it (XML forbids C0 controls; UTF-8 cannot encode a
# lone surrogate): refused here, once, for every file kind.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]"
)


# `text` with newlines, other control characters and lone surrogates written as escapes, like
# JSON, so a message stays on one line and encodes to any output.
escape_controls = escape_text


def quoted(text: str, limit: int = 60) -> str:
    """A user's text as a message shows it: in double quotes, on one line, not too long."""
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return f'"{escape_controls(shown)}"'


def dotted(path: PathKey) -> str:
    """`("segments", 0, "revenue")` -> `segments[0].revenue`, the way users write it."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _PLAIN_KEY.fullmatch(part):
            text += f"[{quoted(part)}]"  # a key such as "net revenue" or one holding a newline
        else:
            text += f".{part}" if text else str(part)
    return text


def read_text(path: Path, display: str, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file, turning every way it can fail into a one-line FileError."""
    try:
        if not path.exists():
            raise FileError.single(display, "no such file", hint="check the path")
        if path.is_dir():
            raise FileError.single(display, "is a folder, not a file")
        # Read one byte past the limit rather than trusting st_size: devices and pipes report 0.
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FileError.single(display, f"cannot be read: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte in the name
        raise FileError.single(display, "is not a usable file name") from None
    if len(raw) > max_bytes:
        raise FileError.single(
            display,
            f"file is larger than the limit of {max_bytes:,} bytes",
            hint="long series belong in a CSV file beside the spec",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        # In characters, as editors count, not bytes.
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise FileError.single(
            display,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            line=line,
            column=column,
            hint="save the file as UTF-8",
        ) from None


def _mark(display: str, node: yaml.Node) -> Mark:
    return Mark(display, node.start_mark.line + 1, node.start_mark.column + 1)


class _Walker:
    """Turns a composed node graph into plain data, recording marks and collecting problems."""

    def __init__(self, loader: yaml.SafeLoader, display: str) -> None:
        self.loader = loader
        self.display = display
        self.doc = LocatedDocument(display, None)
        self.problems: list[Problem] = []
        self.nodes_seen = 0
        # Where a runaway expansion is blamed: the section being walked, not the innermost
        # node (which is the first value of some anchor, far from the aliases that repeat it).
        self.section: tuple[Mark, PathKey] | None = None

    def problem(self, mark: Mark, path: PathKey, message: str, hint: str | None = None) -> None:
        self.problems.append(
            Problem(mark.file, mark.line, mark.column, dotted(path), message, hint)
        )

    def unreadable(self, mark: Mark, path: PathKey, message: str,
                   hint: str | None = None) -> None:
        self.problem(mark, path, message, hint)
        self.doc.unreadable.add(path)

    def walk(self, node: yaml.Node, path: PathKey, ancestors: frozenset[int], depth: int) -> Any:
        mark = _mark(self.display, node)
        if depth == 1:
            self.section = (mark, path)
        self.nodes_seen += 1
        if self.nodes_seen > MAX_NODES:
            blamed, where = self.section or (mark, path)
            raise FileError.single(
                self.display,
                f"more than {MAX_NODES:,} values after expanding aliases",
                line=blamed.line,
                column=blamed.column,
                where=dotted(where),
                hint="is this an alias bomb? a spec needs far fewer",
            )
        if depth > MAX_DEPTH:
            raise FileError.single(
                self.display, f"nested more than {MAX_DEPTH} levels deep",
                line=mark.line, column=mark.column,
            )
        self.doc.value_marks.setdefault(path, mark)
        if id(node) in ancestors:
            self.unreadable(mark, path, "an alias refers to itself")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.checked_text(self.scalar(node, path, mark), path, mark)
        if node.tag not in _PLAIN_COLLECTION_TAGS:
            self.unreadable(mark, path, f"the YAML tag {node.tag} is not allowed in a spec")
            return None
        inner = ancestors | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            return [
                self.walk(item, (*path, i), inner, depth + 1) for i, item in enumerate(node.value)
            ]
        if isinstance(node, yaml.MappingNode):
            return self.walk_mapping(node, path, inner, depth)
        self.unreadable(mark, path, f"unsupported YAML node {node.tag}")
        return None

    def scalar(self, node: yaml.ScalarNode, path: PathKey, mark: Mark) -> Any:
        try:
            return self.loader.construct_object(node)
        except yaml.constructor.ConstructorError as exc:
            self.unreadable(mark, path, f"cannot read value: {exc.problem}")
            return None
        except (ValueError, OverflowError):
            # An implicit date or number that cannot exist (2025-02-30, 0b_, 5000 digits): keep
            # the text as written, so the field's own type check names the problem and the place.
            return node.value
        finally:
            # A failed construction leaves the node marked "in progress"; an alias to it would
            # then be reported as recursive.
            self.loader.recursive_objects.pop(node, None)

    def checked_text(self, value: Any, path: PathKey, mark: Mark) -> Any:
        """`value`, or None (reported) when it is text holding a character no note can print,
        or bytes (`!!binary`), which a spec field would take as text without that check."""
        if isinstance(value, bytes):
            self.unreadable(mark, path, "binary (!!binary) values are not allowed")
            return None
        if isinstance(value, str) and (found := _NOT_PRINTABLE.search(value)):
            code = ord(found.group())
            kind = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
            self.unreadable(mark, path, f"contains {kind} (U+{code:04X}) that a note cannot show",
                            hint="delete it; write the character itself, not an escape")
            return None
        return value

    def walk_mapping(
        self, node: yaml.MappingNode, path: PathKey, inner: frozenset[int], depth: int
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            key_mark = _mark(self.display, key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_mark, path, "keys must be plain words, not lists or mappings")
                continue
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            # The text as written: `2025: x` or `yes: x` would construct a number or a boolean.
            key = str(key_node.value)
            if found := _NOT_PRINTABLE.search(key):
                # No model has such a key, and pydantic cannot even read one holding a lone
                # surrogate: reported here, and the key left out.
                self.problem(key_mark, (*path, key),
                             f"a key contains a character a note cannot show "
                             f"(U+{ord(found.group()):04X})", "delete the key or that character")
                continue
            if key in result:
                first = self.doc.key_marks[(*path, key)]
                self.problem(
                    key_mark,
                    (*path, key),
                    f"duplicate key {quoted(key)}",
                    hint=f"first given on line {first.line}; keep one",
                )
                continue
            self.doc.key_marks.setdefault((*path, key), key_mark)
            result[key] = self.walk(value_node, (*path, key), inner, depth + 1)
        # Merge keys (`<<: *defaults`) after the explicit keys, which win, as in safe_load; done
        # here rather than by PyYAML's flatten_mapping so merged values count towards MAX_NODES.
        merged: dict[str, Any] = {}
        for value_node in merges:
            items = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for item in items:
                sub = self.walk(item, path, inner, depth + 1)
                if isinstance(sub, dict):
                    for key, value in sub.items():
                        merged.setdefault(key, value)
                elif sub is not None:
                    self.problem(_mark(self.display, item), path,
                                 "`<<` merges a mapping or a list of mappings")
        return {**merged, **result} if merged else result


class _RetryWithPurePython(Exception):
    """libyaml rejected the text; the pure-Python parser words the reason better."""


def load_located(
    path: Path,
    display: str | None = None,
    *,
    keep_going: bool = False,
    empty_hint: str | None = None,
) -> LocatedDocument:
    """Load one YAML document with positions; every problem in it is raised together.

    With `keep_going`, problems that leave usable data (duplicate keys, unreadable values) are
    returned in `doc.problems` instead, for the caller to report with its own; a file that
    cannot be parsed at all still raises. `empty_hint` tells the user how to start the file.
    """
    display = display if display is not None else str(path)
    text = read_text(path, display)
    return parse_located(text, display, keep_going=keep_going, empty_hint=empty_hint)


def parse_located(
    text: str, display: str, *, keep_going: bool = False, empty_hint: str | None = None
) -> LocatedDocument:
    if not text.strip():
        raise FileError.single(display, "the file is empty", hint=empty_hint)
    if all(line.lstrip().startswith("#") or not line.strip() for line in text.splitlines()):
        raise FileError.single(display, "the file holds only comments", hint=empty_hint)
    doc: LocatedDocument | None = None
    if takes_fast_path(text):
        with contextlib.suppress(_RetryWithPurePython):
            doc = _parse_with(_FAST_LOADER, text, display)
    if doc is None:
        doc = _parse_with(yaml.SafeLoader, text, display)
    if doc.problems and not keep_going:
        raise FileError(doc.problems)
    return doc


def takes_fast_path(text: str) -> bool:
    """Whether libyaml parses `text`. Not a text without a final newline: there libyaml puts a
    value left empty at the very end (`key:` or `?` as the last bytes) on a line that does not
    exist, and a problem reported there would point past the end of the file."""
    return _FAST_LOADER is not yaml.SafeLoader and text.endswith("\n")


def _parse_with(loader_class: type[yaml.SafeLoader], text: str, display: str) -> LocatedDocument:
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, display) from None
    except yaml.YAMLError:
        raise _RetryWithPurePython from None
    try:
        root = loader.get_single_node()
        if root is None:
            raise FileError.single(display, "the file holds no YAML document")
        walker = _Walker(loader, display)
        walker.doc.data = walker.walk(root, (), frozenset(), 0)
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):
            # libyaml's own limit (1,000 levels): the pure-Python scanner would take seconds
            # (quadratic in the depth) to reach the same verdict.
            raise _too_deep(text, display) from None
        if loader_class is not yaml.SafeLoader:
            raise _RetryWithPurePython from None
        raise _syntax_error(exc, display) from None
    except RecursionError:
        if loader_class is not yaml.SafeLoader:
            raise _RetryWithPurePython from None
        raise _too_deep(text, display) from None
    except (ValueError, OverflowError):
        # The pure-Python scanner's chr() refuses an escape beyond Unicode (`"\U00110000"`).
        if loader_class is not yaml.SafeLoader:
            raise _RetryWithPurePython from None
        mark = loader.get_mark()  # just after the `\U`: the escape starts two columns back
        raise FileError.single(
            display, "an escape names a character beyond Unicode's last (U+10FFFF)",
            line=mark.line + 1 if mark is not None else None,
            column=max(1, mark.column - 1) if mark is not None else None,
            hint="check the \\U escape: it takes 8 hex digits, at most 0010FFFF",
        ) from None
    finally:
        loader.dispose()
    walker.doc.problems = sorted(walker.problems, key=_position)
    return walker.doc


def _too_deep(text: str, display: str) -> FileError:
    """Where the nesting first goes past `MAX_DEPTH`: the composer recursed too deep to say, but
    the parser's events (an iterative state machine, read only as far as that point) can.

    libyaml looks up to 1,024 characters ahead for a simple key and so may meet its own depth
    limit first; then pure Python reads the start of the text, which holds the first 52 levels
    of any real file, and no more (its scanner is quadratic in the depth)."""
    for loader, head in ((_FAST_LOADER, text), (yaml.SafeLoader, text[:8192])):
        depth = 0
        try:
            for event in yaml.parse(head, Loader=loader):
                if isinstance(event, yaml.CollectionStartEvent):
                    depth += 1
                    mark = event.start_mark
                    if depth > MAX_DEPTH + 1 and mark is not None:  # the walker's root is 0
                        return FileError.single(
                            display, f"nested more than {MAX_DEPTH} levels deep",
                            line=mark.line + 1, column=mark.column + 1)
                elif isinstance(event, yaml.CollectionEndEvent):
                    depth -= 1
        except (yaml.YAMLError, RecursionError, ValueError):
            continue
    return FileError.single(display, "the document is nested too deeply")


def _reader_error(exc: yaml.reader.ReaderError, text: str, display: str) -> FileError:
    # The pure-Python reader checks the whole text up front and gives a character index.
    position = exc.position
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or " ")
    return FileError.single(
        display,
        f"contains a control character (U+{code:04X}) that YAML does not allow",
        line=line,
        column=column,
        hint="delete it; it is often pasted in from a PDF",
    )


def _syntax_error(exc: yaml.YAMLError, display: str) -> FileError:
    if not isinstance(exc, yaml.MarkedYAMLError):
        return FileError.single(display, f"YAML error: {exc}")
    where = exc.problem_mark or exc.context_mark
    problem = exc.problem or "YAML syntax error"
    hint = _syntax_hint(problem)
    if exc.context and "expected a single document" in exc.context:
        problem = "more than one YAML document (a second `---`)"
        hint = "a spec is one document; delete the `---` line or split the file"
    elif exc.context and exc.context_mark and exc.problem_mark and hint is None:
        # "found unexpected end of stream" says little; where the unclosed thing began says more.
        start = exc.context_mark
        hint = f"{exc.context} that starts at {start.line + 1}:{start.column + 1}"
    return FileError.single(
        display,
        f"YAML syntax error: {problem}",
        line=where.line + 1 if where else None,
        column=where.column + 1 if where else None,
        hint=hint,
    )


def _syntax_hint(problem: str) -> str | None:
    if "'\\t'" in problem or "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "quote text that contains ': '"
    if "could not find expected ':'" in problem:
        return "each line in a mapping reads `key: value`"
    return None


def _position(problem: Problem) -> tuple[int, int, str]:
    return (problem.line or 0, problem.column or 0, problem.where)
