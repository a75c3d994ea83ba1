"""WeasyPrint's native libraries found with one read of the linker cache, not ~40 probes.

WeasyPrint asks cffi for each library by several names meant for several platforms
(`libgobject-2.0-0`, `gobject-2.0`, `libgobject-2.0.so.0`, …, and `harfbuzz-vector`, which
Debian does not have); for each name cffi cannot open directly it calls
`ctypes.util.find_library`, which on Linux runs `ldconfig -p` and then `gcc` and `ld` to search
further. Measured: `import weasyprint` ran `ldconfig` 22 times and `gcc`/`ld` 16 times, 0.17 s of
its 0.40 s, in every new process (the forked printer, a pool's first worker).

`quick_find_library()`, around WeasyPrint's import only, answers `find_library` from one
`ldconfig -p` listing, with the standard library's own rule (its regular expression, the same ABI
tag), and answers None for a name the linker cache lacks instead of asking gcc and ld. Where that
could miss a library (`LD_LIBRARY_PATH` set: libraries outside the cache; not Linux; no
`ldconfig`) the standard `find_library` is left alone.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# As `ctypes.util._findSoname_ldconfig` tags this machine's libraries in `ldconfig -p`.
_ABI_TYPES = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit",
              "sparc64-64": "libc6,64bit", "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


def _linker_cache() -> bytes | None:
    try:
        done = subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, stdout=subprocess.PIPE, check=False,
                              env={"LC_ALL": "C", "LANG": "C"})
    except OSError:
        return None
    return done.stdout if done.returncode == 0 and done.stdout else None


def find_in(listing: bytes, name: str) -> str | None:
    """What `ctypes.util.find_library(name)` finds in the linker cache (`ldconfig -p`)."""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    pattern = rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({_ABI_TYPES.get(machine, 'libc6')}"
    found = re.search(os.fsencode(pattern), listing)
    return os.fsdecode(found.group(1)) if found else None


@contextmanager
def quick_find_library() -> Iterator[None]:
    """While WeasyPrint is imported: `find_library` from one linker cache listing."""
    import ctypes.util

    listing = (None if sys.platform != "linux" or os.environ.get("LD_LIBRARY_PATH")
               else _linker_cache())
    if listing is None:
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: find_in(listing, name)
    try:
        yield
    finally:
        ctypes.util.find_library = original


def import_weasyprint() -> None:
    """Import WeasyPrint (once; later calls cost nothing) with `quick_find_library`, and with
    fontconfig seeing only the bundled fonts (`briefgen.pdf.fontconfig`): WeasyPrint loads a
    configuration at import to check that fonts exist. Its C declarations are parsed from a
    cache (`briefgen.pdf.cdefs`)."""
    if "weasyprint.text.fonts" in sys.modules:
        return
    from briefgen.pdf import cdefs
    from briefgen.pdf.fontconfig import only_our_fonts

    cdefs.install()

    with quick_find_library(), only_our_fonts():
        import weasyprint.text.fonts  # noqa: F401
