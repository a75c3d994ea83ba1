"""One brand file styles the note's HTML, its PDF, its charts and its email alike; a template
folder named by the brand file overrides one block of the built-in note and keeps the rest."""

from __future__ import annotations

import base64
import functools
import io
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from briefgen.brand.load import LoadedBrand, load_brand
from briefgen.build.pipeline import RenderedBrief, RenderOptions, render_loaded
from briefgen.spec.load import load_spec
from tests.brand.test_brand_file import FONT, png
from tests.conftest import ROOT, SAMPLE

LOGO_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 20" width="120" '
            b'height="20"><rect width="20" height="20" fill="#7A1F3D"/>'
            b'<text x="26" y="15" font-family="Inter" font-size="12">QUILLOGO</text></svg>')
BRAND = """\
firm_name: Quill & Ledger Research
logo: {file: logo.svg, alt: Quill and Ledger}
colours: {primary: "#7A1F3D", accent: "#D08C2E", tint: "#F7F1F3"}
font_family: Ledger Sans
font_files: [{file: fonts/ledger.otf, weight: 700}]
templates: templates
disclosures: [The desk holds no position in QUILLSTOCK.]
"""
OVERRIDE = """\
{% extends "default:note.html" %}
{% block disclaimer %}<section class="ours"><h2>Important</h2>
<p>Our own words for {{ note.company }}, from {{ brand.firm_name }}.</p></section>{% endblock %}
"""


def house(folder: Path, logo: bytes = LOGO_SVG, name: str = "logo.svg") -> Path:
    """A brand folder: brand.yaml, a logo, a font file and a template folder."""
    (folder / "fonts").mkdir(parents=True)
    (folder / "templates").mkdir()
    shutil.copy(FONT, folder / "fonts" / "ledger.otf")
    (folder / name).write_bytes(logo)
    (folder / "templates" / "note.html").write_text(OVERRIDE)
    path = folder / "brand.yaml"
    path.write_text(BRAND.replace("logo.svg", name))
    return path


def render(loaded: LoadedBrand | None, formats: tuple[str, ...] = ("html", "pdf")) -> RenderedBrief:
    options = RenderOptions(formats=formats,
                            brand=loaded.brand if loaded else None,
                            template_dirs=loaded.template_dirs if loaded else ())
    return render_loaded(load_spec(SAMPLE), options)


@functools.cache
def branded(folder: Path) -> RenderedBrief:
    return render(load_brand(house(folder)))


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory) -> RenderedBrief:
    return branded(tmp_path_factory.mktemp("brand"))


@pytest.fixture(scope="module")
def plain() -> RenderedBrief:
    return render(None)


def soup(result: RenderedBrief) -> BeautifulSoup:
    return BeautifulSoup(result.files["brief.html"], "html.parser")


def css_variables(page: BeautifulSoup) -> dict[str, str]:
    css = "\n".join(style.get_text() for style in page.find_all("style"))
    return dict(re.findall(r"--([a-z-]+):\s*([^;]+);", css))


def pdf_text(result: RenderedBrief) -> str:
    reader = PdfReader(io.BytesIO(result.files["brief.pdf"]))
    return " ".join(page.extract_text() for page in reader.pages)


def pdf_images(result: RenderedBrief) -> list[str]:
    """Names of the image XObjects on the PDF's pages (inside form XObjects too)."""
    found: list[str] = []

    def walk(resources: object) -> None:
        xobjects = resources.get("/XObject", {}) if hasattr(resources, "get") else {}
        for name, ref in (xobjects.items() if hasattr(xobjects, "items") else []):
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found.append(str(name))
            elif obj.get("/Subtype") == "/Form" and "/Resources" in obj:
                walk(obj["/Resources"].get_object())

    for page in PdfReader(io.BytesIO(result.files["brief.pdf"])).pages:
        walk(page.get("/Resources", {}).get_object())
    return found


def test_colours_reach_the_css(brief: RenderedBrief, plain: RenderedBrief) -> None:
    variables = css_variables(soup(brief))
    assert variables["primary"] == "#7A1F3D"
    assert variables["accent"] == "#D08C2E" and variables["tint"] == "#F7F1F3"
    assert variables["font"].startswith('"Ledger Sans", "Inter"')
    assert css_variables(soup(plain))["primary"] == "#1F3A5F"


