"""A folder for caches between processes that only this user can open.

briefgen keeps three such caches of what is the same for every note: the compiled templates
(`note.templates`), the syntax trees of WeasyPrint's C declarations (`pdf.cdefs`) and the
subset web fonts (`note.webfonts`). The first two load code-like data (marshalled bytecode,
pickles), so the folder must be one no one else could have written to: in the system's
temporary directory, made 0700 if missing, and refused unless this user owns it, it is a real
folder (not a link) and no one else may read or write it (the rule Jinja applies to its own
default cache folder)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def private_folder(name: str) -> Path | None:
    """`name-UID` in the system's temporary directory, made if missing: None unless it is a
    folder this user owns that no one else can read or write (mode 0700)."""
    if not hasattr(os, "getuid"):
        return None
    folder = Path(tempfile.gettempdir()) / f"{name}-{os.getuid()}"
    try:
        folder.mkdir(mode=stat.S_IRWXU)
    except FileExistsError:
        pass  # checked below, as a folder made now is
    except OSError:
        return None
    try:
        found = folder.lstat()
    except OSError:
        return None
    if (found.st_uid != os.getuid() or not stat.S_ISDIR(found.st_mode)
            or stat.S_IMODE(found.st_mode) != stat.S_IRWXU):
        return None
    return folder


def read(folder: Path | None, name: str) -> bytes | None:
    """The entry `name` of `folder`, or None (no folder, no entry, unreadable)."""
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def store(folder: Path | None, name: str, data: bytes) -> None:
    """Write the entry `name` of `folder` atomically (a reader sees all of it or nothing); a
    failure (a full disk) leaves the cache without it and is not an error."""
    if folder is None:
        return
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=name, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, folder / name)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
