"""Which spec files a name means: the one rule that `render`, `validate`, `send` and a schedule's
`specs:` all use, so a folder finds the same specs whichever command is given it.

- a file: itself (whatever its suffix: the user named it);
- a folder: every *.yaml / *.yml inside it, recursively, skipping hidden files and folders (.git);
- a glob (`specs/*.yaml`, `specs/**`): each match, a matching folder read as above, a matching
  file kept when it is a spec (*.yaml / *.yml), so `specs/*` skips the CSVs beside the specs.
Names are kept in the order given (matches sorted), and a spec found twice is listed once.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

from briefgen.errors import InputError

SPEC_SUFFIXES = (".yaml", ".yml")


def specs_named(name: str | Path) -> list[Path]:
    """The spec files `name` means (see the module's rules); [] when it means none."""
    text = str(name)
    path = Path(text)
    if path.is_dir():
        return _inside(path)
    if path.exists():
        return [path]
    if not glob.has_magic(text):
        return []
    found: list[Path] = []
    for match in sorted(glob.glob(text, recursive=True)):
        matched = Path(match)
        if matched.is_dir():
            found += _inside(matched)
        elif matched.suffix in SPEC_SUFFIXES and matched.is_file():
            found.append(matched)
    return found


def find_specs(names: str | Path | Iterable[str | Path]) -> list[Path]:
    """Spec files named by files, folders and globs; a name that means none is a usage error."""
    if isinstance(names, str | Path):
        names = [names]
    found: list[Path] = []
    missing: list[str] = []
    for name in names:
        matches = specs_named(name)
        if not matches:
            missing.append(str(name))
        found += matches
    if missing:
        raise InputError("no spec found at " + ", ".join(missing)
                         + " (give spec files, folders of them or globs like 'specs/*.yaml')")
    return unique(found)


def unique(paths: Iterable[Path]) -> list[Path]:
    """`paths` in order, each file once however it was named (`specs/a.yaml`, `./specs/a.yaml`)."""
    first: dict[Path, Path] = {}
    for path in paths:
        first.setdefault(path.resolve(), path)
    return list(first.values())


def _inside(folder: Path) -> list[Path]:
    found = []
    for parent, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [Path(parent, name) for name in files
                  if name.endswith(SPEC_SUFFIXES) and not name.startswith(".")]
    return sorted(found)
