"""Charts: every kind the data allows, as deterministic real-text SVG; PNG for mail; no leaks."""

from __future__ import annotations

import dataclasses
import gc
import io
import logging
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from briefgen.brand.load import load_brand
from briefgen.brand.model import DEFAULT_BRAND
from briefgen.charts.bars import LABEL_SHARE
from briefgen.charts.draw import KEYS, Chart, chart_png, draw_charts
from briefgen.charts.style import fit_line, style_for, text_width_pt
from briefgen.derive import Derived, derive
from briefgen.spec.load import load_spec
from briefgen.spec.model import Spec
from tests.conftest import ROOT, SAMPLE, SAMPLE_Q3

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# What each chart of specs/baba.yaml must say, in its image and in its alt text.
SAMPLE_NUMBERS = {
    "revenue": ["33.4", "26.5", "30.1", "+26%", "+6%", "Jun-25", "RMB bn"],
    "consensus": ["+26%", "+18.4%", "+7.6 pp"],
    "capex": ["up to RMB 380bn", "RMB 127bn", "more than RMB 100bn", "79%"],
    "infrastructure": ["Beijing", "Mexico", "29 regions", "89 availability zones"],
    "market": ["NYSE: BABA", "nearly +13%", "HKEX: 9988", "+18%"],
}


def _derived(spec: Spec) -> tuple[Spec, Derived]:
    return spec, derive(spec)


@pytest.fixture(scope="module")
def sample() -> tuple[Spec, Derived]:
    return _derived(load_spec(SAMPLE).spec)


@pytest.fixture(scope="module")
def q3() -> tuple[Spec, Derived]:
    return _derived(load_spec(SAMPLE_Q3).spec)


@pytest.fixture(scope="module")
def sample_charts(sample: tuple[Spec, Derived]) -> dict[str, Chart]:
    return {chart.key: chart for chart in draw_charts(*sample)}


@pytest.fixture(scope="module")
def q3_charts(q3: tuple[Spec, Derived]) -> dict[str, Chart]:
    return {chart.key: chart for chart in draw_charts(*q3)}


def _root(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg)


def _texts(chart: Chart) -> str:
    """Every <text> of the SVG, one per line."""
    return "\n".join("".join(node.itertext()) for node in _root(chart).iter(f"{SVG}text"))


def test_the_sample_gets_every_chart_in_note_order(sample_charts: dict[str, Chart]) -> None:
    assert list(sample_charts) == list(KEYS)


def test_a_spec_gets_only_the_charts_its_data_allows(q3_charts: dict[str, Chart]) -> None:
    # baba-2025q3 has history, consensus and capex; no infrastructure, no market reaction.
    assert list(q3_charts) == ["revenue", "consensus", "capex"]


@pytest.mark.parametrize("key", KEYS)
def test_svg_is_scalable_real_text_with_title_and_numbers(
        sample_charts: dict[str, Chart], key: str) -> None:
    chart = sample_charts[key]
    root = _root(chart)
    assert root.tag == f"{SVG}svg"
    assert not chart.svg.startswith("<?xml")
    assert "width" not in root.attrib and "height" not in root.attrib
    view_box = [float(n) for n in root.attrib["viewBox"].split()]
    assert view_box == pytest.approx([0, 0, chart.width_in * 72, chart.height_in * 72])
    assert root.attrib["aria-label"] == chart.alt

    texts = _texts(chart)
    assert chart.title in texts.splitlines()
    for number in SAMPLE_NUMBERS[key]:
        assert number in texts, f"{number!r} not drawn as text in the {key} chart"
    # Text is <text>, not glyph outlines: the only <use> elements are line markers.
    for node in root.iter(f"{SVG}use"):
        assert re.fullmatch(r"#m[0-9a-f]{10}", node.attrib[XLINK_HREF])
    assert not [node for node in root.iter() if "-" in node.attrib.get("id", "")]


@pytest.mark.parametrize("key", KEYS)
def test_alt_text_and_source_line(sample_charts: dict[str, Chart], key: str) -> None:
    chart = sample_charts[key]
    for number in SAMPLE_NUMBERS[key]:
        assert number in chart.alt
    assert chart.source.startswith("Source: ")
    assert "Source" not in _texts(chart)  # the template prints it, not the image
    assert chart.width_in == 6.3 and 1.2 <= chart.height_in <= 3.2


