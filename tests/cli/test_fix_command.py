"""`briefgen validate --fix` and `--dry-run`/`--diff`: superseded forms rewritten in place,
atomically, then validated again; a dry run prints the diff and writes nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SPECS

COMPAT = Path(__file__).resolve().parents[1] / "fixtures" / "compat"
ENTRY = "import sys; from briefgen.cli.main import main; main(sys.argv[1:])"


def briefgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.fixture
def old(tmp_path: Path) -> Path:
    """specs/ holding the two samples as they were before `guidance` (tests/fixtures/compat)."""
    folder = tmp_path / "specs"
    shutil.copytree(COMPAT, folder)
    return folder


def test_fix_rewrites_in_place_then_validates_strictly(old: Path) -> None:
    before = briefgen("validate", "--strict", "specs", cwd=old.parent)
    assert before.returncode == 2
    assert "`briefgen validate --fix` rewrites it" in before.stdout
    done = briefgen("validate", "--strict", "--fix", "specs", cwd=old.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "specs/baba-2025q3.yaml: fixed capex plan", "specs/baba.yaml: fixed capex plan",
        "2 of 2 specs valid, 2 fixed"]
    for name in ("baba.yaml", "baba-2025q3.yaml"):
        assert (old / name).read_bytes() == (SPECS / name).read_bytes()
    assert sorted(p.name for p in old.iterdir()) == sorted(p.name for p in COMPAT.iterdir())
    again = briefgen("validate", "--strict", "--fix", "specs", cwd=old.parent)
    assert (again.returncode, again.stdout) == (0, "2 of 2 specs valid, 0 fixed\n")


def test_dry_run_prints_a_diff_that_applies_and_writes_nothing(old: Path) -> None:
    stamps = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in old.iterdir()}
    shown = briefgen("validate", "--strict", "--diff", "specs/baba.yaml", cwd=old.parent)
    # Checked as fixed: --strict passes on the fixed text although the file still warns.
    assert shown.returncode == 0, shown.stdout
    assert shown.stdout.startswith("--- a/specs/baba.yaml\n+++ b/specs/baba.yaml\n@@ ")
    assert shown.stdout.endswith("specs/baba.yaml: would fix capex plan\n"
                                 "1 of 1 spec valid, 1 to fix\n")
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in old.iterdir()} == stamps
    patch = shown.stdout.rpartition("specs/baba.yaml: would fix")[0]
    subprocess.run(["git", "apply", "-"], input=patch, text=True, cwd=old.parent, check=True)
    assert (old / "baba.yaml").read_bytes() == (SPECS / "baba.yaml").read_bytes()


def test_a_fixed_spec_still_invalid_exits_2_with_its_other_problems(old: Path) -> None:
    spec = old / "baba.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("short_name: Alibaba",
                                                             "shortname: Alibaba"),
                    encoding="utf-8")
    done = briefgen("validate", "--fix", "specs/baba.yaml", cwd=old.parent)
    assert done.returncode == 2
    assert done.stdout.splitlines() == [
        "specs/baba.yaml: fixed capex plan",
        'specs/baba.yaml:18:3: company.shortname: unknown key (did you mean "short_name"?)',
        "0 of 1 spec valid, 1 error, 1 fixed"]
    assert "guidance:\n    amount:" in spec.read_text(encoding="utf-8")


def test_json_report_names_what_was_fixed_and_the_diff(old: Path) -> None:
    done = briefgen("validate", "--json", "--dry-run", "specs", cwd=old.parent)
    report = json.loads(done.stdout)
    assert report["summary"]["fixed"] == 2
    entry = report["specs"][1]
    assert (entry["file"], entry["fixed"], entry["written"]) == ("specs/baba.yaml",
                                                                 ["capex plan"], False)
    assert entry["diff"].startswith("--- a/specs/baba.yaml\n")
    assert entry["problems"] == []  # checked as fixed


def test_a_symlinked_spec_keeps_its_link_and_permissions(old: Path, tmp_path: Path) -> None:
    real = old / "baba.yaml"
    real.chmod(0o640)
    (tmp_path / "elsewhere").mkdir()
    link = tmp_path / "elsewhere" / "link.yaml"
    link.symlink_to(real)
    shutil.copy(old / "baba-cloud-revenue.csv", link.parent)
    done = briefgen("validate", "--fix", str(link), cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert link.is_symlink() and link.resolve() == real
    assert real.read_bytes() == (SPECS / "baba.yaml").read_bytes()
    assert real.stat().st_mode & 0o777 == 0o640
    assert not [p for p in old.iterdir() if p.name.startswith(".")]  # no temporary left


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_folder_that_cannot_be_written_is_an_error_and_the_file_is_unchanged(
        old: Path) -> None:
    before = (old / "baba.yaml").read_bytes()
    old.chmod(0o555)
    try:
        done = briefgen("validate", "--fix", "specs/baba.yaml", cwd=old.parent)
    finally:
        old.chmod(0o755)
    assert done.returncode == 2
    assert done.stdout.startswith("specs/baba.yaml: cannot write the fix: Permission denied")
    assert (old / "baba.yaml").read_bytes() == before
    assert "Traceback" not in done.stdout + done.stderr


def test_files_that_are_not_yaml_are_reported_not_rewritten(old: Path) -> None:
    (old / "bad.yaml").write_text("capex: [unclosed\n", encoding="utf-8")
    done = briefgen("validate", "--fix", "specs/bad.yaml", "specs/missing.yaml", cwd=old.parent)
    assert done.returncode == 2
    assert (old / "bad.yaml").read_text(encoding="utf-8") == "capex: [unclosed\n"
    assert "specs/missing.yaml: no such file" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
