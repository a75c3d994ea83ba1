"""`briefgen validate --fix` for one spec: superseded forms rewritten in place, atomically.

A module of its own so that `validate` without `--fix` never imports ruamel.yaml.
"""

from __future__ import annotations

import codecs
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.errors import FileError, Problem, escape_text
from briefgen.inputs.located import read_text
from briefgen.spec.fix import fixed_text


@dataclass(frozen=True)
class FixOutcome:
    """What `--fix` did to one spec: the forms rewritten (none: nothing to do), the fixed text
    and its diff; or why it could not write it."""

    forms: list[str] = field(default_factory=list)
    text: str | None = None
    diff: str = ""
    problem: Problem | None = None


def fix_spec(path: Path, *, write: bool) -> FixOutcome:
    """Rewrite `path`'s superseded forms; with `write` false, only say what would change.

    A file that cannot be read or parsed is left alone: validating it reports why."""
    display = str(path)
    try:
        text = read_text(path, display)
        if path.read_bytes().startswith(codecs.BOM_UTF8):
            text = "\ufeff" + text  # read_text drops it; the rewritten file keeps it
    except (FileError, OSError):
        return FixOutcome()
    fixed = fixed_text(text)
    if not fixed.changed:
        return FixOutcome()
    diff = fixed.diff(escape_text(display))
    if write:
        try:
            write_atomically(path, fixed.after)
        except OSError as exc:
            return FixOutcome(problem=Problem(
                display, None, None, "", f"cannot write the fix: {exc.strerror or exc}",
                "nothing was changed; check the file's folder is writable"))
    return FixOutcome(fixed.forms, fixed.after.removeprefix("\ufeff"), diff)


def write_atomically(path: Path, text: str) -> None:
    """`text` replaces `path` in one rename: a reader (or a crash) sees the old file or the new,
    never half of one. A symlinked spec keeps its link (its target is rewritten) and the file
    keeps its permissions."""
    target = path.resolve()
    mode = stat.S_IMODE(target.stat().st_mode)
    # Hidden, so a spec search that runs meanwhile does not read it as a spec.
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".fix", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
