"""Provenance and reconciliation: every number a note prints is traced, and `briefgen check`
reads each one back from the PDF and the HTML and finds its record."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from briefgen.build.options import PROVENANCE_FILE
from briefgen.build.pipeline import RenderedBrief, RenderOptions, render_brief
from briefgen.build.reconcile import check
from briefgen.cli.main import app
from tests.conftest import SAMPLE, SAMPLE_Q3
from tests.helpers import provenance_guard
from tests.helpers.golden import rendered, rendered_starter

NOTES = ["baba", "baba-2025q3", "starter"]


def brief_of(name: str) -> RenderedBrief:
    return rendered_starter() if name == "starter" else rendered(name)


def written(brief: RenderedBrief, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in brief.files.items():
        (folder / name).write_bytes(data)
    return folder


def records(brief: RenderedBrief) -> list[dict[str, object]]:
    numbers = json.loads(brief.files[PROVENANCE_FILE])["numbers"]
    assert isinstance(numbers, list)
    return numbers


@pytest.mark.parametrize("name", NOTES)
def test_every_number_of_every_sample_note_is_explained(name: str, tmp_path: Path) -> None:
    brief = brief_of(name)
    report = check(written(brief, tmp_path / name))
    assert report.findings == []
    assert report.html_numbers > 40 and report.pdf_numbers > 40
    # Found on a page: all but what the screen alone shows (a chart's data table for a screen
    # reader, hidden in print).
    assert set(report.pages) <= {str(r["id"]) for r in records(brief)}
    assert len(report.pages) > 0.6 * len(records(brief))


def test_the_suite_checks_every_note_it_renders_in_process() -> None:
    brief_of("baba")
    assert provenance_guard.checked, "the guard in tests/conftest.py is not installed"


@pytest.mark.parametrize("name", NOTES)
def test_each_reported_number_points_at_the_line_that_states_it(name: str) -> None:
    """file:line:col of every reported number: that line holds the field the path names."""
    brief = brief_of(name)
    for record in records(brief):
        if record["kind"] != "reported":
            continue
        place = record["spec"][0]  # type: ignore[index]
        file, line, column = str(place["at"]).rsplit(":", 2)  # relative to the spec's folder
        text = (brief.loaded.base_dir / file).read_text(
            encoding="utf-8").splitlines()[int(line) - 1]
        key = re.sub(r"\[\d+\]", "", str(place["path"])).split(".")[-1]
        if file.endswith(".csv"):  # a history row: the column's cell starts at `column`
            assert text[int(column) - 1:].split(",")[0].strip(), (record, text)
        else:
            assert f"{key}:" in text, (record, text)


def test_reported_derived_and_boilerplate_numbers() -> None:
    by_text: dict[str, dict[str, object]] = {}
    for record in records(rendered("baba-2025q3")):
        by_text.setdefault(str(record["text"]), record)
    revenue = by_text["RMB 39.8bn"]
    assert revenue["kind"] == "reported"
    assert revenue["spec"] == [{"path": "segments[0].revenue.value",
                                "at": f"baba-2025q3.yaml:{_line('revenue: {value: 39.8')}:22"}]
    beat = by_text["+5.0%"]
    assert beat["kind"] == "derived" and beat["how"] == (
        "RMB 39.8bn / RMB 37.9bn − 1; revenue against consensus revenue")
    inputs = {item["text"]: item["spec"][0]["path"] for item in beat["inputs"]}  # type: ignore
    assert inputs == {"RMB 39.8bn": "segments[0].revenue.value",
                      "RMB 37.9bn": "segments[0].consensus.revenue.value"}
    assert by_text["−10%"]["kind"] == "boilerplate"
    assert by_text["−10%"]["section"] == "Rating definitions"
    # The previous note's figures come from the previous note's spec.
    june = [r for r in records(rendered("baba-2025q3")) if r["text"] == "RMB 33.4bn"
            and r["section"].startswith("Revisions")]  # type: ignore[union-attr]
    assert june and june[0]["spec"][0]["at"].startswith("baba.yaml:")  # type: ignore


def test_a_bare_number_in_a_derivation_is_the_specs_number_not_a_word() -> None:
    """`up to RMB 380bn / 3`: the 3 is the plan's years, not the "3" in a highlight's title
    ("Qwen 3 reasoning model"), which a bare number in running text would first be."""
    pace = next(r for r in records(rendered("baba"))
                if str(r["text"]).endswith("RMB 127bn") and r["kind"] == "derived")
    inputs = {item["text"]: item["spec"][0]["path"] for item in pace["inputs"]}  # type: ignore
    assert inputs == {"RMB 380bn": "capex.guidance.amount.value", "3": "capex.guidance.years"}


def _line(fragment: str) -> int:
    lines = SAMPLE_Q3.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if fragment in line)


def test_each_number_in_the_html_carries_its_origin_for_a_reader() -> None:
    soup = BeautifulSoup(rendered("baba-2025q3").files["brief.html"], "html.parser")
    spans = soup.select("span.src")
    assert len(spans) > 150
    for span in spans:
        assert re.fullmatch(r"n\d+", span["data-src"])
        assert span["title"].split(":")[0] in {
            "Reported", "Derived", "From the spec's text", "From the spec's date", "Boilerplate",
            "Constant"}, span
    revenue = next(s for s in spans if s.get_text() == "RMB 39.8bn")
    assert revenue["title"] == (
        f"Reported: segments[0].revenue.value (baba-2025q3.yaml:"
        f"{_line('revenue: {value: 39.8')}:22)")
    # The tooltip shows on hover on screen; print is unchanged.
    assert ".src[title]:hover" in soup.find("style", media="screen").get_text()


LITERAL = """{% extends "default:note.html" %}
{% block summary %}{{ super() }}<p class="typed">Margins widened by 42.7% in the quarter.</p>
{% endblock %}
"""


@pytest.mark.unexplained_numbers
def test_a_number_typed_into_a_template_is_caught(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "note.html").write_text(LITERAL, encoding="utf-8")
    brief = render_brief(SAMPLE, RenderOptions(template_dirs=(templates,)))
    folder = written(brief, tmp_path / "out" / "baba")
    report = check(folder)
    # Recorded as unexplained when rendered, and found again in the PDF with no origin.
    assert {(f.where, f.text) for f in report.findings} == {("record", "42.7%"),
                                                            ("pdf page 1", "42.7%")}
    result = CliRunner().invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    assert "'42.7%' recorded as unexplained" in result.stdout
    assert "2 unexplained" in result.stdout


def test_a_number_added_to_the_files_afterwards_is_caught(tmp_path: Path) -> None:
    folder = written(rendered("baba"), tmp_path / "baba")
    html = (folder / "brief.html").read_text(encoding="utf-8")
    (folder / "brief.html").write_text(
        html.replace("</body>", "<p>Up 17.3% since.</p></body>"), encoding="utf-8")
    findings = check(folder).findings
    assert [(f.where, f.text, f.problem) for f in findings] == [
        ("html", "17.3%", "not in the provenance record")]


def test_explain_prints_where_a_number_came_from(tmp_path: Path) -> None:
    folder = written(rendered("baba-2025q3"), tmp_path / "baba-2025q3")
    result = CliRunner().invoke(app, ["explain", str(folder), "RMB 37.9bn",
                                      "--spec-dir", str(SAMPLE_Q3.parent)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("RMB 37.9bn: printed ")
    assert "(page 1)" in lines[0]
    assert lines[1] == (f"  reported: segments[0].consensus.revenue.value at "
                        f"baba-2025q3.yaml:{_line('revenue: {value: 37.9')}:24")
    assert lines[2].endswith("| revenue: {value: 37.9, currency: CNY, unit: bn}")
    derived = CliRunner().invoke(app, ["explain", str(folder), "+6.0 pp"]).stdout
    assert "  derived: 34% − 28.0%; growth against consensus growth" in derived
    missing = CliRunner().invoke(app, ["explain", str(folder), "12.34%"])
    assert missing.exit_code == 2 and "is not printed in this note" in missing.stderr
    bad = CliRunner().invoke(app, ["check", str(tmp_path / "nowhere")])
    assert bad.exit_code == 2
    # A spec is rendered in memory and explained alike, its lines quoted from beside it.
    from_spec = CliRunner().invoke(app, ["explain", str(SAMPLE_Q3), "RMB 37.9bn"]).stdout
    assert from_spec.splitlines()[1:3] == lines[1:3]


@pytest.mark.parametrize("name", NOTES)
def test_the_record_names_no_absolute_path(name: str) -> None:
    """The same spec gives the same bytes wherever it is rendered (a batch worker's copy)."""
    brief = brief_of(name)
    for data in (brief.files[PROVENANCE_FILE], brief.files["brief.html"]):
        assert str(brief.loaded.base_dir).encode() not in data


def test_a_chart_labels_count_of_names_left_out_is_explained() -> None:
    from briefgen.derive import derive
    from briefgen.note.provenance import Catalogue, chart_records
    from briefgen.spec.load import load_spec
    from tests.conftest import SAMPLE

    loaded = load_spec(SAMPLE)
    catalogue = Catalogue(loaded, derive(loaded.spec))
    svg = "<svg><text>Hangzhou, Ulanqab, and 17 more</text><text>17</text></svg>"
    [left_out, bar] = chart_records([("infrastructure", svg)], catalogue, 0)
    assert (left_out.text, left_out.origin.kind) == ("17", "constant")
    assert bar.origin.kind == "unexplained"  # the same number as a figure still needs an origin
