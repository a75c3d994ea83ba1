"""A brand's fallback faces: a face of a collection picked by index or by name and kept alone,
every mistake located at its key in the brand file."""

from __future__ import annotations

import io
import shutil
import struct
from pathlib import Path

import pytest

from briefgen.brand.faces import drawn_by, pick_face
from briefgen.brand.load import load_brand
from briefgen.errors import BrandError

COLLECTION = (Path(__file__).resolve().parents[1] / "specs" / "gallery" / "brands" / "cjk-name"
              / "GallerySansCJK.ttc")


def brand(tmp_path: Path, entries: str) -> Path:
    shutil.copy(COLLECTION, tmp_path / "cjk.ttc")
    path = tmp_path / "brand.yaml"
    path.write_text(f"firm_name: Desk\nfallback_fonts:\n{entries}", encoding="utf-8")
    return path


def test_a_face_taken_out_of_a_collection_is_a_sound_font_of_its_own() -> None:
    from fontTools.ttLib import TTFont

    face = pick_face(COLLECTION.read_bytes(), "Gallery Sans CJK SC Bold")
    assert face.family == "Gallery Sans CJK SC" and face.format == "opentype"
    font = TTFont(io.BytesIO(face.data))
    assert font["name"].getDebugName(4) == "Gallery Sans CJK SC Bold"
    assert ord("星") in font.getBestCmap()
    # The whole-font checksum is right for the new file (the OpenType rule: it sums to this).
    words = struct.unpack(f">{len(face.data) // 4}I", face.data)
    assert sum(words) & 0xFFFFFFFF == 0xB1B0AFBA
    assert pick_face(COLLECTION.read_bytes(), 1).data == face.data


def test_the_brand_counts_its_fallback_faces(tmp_path: Path) -> None:
    loaded = load_brand(brand(tmp_path, "  - {file: cjk.ttc, face: 0, family: Desk CJK}\n"))
    (face,) = loaded.brand.fallback_fonts
    assert face.family == "Desk CJK" and loaded.brand.font_stack == ("Inter", "Desk CJK")
    assert ord("星") in drawn_by(loaded.brand) and ord("星") not in drawn_by(None)


@pytest.mark.parametrize(("entry", "where", "message"), [
    ("{file: cjk.ttc, face: 2}", "3:27: fallback_fonts[0].face",
     "no face 2: the file has 2 faces (0 to 1) (its faces: 0: Gallery Sans CJK SC, "
     "1: Gallery Sans CJK SC Bold)"),
    ("{file: cjk.ttc, face: Noto Sans CJK SC}", "3:27: fallback_fonts[0].face",
     "no face named 'Noto Sans CJK SC' in the file"),
    ("{file: brand.yaml}", "3:12: fallback_fonts[0].file",
     "not an OpenType or TrueType font or font collection"),
    ("{file: ../cjk.ttc}", "3:12: fallback_fonts[0].file",
     "the file must be inside the brand file's folder"),
    ("{file: cjk.ttc, size: 3}", "3:21: fallback_fonts[0].size", "unknown key"),
])
def test_mistakes_are_located(tmp_path: Path, entry: str, where: str, message: str) -> None:
    path = brand(tmp_path, f"  - {entry}\n")
    with pytest.raises(BrandError) as caught:
        load_brand(path)
    shown = [str(problem) for problem in caught.value.problems]
    assert any(line.startswith(f"{path}:{where}: {message}") for line in shown), shown
