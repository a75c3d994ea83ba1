"""One bad file never stops the others: `validate`, `render`, `render --dry-run` and `send` over a
folder report each bad spec, located, and go on with the rest (issue 14, item 2).

The bad specs are the ones that once aborted a whole run: an escape beyond Unicode
(`"\\U00110000"`), a lone surrogate that a message echoes, and a file name that is not UTF-8.
The commands run as real processes, so their output streams encode what they print.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli.main import app
from tests.conftest import SPECS

BAD_NAME = os.fsdecode(b"bad-\xff.yaml")  # a Latin-1 name on a UTF-8 file system


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    specs.mkdir()
    for name in ("baba.yaml", "baba-cloud-revenue.csv"):
        shutil.copy(SPECS / name, specs / name)
    text = (SPECS / "baba.yaml").read_text(encoding="utf-8")
    (specs / "beyond.yaml").write_text(
        text.replace("author: Sample Analyst", 'author: "Sample \\U00110000"'), encoding="utf-8")
    (specs / "surrogate.yaml").write_text(
        text.replace("author: Sample Analyst", 'author: "Sample \\udc80"'), encoding="utf-8")
    (specs / BAD_NAME).write_text("brief: [\n", encoding="utf-8")
    return specs


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd, text=True,
                          capture_output=True, encoding="utf-8", timeout=300, check=False)


def _no_internal_error(done: subprocess.CompletedProcess[str]) -> str:
    output = done.stdout + done.stderr
    assert "internal error" not in output and "Traceback" not in output, output
    return output


def test_validate_reports_every_file(folder: Path) -> None:
    done = _run("validate", "specs", cwd=folder.parent)
    output = _no_internal_error(done)
    assert done.returncode == 2
    assert "specs/beyond.yaml:9:19: an escape names a character beyond Unicode's last" in output
    assert ("specs/surrogate.yaml:9:11: brief.author: contains a lone surrogate (U+DC80)"
            in output)
    assert "specs/bad-\\udcff.yaml:" in output  # the name, escaped
    assert output.splitlines()[-1] == "1 of 4 specs valid, 3 errors"
    report = json.loads(_run("validate", "--json", "specs", cwd=folder.parent).stdout)
    assert [(s["file"], s["valid"]) for s in report["specs"]] == [
        ("specs/baba.yaml", True), ("specs/bad-\\udcff.yaml", False),
        ("specs/beyond.yaml", False), ("specs/surrogate.yaml", False)]


def test_render_and_dry_run_go_on_with_the_good_spec(folder: Path) -> None:
    dry = _run("render", "--dry-run", "specs", cwd=folder.parent)
    output = _no_internal_error(dry)
    assert dry.returncode == 2  # bad specs: bad input, as the run itself says (below)
    assert "render  specs/baba.yaml -> output/baba/" in output
    assert "4 specs: 1 to render, 0 cached, 3 failed" in output
    done = _run("render", "-f", "html", "specs", cwd=folder.parent)
    _no_internal_error(done)
    assert done.returncode == 2  # bad specs: bad input
    assert (folder.parent / "output" / "baba" / "brief.html").is_file()
    manifest = json.loads((folder.parent / "output" / "manifest.json").read_text("utf-8"))
    failed = [b for b in manifest["briefs"] if b["status"] == "failed"]
    assert len(failed) == 3 and all(":" in b["error"] for b in failed)


def test_send_goes_on_with_the_good_spec(folder: Path) -> None:
    done = _run("send", "specs", "--to", "pm@fund.example", "--dry-run", cwd=folder.parent)
    _no_internal_error(done)
    assert (folder.parent / "output" / "baba" / "email.eml").is_file()


def test_a_bug_met_by_one_spec_is_that_spec_s_error(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever goes wrong while one spec is read, the others are still checked and reported."""
    from briefgen.spec import checks

    real = checks.cross_field_problems

    def broken(spec, doc):  # type: ignore[no-untyped-def]
        if "beyond" in doc.file:
            raise ZeroDivisionError("a bug")
        return real(spec, doc)

    (folder / "beyond.yaml").write_text((SPECS / "baba.yaml").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    monkeypatch.setattr(checks, "cross_field_problems", broken)
    monkeypatch.delenv("BRIEFGEN_DEBUG", raising=False)
    result = CliRunner().invoke(app, ["validate", str(folder / "beyond.yaml"),
                                      str(folder / "baba.yaml")])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{folder / 'beyond.yaml'}: internal error while reading this spec: "
        "ZeroDivisionError('a bug') (a bug in briefgen; run with --debug for the traceback)",
        "1 of 2 specs valid, 1 error"]


def test_a_brief_that_cannot_be_prepared_is_held_back_alone(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen.mail import send

    real = send.preflight

    def broken(brief, *args):  # type: ignore[no-untyped-def]
        if brief.spec_path.name == "twin.yaml":
            raise ValueError("chr() arg not in range(0x110000)")
        return real(brief, *args)

    twin = (SPECS / "baba.yaml").read_text(encoding="utf-8").replace(
        "  date: 2025-09-01\n", "  date: 2025-09-01\n  slug: twin\n", 1)
    (folder / "twin.yaml").write_text(twin, encoding="utf-8")
    monkeypatch.setattr(send, "preflight", broken)
    monkeypatch.delenv("BRIEFGEN_DEBUG", raising=False)
    out = folder.parent / "output"
    result = CliRunner().invoke(app, ["send", str(folder / "baba.yaml"), str(folder / "twin.yaml"),
                                      "--to", "pm@fund.example", "--dry-run", "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert (out / "baba" / "email.eml").is_file()
    assert "internal error: ValueError('chr() arg not in range(0x110000)')" in result.output


def test_an_uncaptured_library_warning_is_one_escaped_briefgen_line() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import warnings, briefgen.cli.main\n"
         "warnings.warn('Glyph missing from \\x1b[31mred')"],
        capture_output=True, text=True, timeout=60, check=False)
    assert done.stderr == "briefgen: warning: Glyph missing from \\u001b[31mred\n"


def test_a_bad_sibling_does_not_break_a_good_spec(folder: Path) -> None:
    """Looking for a spec's previous note reads its siblings; whatever one holds (here a
    company and quarter, but `segments: 5`), the good spec is still judged on its own."""
    text = (SPECS / "baba.yaml").read_text(encoding="utf-8")
    start = text.index("segments:")
    (folder / "sibling.yaml").write_text(text[:start] + "segments: 5\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(folder / "baba.yaml")])
    assert result.exit_code == 0, result.output