def test_sources_are_the_ones_the_figures_cite(sample_charts: dict[str, Chart]) -> None:
    assert sample_charts["revenue"].source == "Source: Alibaba Group, 29 Aug 2025"
    assert sample_charts["market"].source == "Source: TradingKey (via Yahoo Finance), 1 Sep 2025"


def test_current_quarter_is_highlighted(q3_charts: dict[str, Chart]) -> None:
    svg = q3_charts["revenue"].svg
    style = style_for(DEFAULT_BRAND)
    # Five earlier quarters in the context colour, this quarter (Sep-25) in the primary.
    assert svg.count(f'fill="{style.palette[2].lower()}"') >= 5
    assert f'fill="{style.palette[0].lower()}"' in svg
    assert "39.8" in _texts(q3_charts["revenue"])


def test_implied_consensus_is_marked_and_both_gaps_shown(q3_charts: dict[str, Chart]) -> None:
    chart = q3_charts["consensus"]
    texts = _texts(chart)
    assert "implied by RMB 37.9bn revenue" in texts
    assert "+6.0 pp on growth" in texts and "+5.0% on revenue" in texts
    # Group has only a revenue consensus: no growth bar, the gap in percent.
    assert "no growth consensus" in texts and "+2.1% on revenue" in texts
    assert "(implied)" in chart.alt and "+2.1%" in chart.alt


def test_two_renders_are_byte_identical(sample: tuple[Spec, Derived],
                                        sample_charts: dict[str, Chart]) -> None:
    again = draw_charts(*sample)
    assert [chart.svg for chart in again] == [chart.svg for chart in sample_charts.values()]
    assert chart_png(*sample, "market") == chart_png(*sample, "market")


def test_charts_can_share_one_page_without_id_clashes(
        sample_charts: dict[str, Chart]) -> None:
    ids = [node.attrib["id"] for chart in sample_charts.values()
           for node in _root(chart).iter() if "id" in node.attrib]
    assert ids and len(ids) == len(set(ids))


