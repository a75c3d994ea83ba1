"""Spec text the note's fonts cannot draw: a warning located at the string (an error with
--strict), never a note with empty boxes and exit 0.

The note is set in the bundled Inter (Latin, Greek, Cyrillic) and, with a brand, in the brand's
own faces; what none of them covers would print as boxes (or, in a PDF, in whatever font the host
happens to have, which differs from machine to machine). The coverage of a face is the set of code
points in its character map, read once per process with fontTools (a WeasyPrint dependency, and
quick: no glyph is parsed).
"""

from __future__ import annotations

import functools
import struct
import unicodedata
from collections.abc import Iterable, Iterator
from importlib.resources import files
from typing import Any

from briefgen.errors import Problem
from briefgen.inputs.located import LocatedDocument, PathKey, dotted

BUNDLED_FACES = ("Inter-Regular.otf", "Inter-Italic.otf", "Inter-SemiBold.otf", "Inter-Bold.otf")
SHOWN = 6  # characters listed in a message; the rest are counted


def coverage(font: bytes) -> frozenset[int]:
    """The code points a font file (OpenType or TrueType, or a collection's first face) maps to
    glyphs, read from its `cmap` table directly: ~1 ms a face where fontTools takes ~0.25 s to
    import and read the four bundled faces, which `briefgen validate` would pay every run."""
    offset = struct.unpack_from(">I", font, 12)[0] if font[:4] == b"ttcf" else 0
    tables = struct.unpack_from(">H", font, offset + 4)[0]
    for index in range(tables):
        tag, _, start, _ = struct.unpack_from(">4sIII", font, offset + 12 + 16 * index)
        if tag == b"cmap":
            return _cmap(font, start)
    return frozenset()


def _cmap(font: bytes, start: int) -> frozenset[int]:
    count = struct.unpack_from(">H", font, start + 2)[0]
    best: tuple[int, int] | None = None  # (preference, subtable offset)
    for index in range(count):
        platform, _encoding, at = struct.unpack_from(">HHI", font, start + 4 + 8 * index)
        form = struct.unpack_from(">H", font, start + at)[0]
        # A full-repertoire table (format 12) over a BMP one (format 4); Unicode or Windows.
        rank = {(12, 0): 3, (12, 3): 3, (4, 0): 1, (4, 3): 1}.get((form, platform), 0)
        if rank and (best is None or rank > best[0]):
            best = (rank, start + at)
    if best is None:
        return frozenset()
    at = best[1]
    if struct.unpack_from(">H", font, at)[0] == 12:
        groups = struct.unpack_from(">I", font, at + 12)[0]
        found: set[int] = set()
        for group in range(groups):
            first, last, glyph = struct.unpack_from(">III", font, at + 16 + 12 * group)
            found.update(c for c in range(first, last + 1) if glyph + c - first)
        return frozenset(found)
    segments = struct.unpack_from(">H", font, at + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", font, at + 14)
    starts = struct.unpack_from(f">{segments}H", font, at + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", font, at + 16 + 4 * segments)
    ranges_at = at + 16 + 6 * segments
    offsets = struct.unpack_from(f">{segments}H", font, ranges_at)
    found = set()
    for k in range(segments):
        for code in range(starts[k], ends[k] + 1):
            if code == 0xFFFF:
                continue
            if offsets[k] == 0:
                glyph = (code + deltas[k]) & 0xFFFF
            else:
                where = ranges_at + 2 * k + offsets[k] + 2 * (code - starts[k])
                glyph = struct.unpack_from(">H", font, where)[0]
                glyph = (glyph + deltas[k]) & 0xFFFF if glyph else 0
            if glyph:
                found.add(code)
    return frozenset(found)


@functools.cache
def bundled_coverage() -> frozenset[int]:
    """What the bundled faces draw together (every face: a bold word is drawn in the bold)."""
    fonts = files("briefgen").joinpath("fonts")
    covered: set[int] = set()
    for name in BUNDLED_FACES:
        covered |= coverage(fonts.joinpath(name).read_bytes())
    return frozenset(covered)


def _strings(data: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _strings(item, (*path, index))


def _drawn(character: str, covered: frozenset[int]) -> bool:
    # Spaces and control characters are not drawn (controls are refused elsewhere); combining
    # marks are drawn with their base, and a font's cmap may list them or not.
    if character.isspace() or unicodedata.category(character) in {"Cc", "Cf", "Mn", "Me"}:
        return True
    return ord(character) in covered


def undrawable_problems(doc: LocatedDocument, covered: Iterable[int] | None = None
                        ) -> list[Problem]:
    """A warning for each string with characters outside `covered` (default: the bundled
    fonts), located at the string, naming the characters and their code points."""
    fonts = frozenset(covered) if covered is not None else bundled_coverage()
    found = []
    for path, text in _strings(doc.data):
        if path and path[-1] in {"id", "source", "url", "csv", "currency"}:
            continue  # identifiers and file names are never printed as they are
        missing = list(dict.fromkeys(ch for ch in text if not _drawn(ch, fonts)))
        if not missing:
            continue
        mark = doc.value_marks.get(path) or doc.mark_for(path)
        shown = ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:SHOWN])
        more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
        found.append(Problem(
            mark.file if mark else doc.file, mark.line if mark else None,
            mark.column if mark else None, dotted(path),
            f"the note's fonts cannot draw {shown}{more}: they would print as empty boxes",
            "give the brand a font that draws them in `fallback_fonts` (a Noto CJK face, say)",
            "warning"))
    return found
