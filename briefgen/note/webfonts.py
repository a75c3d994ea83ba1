"""The bundled Inter, as `@font-face` rules: subset data: URIs for HTML, file URLs for the PDF.

The HTML note must look the same offline and on any machine, so it carries its fonts. The four
Inter faces weigh 1 MB; a note uses about 150 characters of them. Each face is cut down to the
characters of the note with HarfBuzz's subsetter (Debian's `libharfbuzz-subset0`, which WeasyPrint
uses too: ~3 ms a face, called through ctypes) and wrapped as WOFF: about 95 KB of base64 for all
four faces. Where that library is missing, fontTools does the same job, ~0.3 s a face.
The WOFF wrapping (zlib per table) is done here, without fontTools: ~10 ms for all four.

The PDF needs none of this: WeasyPrint reads the OTF files from the package and subsets them
itself, so the PDF's HTML points at them with file: URLs that its URL fetcher allows.

A brand's fallback faces (`Brand.fallback_fonts`, a CJK face say) are treated alike: in the HTML,
each is cut down to the note's characters that Inter and the brand's own font do not draw (a
note without such characters carries none of it); the PDF names the whole face by file: URL,
written once per process to a private folder, so that its `@font-face` rules are the same for
every note of a brand and WeasyPrint's font configuration is reused.
"""

from __future__ import annotations

import base64
import ctypes
import ctypes.util
import functools
import hashlib
import io
import os
import string
import struct
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import privatedir
from briefgen.privatedir import private_folder

if TYPE_CHECKING:
    from briefgen.brand.model import FallbackFont

FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"
# Characters every note gets whatever its text, so a user template's own words render in Inter.
BASE_CHARACTERS = frozenset(string.printable.strip() + " \u00a0–—‘’“”†‡•…−×÷·€£¥")


@dataclass(frozen=True)
class Face:
    file: str
    weight: int
    style: str = "normal"

    @property
    def path(self) -> Path:
        return FONT_DIR / self.file


FACES = (
    Face("Inter-Regular.otf", 400),
    Face("Inter-Italic.otf", 400, "italic"),
    Face("Inter-SemiBold.otf", 600),
    Face("Inter-Bold.otf", 700),
)
FAMILY = "Inter"


def font_faces_for_pdf() -> str:
    """`@font-face` rules naming the package's OTF files by file: URL."""
    return "\n".join(
        _rule(face, f'url("{face.path.as_uri()}") format("opentype")') for face in FACES
    )


def font_faces_for_html(text: str) -> str:
    """`@font-face` rules with each face subset to the characters of `text`, as data: URIs."""
    # set() first: the note's ~80,000 characters are deduplicated in C before Python looks at
    # each of its ~150 distinct ones.
    characters = frozenset(ch for ch in set(text) if ch.isprintable()) | BASE_CHARACTERS
    return "\n".join(
        _rule(face, f'url("data:font/woff;base64,{_woff_base64(face, characters)}") '
                    'format("woff")')
        for face in FACES
    )


def fallback_faces_for_html(faces: Sequence[FallbackFont], text: str,
                            drawn: frozenset[int]) -> str:
    """`@font-face` rules for the fallback faces, each subset to the characters of `text` that
    it draws and `drawn` (what Inter and the brand's own faces draw) lacks; no rule for a face
    the note does not need."""
    from briefgen.brand.faces import face_coverage

    wanted = frozenset(ord(ch) for ch in set(text) if ch.isprintable()) - drawn
    rules = []
    for face in faces:
        needed = wanted & face_coverage(face.data)
        if needed:
            woff = _woff_base64_of(face.data, frozenset(needed))
            rules.append(_fallback_rule(face, f'url("data:font/woff;base64,{woff}") '
                                              'format("woff")'))
    return "\n".join(rules)


def fallback_faces_for_pdf(faces: Sequence[FallbackFont]) -> str:
    """`@font-face` rules naming each fallback face by a file: URL under `fallback_folder()`."""
    return "\n".join(
        _fallback_rule(face, f'url("{_fallback_file(face).as_uri()}") format("{face.format}")')
        for face in faces)


def _fallback_rule(face: FallbackFont, src: str) -> str:
    # The family passed the brand's strict pattern (letters, digits, spaces, hyphens).
    return (f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
            f"font-style: {face.style}; font-display: block; src: {src}; }}")


