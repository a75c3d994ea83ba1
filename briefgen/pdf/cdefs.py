"""The C declarations WeasyPrint gives cffi, parsed once per machine instead of once per process.

WeasyPrint declares the Pango, fontconfig and HarfBuzz functions it calls with cffi in ABI mode:
each new process parses those declarations with pycparser (pure Python), and parses again every
type WeasyPrint names in a call (`ffi.new("PangoRectangle *")`), each time behind a line
`typedef int NAME;` for every one of the ~400 type names declared so far. Measured in a cold
`briefgen render`: 16 parses, 0.062 s of CPU in the PDF process (0.018 s at import, 0.044 s while
the first note prints), on the path that decides when the PDF is done.

`install()` puts a cache in front of the pycparser parser cffi uses: a source it parsed before
is answered with the syntax tree it gave then, kept pickled (the parses of a first note: 0.042 s
of CPU, read back in 0.005 s). The tree is stored without the `typedef int NAME;` lines cffi put
in front of the source (the bulk of it): cffi skips those itself, reading declarations only
after its marker typedef `__dotdotdot__`, which is kept. What cffi makes of the tree is
unchanged; tests/pdf/test_cdefs.py compares every type and declaration with and without the
cache.

The cache lives in a folder of the system's temporary directory that only this user may open
(`briefgen.privatedir`), keyed by the source text and the versions of Python, cffi and
pycparser; entries are written atomically. `BRIEFGEN_CDEF_CACHE=0` turns it off. Installed only
where cffi has the parser hook this was written against; any failure to read or write the
cache parses as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from briefgen import privatedir
from briefgen.pdf.patching import Patch
from briefgen.privatedir import private_folder

CACHE_VARIABLE = "BRIEFGEN_CDEF_CACHE"
# The typedef after which cffi reads a parsed source as declarations (cffi.cparser._parse writes
# it last in its preamble; `_internal_parse` skips up to it).
_MARKER = "__dotdotdot__"


def _apply() -> bool:
    """Cache the parses of the pycparser parser cffi uses."""
    if os.environ.get(CACHE_VARIABLE, "") == "0":
        return False
    import cffi
    import cffi.cparser as cparser

    pycparser = cparser.pycparser  # the one cffi parses with
    get_parser = getattr(cparser, "_get_parser", None)
    folder = private_folder("briefgen-cdefs")
    if get_parser is None or folder is None:
        return False
    parser = get_parser()  # one parser per process, which cffi keeps and reuses
    versions = f"{sys.version}|{cffi.__version__}|{pycparser.__version__}"
    parser.parse = _cached(parser.parse, folder, versions)
    return True


_PATCH = Patch(_apply)
install, installed = _PATCH.install, _PATCH.installed


def _cached(parse: Callable[..., Any], folder: Path, versions: str) -> Callable[..., Any]:
    def cached_parse(text: str, filename: str = "", debug: bool = False) -> Any:
        name = hashlib.sha256(f"{versions}|{filename}|{text}".encode()).hexdigest() + ".pickle"
        data = privatedir.read(folder, name)
        if data is not None:
            with contextlib.suppress(pickle.UnpicklingError, EOFError, AttributeError,
                                     ImportError, IndexError, TypeError, ValueError):
                return pickle.loads(data)
        tree = parse(text, filename, debug)
        with contextlib.suppress(pickle.PicklingError, RecursionError, TypeError):
            privatedir.store(folder, name, pickle.dumps(_without_preamble(tree),
                                                        protocol=pickle.HIGHEST_PROTOCOL))
        return tree

    return cached_parse


def _without_preamble(tree: Any) -> Any:
    """`tree` from cffi's marker typedef on (the same object when it has none)."""
    names = [getattr(node, "name", None) for node in tree.ext]
    if _MARKER not in names:
        return tree
    return type(tree)(tree.ext[names.index(_MARKER):], tree.coord)
