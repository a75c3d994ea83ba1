"""`briefgen validate` over many files, `briefgen schema`, `briefgen new`, and start-up weight."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from briefgen.cli.main import app
from briefgen.spec.model import Spec
from briefgen.spec.schema import SCHEMA_FILE, spec_json_schema
from tests.conftest import ROOT

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOOD = (FIXTURES / "baba.yaml").read_text(encoding="utf-8")
# One error: an unknown key on line 18.
BAD = GOOD.replace("short_name: Alibaba", "shortname: Alibaba", 1)
# One warning: growth that disagrees with the history.
WARNS = GOOD.replace("growth_yoy: {value: 26}", "growth_yoy: {value: 30}", 1)
WARNING_LINE = ("warning: segments[0].growth_yoy.value: reported 30% but the history gives "
                "25.8% y/y")


def run(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """specs/{a,b}.yaml valid, specs/sub/c.yml invalid, specs/.git/x.yaml to be skipped."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "specs"
    (folder / "sub").mkdir(parents=True)
    (folder / ".git").mkdir()
    for path, text in [("a.yaml", GOOD), ("b.yaml", GOOD), ("sub/c.yml", BAD),
                       (".git/x.yaml", "not: a spec")]:
        (folder / path).write_text(text, encoding="utf-8")
    for sub in (folder, folder / "sub"):
        shutil.copy(FIXTURES / "baba-cloud-revenue.csv", sub)
    (folder / "notes.txt").write_text("not a spec", encoding="utf-8")
    return folder


UNKNOWN_KEY = 'company.shortname: unknown key (did you mean "short_name"?)'


def test_folder_means_its_specs_recursively(specs: Path) -> None:
    result = run("validate", "specs")
    assert result.stdout.splitlines() == [
        f"specs/sub/c.yml:18:3: {UNKNOWN_KEY}",
        "2 of 3 specs valid, 1 error",
    ]
    assert result.exit_code == 2


def test_all_valid_exits_0(specs: Path) -> None:
    result = run("validate", "specs/a.yaml", "specs/b.yaml")
    assert (result.exit_code, result.stdout) == (0, "2 of 2 specs valid\n")


def test_quoted_globs_are_expanded(specs: Path) -> None:
    result = run("validate", "specs/*.yaml", "specs/**/*.yml")
    assert result.stdout.splitlines()[-1] == "2 of 3 specs valid, 1 error"


def test_a_file_named_twice_is_checked_once(specs: Path) -> None:
    result = run("validate", "specs/a.yaml", "specs", "specs/a.yaml")
    assert result.stdout.splitlines()[-1] == "2 of 3 specs valid, 1 error"


def test_arguments_that_name_no_spec(specs: Path) -> None:
    (specs / "empty").mkdir()
    result = run("validate", "specs/a.yaml", "specs/nope.yaml", "specs/z*.yaml", "specs/empty")
    assert result.stdout.splitlines() == [
        "specs/nope.yaml: no such file (check the path)",
        "specs/z*.yaml: no file matches this pattern",
        "specs/empty: folder holds no .yaml or .yml files",
        "1 of 4 specs valid, 3 errors",
    ]
    assert result.exit_code == 2


def test_warnings_pass_unless_strict(specs: Path) -> None:
    (specs / "w.yaml").write_text(WARNS, encoding="utf-8")
    lenient = run("validate", "specs/w.yaml")
    assert lenient.stdout.splitlines() == [
        f"specs/w.yaml:42:25: {WARNING_LINE}", "1 of 1 spec valid, 1 warning",
    ]
    assert lenient.exit_code == 0
    strict = run("validate", "--strict", "specs/w.yaml")
    assert strict.stdout.splitlines() == [
        f"specs/w.yaml:42:25: {WARNING_LINE.removeprefix('warning: ')}",
        "0 of 1 spec valid, 1 error",
    ]
    assert strict.exit_code == 2


def test_json_report(specs: Path) -> None:
    (specs / "w.yaml").write_text(WARNS, encoding="utf-8")
    result = run("validate", "--json", "specs/a.yaml", "specs/sub/c.yml", "specs/w.yaml")
    report = json.loads(result.stdout)
    assert result.exit_code == 2
    assert report["valid"] is False
    assert report["summary"] == {"specs": 3, "valid": 2, "errors": 1, "warnings": 1}
    assert [(s["file"], s["valid"], len(s["problems"])) for s in report["specs"]] == [
        ("specs/a.yaml", True, 0), ("specs/sub/c.yml", False, 1), ("specs/w.yaml", True, 1),
    ]
    assert report["specs"][1]["problems"][0] == {
        "file": "specs/sub/c.yml", "line": 18, "column": 3, "where": "company.shortname",
        "message": "unknown key", "hint": 'did you mean "short_name"?', "severity": "error",
    }


# --- briefgen new ---------------------------------------------------------------------------


