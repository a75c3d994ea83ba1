"""Make the gallery brand's CJK fallback font: a small subset of Debian's Noto Sans CJK.

    .venv/bin/python scripts/make-gallery-cjk-font.py   # needs fonts-noto-cjk (.ci/run installs it)

The gallery's CJK-named spec (tests/specs/gallery/cjk-name.yaml) is drawn with a fallback face
its brand declares. Noto Sans CJK is ~20 MB a weight, too big to commit, and the tests must not
depend on the host having it (the gallery validates and renders anywhere). So this script cuts
the Simplified Chinese face of NotoSansCJK-Regular.ttc and -Bold.ttc down to the characters of
the gallery's specs that Inter does not draw, and writes both faces as one collection (.ttc,
regular first), so the gallery brand also exercises picking a face out of a collection by name
and by index. The result is a few tens of KB.

The SIL Open Font License permits this; a subset is a modified version, so it gets a name of its
own ("Gallery Sans CJK SC", which also keeps it apart from an installed Noto in a test that
checks no host font leaks into a PDF) and ships with the licence, written beside it.

Run it again after adding Chinese text to a gallery spec (the gallery test says which characters
are missing); the output is the same bytes for the same input.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefgen.spec.glyphs import bundled_coverage  # noqa: E402

NOTO = Path("/usr/share/fonts/opentype/noto")
SOURCES = (NOTO / "NotoSansCJK-Regular.ttc", NOTO / "NotoSansCJK-Bold.ttc")
FACE = "Noto Sans CJK SC"
FAMILY = "Gallery Sans CJK SC"
POSTSCRIPT = "GallerySansCJKsc"
GALLERY = ROOT / "tests" / "specs" / "gallery"
OUT = GALLERY / "brands" / "cjk-name" / "GallerySansCJK.ttc"
LICENCE = OUT.with_name("LICENSE-GallerySansCJK.txt")
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")


def characters() -> str:
    """Every character of the gallery's specs that the bundled Inter lacks, and the spaces: Pango
    sets a space between two Chinese words in the font of the words around it."""
    covered = bundled_coverage()
    found = {ch for path in sorted(GALLERY.glob("*.yaml"))
             for ch in path.read_text(encoding="utf-8")
             if not ch.isspace() and ord(ch) not in covered}
    return "".join(sorted(found | {" ", "\u00a0"}))


def face(path: Path) -> TTFont:
    fonts = TTCollection(str(path), lazy=False, recalcTimestamp=False).fonts
    for font in fonts:
        if font["name"].getDebugName(1) == FACE:
            return font
    raise SystemExit(f"{path}: no face {FACE!r}")


def cut(font: TTFont, text: str) -> TTFont:
    options = subset.Options()
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, licence
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    weight = font["name"].getDebugName(2) or "Regular"
    names = {1: FAMILY, 3: f"{POSTSCRIPT}-{weight} (subset of {FACE})",
             4: f"{FAMILY} {weight}" if weight != "Regular" else FAMILY,
             6: f"{POSTSCRIPT}-{weight}"}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names:
            table.setName(names[record.nameID], record.nameID, record.platformID,
                          record.platEncID, record.langID)
    if "CFF " in font:  # the CFF table names the font too
        cff = font["CFF "].cff
        cff.fontNames = [names[6]]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = names[4], FAMILY
    return font


def licence(font: TTFont) -> str:
    notice = font["name"].getDebugName(0) or ""
    text = DEBIAN_COPYRIGHT.read_text(encoding="utf-8")
    # The stand-alone "License: SIL-1.1" paragraph: indented lines up to the next paragraph.
    body = text.split("\nLicense: SIL-1.1\n", 2)[-1].split("\n\n", 1)[0]
    lines = [line[1:] if line.startswith(" ") else line for line in body.splitlines()]
    ofl = "\n".join("" if line == "." else line for line in lines).strip()
    return (f"{OUT.name}: a subset of {FACE} (Noto Sans CJK, {', '.join(p.name for p in SOURCES)}"
            f" in Debian's fonts-noto-cjk), renamed {FAMILY!r}, made by "
            f"scripts/{Path(__file__).name}.\n\n{notice}\n\n{ofl}\n")


def main() -> None:
    text = characters()
    faces = [cut(face(path), text) for path in SOURCES]
    collection = TTCollection()
    collection.fonts = faces
    OUT.parent.mkdir(parents=True, exist_ok=True)
    collection.save(str(OUT), shareTables=True)
    LICENCE.write_text(licence(faces[0]), encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size:,} bytes, {len(text)} characters: {text}")


if __name__ == "__main__":
    main()
