"""A brand's font files, added to matplotlib's font list so its charts are drawn in that font.

A `Brand` holds its faces as bytes (it travels whole to a worker or a Dask cluster), but
matplotlib's font manager reads fonts from files, and reads them again whenever it draws; so each
face is written once per process into a private temporary folder, kept until the process exits,
and added with `fontManager.addfont`. Adding is the one lasting side effect, as for the bundled
fonts (`briefgen.charts.style`): once per face per process, however many briefs a worker draws.

matplotlib knows a face by the family, weight and style written inside the file; the brand, like
its CSS `@font-face` rules, states them itself (`font_family`, and each face's `weight` and
`style`), so the added entry is given the brand's names: the charts' family is the note's.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import logging
import tempfile
from collections.abc import Iterable
from pathlib import Path

from briefgen.brand.model import FallbackFont, FontFile

FontFace = FontFile | FallbackFont  # the same fields: weight, style, format, data

SUFFIXES = {"opentype": "otf", "truetype": "ttf", "woff": "sfnt"}
# Each face added in this process, by what was added: the same face in a second brief (or a
# second brand naming the same family and file) is not written or added again.
_added: set[str] = set()
_families: set[str] = set()  # the families added from brand files


def register_brand_fonts(family: str, faces: Iterable[FontFace]) -> bool:
    """Add each face to matplotlib as `family`, once per process; a bad file is skipped (the
    chart then falls back as for a family that is not installed). True when a face was added, so
    what the style module learnt from matplotlib's font list is out of date."""
    keyed = {_key(family, face): face for face in faces}  # ~0.3 ms a 270 KB face, each brief
    new = {key: face for key, face in keyed.items() if key not in _added}
    if not new:
        return False
    _families.add(family)
    _quiet_nearest_weight()
    for key, face in new.items():
        _added.add(key)  # a file FreeType cannot read is not tried again either
        _add(family, face, _folder() / f"{key}.{SUFFIXES[face.format]}")
    return True


def added_faces() -> frozenset[str]:
    """The brand faces added to matplotlib in this process, by content: a drawing made before a
    face changed is not one made after."""
    return frozenset(_added)


def brand_font_folders() -> tuple[Path, ...]:
    """The folder the brand faces of this process were written to, once there is one."""
    return (_folder(),) if _temporary_folder.cache_info().currsize else ()


def _key(family: str, face: FontFace) -> str:
    digest = hashlib.sha256(face.data)
    digest.update(f"\0{family}\0{face.weight}\0{face.style}".encode())
    return digest.hexdigest()[:32]


def _folder() -> Path:
    return Path(_temporary_folder().name)


@functools.cache
def _temporary_folder() -> tempfile.TemporaryDirectory[str]:
    # Held by the cache for the life of the process (matplotlib reopens a file whenever it draws
    # with it); removed when the interpreter exits.
    return tempfile.TemporaryDirectory(prefix="briefgen-fonts-")


def _add(family: str, face: FontFace, path: Path) -> None:
    from matplotlib import font_manager

    manager = font_manager.fontManager
    try:
        path.write_bytes(_unwrapped(face))
        manager.addfont(str(path))
    except Exception:  # a full disk, or FreeType or fontTools refused the file:
        return  # the charts fall back as for a family that is not installed; the note goes on
    # addfont may list a file under each of its names (typographic and legacy family); the brand
    # gives it one. addfont has just emptied findfont's cache and nothing has looked a font up
    # since, so the list can change in place without a stale lookup surviving.
    ours = [entry for entry in manager.ttflist if entry.fname == str(path)]
    if not ours:
        return
    manager.ttflist[:] = [entry for entry in manager.ttflist if entry.fname != str(path)]
    manager.ttflist.append(
        dataclasses.replace(ours[0], name=family, weight=face.weight, style=face.style))


def _unwrapped(face: FontFace) -> bytes:
    """The face as OpenType or TrueType: matplotlib's FreeType does not read WOFF."""
    if face.format != "woff":
        return face.data
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # WeasyPrint's own

    font = TTFont(io.BytesIO(face.data))
    font.flavor = None
    unwrapped = io.BytesIO()
    font.save(unwrapped)
    return unwrapped.getvalue()


class _NearestWeight(logging.Filter):
    """Drops matplotlib's warning that a brand's family lacks a weight and the nearest is used.

    A brand may give one face (a bold only, say); its notes' CSS then draws every weight with the
    nearest face, silently, and the charts do the same: not worth three lines on every render.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (str(record.msg).startswith("findfont: Failed to find font weight")
                    and len(args) == 3 and args[1] in _families)


@functools.cache
def _quiet_nearest_weight() -> None:
    logging.getLogger("matplotlib.font_manager").addFilter(_NearestWeight())
