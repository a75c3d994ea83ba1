"""One face out of a font file or a font collection (.ttc, .otc), and what a brand's fonts draw.

A fallback font is often a collection: Debian's `NotoSansCJK-Regular.ttc` holds ten faces (Japanese,
Korean, Simplified and Traditional Chinese, …) that share their glyph tables. A brand names one
by its index or its name; the loader keeps that face alone, as a standalone OpenType file, which
is what HarfBuzz, WeasyPrint (through fontconfig, which would otherwise add every face of the
file under the rule's family) and matplotlib each read.

The face is copied out table by table here: fontTools does the same but takes ~1 s for a 16 MB CJK
face, recomputing every table's checksum in Python, which `briefgen render` would pay per run.
The face's names are read with fontTools (lazily: only the `name` table is parsed).
"""

from __future__ import annotations

import functools
import io
import re
import struct
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefgen.brand.model import Brand

COLLECTION = b"ttcf"
SINGLE = {b"OTTO": "opentype", b"\x00\x01\x00\x00": "truetype", b"true": "truetype"}
_FAMILY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,63}$")


class FaceProblem(ValueError):
    """Why no face could be taken from a file, with a hint."""

    def __init__(self, message: str, hint: str | None = None, *, key: str = "file") -> None:
        super().__init__(message)
        self.hint = hint
        self.key = key  # the brand file's key it is about: "file" or "face"


@dataclass(frozen=True)
class Face:
    data: bytes  # a standalone OpenType or TrueType file
    format: str  # "opentype" or "truetype"
    family: str | None  # its family name, when it is one a brand could write itself


def face_count(data: bytes) -> int:
    return struct.unpack_from(">I", data, 8)[0] if data[:4] == COLLECTION else 1


def pick_face(data: bytes, face: int | str | None) -> Face:
    """The face `face` (an index, a name, or None for a single font or a collection's first
    face) of a font file, as a standalone font."""
    if data[:4] != COLLECTION and data[:4] not in SINGLE:
        raise FaceProblem("not an OpenType or TrueType font or font collection",
                          "give an .otf, .ttf, .ttc or .otc file")
    count = face_count(data)
    names = _names(data, count)
    if face is None:
        index = 0
    elif isinstance(face, int):
        if not 0 <= face < count:
            raise FaceProblem(f"no face {face}: the file has {count} face"
                              + (f"s (0 to {count - 1})" if count > 1 else " (0)"),
                              _listing(names), key="face")
        index = face
    else:
        wanted = face.strip().casefold()
        matches = [i for i, found in enumerate(names) if wanted in {n.casefold() for n in found}]
        if not matches:
            raise FaceProblem(f"no face named {face!r} in the file", _listing(names),
                              key="face")
        index = matches[0]
    standalone = _standalone(data, index) if data[:4] == COLLECTION else data
    family = names[index][0] if names[index] else None
    return Face(standalone, SINGLE.get(standalone[:4], "opentype"),
                family if family and _FAMILY.fullmatch(family) else None)


def _listing(names: list[tuple[str, ...]]) -> str:
    # Each face by its full name (the family's regular face is often just the family).
    shown = [f"{i}: {found[-1]}" for i, found in enumerate(names[:12]) if found]
    more = f", … ({len(names)} faces)" if len(names) > 12 else ""
    return "its faces: " + ", ".join(shown) + more if shown else "give the face's index"


def _names(data: bytes, count: int) -> list[tuple[str, ...]]:
    """Per face: its family (typographic, else legacy), full and PostScript names."""
    from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]

    try:
        if data[:4] == COLLECTION:
            fonts = TTCollection(io.BytesIO(data), lazy=True).fonts
        else:
            fonts = [TTFont(io.BytesIO(data), lazy=True)]
        found = []
        for font in fonts[:count]:
            table = font.get("name", None)
            typographic, legacy, full, postscript = (
                table.getDebugName(i) if table else None for i in (16, 1, 4, 6))
            family = typographic or legacy
            # Family first (what a brand names it by), full name last (what a listing shows).
            found.append(tuple(n for n in (family, postscript, full) if n))
        return found
    except Exception as exc:  # fontTools raises many kinds for a damaged file
        raise FaceProblem(f"not a readable font file ({type(exc).__name__})") from None


def _standalone(data: bytes, index: int) -> bytes:
    """Face `index` of a collection as a font file of its own: its table directory and tables,
    with the whole-font checksum (`head.checkSumAdjustment`) made right for the new file."""
    offset = struct.unpack_from(">I", data, 12 + 4 * index)[0]
    version, tables = struct.unpack_from(">4sH", data, offset)
    records = sorted(struct.unpack_from(">4sIII", data, offset + 12 + 16 * i)
                     for i in range(tables))
    header_size = 12 + 16 * tables
    at = header_size
    directory, blobs = [], []
    head_at = None
    for tag, checksum, start, length in records:
        if start + length > len(data):
            raise FaceProblem("the font collection is damaged (a table runs past its end)")
        blob = bytearray(data[start:start + length])
        if tag == b"head":
            head_at = at
            blob[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set below
        directory.append(struct.pack(">4sIII", tag, checksum, at, length))
        blobs.append(bytes(blob) + b"\0" * (-length % 4))
        at += len(blobs[-1])
    power = 1 << (tables.bit_length() - 1)
    header = struct.pack(">4sHHHH", version, tables, power * 16, power.bit_length() - 1,
                         tables * 16 - power * 16)
    font = bytearray(header + b"".join(directory) + b"".join(blobs))
    if head_at is not None:
        adjustment = (0xB1B0AFBA - _checksum(font)) & 0xFFFFFFFF
        font[head_at + 8:head_at + 12] = struct.pack(">I", adjustment)
    return bytes(font)


def _checksum(data: bytes | bytearray) -> int:
    """The OpenType checksum: the sum of the big-endian 32-bit words, modulo 2**32 (in C: ~20 ms
    for 16 MB, where a Python loop takes seconds)."""
    words = array("I", bytes(data) + b"\0" * (-len(data) % 4))  # "I" is 4 bytes where we run
    if sys.byteorder == "little":
        words.byteswap()
    return sum(words) & 0xFFFFFFFF


def drawn_by(brand: Brand | None) -> frozenset[int]:
    """The code points a note in `brand` can draw: the bundled Inter, the brand's own faces and
    its fallback faces."""
    from briefgen.spec import glyphs

    if brand is None:
        return glyphs.bundled_coverage()
    faces: Iterable[bytes] = (*(f.data for f in brand.font_files),
                              *(f.data for f in brand.fallback_fonts))
    # A WOFF face's tables are compressed: its coverage is not read (its text may warn).
    return glyphs.bundled_coverage().union(
        *(face_coverage(data) for data in faces if data[:4] != b"wOFF"))


def primary_coverage(brand: Brand) -> frozenset[int]:
    """What Inter and the brand's own faces draw: what a fallback face is never needed for."""
    from briefgen.spec import glyphs

    return glyphs.bundled_coverage().union(
        *(face_coverage(face.data) for face in brand.font_files if face.data[:4] != b"wOFF"))


@functools.lru_cache(maxsize=32)
def face_coverage(data: bytes) -> frozenset[int]:
    # Once per face per process (~20 ms for a CJK face's 30,000 characters), not per spec: a
    # batch checks every spec against the same brand. (bytes keep their hash once computed.)
    from briefgen.spec import glyphs

    return glyphs.coverage(data)