@pytest.mark.parametrize("dpi", [72, 144])
def test_png_decodes_at_the_chart_size(sample: tuple[Spec, Derived],
                                       sample_charts: dict[str, Chart], dpi: int) -> None:
    from PIL import Image

    png = chart_png(*sample, "revenue", dpi=dpi)
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        chart = sample_charts["revenue"]
        expected = (chart.width_in * dpi, chart.height_in * dpi)
        assert all(abs(got - want) < 1 for got, want in zip(image.size, expected, strict=True))
        assert len(image.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 10  # not blank


def test_png_of_a_chart_the_spec_cannot_have(q3: tuple[Spec, Derived]) -> None:
    with pytest.raises(KeyError, match="market"):
        chart_png(*q3, "market")


def test_charts_whose_data_is_absent_are_left_out(sample: tuple[Spec, Derived]) -> None:
    spec = sample[0]
    cloud, group = spec.segments
    bare = spec.model_copy(update={
        "segments": [cloud.model_copy(update={"history": None}), group],
        "capex": None,
    })
    assert [chart.key for chart in draw_charts(*_derived(bare))] == [
        "consensus", "infrastructure", "market"]
    nothing = bare.model_copy(update={
        "segments": [cloud.model_copy(update={"history": None, "consensus": None}), group],
        "infrastructure": None, "market_reaction": [],
    })
    assert draw_charts(*_derived(nothing)) == []


def test_a_style_reaches_the_svg_and_a_missing_font_falls_back_quietly(
        sample: tuple[Spec, Derived], caplog: pytest.LogCaptureFixture) -> None:
    style = dataclasses.replace(style_for(DEFAULT_BRAND), font_family="No Such Font",
                                palette=("#123456", "#654321"))
    with caplog.at_level(logging.WARNING):
        chart = draw_charts(*sample, style=style)[0]
    # A family the brand names without files is drawn in the bundled Inter, never in a host
    # font of that name (matplotlib's own DejaVu Sans is not the note's font either).
    assert "'Inter'" in chart.svg and "No Such Font" not in chart.svg
    assert "DejaVu" not in chart.svg
    assert "#123456" in chart.svg and "#654321" in chart.svg
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")]
    assert "'Inter'" in draw_charts(*sample)[0].svg


def test_a_brands_font_files_are_the_charts_font(
        sample: tuple[Spec, Derived], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A family matplotlib cannot otherwise find: its faces come only from the brand's files."""
    from matplotlib import font_manager

    for weight in ("Regular", "SemiBold", "Bold"):
        shutil.copy(ROOT / "briefgen" / "fonts" / f"Inter-{weight}.otf", tmp_path)
    (tmp_path / "brand.yaml").write_text(
        "font_family: Three Face Sans\nfont_files:\n  - {file: Inter-Regular.otf, weight: 400}\n"
        "  - {file: Inter-SemiBold.otf, weight: 600}\n  - {file: Inter-Bold.otf, weight: 700}\n")
    brand = load_brand(tmp_path / "brand.yaml").brand
    draw_charts(*sample)  # matplotlib's font list already read, as in a worker's second brief
    with caplog.at_level(logging.WARNING):
        svg = draw_charts(*sample, style=style_for(brand))[0].svg
        again = draw_charts(*sample, style=style_for(brand))[0].svg
    families = set(re.findall(r'font-family="([^"]+)"', svg))
    assert families == {"'Three Face Sans', 'Inter'"}, families  # then Inter, as the CSS
    assert 'font-weight="600"' in svg  # the title, in the brand's own semibold face
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")]  # no fallback
    assert again == svg
    faces = [e for e in font_manager.fontManager.ttflist if e.name == "Three Face Sans"]
    assert sorted(e.weight for e in faces) == [400, 600, 700]  # added once, however often drawn
    assert "'Inter'" in draw_charts(*sample)[0].svg  # the next brief without the brand


def test_a_brand_with_one_face_draws_every_weight_with_it_quietly(
        sample: tuple[Spec, Derived], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """As the note's CSS does: the nearest face, and no findfont warning on every render."""
    shutil.copy(ROOT / "briefgen" / "fonts" / "Inter-Bold.otf", tmp_path / "only.otf")
    (tmp_path / "brand.yaml").write_text(
        "font_family: One Face Sans\nfont_files: [{file: only.otf, weight: 700}]\n")
    brand = load_brand(tmp_path / "brand.yaml").brand
    with caplog.at_level(logging.WARNING):
        svg = draw_charts(*sample, style=style_for(brand))[0].svg
    assert set(re.findall(r'font-family="([^"]+)"', svg)) == {"'One Face Sans', 'Inter'"}
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")]


def test_a_brands_woff_file_is_the_charts_font_too(sample: tuple[Spec, Derived],
                                                    tmp_path: Path) -> None:
    """matplotlib's FreeType cannot read WOFF: the face is unwrapped before it is added."""
    from fontTools.ttLib import TTFont

    font = TTFont(ROOT / "briefgen" / "fonts" / "Inter-Regular.otf")
    font.flavor = "woff"
    font.save(tmp_path / "face.woff")
    (tmp_path / "brand.yaml").write_text(
        "font_family: Woff Sans\nfont_files: [{file: face.woff, weight: 400}]\n")
    brand = load_brand(tmp_path / "brand.yaml").brand
    assert brand.font_files[0].format == "woff"
    svg = draw_charts(*sample, style=style_for(brand))[0].svg
    assert set(re.findall(r'font-family="([^"]+)"', svg)) == {"'Woff Sans', 'Inter'"}


def test_global_matplotlib_settings_are_left_alone(sample: tuple[Spec, Derived]) -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    draw_charts(*sample)
    assert dict(matplotlib.rcParams) == before


def test_many_renders_register_and_keep_no_figures(sample: tuple[Spec, Derived]) -> None:
    from matplotlib import _pylab_helpers
    from matplotlib.figure import Figure

    spec = sample[0]
    cloud, group = spec.segments
    small = spec.model_copy(update={  # the market chart only: cheap enough to draw 50 times
        "segments": [cloud.model_copy(update={"history": None, "consensus": None}), group],
        "capex": None, "infrastructure": None,
    })
    _, derived = _derived(small)
    gc.collect()
    figures_before = sum(isinstance(o, Figure) for o in gc.get_objects())
    for _ in range(50):
        assert [chart.key for chart in draw_charts(small, derived)] == ["market"]
    assert len(_pylab_helpers.Gcf.figs) == 0
    gc.collect()
    assert sum(isinstance(o, Figure) for o in gc.get_objects()) <= figures_before


def test_matplotlib_loads_only_to_draw_and_pyplot_never() -> None:
    code = (
        "import sys\n"
        "import briefgen.charts.draw\n"
        "from briefgen.derive import derive\n"
        "from briefgen.spec.load import load_spec\n"
        "assert 'matplotlib' not in sys.modules, 'imported at module import'\n"
        f"spec = load_spec({str(SAMPLE)!r}).spec\n"
        "briefgen.charts.draw.warm_up()\n"
        "assert 'matplotlib.backends.backend_svg' in sys.modules\n"
        "briefgen.charts.draw.draw_charts(spec, derive(spec))\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


def _long_history(spec: Spec, quarters: int) -> Spec:
    """The sample with a history of `quarters` quarters ending at its own quarter."""
    import datetime as dt

    from briefgen.spec.model import QuarterPoint

    ends = []
    year, month = 2025, 6
    for _ in range(quarters):
        ends.append(dt.date(year, month, 30 if month in (6, 9) else 31))
        month -= 3
        if month <= 0:
            year, month = year - 1, month + 12
    points = [QuarterPoint(quarter_end=end, revenue=20000 + 500 * i, growth_yoy=5.0 + i)
              for i, end in enumerate(reversed(ends))]
    cloud = spec.segments[0]
    history = cloud.history.model_copy(update={"quarters": points})  # type: ignore[union-attr]
    segments = [cloud.model_copy(update={"history": history}), *spec.segments[1:]]
    return spec.model_copy(update={"segments": segments})


def test_growth_axis_only_when_some_points_are_unlabelled(
        sample_charts: dict[str, Chart], sample: tuple[Spec, Derived]) -> None:
    # Five quarters: every growth point carries its value, so no second axis repeats them.
    short = _texts(sample_charts["revenue"])
    assert "Growth y/y" in short and "(rhs)" not in short and "(lhs)" not in short
    # Sixteen quarters: only every k-th point is labelled, so the growth axis comes back.
    long_spec = _long_history(sample[0], 16)
    long = {c.key: c for c in draw_charts(long_spec, derive(long_spec))}["revenue"]
    assert "Growth y/y, % (rhs)" in _texts(long)
    assert re.search(r"^\d+%$", _texts(long), re.MULTILINE), "growth axis ticks are missing"


def _text_nodes(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_names_at_their_length_limit_are_cut_to_fit(sample: tuple[Spec, Derived]) -> None:
    """A region, place, listing, segment or provider may be 200 characters (ShortText's limit);
    each chart draws as much as fits and an ellipsis, and keeps the whole name in its alt."""
    spec, _ = sample
    long = "Region " + "very " * 38 + "far"
    assert len(long) == 200
    infra = spec.infrastructure
    assert infra is not None
    centres = [dc.model_copy(update={"region": long, "place": long + " city"})
               for dc in infra.new_data_centres]
    segment = spec.segments[0]
    assert segment.consensus is not None
    changed = spec.model_copy(update={
        "infrastructure": infra.model_copy(update={"new_data_centres": centres}),
        "segments": [segment.model_copy(update={
            "name": long, "short_name": None,
            "consensus": segment.consensus.model_copy(update={"provider": long})}),
            *spec.segments[1:]],
    })
    charts = {chart.key: chart for chart in draw_charts(changed, derive(changed))}
    for key in ("revenue", "consensus", "infrastructure"):
        texts = _text_nodes(charts[key].svg)
        assert any(text.endswith("\u2026") for text in texts), key
        assert not any(long in text for text in texts), key
        assert long in charts[key].alt  # screen readers get the whole name


def test_a_cut_line_ends_between_words_never_inside_a_figure() -> None:
    style = style_for(DEFAULT_BRAND)
    line = "no growth consensus; revenue consensus USD 13.1–13.8bn and more words"
    for width in range(60, 300, 7):
        cut = fit_line(line, style, 8.0, width)
        if cut != line:
            kept = cut.removesuffix("\u2026")
            assert line.startswith(kept) and line[len(kept)] in " ;,", (width, cut)
    # one long word has nowhere to cut but inside it
    assert fit_line("x" * 200, style, 8.0, 60).endswith("x\u2026")


def test_a_range_consensus_is_printed_whole_in_the_consensus_chart() -> None:
    spec = load_spec(ROOT / "tests" / "specs" / "gallery" / "capex-range.yaml").spec
    chart = {c.key: c for c in draw_charts(spec, derive(spec))}["consensus"]
    texts = _text_nodes(chart.svg)
    assert "revenue consensus USD 13.1–13.8bn" in texts, texts
    assert not any(text.endswith("\u2026") for text in texts), texts


def test_long_row_labels_that_start_alike_stay_apart(q3: tuple[Spec, Derived]) -> None:
    """Segments whose names share a long start are cut in the middle, so their rows still
    read as different segments, each label within its share of the chart."""
    spec, _ = q3
    start = "Consolidated Hyperscale Infrastructure-as-a-Service, Platform and AI Solutions"
    segments = [segment.model_copy(update={"name": f"{start} {name}", "short_name": None})
                for segment, name in zip(spec.segments, ("East", "West"), strict=False)]
    changed = spec.model_copy(update={"segments": segments})
    chart = {c.key: c for c in draw_charts(changed, derive(changed))}["consensus"]
    labels = [text for text in _text_nodes(chart.svg) if "\u2026" in text]
    assert len(labels) == 2 and len(set(labels)) == 2, labels
    assert {label.rsplit(" ", 1)[-1] for label in labels} == {"East", "West"}
    style = style_for(DEFAULT_BRAND)
    assert all(text_width_pt(label, style, style.font_size - 0.5)
               <= chart.width_in * 72 * LABEL_SHARE for label in labels)


def test_an_unchanged_chart_is_not_drawn_again_and_a_changed_one_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`briefgen preview` renders on every save; a chart whose data, style and fonts did not
    change is taken from the last drawing (the same bytes), anything that changed is drawn."""
    from briefgen.charts import draw as module

    monkeypatch.setattr(module, "_DRAWN", type(module._DRAWN)())
    drawn: list[str] = []
    real = module._drawn

    def counting(plan: module.ChartPlan, style: object) -> object:
        drawn.append(plan.key)
        return real(plan, style)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_drawn", counting)
    spec = load_spec(SAMPLE).spec
    first = draw_charts(spec, derive(spec))
    assert len(drawn) == len(first) == 5
    retitled = spec.model_copy(update={"brief": spec.brief.model_copy(
        update={"title": "Another title, same figures"})})
    again = draw_charts(retitled, derive(retitled))
    assert len(drawn) == 5 and [c.svg for c in again] == [c.svg for c in first]

    segment = spec.segments[0]
    assert segment.growth_yoy is not None
    growth = segment.growth_yoy.model_copy(update={"value": 31})
    changed = spec.model_copy(update={"segments": [
        segment.model_copy(update={"growth_yoy": growth}), *spec.segments[1:]]})
    redrawn = {c.key: c.svg for c in draw_charts(changed, derive(changed))}
    assert "consensus" in drawn[5:] and "+31%" in redrawn["consensus"]
    assert "+31%" not in {c.key: c.svg for c in first}["consensus"]
    drawn.clear()
    group = spec.segments[1]  # the group's revenue: a figure no chart draws
    assert group.revenue is not None
    revenue = group.revenue.model_copy(update={"value": group.revenue.value + 1})
    regrouped = spec.model_copy(update={"segments": [
        spec.segments[0], group.model_copy(update={"revenue": revenue}), *spec.segments[2:]]})
    draw_charts(regrouped, derive(regrouped))
    assert drawn == []  # each chart's key holds what it draws, not the whole note's figures
    drawn.clear()
    other = dataclasses.replace(style_for(DEFAULT_BRAND), palette=("#000000", "#333333", "#666666"))
    draw_charts(spec, derive(spec), other)
    assert len(drawn) == 5  # another style: every chart drawn again
