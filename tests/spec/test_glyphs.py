"""Text the note's fonts cannot draw: warned at the string (file:line:col), an error with
--strict, and silent when the brand gives a face that draws it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.errors import SpecError
from briefgen.spec import glyphs
from briefgen.spec.load import load_spec

NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # fonts-noto-cjk
NAME = "星云科技"

SPEC = f"""\
brief: {{title: "Nebula: cloud grows", date: 2025-08-01, author: A. Analyst, desk: Desk}}
company:
  name: {NAME}
  listings: [{{exchange: HKEX, ticker: "0999", currency: HKD}}]
  reporting_currency: CNY
period: {{fiscal_label: Q2 2025, quarter_end: 2025-06-30, results_date: 2025-07-30}}
segments:
  - {{name: 智能云 AI Cloud, source: s, revenue: {{value: 10.4, currency: CNY}}}}
sources:
  - {{id: s, publisher: Nebula, title: Results, date: 2025-07-30}}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "nebula.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def test_the_bundled_fonts_draw_latin_but_not_han() -> None:
    covered = glyphs.bundled_coverage()
    assert all(ord(ch) in covered for ch in "Alibaba Group −†€–")
    assert ord("星") not in covered


def test_undrawable_text_warns_at_the_string(spec: Path) -> None:
    warnings = load_spec(spec).warnings
    found = {(w.line, w.column, w.where): w.message for w in warnings}
    assert found[(3, 9, "company.name")].startswith(
        "the note's fonts cannot draw 星 (U+661F), 云 (U+4E91), 科 (U+79D1), 技 (U+6280)")
    assert (8, 12, "segments[0].name") in found
    assert all(w.hint and "fallback_fonts" in w.hint for w in warnings)


def test_strict_makes_it_an_error(spec: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(spec, strict=True)
    assert any(p.where == "company.name" for p in caught.value.problems)


@pytest.mark.e2e
@pytest.mark.skipif(not NOTO_CJK.exists(), reason="needs Debian's fonts-noto-cjk (.ci/run)")
def test_a_brand_face_that_draws_it_silences_the_warning(spec: Path, tmp_path: Path) -> None:
    from fontTools import subset

    # A small face of the CJK font with just the characters needed (what a desk would ship).
    face = tmp_path / "brand" / "Nebula-Regular.otf"
    face.parent.mkdir()
    options = subset.Options()
    options.font_number = 0
    font = subset.load_font(str(NOTO_CJK), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=NAME + "智能云 AI Cloud")
    subsetter.subset(font)
    subset.save_font(font, str(face), options)
    brand = tmp_path / "brand" / "brand.yaml"
    brand.write_text("firm_name: Nebula Research\nfont_family: Nebula\nfont_files:\n"
                     "  - {file: Nebula-Regular.otf, weight: 400}\n", encoding="utf-8")
    run = [sys.executable, "-m", "briefgen", "validate", "--strict", str(spec)]
    without = subprocess.run(run, capture_output=True, text=True)
    assert without.returncode == 2
    assert f"{spec}:3:9: company.name: the note's fonts cannot draw 星" in without.stdout
    with_brand = subprocess.run([*run, "--brand", str(brand)], capture_output=True, text=True)
    assert with_brand.returncode == 0, with_brand.stdout + with_brand.stderr
