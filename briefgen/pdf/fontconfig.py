"""The fonts WeasyPrint may see: the bundled ones and the note's own `@font-face` rules, never the
host's.

WeasyPrint lays text out with Pango, which asks fontconfig for every font, and fontconfig's
default configuration lists every font installed on the machine: a character the note's fonts
lack (a Chinese name without a CJK fallback) is then drawn silently from whatever the host has,
so the same spec gives different PDF bytes on another machine. fontconfig reads its
configuration from the file named by `FONTCONFIG_FILE`, each time a configuration is loaded
(`FcInitLoadConfigAndFonts`, which WeasyPrint calls once at import and once per
`FontConfiguration`). So while those run, `FONTCONFIG_FILE` names a configuration generated
here that lists one folder, the bundled fonts, and includes nothing else (no system folders,
no `conf.d` rules, no cache folder to write). The brand's faces reach WeasyPrint as `@font-face`
rules, which it adds to that configuration itself.

The variable is set only around those calls and then restored: a browser or viewer this
process starts later must see the user's fonts as usual.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"
VARIABLE = "FONTCONFIG_FILE"


def configuration() -> str:
    """The fontconfig configuration: the bundled fonts' folder and nothing else."""
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
            f"<fontconfig>\n  <dir>{escape(str(FONT_DIR))}</dir>\n</fontconfig>\n")


_made: Path | None = None  # this process's file, or the parent's in a forked child


def config_file() -> Path:
    """The configuration as a file: written once per process (a forked child uses its parent's,
    which outlives it) and removed at exit by the process that wrote it."""
    global _made
    if _made is None or not _made.is_file():
        folder = Path(tempfile.mkdtemp(prefix="briefgen-fontconfig-"))
        atexit.register(_remove, folder, os.getpid())
        _made = folder / "fonts.conf"
        _made.write_text(configuration(), encoding="utf-8")
    return _made


def _remove(folder: Path, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def only_our_fonts() -> Iterator[None]:
    """While fontconfig loads a configuration: ours, which lists only the bundled fonts."""
    path = config_file()
    before = os.environ.get(VARIABLE)
    os.environ[VARIABLE] = str(path)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(VARIABLE, None)
        else:
            os.environ[VARIABLE] = before
