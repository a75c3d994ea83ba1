"""The console entry point converts every failure into a message and an exit code."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from briefgen.cli.main import main; main()", *args],
        capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("validate",), "Missing argument 'SPEC'"),
        # click words it "No such option: --bogus" or "No such option '--bogus'" by version.
        (("validate", "--bogus", "x"), "No such option"),
        (("nosuch",), "No such command 'nosuch'"),
    ],
)
def test_usage_errors_exit_2_without_traceback(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_version() -> None:
    from briefgen import __version__

    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"briefgen {__version__}"


def test_debug_shows_the_traceback_for_bad_input(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "nope.yaml"
    plain = run("render", str(missing), "--out", str(tmp_path / "out"))
    assert plain.returncode == 2
    assert "Traceback" not in plain.stderr
    debug = run("--debug", "render", str(missing), "--out", str(tmp_path / "out"))
    assert "Traceback" in debug.stderr
