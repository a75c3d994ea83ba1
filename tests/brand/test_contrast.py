"""A brand's colours are checked for WCAG AA contrast: the built-in, starter and example brands
pass; a pale one is a located warning naming the pair and the ratio in `validate --brand` and
`render --brand`, and an error (exit 2) with `validate --strict`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.brand.contrast import low_contrast, ratio
from briefgen.brand.load import load_brand
from briefgen.brand.model import DEFAULT_BRAND
from briefgen.cli.main import app
from briefgen.cli.scaffold import create_project
from tests.conftest import ROOT, SAMPLE

PALE = 'firm_name: Pale Research\ncolours:\n  primary: "#1F3A5F"\n  muted: "#A0A8B0"\n'


def test_ratios_match_wcag() -> None:
    assert ratio("#000000", "#FFFFFF") == pytest.approx(21)
    assert ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert ratio("#FFFFFF", "#767676") == pytest.approx(4.54, abs=0.01)


def test_built_in_starter_and_example_brands_pass(tmp_path: Path) -> None:
    assert low_contrast(DEFAULT_BRAND.colours) == []
    create_project(tmp_path / "desk")
    assert load_brand(tmp_path / "desk" / "brand.yaml").warnings == ()
    assert load_brand(ROOT / "examples" / "brand.yaml").warnings == ()


def test_a_pale_colour_is_a_located_warning_naming_pair_and_ratio(tmp_path: Path) -> None:
    path = tmp_path / "brand.yaml"
    path.write_text(PALE)
    warnings = load_brand(path).warnings
    assert {str(w).split(" (")[0] for w in warnings} == {
        f"{path}:4:10: warning: colours.muted: muted #A0A8B0 on white has a contrast of 2.41:1, "
        "below 4.5:1 for captions, sources, running header and footer",
        f"{path}:4:10: warning: colours.muted: muted #A0A8B0 on tint #F2F5F8 has a contrast of "
        "2.20:1, below 4.5:1 for labels in the key-data and rating boxes"}


def test_validate_warns_and_strict_fails(tmp_path: Path) -> None:
    path = tmp_path / "brand.yaml"
    path.write_text(PALE)
    runner = CliRunner()
    result = runner.invoke(app, ["validate", "--brand", str(path), str(SAMPLE)])
    assert result.exit_code == 0 and "warning: colours.muted: muted #A0A8B0 on white" in \
        result.output
    result = runner.invoke(app, ["validate", "--strict", "--brand", str(path), str(SAMPLE)])
    assert result.exit_code == 2
    assert f"{path}:4:10: colours.muted: muted #A0A8B0 on white has a contrast of 2.41:1" in \
        result.output


def test_render_says_so(tmp_path: Path) -> None:
    path = tmp_path / "brand.yaml"
    path.write_text(PALE)
    result = CliRunner().invoke(app, ["render", str(SAMPLE), "--brand", str(path), "--format",
                                      "html", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "colours.muted: muted #A0A8B0 on white has a contrast of 2.41:1" in result.output