_fallback_dir: tuple[int, Path] | None = None  # (the process that made it, the folder)


def fallback_folder() -> Path:
    """This process's folder of fallback faces (the PDF's URL fetcher may read it); a forked
    child uses its parent's, which outlives it."""
    global _fallback_dir
    if _fallback_dir is None or not _fallback_dir[1].is_dir():
        import atexit

        folder = Path(tempfile.mkdtemp(prefix="briefgen-fallback-fonts-"))
        atexit.register(_remove_folder, folder, os.getpid())
        _fallback_dir = (os.getpid(), folder)
    return _fallback_dir[1]


def _remove_folder(folder: Path, owner: int) -> None:
    import shutil

    if os.getpid() == owner:  # never a forked child's doing: the folder is its parent's
        shutil.rmtree(folder, ignore_errors=True)


def _fallback_file(face: FallbackFont) -> Path:
    """The face as a file named by its content, written once per process."""
    suffix = "otf" if face.format == "opentype" else "ttf"
    path = fallback_folder() / f"{_digest(face.data)}.{suffix}"
    if not path.is_file():
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(face.data)
        partial.replace(path)  # whole or absent: a concurrent reader never sees half a font
    return path


@functools.lru_cache(maxsize=16)
def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _rule(face: Face, src: str) -> str:
    return (f"@font-face {{ font-family: {FAMILY}; font-weight: {face.weight}; "
            f"font-style: {face.style}; font-display: block; src: {src}; }}")


@functools.lru_cache(maxsize=64)
def _woff_base64(face: Face, characters: frozenset[str]) -> str:
    return _woff_base64_of(face.path.read_bytes(), frozenset(ord(ch) for ch in characters),
                           keep=True)


# What `_woff_base64_of` writes: bump when `_to_woff` or the subsetting changes its bytes.
_WOFF_FORMAT = "woff1-zlib9"


@functools.lru_cache(maxsize=64)
def _woff_base64_of(data: bytes, characters: frozenset[int], *, keep: bool = False) -> str:
    """`data` cut down to `characters`, as base64 WOFF; with `keep`, kept between processes.

    Inter's subsets are kept: a note's characters are nearly always `BASE_CHARACTERS` (every
    ASCII character and briefgen's own symbols), so its four subsets are every note's, and
    making them is ~18 ms of a cold render's CPU. They live in a private folder
    (`briefgen.privatedir`), keyed by the font, the characters and the subsetter's name and
    version (another HarfBuzz may cut a font differently: a note's bytes must not depend on
    what a cache holds). A fallback face's subsets are not kept: each note of another script
    has its own characters, and the folder would only grow."""
    codepoints = sorted(characters)
    harfbuzz = _harfbuzz()
    subsetter = harfbuzz.version if harfbuzz else f"fonttools {_fonttools_version()}"
    folder = private_folder("briefgen-fonts") if keep else None
    name = hashlib.sha256(f"{_WOFF_FORMAT}|{subsetter}|{_digest(data)}|"
                          f"{','.join(map(str, codepoints))}".encode()).hexdigest() + ".woff64"
    kept = privatedir.read(folder, name)
    if kept is not None and kept.isascii():
        return kept.decode("ascii")
    subset = harfbuzz.subset(data, codepoints) if harfbuzz else None
    if subset is None:
        subset = _fonttools_subset(data, codepoints)
    woff = base64.b64encode(_to_woff(subset))
    privatedir.store(folder, name, woff)
    return woff.decode("ascii")


def _fonttools_version() -> str:
    import fontTools  # type: ignore[import-untyped]

    return str(fontTools.version)


