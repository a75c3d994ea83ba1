"""One error family for the whole tool, converted to messages and exit codes at the CLI edge.

A user's mistake (a bad spec, a missing file, a bad flag) is a `BriefgenError` with exit code 2
and is shown without a traceback; a run that failed for other reasons exits 1.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Self

Severity = Literal["error", "warning"]

EXIT_OK = 0
EXIT_FAILED_RUN = 1
EXIT_BAD_INPUT = 2

# Characters that would break a message's one line (str.splitlines splits on all of these), and
# lone surrogates, which no output stream can encode: a `"\ud800"` escape in a file, or a file
# name that is not UTF-8 (Python keeps its bytes as surrogates), would otherwise make printing
# the message fail, and with it the report of every other file.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def escape_text(text: str) -> str:
    """`text` with control characters and lone surrogates written as JSON-style escapes."""
    return _UNPRINTABLE.sub(lambda found: json.dumps(found.group())[1:-1], text)


def library_warnings(source: str, messages: Iterable[str], *, most: int = 5,
                     width: int = 300) -> list[str]:
    """A third-party library's warnings (matplotlib, WeasyPrint) as briefgen warning lines:
    each once, escaped (they may quote a spec's text), cut to `width` characters (WeasyPrint
    once quoted a whole data: URI, 146 KB), at most `most` of them and a count of the rest."""
    unique = list(dict.fromkeys(" ".join(escape_text(m).split()) for m in messages))
    lines = [f"{source}: {m if len(m) <= width else m[: width - 3] + '...'}"
             for m in unique[:most]]
    if len(unique) > most:
        lines.append(f"{source}: and {len(unique) - most} more warnings like these")
    return lines


_debugging = False


def set_debugging(flag: bool) -> None:
    """What this command's `--debug` says; set by the CLI on every command, so a test process
    that runs many commands does not carry one command's flag into the next."""
    global _debugging
    _debugging = flag


def debugging() -> bool:
    """Whether `--debug` (or BRIEFGEN_DEBUG) asked for tracebacks instead of messages."""
    return _debugging or bool(os.environ.get("BRIEFGEN_DEBUG"))


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the file allows."""

    file: str
    line: int | None
    column: int | None
    where: str  # the dotted path inside the document, e.g. "segments[0].revenue"; "" for the file
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def __post_init__(self) -> None:
        # Whatever a user wrote reaches a message escaped, so no message fails to print.
        for name in ("file", "where", "message", "hint"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, escape_text(value))

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        text = f"{place}: "
        if self.severity == "warning":
            text += "warning: "
        if self.where:
            text += f"{self.where}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class BriefgenError(Exception):
    """Base of every error briefgen reports to a user; `exit_code` says what the CLI returns."""

    exit_code = EXIT_FAILED_RUN


class InputError(BriefgenError):
    """The user's input (a file, a flag, a config) is wrong: exit code 2, no traceback."""

    exit_code = EXIT_BAD_INPUT


@dataclass
class FileError(InputError):
    """Every problem found in one input file, reported together. Each kind of file has its own
    subclass, so a caller can tell a bad spec from a bad brand or delivery config."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def single(
        cls,
        file: str | Path,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        where: str = "",
        hint: str | None = None,
    ) -> Self:
        return cls([Problem(str(file), line, column, where, message, hint)])


class SpecError(FileError):
    """A spec (or a CSV history it names) is wrong."""


class BrandError(FileError):
    """A brand file (or a logo, font or template folder it names) is wrong."""


class DeliveryConfigError(FileError):
    """A delivery config is wrong."""


class SchedulesError(FileError):
    """A schedules file is wrong."""


class RenderError(BriefgenError):
    """A spec was valid but could not be turned into a note (a template or chart failed)."""


class DeliveryError(BriefgenError):
    """A message could not be delivered."""
