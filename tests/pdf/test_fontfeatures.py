"""Font features set on Pango layouts without leaking them (`briefgen.pdf.fontfeatures`).

WeasyPrint 70's own `Layout.setup` leaks an attribute list and an attribute for each layout of
text with OpenType features: a process printing note after note grew ~100 KiB a note. These
tests fail with the patch off: memory grows, measured as glibc's bytes in use (`mallinfo2`),
which sees native allocations that Python's own accounting does not.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.pdf import fontfeatures
from briefgen.pdf.weasy import html_to_pdf
from tests.helpers.patches import unpatched

# Lines of figures in tabular numbers: every line is a Pango layout with font features (the
# note's tables and figures ask for the same).
PAGE = ("<style>p { font: 9pt Inter; font-variant-numeric: tabular-nums; margin: 0 }</style>"
        + "".join(f"<p>Revenue {n:,}.{n % 10} in quarter {n % 4 + 1}</p>" for n in range(150)))


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _malloc_in_use() -> int:
    """Bytes glibc's malloc has handed out and not had back (heap and mmap'd blocks)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("measured with glibc's mallinfo2")
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    if not hasattr(libc, "mallinfo2"):
        pytest.skip("glibc older than 2.33: no mallinfo2")
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    return int(info.uordblks + info.hblkhd)


def _print(html: str = PAGE) -> bytes:
    return html_to_pdf(html, base_dir=Path.cwd(), allowed_roots=[], variant="none")[0]


def _growth_per_print(prints: int = 8) -> float:
    for _ in range(3):  # fonts, caches and the allocator's pools set up first
        _print()
    gc.collect()
    before = _malloc_in_use()
    for _ in range(prints):
        _print()
    gc.collect()
    return (_malloc_in_use() - before) / prints


@pytest.fixture
def weasyprints_own_setup() -> Iterator[None]:
    with unpatched(fontfeatures):
        yield


def test_installed_on_the_pinned_weasyprint() -> None:
    import weasyprint.text.line_break as line_break

    _print("<p>x</p>")
    assert fontfeatures.installed()
    assert line_break.font_features(font_kerning="normal") == {}  # setup sets none itself


def test_memory_stays_flat_print_after_print() -> None:
    # ~300 layouts with features a print; WeasyPrint's own setup leaks ~48 KiB of them (below).
    assert _growth_per_print() < 10 * 1024


def test_without_the_patch_memory_grows(weasyprints_own_setup: None) -> None:
    # The other side of the test above: the leak is real and this test can see it.
    assert not fontfeatures.installed()
    assert _growth_per_print() > 25 * 1024


def test_the_same_pdf_as_weasyprints_own_setup() -> None:
    # Features and all: tabular figures and a feature set by hand lay out as WeasyPrint's would.
    html = PAGE + "<p style='font-feature-settings: \"zero\"'>0 1 2 3 0.50</p>"
    ours = _print(html)
    with unpatched(fontfeatures):
        theirs = _print(html)
    assert ours == theirs
    # And the features do something: without them the same text is set differently.
    assert _print(html.replace("tabular-nums", "normal")) != ours
