"""`briefgen diff`: the changes between the two sample quarters, each checked by hand.

The expected values below are worked out from the two specs' own lines (quoted in the comments),
not from briefgen's output; a test first checks that the specs still say those facts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from briefgen.cli.main import app
from briefgen.derive.changes import Changes, since_previous
from briefgen.spec.load import load_spec
from tests.conftest import SAMPLE, SAMPLE_Q3


def diff_json(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["diff", *args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def changes() -> dict[str, dict[str, object]]:
    data = diff_json(str(SAMPLE), str(SAMPLE_Q3))
    items = data["changes"]
    assert isinstance(items, list)
    return {item["label"]: item for item in items}


def test_the_specs_state_the_facts_the_expectations_rest_on() -> None:
    june = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    sept = yaml.safe_load(SAMPLE_Q3.read_text(encoding="utf-8"))
    assert june["segments"][0]["revenue"]["value"] == 33.4
    assert sept["segments"][0]["revenue"]["value"] == 39.8
    assert (june["segments"][0]["growth_yoy"]["value"],
            sept["segments"][0]["growth_yoy"]["value"]) == (26, 34)
    assert june["segments"][0]["consensus"]["growth_yoy"]["value"] == 18.4
    assert sept["segments"][0]["consensus"]["revenue"]["value"] == 37.9
    assert (june["segments"][1]["growth_yoy"]["value"],
            sept["segments"][1]["growth_yoy"]["value"]) == (2, 5)
    assert (june["capex"]["invested_trailing_4q"]["value"],
            sept["capex"]["invested_trailing_4q"]["value"]) == (100, 120)
    assert june["capex"]["guidance"]["amount"] == sept["capex"]["guidance"]["amount"]
    assert "infrastructure" not in sept and "analyst_views" not in sept


def test_headline_figures(changes: dict[str, dict[str, object]]) -> None:
    revenue = changes["Cloud Intelligence Group revenue"]
    # revenue: {value: 33.4, ...} -> {value: 39.8, ...}: +RMB 6.4bn, 39.8 / 33.4 − 1 = +19.16%
    assert (revenue["old"], revenue["new"]) == ("RMB 33.4bn", "RMB 39.8bn")
    assert revenue["change"] == "+RMB 6.40bn, +19.2%"
    growth = changes["Cloud Intelligence Group growth y/y"]
    # growth_yoy 26 -> 34: a rate against a rate, in points
    assert (growth["old"], growth["new"], growth["change"]) == ("+26%", "+34%", "+8.0 pp")
    group = changes["Group growth y/y"]
    assert (group["old"], group["new"], group["change"]) == ("+2%", "+5%", "+3.0 pp")
    # RMB 247,652m -> RMB 247.8bn: the same scale once units are applied, +RMB 148m
    assert changes["Group revenue"]["change"] == "+RMB 148m, +0.1%"


def test_consensus_and_the_gap(changes: dict[str, dict[str, object]]) -> None:
    # June: consensus growth 18.4 (given). September: consensus revenue 37.9bn against
    # 29,610m a year earlier (history row 2024-09-30): 37.9 / 29.61 − 1 = +28.0%.
    consensus = changes["Cloud Intelligence Group consensus growth y/y"]
    assert (consensus["old"], consensus["new"], consensus["change"]) == (
        "+18.4%", "+28.0%", "+9.6 pp")
    gap = changes["Cloud Intelligence Group growth against consensus"]
    # 26 − 18.4 = +7.6 pp, then 34 − 28.0 = +6.0 pp: the beat narrowed by 1.6 pp
    assert (gap["old"], gap["new"], gap["change"]) == ("+7.6 pp", "+6.0 pp", "−1.6 pp")
    # 247.8 / 242.65 − 1 = +2.1%: a gap the June note did not have
    group = changes["Group revenue against consensus"]
    assert (group["kind"], group["old"], group["new"]) == ("newly given", None, "+2.1%")


def test_guidance_and_capex(changes: dict[str, dict[str, object]]) -> None:
    invested = changes["Invested, past four quarters"]
    # more than RMB 100bn -> about RMB 120bn: +RMB 20bn, +20%
    assert (invested["old"], invested["new"]) == ("more than RMB 100bn", "about RMB 120bn")
    assert invested["change"] == "about +RMB 20.0bn, about +20.0%"
    # yearly pace 380 / 3 = 126.7bn: 100 / 126.7 = 78.9%, 120 / 126.7 = 94.7%: +15.8 pp
    pace = changes["Invested / yearly pace"]
    assert (pace["old"], pace["new"], pace["change"]) == (
        "at least 79%", "about 95%", "about +15.8 pp")  # hedged as their inputs are
    # The plan's total is the same RMB 380bn: no revision, but its outlook changed.
    assert not any(label.startswith("Capex plan") for label in changes)
    outlook = changes["Outlook"]
    assert outlook["kind"] == "changed"
    assert "could be raised" in str(outlook["new"]) and "as set" in str(outlook["old"])


def test_lists_footprint_views_and_risks(changes: dict[str, dict[str, object]]) -> None:
    assert changes["Cloud regions"]["kind"] == "not given"  # 29 in June, not restated
    assert changes["Cloud regions"]["old"] == "29"
    assert changes["View: Charu Chanana (Saxo Markets)"]["kind"] == "removed"
    added = {label for label, item in changes.items()
             if item["group"] == "Risks" and item["kind"] == "added"}
    removed = {label for label, item in changes.items()
               if item["group"] == "Risks" and item["kind"] == "removed"}
    assert added == {"Risk: Profitability under investment", "Risk: Margins",
                     "Risk: A larger capex budget"}
    assert removed == {"Risk: AI-chip policy and supply chains",
                       "Risk: Price competition in e-commerce"}


def test_ranking_puts_the_headline_move_first(changes: dict[str, dict[str, object]]) -> None:
    ranked = sorted(changes.values(), key=lambda item: int(str(item["rank"])))
    assert [item["label"] for item in ranked[:3]] == [
        "Cloud Intelligence Group growth y/y", "Cloud Intelligence Group revenue",
        "Cloud Intelligence Group growth against consensus"]
    assert all(item["kind"] == "not given" for item in ranked[-5:])


def test_one_spec_is_compared_with_its_previous_note() -> None:
    data = diff_json(str(SAMPLE_Q3))
    assert data["previous"] == {"spec": str(SAMPLE), "date": "1 September 2025",
                                "period": "June quarter 2025 (Q1 FY2026)"}
    assert data == {**diff_json(str(SAMPLE), str(SAMPLE_Q3)), "previous": data["previous"]}


def test_the_terminal_table_names_both_quarters() -> None:
    result = CliRunner().invoke(app, ["diff", str(SAMPLE), str(SAMPLE_Q3)])
    assert result.exit_code == 0
    assert "June quarter 2025" in result.stdout and "September quarter 2025" in result.stdout
    assert "+8.0 pp" in result.stdout


def test_no_previous_note_is_said_plainly() -> None:
    result = CliRunner().invoke(app, ["diff", str(SAMPLE)])
    assert result.exit_code == 2
    assert "no earlier note on NYSE: BABA" in result.stderr
    assert load_spec(SAMPLE).previous is not None
    assert since_previous(load_spec(SAMPLE)) is None


def test_old_and_new_must_be_in_order_and_one_company(spec_dir: Path) -> None:
    result = CliRunner().invoke(app, ["diff", str(SAMPLE_Q3), str(SAMPLE)])
    assert result.exit_code == 2 and "give the earlier quarter first" in result.output
    other = spec_dir / "other.yaml"
    other.write_text(SAMPLE.read_text().replace("ticker: BABA", "ticker: BABB")
                     .replace("listing: BABA", "listing: BABB"))
    result = CliRunner().invoke(app, ["diff", str(other), str(SAMPLE_Q3)])
    assert result.exit_code == 2 and "different companies" in result.output


def test_two_candidates_for_one_quarter_are_ambiguous(spec_dir: Path) -> None:
    shutil.copy(spec_dir / "baba.yaml", spec_dir / "baba-copy.yaml")
    loaded = load_spec(spec_dir / "baba-2025q3.yaml")
    assert loaded.previous is not None and loaded.previous.path is None
    assert [w.message for w in loaded.warnings] == [
        "previous note is ambiguous: baba-copy.yaml, baba.yaml all cover NYSE: BABA's quarter "
        "ended 2025-06-30"]
    result = CliRunner().invoke(app, ["diff", str(spec_dir / "baba-2025q3.yaml")])
    assert result.exit_code == 2 and "ambiguous" in result.stderr


def test_many_candidates_are_named_in_one_short_line(spec_dir: Path) -> None:
    for index in range(5):
        shutil.copy(spec_dir / "baba.yaml", spec_dir / f"baba-copy{index}.yaml")
    [warning] = load_spec(spec_dir / "baba-2025q3.yaml").warnings
    assert warning.message == (
        "previous note is ambiguous: baba-copy0.yaml, baba-copy1.yaml, baba-copy2.yaml and 3 more "
        "all cover NYSE: BABA's quarter ended 2025-06-30")


def test_previous_names_the_note_and_is_checked(spec_dir: Path) -> None:
    shutil.copy(spec_dir / "baba.yaml", spec_dir / "baba-copy.yaml")
    q3 = spec_dir / "baba-2025q3.yaml"
    q3.write_text(q3.read_text() + "\nprevious: baba-copy.yaml\n")
    loaded = load_spec(q3)
    assert loaded.previous is not None and loaded.previous.path == (
        spec_dir / "baba-copy.yaml").resolve()
    assert (spec_dir / "baba-copy.yaml").resolve() in loaded.data_files
    changes = since_previous(loaded)
    assert isinstance(changes, Changes) and changes.old_path.endswith("baba-copy.yaml")
    q3.write_text(q3.read_text().replace("previous: baba-copy.yaml", "previous: nope.yaml"))
    result = CliRunner().invoke(app, ["validate", str(q3)])
    assert result.exit_code == 2
    assert "previous: no such file: nope.yaml" in result.output
    line = q3.read_text().splitlines().index("previous: nope.yaml") + 1
    assert f"{q3}:{line}:11: previous: no such file" in result.output
