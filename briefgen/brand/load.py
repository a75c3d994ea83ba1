"""Reading a brand file (`brand.yaml`): the house style of a desk, validated like a spec.

The file holds what `briefgen.brand.Brand` holds, plus a `templates:` folder. Files it names (the
logo, font files, the templates folder) are found relative to the brand file, never the current
folder; the logo and fonts must sit inside the brand file's folder, are checked for what they
claim to be, and are read into the `Brand` as bytes, so a brand travels whole to a worker process
or a Dask cluster and its content, not its location, makes the cache key. An SVG logo is refused
if it could run or fetch anything (scripts, event handlers, foreignObject, external references),
and is only ever placed as an `<img>` data: URI besides.

Every problem in the file is reported at once, located: `brand.yaml:4:12: colours.primary: ...`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_core import ErrorDetails

from briefgen.brand.model import Brand
from briefgen.brand.raster import PNG_SIGNATURE, LogoProblem, fitted_png
from briefgen.errors import BrandError, Problem
from briefgen.inputs.loader import FileKind, load_model
from briefgen.inputs.located import LocatedDocument, PathKey, dotted
from briefgen.inputs.worded import describe

MAX_LOGO_BYTES = 2_000_000
MAX_FONT_BYTES = 8_000_000
# A CJK collection is large: Debian's NotoSerifCJK-Regular.ttc is 26 MB (one face is kept).
MAX_FALLBACK_BYTES = 64_000_000
LOGO_KEYS = ("file", "alt", "height_mm")
FONT_KEYS = ("file", "weight", "style")
FALLBACK_KEYS = ("file", "face", "family", "weight", "style")
FONT_FORMATS = {b"OTTO": "opentype", b"\x00\x01\x00\x00": "truetype", b"true": "truetype",
                b"wOFF": "woff"}
SVG_NS = "{http://www.w3.org/2000/svg}"


class BrandFile(Brand):
    """The brand file: a `Brand`, and the folder of templates that goes with it."""

    templates: str | None = Field(
        None, description="A folder of templates searched before the built-in ones, relative "
        "to this file; a template there can extend the built-in note: "
        '{% extends "default:note.html" %}.')


@dataclass(frozen=True)
class LoadedBrand:
    """A valid brand and the files it was made from (which a preview watches)."""

    brand: Brand
    path: Path
    template_dirs: tuple[Path, ...]
    files: tuple[Path, ...]  # the brand file, its logo and its fonts
    warnings: tuple[Problem, ...] = ()  # colours below WCAG AA contrast, located


BRAND = FileKind(BrandFile, BrandError, "a mapping of brand settings (firm_name, colours, …)",
                 empty_hint="delete it to use the built-in brand, or run `briefgen init`")


def load_brand(path: Path | str, display: str | None = None, *, strict: bool = False
               ) -> LoadedBrand:
    """Load and validate a brand file; raise `BrandError` with every problem in it. Colours
    below WCAG AA contrast are warnings, located at the colour the file sets (errors with
    `strict`)."""
    path = Path(path)
    assets: list[_Assets] = []
    template_dirs: list[Path] = []

    def read_assets(doc: LocatedDocument, data: dict[str, Any]) -> list[Problem]:
        reader = _Assets(doc, path.parent)
        assets.append(reader)
        if "logo" in data:
            data["logo"] = reader.logo(data["logo"])
        if isinstance(data.get("font_files"), list):
            data["font_files"] = [reader.font(i, item)
                                  for i, item in enumerate(data["font_files"])]
        if isinstance(data.get("fallback_fonts"), list):
            data["fallback_fonts"] = [reader.fallback(i, item)
                                      for i, item in enumerate(data["fallback_fonts"])]
        if isinstance(data.get("templates"), str):
            template_dirs.extend(reader.folder_at(("templates",), data["templates"]))
        return reader.problems

    validated = load_model(path, BRAND, display=display, strict=strict, prepare=read_assets,
                           reword=_reworded, check=_contrast)
    brand = Brand.model_validate(validated.model.model_dump(exclude={"templates"}))
    return LoadedBrand(brand, path, tuple(template_dirs), (path, *assets[0].files),
                       tuple(validated.warnings))


def _contrast(doc: LocatedDocument, loaded: BrandFile | None) -> list[Problem]:
    """A warning per colour pair below its WCAG minimum, placed at the colour the file sets:
    the foreground if it sets it, else the background, else the `colours` key (or the top)."""
    from briefgen.brand.contrast import low_contrast

    if loaded is None:
        return []
    found = []
    for low in low_contrast(loaded.colours):
        keys = [k for k in (low.pair.foreground, low.pair.background) if k != "white"]
        given = [k for k in keys if ("colours", k) in doc.value_marks]
        where = ("colours", given[0]) if given else ("colours",)
        mark = doc.mark_for(where)
        found.append(Problem(doc.file, mark.line if mark else None,
                             mark.column if mark else None, ".".join(where), low.message(),
                             "a darker colour, or a lighter background", severity="warning"))
    return found


def _reworded(problem: Problem, err: ErrorDetails) -> Problem:
    value, where = err.get("input"), problem.where
    if err["type"] == "tuple_type":  # the brand's lists are tuples: worded as validate words lists
        return replace(problem, message=f"expected a list, got {describe(value)}",
                       hint="start each item with '- '")
    if err["type"] == "multiple_of":
        return replace(problem, message=f"expected a weight of 100, 200, … 900, got {value}",
                       hint="400 is regular, 600 semibold, 700 bold")
    if err["type"] not in {"string_pattern_mismatch", "string_type"}:
        return problem
    if where.startswith("colours"):
        short = isinstance(value, str) and re.fullmatch(r"#?[0-9A-Fa-f]{3}", value)
        hint = ('write all six digits, e.g. "#' + "".join(c * 2 for c in value.lstrip("#")) + '"'
                if short else 'YAML reads # as the start of a comment: quote the colour, e.g. '
                '"#1F3A5F"' if value is None else None)
        return replace(problem, message=f"expected a colour as #RRGGBB, got {describe(value)}",
                       hint=hint)
    if where == "font_family" and err["type"] == "string_pattern_mismatch":
        return replace(problem, message="expected a font family name of letters, digits, spaces "
                       f"and hyphens, got {describe(value)}")
    return problem


class _Assets:
    """Reads the files a brand file names, each problem located at the key that names it."""

    def __init__(self, doc: LocatedDocument, folder: Path) -> None:
        self.doc = doc
        self.folder = folder
        self.problems: list[Problem] = []
        self.files: list[Path] = []

    def problem(self, where: PathKey, message: str, hint: str | None = None, *,
                key: bool = False) -> None:
        mark = self.doc.mark_for(where, key=key)
        self.problems.append(Problem(mark.file if mark else self.doc.file,
                                     mark.line if mark else None, mark.column if mark else None,
                                     dotted(where), message, hint))

    def entry(self, where: PathKey, value: Any, keys: tuple[str, ...]) -> dict[str, Any] | None:
        """`file: x` or a mapping with a `file` name, its other keys checked (a problem with
        those does not stop the file being read: every problem is reported); None if no name."""
        if isinstance(value, str):
            value = {"file": value}
        for key in value:
            if key not in keys:
                self.problem((*where, key), "unknown key", "allowed: " + ", ".join(keys),
                             key=True)
        name = value.get("file")
        if isinstance(name, str) and name.strip():
            return dict(value)
        if "file" not in value:
            self.problem(where, "missing the file name", key=True)
        else:
            self.problem((*where, "file"), f"expected a file name, got {describe(name)}")
        return None

    def file_at(self, where: PathKey, name: str, limit: int) -> bytes | None:
        """The bytes of `name`, a file inside the brand file's folder, or None (reported)."""
        try:
            path = (self.folder / name).resolve()
        except (OSError, ValueError):
            self.problem(where, "is not a usable file name")
            return None
        if not path.is_relative_to(self.folder.resolve()):
            self.problem(where, "the file must be inside the brand file's folder",
                         "give a path relative to the brand file, without `..`")
            return None
        if not path.is_file():
            self.problem(where, f"no such file: {path}" if not path.exists()
                         else f"{path} is a folder, not a file")
            return None
        try:
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
        except OSError as exc:
            self.problem(where, f"cannot be read: {exc.strerror or exc}")
            return None
        if len(data) > limit:
            self.problem(where, f"the file is larger than the limit of {limit:,} bytes")
            return None
        self.files.append(path)
        return data

    def logo(self, value: Any) -> Any:
        if not isinstance(value, dict | str):
            return value  # the model words the error
        before = len(self.problems)
        entry = self.entry(("logo",), value, LOGO_KEYS)
        data = self.file_at(("logo", "file"), entry["file"], MAX_LOGO_BYTES) if entry else None
        if entry is None or data is None or len(self.problems) > before:
            return None
        if data.startswith(PNG_SIGNATURE):
            shown = entry.get("height_mm")
            if not isinstance(shown, int | float) or isinstance(shown, bool) or not (
                    4 <= shown <= 30):
                shown = 30  # the model words a bad height; scale for the largest one allowed
            try:
                data = fitted_png(data, shown)
            except LogoProblem as exc:
                self.problem(("logo", "file"), str(exc),
                             "export it at the size it is printed: a few hundred pixels high")
                return None
            return {**entry, "media_type": "image/png", "data": data}
        problem = svg_problem(data)
        if problem is not None:
            self.problem(("logo", "file"), problem,
                         "a logo is an SVG or PNG file; export a plain SVG from your editor")
            return None
        return {**entry, "media_type": "image/svg+xml", "data": data}

    def font(self, index: int, value: Any) -> Any:
        if not isinstance(value, dict | str):
            return value
        where: PathKey = ("font_files", index)
        before = len(self.problems)
        entry = self.entry(where, value, FONT_KEYS)
        data = self.file_at((*where, "file"), entry["file"], MAX_FONT_BYTES) if entry else None
        if entry is None or data is None or len(self.problems) > before:
            return None
        kind = FONT_FORMATS.get(data[:4])
        if kind is None:
            self.problem((*where, "file"), "not an OpenType, TrueType or WOFF font file")
            return None
        return {**entry, "format": kind, "data": data}

    def fallback(self, index: int, value: Any) -> Any:
        """A fallback face: the one the entry names, taken out of its file (or collection)."""
        from briefgen.brand.faces import FaceProblem, pick_face

        if not isinstance(value, dict | str):
            return value
        where: PathKey = ("fallback_fonts", index)
        before = len(self.problems)
        entry = self.entry(where, value, FALLBACK_KEYS)
        data = (self.file_at((*where, "file"), entry["file"], MAX_FALLBACK_BYTES)
                if entry else None)
        if entry is None or data is None or len(self.problems) > before:
            return None
        wanted = entry.get("face")
        if isinstance(wanted, bool) or not isinstance(wanted, int | str | None):
            return entry  # the model words the error
        try:
            face = pick_face(data, wanted)
        except FaceProblem as exc:
            self.problem((*where, exc.key), str(exc), exc.hint)
            return None
        family = entry.get("family", face.family or f"Fallback {index + 1}")
        return {**entry, "family": family, "format": face.format, "data": face.data}

    def folder_at(self, where: PathKey, name: str) -> tuple[Path, ...]:
        folder = self.folder / name
        if not folder.is_dir():
            self.problem(where, f"no such folder: {folder}",
                         "the folder is found relative to the brand file")
            return ()
        return (folder,)