def test_charts_are_drawn_in_the_brand_colours(brief: RenderedBrief,
                                               plain: RenderedBrief) -> None:
    charts = soup(brief).select("figure.chart-exhibit svg")
    assert charts
    revenue = str(soup(brief).select_one("#chart-revenue svg")).lower()
    assert "#7a1f3d" in revenue  # this quarter's bar, in the primary colour
    assert "#7a1f3d" not in str(soup(plain).select_one("#chart-revenue svg")).lower()


def test_charts_are_drawn_in_the_brand_font(brief: RenderedBrief, plain: RenderedBrief) -> None:
    """Ledger Sans is nowhere installed: matplotlib has it from the brand's font file only."""
    for chart in soup(brief).select("figure.chart-exhibit svg"):
        assert "font-family=\"'Ledger Sans', 'Inter'\"" in str(chart) and "DejaVu" not in str(chart)
    assert "font-family=\"'Inter'\"" in str(soup(plain).select_one("#chart-revenue svg"))


def test_logo_in_the_html_as_a_data_uri(brief: RenderedBrief, plain: RenderedBrief) -> None:
    logo = soup(brief).select_one(".masthead img.logo")
    assert logo is not None and logo["alt"] == "Quill and Ledger"
    kind, _, data = logo["src"].partition(";base64,")
    assert kind == "data:image/svg+xml" and base64.b64decode(data) == LOGO_SVG
    assert soup(plain).select_one(".masthead img.logo") is None
    assert soup(plain).select_one(".masthead .firm").get_text() == "Equity Research"


def test_svg_logo_is_drawn_in_the_pdf(brief: RenderedBrief, plain: RenderedBrief) -> None:
    assert "QUILLOGO" in pdf_text(brief)  # the SVG logo's text, drawn as text
    assert "QUILLOGO" not in pdf_text(plain)


def test_png_logo_is_an_image_in_the_pdf(tmp_path: Path, plain: RenderedBrief) -> None:
    result = render(load_brand(house(tmp_path, png(40, 10), "logo.png")))
    assert pdf_images(result) and not pdf_images(plain)
    logo = soup(result).select_one("img.logo")["src"]
    assert logo.startswith("data:image/png;base64,")


def test_brand_fonts_are_embedded(brief: RenderedBrief) -> None:
    css = "\n".join(s.get_text() for s in soup(brief).find_all("style"))
    faces = re.findall(r'@font-face \{ font-family: "Ledger Sans"; font-weight: (\d+);[^}]*'
                       r'src: url\("data:font/otf;base64,([A-Za-z0-9+/=]+)"\)', css)
    assert [(w, base64.b64decode(d) == FONT.read_bytes()) for w, d in faces] == [("700", True)]
    assert not [w for w in brief.warnings if "font" in w.lower()], brief.warnings


def test_the_override_replaces_one_block_and_keeps_the_rest(brief: RenderedBrief,
                                                            plain: RenderedBrief) -> None:
    page = soup(brief)
    assert page.select_one(".ours p").get_text() == (
        "Our own words for Alibaba Group, from Quill & Ledger Research.")
    assert page.select_one(".back-page .disclaimer") is None
    for kept in (".masthead h1", "#table-results", ".section.capex", ".section.risks",
                 ".section.sources", ".section.rating-definitions", ".section.certification",
                 ".section.disclosures"):
        assert page.select_one(kept) is not None, kept
    expected = [{"Disclaimer": "Important"}.get(h.get_text(), h.get_text())
                for h in soup(plain).find_all("h2")]
    expected.insert(expected.index("Analyst certification"), "Disclosures")  # the brand's
    assert [h.get_text() for h in page.find_all("h2")] == expected
    text = pdf_text(brief)
    assert "Our own words for Alibaba Group" in text and "QUILLSTOCK" in text
    assert "Results against consensus" in text


def test_the_email_takes_the_brand_too(tmp_path: Path) -> None:
    from briefgen.mail.compose import compose
    from briefgen.mail.config import DeliveryConfig, Recipients
    from tests.mail.test_compose import content

    brand = load_brand(house(tmp_path)).brand
    message = compose(content(), Recipients(to=("a@example.com",)), DeliveryConfig(),
                      brand=brand)
    html = next(part for part in message.walk() if part.get_content_type() == "text/html")
    body = html.get_content()
    assert "#7A1F3D" in body and "Quill &amp; Ledger Research" in body


def test_the_example_brand_renders_clean() -> None:
    result = render(load_brand(ROOT / "examples" / "brand.yaml"))
    assert result.warnings == []
    page = soup(result)
    assert page.select_one("img.logo")["alt"] == "Harbour Lane Research"
    assert len(page.select(".section.disclosures p")) == 2
