"""`briefgen validate` over a generated corpus of bad and odd specs (tests/helpers/corpus.py):
zero internal errors, zero tracebacks, exit 2 for every invalid spec, every problem located.

The default size is small (every family several times over); the `slow` run checks 3,000 specs.
The folder is validated in a real process whose output encoding is ASCII, so a message that
echoes a lone surrogate or a control character must arrive escaped or the run would fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefgen.cli.main import app
from tests.helpers.corpus import Case, write_corpus

SMALL, FULL = 150, 3000
# Problems about a whole file, which has no line to point at.
FILE_LEVEL = re.compile(r"the file is empty|the file holds only comments|larger than the limit|"
                        r"the CSV file is empty")


def _validate_folder(folder: Path, *extra: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    return subprocess.run([sys.executable, "-m", "briefgen", "validate", *extra, str(folder)],
                          capture_output=True, env=env, timeout=600, check=False)


def _check(folder: Path, cases: list[Case]) -> dict[str, int]:
    lines = _validate_folder(folder)
    output = (lines.stdout + lines.stderr).decode("utf-8")  # strict: no lone surrogate
    assert lines.returncode == 2, output[-2000:]
    assert "internal error" not in output
    assert "Traceback" not in output
    report = json.loads(_validate_folder(folder, "--json").stdout.decode("utf-8"))
    by_file: dict[str, dict[str, Any]] = {entry["file"]: entry for entry in report["specs"]}
    assert len(by_file) == len(cases)

    counts = {"specs": len(cases), "valid": 0, "invalid": 0, "internal errors": 0,
              "tracebacks": 0, "unlocated": 0}
    runner = CliRunner()
    for case in cases:
        result = runner.invoke(app, ["validate", str(case.path)])
        entry = by_file[str(case.path)]
        where = f"{case.path.name} ({case.family}: {case.what})"
        assert result.exception is None or isinstance(result.exception, SystemExit), where
        counts["internal errors"] += "internal error" in result.output
        counts["tracebacks"] += "Traceback" in result.output
        assert result.exit_code in (0, 2), where
        assert (result.exit_code == 0) == entry["valid"], where  # alone as in the folder
        if case.expect == "invalid":
            assert result.exit_code == 2, f"{where} was accepted"
        counts["valid" if entry["valid"] else "invalid"] += 1
        for problem in entry["problems"]:
            if (problem["line"] is None and problem["severity"] == "error"
                    and not FILE_LEVEL.search(problem["message"])):
                counts["unlocated"] += 1
                pytest.fail(f"{where}: not located: {problem}")
    assert counts["internal errors"] == counts["tracebacks"] == 0, counts
    return counts


def test_small_corpus(tmp_path: Path) -> None:
    cases = write_corpus(tmp_path / "corpus", SMALL)
    counts = _check(tmp_path / "corpus", cases)
    assert {case.family for case in cases} == {"mutate", "text", "synthetic", "csv", "odd"}
    assert counts["valid"] and counts["invalid"]  # the corpus holds both kinds


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a minute alone; shared cores can make it ten
def test_full_corpus(tmp_path: Path) -> None:
    cases = write_corpus(tmp_path / "corpus", FULL, seed=1414)
    counts = _check(tmp_path / "corpus", cases)
    print(counts)


def test_corpus_is_reproducible(tmp_path: Path) -> None:
    first = write_corpus(tmp_path / "a", 40, seed=7)
    second = write_corpus(tmp_path / "b", 40, seed=7)
    for one, two in zip(first, second, strict=True):
        assert one.path.read_bytes() == two.path.read_bytes()
