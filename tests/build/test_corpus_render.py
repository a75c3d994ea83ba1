"""Every odd-but-valid spec of the generated corpus renders, or fails with a located reason.

The odd family (tests/helpers/corpus.py) keeps a sample valid while pushing what a note must
draw: names at their 200-character limit, 4000-character texts, every script, HTML- and
Jinja-looking text, figures of 0, negative, 1e-300 and 1e15, hundreds of data centres and
segments. `build()` renders them in a pool; no brief may fail as an internal error, no library
warning may reach stderr raw, and every HTML must be free of control characters.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefgen.build.batch import build
from briefgen.build.manifest import RunResult
from briefgen.build.pipeline import RenderOptions
from briefgen.errors import SpecError
from briefgen.spec.load import load_spec
from tests.helpers.corpus import write_corpus

# What XML (so SVG and XHTML) cannot hold, besides a lone surrogate, which UTF-8 cannot.
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
LOCATED = re.compile(r"^\S+:\d+(:\d+)?: ", re.M)


def _valid(folder: Path, count: int, seed: int) -> list[Path]:
    valid = []
    for case in write_corpus(folder, count, seed=seed, families=("odd",)):
        try:
            load_spec(case.path)
        except SpecError as exc:
            assert all(p.line is not None for p in exc.problems), exc  # refused, located
            continue
        valid.append(case.path)
    return valid


def _check(run: RunResult, stderr: str) -> None:
    for brief in run.briefs:
        if brief.status == "failed":
            assert brief.error_kind not in ("internal", "crash", "timeout"), (
                f"{brief.spec_path}: {brief.error}")
            assert LOCATED.search(brief.error or ""), f"{brief.spec_path}: {brief.error}"
            continue
        for name, path in brief.outputs.items():
            data = path.read_bytes()
            if name.endswith(".html"):
                assert not CONTROL.search(data), f"{path}: a control character"
                data.decode("utf-8")
        for warning in brief.warnings:
            assert "\x1b" not in warning and len(warning) < 400
    assert "Warning" not in stderr, stderr[-2000:]  # matplotlib's, printed raw
    assert "Traceback" not in stderr


def _render(tmp_path: Path, capfd: pytest.CaptureFixture[str], count: int, seed: int,
            formats: tuple[str, ...]) -> RunResult:
    specs = _valid(tmp_path / "corpus", count, seed)
    assert len(specs) >= count * 0.9  # the family is meant to stay valid
    capfd.readouterr()
    run = build(specs, out_dir=tmp_path / "out", jobs=2, options=RenderOptions(formats=formats))
    _check(run, capfd.readouterr().err)
    return run


def test_odd_specs_render(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    run = _render(tmp_path, capfd, 6, seed=3, formats=("html",))
    assert all(brief.status == "rendered" for brief in run.briefs)


@pytest.mark.slow
@pytest.mark.timeout(1800)
# Fuzzed figures (1e-300 printed in full, names of every script) test that rendering never fails;
# whether provenance can name the origin of such numbers is not what this test is about.
@pytest.mark.unexplained_numbers
def test_odd_corpus_renders(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """500 notes as HTML (charts and page: where the internal errors were), 50 also as PDF."""
    run = _render(tmp_path, capfd, 500, seed=1414, formats=("html",))
    rendered = sum(brief.status == "rendered" for brief in run.briefs)
    with capfd.disabled():
        print(f"\nodd corpus: {len(run.briefs)} valid, {rendered} rendered")
    pdf = _render(tmp_path / "pdf", capfd, 50, seed=1415, formats=("html", "pdf"))
    assert all(brief.status == "rendered" for brief in pdf.briefs)


def test_library_warnings_become_briefgen_warnings(
        spec_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """matplotlib warns about a glyph the brand's font lacks: reported with the brief, escaped,
    once per message, never printed raw on stderr."""
    from briefgen.build.pipeline import render_brief

    spec = spec_dir / "baba.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        "short_name: cloud", "short_name: الحوسبة السحابية"), encoding="utf-8")
    capfd.readouterr()
    rendered = render_brief(spec, RenderOptions(formats=("html",)))
    assert "Warning" not in capfd.readouterr().err
    glyphs = [w for w in rendered.warnings if w.startswith("charts: Glyph")]
    assert glyphs and len(glyphs) == len(set(glyphs)) and len(rendered.warnings) <= 10
