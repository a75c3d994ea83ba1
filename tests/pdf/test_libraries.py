"""WeasyPrint's native libraries found from one linker cache listing (`briefgen.pdf.libraries`):
the same answers as the standard library's `find_library`, which it stands in for."""

from __future__ import annotations

import ctypes.util
import sys

import pytest

from briefgen.pdf import libraries

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the linker cache is Linux's")

# Names WeasyPrint 70 asks for on its way to a library, found or not on Debian.
NAMES = ["c", "gobject-2.0", "pango-1.0", "harfbuzz", "harfbuzz-subset", "fontconfig",
         "pangoft2-1.0", "libgobject-2.0-0", "gobject-2.0-0", "harfbuzz-vector"]


def test_the_same_answers_as_find_library() -> None:
    listing = libraries._linker_cache()
    assert listing is not None
    found = {name: libraries.find_in(listing, name) for name in NAMES}
    assert found == {name: ctypes.util.find_library(name) for name in NAMES}
    assert found["gobject-2.0"] and found["libgobject-2.0-0"] is None


@pytest.mark.skipif(bool(__import__("os").environ.get("LD_LIBRARY_PATH")),
                    reason="with LD_LIBRARY_PATH the standard find_library is kept")
def test_find_library_is_itself_again_after_the_import() -> None:
    original = ctypes.util.find_library
    with libraries.quick_find_library():
        assert ctypes.util.find_library is not original
        assert ctypes.util.find_library("pango-1.0") == original("pango-1.0")
    assert ctypes.util.find_library is original