def _to_woff(font: bytes) -> bytes:
    """An OpenType font as WOFF 1.0: each table zlib-compressed (https://www.w3.org/TR/WOFF/).

    Written here rather than with fontTools, whose table modules alone take ~0.1 s to import.
    """
    version, count = struct.unpack_from(">4sH", font)
    records = sorted(struct.unpack_from(">4sIII", font, 12 + 16 * i) for i in range(count))
    directory, blobs = [], []
    offset = 44 + 20 * count
    sfnt_size = 12 + 16 * count
    for tag, checksum, start, length in records:
        data = font[start:start + length]
        packed = zlib.compress(data, 9)
        if len(packed) >= length:
            packed = data
        directory.append(struct.pack(">4sIIII", tag, offset, len(packed), length, checksum))
        blobs.append(packed + b"\0" * (-len(packed) % 4))
        offset += len(blobs[-1])
        sfnt_size += length + (-length % 4)
    header = struct.pack(">4s4sIHHIHHIIIII", b"wOFF", version, offset, count, 0, sfnt_size,
                         1, 0, 0, 0, 0, 0, 0)
    return header + b"".join(directory) + b"".join(blobs)


def _fonttools_subset(data: bytes, codepoints: list[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


class _HarfBuzz:
    """The five calls of HarfBuzz's subsetter that briefgen needs, through ctypes."""

    def __init__(self) -> None:
        hb, hbs = _library("harfbuzz", "libharfbuzz.so.0"), _library(
            "harfbuzz-subset", "libharfbuzz-subset.so.0")
        hb.hb_version_string.restype = ctypes.c_char_p
        self.version = f"harfbuzz {hb.hb_version_string().decode('ascii', 'replace')}"
        ptr = ctypes.c_void_p
        hb.hb_blob_create.restype = ptr
        hb.hb_blob_create.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.c_int, ptr, ptr]
        hb.hb_face_create.restype = ptr
        hb.hb_face_create.argtypes = [ptr, ctypes.c_uint]
        hb.hb_face_reference_blob.restype = ptr
        hb.hb_face_reference_blob.argtypes = [ptr]
        hb.hb_blob_get_data.restype = ctypes.POINTER(ctypes.c_char)
        hb.hb_blob_get_data.argtypes = [ptr, ctypes.POINTER(ctypes.c_uint)]
        hb.hb_set_add.argtypes = [ptr, ctypes.c_uint32]
        for name in ("hb_blob_destroy", "hb_face_destroy"):
            getattr(hb, name).argtypes = [ptr]
        hbs.hb_subset_input_create_or_fail.restype = ptr
        hbs.hb_subset_input_unicode_set.restype = ptr
        hbs.hb_subset_input_unicode_set.argtypes = [ptr]
        hbs.hb_subset_input_destroy.argtypes = [ptr]
        hbs.hb_subset_or_fail.restype = ptr
        hbs.hb_subset_or_fail.argtypes = [ptr, ptr]
        self.hb, self.hbs = hb, hbs

    def subset(self, data: bytes, codepoints: list[int]) -> bytes | None:
        hb, hbs = self.hb, self.hbs
        blob = hb.hb_blob_create(data, len(data), 1, None, None)  # 1: read-only, not copied
        face = hb.hb_face_create(blob, 0)
        request = hbs.hb_subset_input_create_or_fail()
        result = out_blob = None
        try:
            if not request:
                return None
            unicodes = hbs.hb_subset_input_unicode_set(request)
            for codepoint in codepoints:
                hb.hb_set_add(unicodes, codepoint)
            result = hbs.hb_subset_or_fail(face, request)
            if not result:
                return None
            out_blob = hb.hb_face_reference_blob(result)
            length = ctypes.c_uint()
            pointer = hb.hb_blob_get_data(out_blob, ctypes.byref(length))
            return ctypes.string_at(pointer, length.value) if length.value else None
        finally:
            if out_blob:
                hb.hb_blob_destroy(out_blob)
            if result:
                hb.hb_face_destroy(result)
            if request:
                hbs.hb_subset_input_destroy(request)
            hb.hb_face_destroy(face)
            hb.hb_blob_destroy(blob)


def _library(name: str, soname: str) -> ctypes.CDLL:
    """A shared library by its Linux soname, else as `find_library` finds it (which runs
    `ldconfig`, and `gcc` when that fails: ~5 ms a name, avoided where the soname loads)."""
    try:
        return ctypes.CDLL(soname)
    except OSError:
        found = ctypes.util.find_library(name)
        if found is None:
            raise
        return ctypes.CDLL(found)


@functools.cache
def _harfbuzz() -> _HarfBuzz | None:
    try:
        return _HarfBuzz()
    except (OSError, AttributeError):  # library or symbol missing: fall back to fontTools
        return None


