"""The small SVG: matplotlib's drawing, element for element, minus groups that draw nothing."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from matplotlib.figure import Figure

from briefgen.charts import draw as chartdraw
from briefgen.charts import style as chartstyle
from briefgen.charts.draw import draw_charts
from briefgen.charts.svgclean import clean_svg
from briefgen.derive import derive
from briefgen.spec.load import load_spec
from tests.conftest import SAMPLE

SVG_NS = "{http://www.w3.org/2000/svg}"
DRAWING = {"path", "text", "use", "rect", "image", "clipPath", "line", "polyline", "polygon"}


def _raw_charts(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """matplotlib's own SVG of each sample chart, before cleaning."""
    raw: list[str] = []

    def keep(svg: str, label: str) -> str:
        raw.append(svg)
        return clean_svg(svg, label)

    monkeypatch.setattr(chartstyle, "clean_svg", keep)
    monkeypatch.setattr(chartdraw, "_DRAWN", type(chartdraw._DRAWN)())  # drawn, not recalled
    spec = load_spec(SAMPLE).spec
    charts = draw_charts(spec, derive(spec))
    return {chart.key: svg for chart, svg in zip(charts, raw, strict=True)}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _drawing(svg: str) -> list[tuple[str, dict[str, str], str]]:
    """What paints, in paint order: each drawing element with its attributes and text."""
    found = []
    for element in ET.fromstring(svg).iter():
        if _local(element.tag) in DRAWING:
            attributes = {_local(k): v for k, v in element.attrib.items()}
            for declaration in attributes.pop("style", "").split(";"):  # as attributes
                if declaration.strip():
                    name, value = declaration.split(":", 1)
                    attributes[name.strip()] = value.strip()
            if attributes.get("transform", "").startswith("rotate(-0 "):
                del attributes["transform"]  # a rotation by nothing
            found.append((_local(element.tag), attributes, (element.text or "").strip()))
    return found


def test_every_chart_draws_the_same_elements_in_the_same_order(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for key, raw in _raw_charts(monkeypatch).items():
        cleaned = clean_svg(raw, "label")
        assert _drawing(cleaned) == _drawing(raw), key


def test_groups_that_draw_nothing_are_gone_and_the_charts_are_smaller(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for key, raw in _raw_charts(monkeypatch).items():
        cleaned = clean_svg(raw, "label")
        root = ET.fromstring(cleaned)
        groups = list(root.iter(f"{SVG_NS}g"))
        assert all(len(g) and g.attrib for g in groups), key
        assert root.find(f"{SVG_NS}defs/{SVG_NS}style") is None, key
        assert "rotate(-0" not in cleaned, key
        assert len(list(root.iter())) < 0.7 * len(list(ET.fromstring(raw).iter())), key
        assert len(cleaned) < 0.85 * len(raw), key


def test_the_style_sheet_becomes_inherited_attributes_on_the_root() -> None:
    figure = Figure(figsize=(2, 1))
    figure.add_axes((0.1, 0.1, 0.8, 0.8)).plot([0, 1], [0, 1])
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    root = ET.fromstring(clean_svg(buffer.getvalue(), "a line"))
    assert root.get("stroke-linejoin") == "round"
    assert root.get("stroke-linecap") == "butt"
    assert "width" not in root.attrib and "height" not in root.attrib
    assert root.get("viewBox")
    assert root.get("role") == "img" and root.get("aria-label") == "a line"


def test_an_unknown_style_sheet_is_kept() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><defs><style>path{fill:red}</style></defs>'
           '<g><path d="M0 0L1 1" style="fill: blue"/></g></svg>')
    cleaned = clean_svg(svg, "x")
    assert "<style>path{fill:red}</style>" in cleaned
    assert 'style="fill: blue"' in cleaned  # which beats the sheet, as an attribute would not


def test_style_attributes_become_presentation_attributes() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><text x="1" fill="red" style="font-size: '
           "7.5px; font-family: 'Inter'; text-anchor: middle; fill: #1b1f24\">a</text>"
           '<path style="fill: none; stroke: #d3d9e1; stroke-width: 0.5"/>'
           '<path style="fill: red !important"/><path style="mask: url(#m)"/></svg>')
    elements = list(ET.fromstring(clean_svg(svg, "x")))
    assert elements[0].attrib == {"x": "1", "fill": "#1b1f24", "font-size": "7.5px",
                                  "font-family": "'Inter'", "text-anchor": "middle"}
    assert elements[1].attrib == {"fill": "none", "stroke": "#d3d9e1", "stroke-width": "0.5"}
    assert elements[2].get("style") == "fill: red !important"  # kept as written
    assert elements[3].get("style") == "mask: url(#m)"  # no attribute form here


def test_output_does_not_depend_on_elementtree_prefixes_other_code_registered() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           '<defs><path id="m" d="M0 0"/></defs><g><use xlink:href="#m" x="1"/></g></svg>')
    ET.register_namespace("s", "http://www.w3.org/2000/svg")  # as WeasyPrint's XMP code might
    ET.register_namespace("xl", "http://www.w3.org/1999/xlink")
    try:
        cleaned = clean_svg(svg, "label <&> \"quoted\"")
    finally:
        ET.register_namespace("svg", "http://www.w3.org/2000/svg")
        ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    assert cleaned.startswith('<svg xmlns="http://www.w3.org/2000/svg" ')
    assert 'xmlns:xlink="http://www.w3.org/1999/xlink"' in cleaned
    assert '<use xlink:href="#m" x="1" />' in cleaned
    assert ET.fromstring(cleaned).get("aria-label") == 'label <&> "quoted"'