def test_new_writes_a_starter_that_validates_strictly(tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    result = run("new", "acme-2025q3", "--out", str(out))
    assert result.exit_code == 0, result.output
    target = out / "acme-2025q3.yaml"
    assert target.is_file()
    check = run("validate", "--strict", str(target))
    assert (check.exit_code, check.stdout) == (0, "1 of 1 spec valid\n")


def test_new_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "acme.yaml"
    target.write_text("mine", encoding="utf-8")
    refused = run("new", "acme", "--out", str(tmp_path))
    assert refused.exit_code == 2
    assert refused.stderr == f"briefgen: {target} already exists; use --force to overwrite it\n"
    assert target.read_text(encoding="utf-8") == "mine"
    forced = run("new", "acme.yaml", "--out", str(tmp_path), "--force")
    assert forced.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize("name", ["../acme", "a/b", ".hidden", ".yaml"])
def test_new_refuses_a_name_that_is_not_a_file_name(tmp_path: Path, name: str) -> None:
    result = run("new", name, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "is not a file name" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_starter_mentions_every_section(tmp_path: Path) -> None:
    """Optional sections appear commented out, so the starter shows the whole shape of a spec."""
    run("new", "acme", "--out", str(tmp_path))
    text = (tmp_path / "acme.yaml").read_text(encoding="utf-8")
    mentioned = set(re.findall(r"^(?:# )?([a-z_]+):", text, flags=re.MULTILINE))
    assert set(Spec.model_fields) <= mentioned


def test_starter_points_editors_at_the_schema_when_in_the_repository(tmp_path: Path) -> None:
    inside = ROOT / "specs"
    run("new", "schema-line-check", "--out", str(tmp_path))
    outside_first = (tmp_path / "schema-line-check.yaml").read_text(encoding="utf-8")
    assert "$schema=" not in outside_first.splitlines()[0]
    result = run("new", "schema-line-check", "--out", str(inside))
    try:
        first = (inside / "schema-line-check.yaml").read_text(encoding="utf-8").splitlines()[0]
    finally:
        (inside / "schema-line-check.yaml").unlink()
    assert result.exit_code == 0
    assert first == f"# yaml-language-server: $schema=../docs/{SCHEMA_FILE}"


# --- briefgen schema -------------------------------------------------------------------------


def test_schema_prints_the_model_schema() -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == spec_json_schema()


def test_schema_out_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    result = run("schema", "--out", str(target))
    assert result.exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8")) == spec_json_schema()
    missing = run("schema", "--out", str(tmp_path / "no" / "s.json"))
    assert missing.exit_code == 2
    assert missing.stderr == f"briefgen: {tmp_path / 'no'} does not exist\n"
    beside = run("schema", "-o", str(tmp_path))  # a folder: the schema goes in it, by its name
    assert beside.exit_code == 0
    assert json.loads((tmp_path / "spec.schema.json").read_text()) == spec_json_schema()


# --- the console entry point, as a process -------------------------------------------------------

ENTRY = "import sys; from briefgen.cli.main import main; main(sys.argv[1:])"


def _process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60, check=False)


def test_entry_point_exit_codes_and_no_traceback(specs: Path) -> None:
    (specs / "bomb.yaml").write_text("a: &a [1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 8)}]\n" for p, n in zip("abcdef", "bcdefg", strict=True)
    ), encoding="utf-8")
    (specs / "bytes.yaml").write_bytes(b"brief:\n  title: \xff\xfe\n")
    bad = _process("validate", "specs", cwd=specs.parent)
    assert bad.returncode == 2
    assert bad.stdout.splitlines()[-1] == "2 of 5 specs valid, 3 errors"
    assert "Traceback" not in bad.stdout + bad.stderr
    good = _process("validate", "specs/a.yaml", cwd=specs.parent)
    assert (good.returncode, good.stdout) == (0, "1 of 1 spec valid\n")


HEAVY = ("matplotlib", "weasyprint", "dask", "distributed")
PROBE = """
import json, sys
from briefgen.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(HEAVY)))
print(json.dumps({"code": code, "heavy": heavy}))
"""


@pytest.mark.parametrize("args", [["validate", "specs/baba.yaml"], ["--help"]],
                         ids=["validate", "help"])
def test_validate_and_help_import_nothing_heavy(args: list[str]) -> None:
    """matplotlib, WeasyPrint and dask cost seconds of start-up; checking a spec needs none."""
    probe = PROBE.replace("json.loads(HEAVY)", repr(list(HEAVY)))
    done = subprocess.run([sys.executable, "-c", probe, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    report = json.loads(done.stdout.splitlines()[-1])
    assert report == {"code": 0, "heavy": []}, done.stderr


def test_sample_specs_validate_strictly() -> None:
    result = run("validate", "--strict", str(ROOT / "specs"))
    count = len(list((ROOT / "specs").glob("*.yaml")))
    assert (result.exit_code, result.stdout) == (0, f"{count} of {count} specs valid\n")
    assert all(isinstance(yaml.safe_load(p.read_text()), dict)
               for p in (ROOT / "specs").glob("*.yaml"))