_SVG_NOT_ALLOWED = {"script", "foreignObject", "iframe", "object", "embed", "audio", "video"}
_REFERENCE = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.I)


def svg_problem(data: bytes) -> str | None:
    """Why `data` is not a safe, self-contained SVG drawing; None when it is one."""
    head = data[:4096].lstrip().lower()
    if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        return "an SVG logo may not declare a DOCTYPE or entities"
    if not (head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--")):
        return "not an SVG or PNG file"
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return f"not a well-formed SVG file ({exc})"
    if root.tag not in (f"{SVG_NS}svg", "svg"):
        return "not an SVG file: its root element is not <svg>"
    for element in root.iter():
        name = str(element.tag).rsplit("}", 1)[-1]
        if name in _SVG_NOT_ALLOWED:
            return f"contains a <{name}> element; a logo must be a plain drawing"
        for attribute, text in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1]
            if local.lower().startswith("on"):
                return f"contains an event handler ({local}); a logo must be a plain drawing"
            if local == "href" and not (text.startswith("#") or text.startswith("data:image/")):
                return f"refers to another file or address ({text[:60]}); embed it instead"
            if local == "style" and _REFERENCE.search(text):
                return "its styles refer to another file or address; embed it instead"
        if name == "style" and element.text and (_REFERENCE.search(element.text)
                                                 or "@import" in element.text):
            return "its styles refer to another file or address; embed it instead"
    if "viewBox" not in root.attrib and not {"width", "height"} <= root.attrib.keys():
        return "the SVG has no viewBox (or width and height), so it cannot be scaled"
    return None
