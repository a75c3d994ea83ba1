"""The console entry point converts every failure into a message and an exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from briefgen.cli.main import main; main()", *args],
        capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("validate",), "no spec given, and no briefgen.yaml here or above"),
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


def test_debug_after_the_command_and_from_the_environment(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.yaml")
    after = run("render", missing, "--debug", "--out", str(tmp_path / "out"))
    assert "Traceback" in after.stderr
    env = {**os.environ, "BRIEFGEN_DEBUG": "1"}
    by_env = subprocess.run(
        [sys.executable, "-c", "from briefgen.cli.main import main; main()", "render", missing],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert "Traceback" in by_env.stderr


def test_short_version_and_quiet_or_verbose_anywhere(tmp_path: Path) -> None:
    from briefgen import __version__

    assert run("-V").stdout.strip() == f"briefgen {__version__}"
    spec = str(SAMPLE)
    quiet = run("render", spec, "-q", "--format", "html", "--out", str(tmp_path / "out"))
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "" and quiet.stderr == ""
    loud = run("-v", "render", spec, "--format", "html", "--out", str(tmp_path / "out"))
    assert loud.returncode == 0, loud.stderr
    assert "briefgen: project file: none; output" in loud.stderr
    assert f"cached {tmp_path / 'out' / 'baba' / 'brief.html'} (unchanged)" in loud.stdout
    both = run("-q", "validate", spec, "-v")
    assert both.returncode == 2 and "cannot be used together" in both.stderr


def test_completion_can_be_shown_for_a_shell() -> None:
    # Named, not detected from the process tree (pytest is not a shell).
    env = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    shown = subprocess.run(
        [sys.executable, "-c", "from briefgen.cli.main import main; main()",
         "--show-completion", "bash"], capture_output=True, text=True, timeout=60, env=env)
    assert shown.returncode == 0, shown.stderr
    assert "_BRIEFGEN_COMPLETE" in shown.stdout  # the script bash sources for briefgen
