"""The CJK-named gallery note (tests/specs/gallery/cjk-name.yaml) with its brand's declared
fallback face: real glyphs in the PDF, the HTML and the charts, the same bytes from another
process; without the brand, validate stops at each Chinese string, located."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from briefgen.brand.load import load_brand
from tests.gallery.test_gallery import BRANDS, GALLERY, rendered
from tests.helpers.fonts import BUNDLED, pdf_fonts

NAME = "cjk-name"
SPEC = GALLERY / f"{NAME}.yaml"
BRAND = BRANDS / NAME / "brand.yaml"
COMPANY = "星云科技集团"
SEGMENT = "智能云"
FALLBACK = {"Gallery-Sans-CJK-SC", "Gallery-Sans-CJK-SC-Bold"}


def test_the_brand_picks_collection_faces_by_name_and_by_index() -> None:
    regular, bold = load_brand(BRAND).brand.fallback_fonts
    assert (regular.family, regular.weight) == ("Gallery Sans CJK SC", 400)
    assert (bold.family, bold.weight) == ("Gallery Sans CJK SC", 700)
    # Each face stands alone (not the collection), and they are different faces.
    assert regular.data[:4] == bold.data[:4] == b"OTTO" and regular.data != bold.data
    assert BRAND.with_name("GallerySansCJK.ttc").read_bytes()[:4] == b"ttcf"


def test_without_its_brand_validate_names_each_chinese_string() -> None:
    run = subprocess.run([sys.executable, "-m", "briefgen", "validate", "--strict", str(SPEC)],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert f"{SPEC}:14:9: company.name: the note's fonts cannot draw 星 (U+661F)" in run.stdout
    assert f"{SPEC}:26:11: segments[0].name: the note's fonts cannot draw 智" in run.stdout
    with_brand = subprocess.run([*run.args, "--brand", str(BRAND)], capture_output=True,
                                text=True)
    assert with_brand.returncode == 0, with_brand.stdout + with_brand.stderr


@pytest.mark.e2e
def test_the_pdf_draws_the_name_with_the_fallback_face() -> None:
    brief = rendered(NAME)
    fonts = pdf_fonts(brief.files["brief.pdf"])
    assert fonts >= FALLBACK  # the headline is bold: the bold face is used too
    assert fonts <= BUNDLED | FALLBACK, fonts  # and nothing else, the host's fonts least
    text = "".join(page.extract_text() or ""
                   for page in PdfReader(io.BytesIO(brief.files["brief.pdf"])).pages)
    assert COMPANY in text and SEGMENT in text
    assert not [w for w in brief.warnings if ".notdef" in w or "cannot draw" in w]


@pytest.mark.e2e
def test_the_html_embeds_a_subset_of_the_fallback_face() -> None:
    from fontTools.ttLib import TTFont

    page = BeautifulSoup(rendered(NAME).files["brief.html"], "html.parser")
    css = "".join(style.get_text() for style in page.find_all("style"))
    assert re.search(r'--font: "Inter", "Gallery Sans CJK SC",', css)
    faces = re.findall(r'@font-face \{ font-family: "Gallery Sans CJK SC"; font-weight: (\d+);'
                       r'[^}]*url\("data:font/woff;base64,([^"]+)"\)', css)
    assert [weight for weight, _ in faces] == ["400", "700"]
    for _, data in faces:
        cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
        assert all(ord(ch) in cmap for ch in COMPANY + SEGMENT)
        assert ord("A") not in cmap  # Inter draws Latin: only what it lacks is carried


@pytest.mark.e2e
def test_the_charts_draw_the_name_with_the_fallback_face() -> None:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    from briefgen.charts.draw import chart_png
    from briefgen.charts.style import font_families, style_for, styled
    from briefgen.derive import derive
    from briefgen.spec.load import load_spec

    brief = rendered(NAME)
    titles = [t for chart in brief.charts
              for t in re.findall(r'<text ([^>]*)>([^<]*智能云[^<]*)<', chart.svg)]
    assert titles and all("font-family=\"'Inter', 'Gallery Sans CJK SC'\"" in attributes
                          for attributes, _ in titles)
    # matplotlib takes each character from the first family that has it: the outline it draws
    # for a Chinese character with the note's families is the fallback face's, not Inter's box.
    brand = load_brand(BRAND).brand
    style = style_for(brand)

    def outline(families: list[str], text: str) -> list[list[float]]:
        with styled(style, "revenue"):
            path = TextPath((0, 0), text, size=10, prop=FontProperties(family=families))
        return path.vertices.round(3).tolist()

    note_families = list(font_families(style))
    assert note_families == ["Inter", "Gallery Sans CJK SC"]
    for character in SEGMENT:
        drawn = outline(note_families, character)
        assert drawn == outline(["Gallery Sans CJK SC"], character)
        assert drawn != outline(["Inter"], character)  # Inter has no such glyph: a box
    assert outline(note_families, "R") == outline(["Inter"], "R")
    # The PNG (e-mail) differs from the same chart drawn without the fallback face (boxes).
    spec = load_spec(SPEC).spec
    derived = derive(spec)
    from briefgen.brand.model import DEFAULT_BRAND

    with pytest.warns(UserWarning, match="missing from font"):
        boxes = chart_png(spec, derived, "revenue", style_for(DEFAULT_BRAND))
    assert chart_png(spec, derived, "revenue", style_for(brand)) != boxes


@pytest.mark.e2e
def test_another_process_renders_the_same_bytes(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "briefgen", "render", str(SPEC), "--brand",
                          str(BRAND), "--out", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    here = rendered(NAME).files
    assert (folder / "brief.pdf").read_bytes() == here["brief.pdf"]
    assert (folder / "brief.html").read_bytes() == here["brief.html"]
