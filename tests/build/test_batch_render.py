"""Many specs through the real pipeline: failures contained, the manifest exact, the cache honest,
and a Dask cluster producing the same bytes as the local pool.

One module-scoped run renders the good specs (beside a bad, a crashing and a failing one); the
cache tests copy its output and specs, so each re-renders only what it changed.
"""

from __future__ import annotations

import faulthandler
import json
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest

from briefgen.build.batch import RunResult, build
from briefgen.build.cache import CACHE_RECORD, sha256_file
from briefgen.build.pipeline import RenderedBrief, RenderOptions, render_brief
from briefgen.errors import RenderError
from tests.conftest import SAMPLE, SPECS

pytestmark = pytest.mark.e2e

GOOD = ("good-1", "good-2")


def render_or_misbehave(spec_path: Path, options: Any) -> RenderedBrief:
    """The real render, except for specs whose file name asks for a crash or a failure."""
    name = Path(spec_path).stem
    if name.endswith("exit"):
        os._exit(3)
    if name.endswith("segv"):
        faulthandler.disable()  # pytest's handler, inherited by the fork: keep the log clean
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.endswith("boom"):
        raise RenderError(f"{spec_path}: the revenue chart could not be drawn")
    return render_brief(spec_path, options)


def variant(slug: str, summary: str | None = None) -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("\nbrief:\n", f"\nbrief:\n  slug: {slug}\n", 1)
    if summary is not None:
        text = text.replace("  summary: >-\n", f"  summary: >-\n    {summary}\n", 1)
    return text


def make_workspace(root: Path) -> Path:
    good, bad, templates = root / "specs" / "good", root / "specs" / "bad", root / "templates"
    for folder in (good, bad, templates):
        folder.mkdir(parents=True)
    for folder in (good, bad):
        shutil.copy(SPECS / "baba-cloud-revenue.csv", folder)
    for slug in GOOD:
        (good / f"{slug}.yaml").write_text(variant(slug), encoding="utf-8")
    for slug in ("a-exit", "b-segv", "c-boom"):
        (bad / f"{slug}.yaml").write_text(variant(slug), encoding="utf-8")
    (bad / "d-yaml.yaml").write_text("brief: [unclosed\n", encoding="utf-8")
    (bad / "e-invalid.yaml").write_text(
        variant("e-invalid").replace("growth_yoy: {value: 26}", "growth_yoy: {value: lots}"),
        encoding="utf-8")
    (templates / "note.html").write_text('{% extends "default:note.html" %}\n', encoding="utf-8")
    return root


def options_for(root: Path) -> RenderOptions:
    return RenderOptions(template_dirs=(root / "templates",))


def run(root: Path, *paths: str, **kwargs: Any) -> RunResult:
    return build([root / p for p in paths], out_dir=root / "output", jobs=2,
                 options=options_for(root), render=render_or_misbehave, **kwargs)


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult]:
    root = make_workspace(tmp_path_factory.mktemp("batch"))
    return root, run(root, "specs/bad", "specs/good")


@pytest.fixture
def workspace(first: tuple[Path, RunResult], tmp_path: Path) -> Path:
    """A copy of the first run's specs, templates and output, free to edit."""
    root = tmp_path / "copy"
    shutil.copytree(first[0], root)
    return root


def manifest(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "output" / "manifest.json").read_text())
    return data


def statuses(result: RunResult) -> dict[str, str]:
    return {b.spec_path.stem: b.status for b in result.briefs}


def why(result: RunResult) -> str:
    """For a failed assertion: why each brief was rendered. In a checkout where someone is
    editing briefgen's code or built-in templates meanwhile, that is the honest reason."""
    return "; ".join(f"{b.slug}: {b.reason}" for b in result.briefs if b.reason)


def test_failures_are_reported_and_the_good_specs_rendered(first: tuple[Path, RunResult]) -> None:
    root, result = first
    assert result.exit_code == 1 and not result.ok
    assert statuses(result) == {
        "a-exit": "failed", "b-segv": "failed", "c-boom": "failed", "d-yaml": "failed",
        "e-invalid": "failed", "good-1": "rendered", "good-2": "rendered",
    }
    data = manifest(root)
    assert data["run"]["status"] == "complete" and data["ok"] is False
    assert data["counts"] == {"total": 7, "rendered": 2, "cached": 0, "failed": 5, "pending": 0}
    briefs = {Path(b["spec"]).stem: b for b in data["briefs"]}
    assert "exited with code 3" in briefs["a-exit"]["error"]
    assert briefs["a-exit"]["error_kind"] == "crash"
    assert "SIGSEGV" in briefs["b-segv"]["error"]
    assert "revenue chart could not be drawn" in briefs["c-boom"]["error"]
    assert briefs["d-yaml"]["slug"] is None
    assert "d-yaml.yaml:2:1: YAML syntax error" in briefs["d-yaml"]["error"]
    assert "e-invalid.yaml:" in briefs["e-invalid"]["error"]
    assert "growth_yoy" in briefs["e-invalid"]["error"]
    for slug in GOOD:
        entry = briefs[slug]
        assert entry["error"] is None and entry["cache_key"]
        assert set(entry["outputs"]) == {"brief.html", "brief.pdf", "brief.provenance.json"}
        for name, meta in entry["outputs"].items():
            path = root / "output" / meta["path"]
            assert meta["path"] == f"{slug}/{name}"
            assert path.stat().st_size == meta["bytes"] and sha256_file(path) == meta["sha256"]
        assert {"charts", "pdf", "write"} <= set(entry["timings"])
        assert (root / "output" / slug / CACHE_RECORD).is_file()
    assert sorted(p.name for p in (root / "output").iterdir()) == [*GOOD, "manifest.json"]
    assert not list((root / "output").rglob("*.tmp"))


def test_a_second_run_renders_nothing(workspace: Path) -> None:
    result = run(workspace, "specs/good")
    assert statuses(result) == {"good-1": "cached", "good-2": "cached"}, why(result)
    assert result.exit_code == 0
    assert [b["status"] for b in manifest(workspace)["briefs"]] == ["cached", "cached"]


def test_editing_a_template_renders_everything_again(workspace: Path) -> None:
    note = workspace / "templates" / "note.html"
    note.write_text(note.read_text() + "{# reviewed #}\n")
    result = run(workspace, "specs/good")
    assert statuses(result) == {"good-1": "rendered", "good-2": "rendered"}
    assert {b.reason for b in result.briefs} == {"the templates changed"}


def test_an_edited_spec_and_a_deleted_output_render_only_those(workspace: Path) -> None:
    spec = workspace / "specs" / "good" / "good-1.yaml"
    spec.write_text(variant("good-1", summary="Edited."), encoding="utf-8")
    result = run(workspace, "specs/good")
    assert statuses(result) == {"good-1": "rendered", "good-2": "cached"}, why(result)
    assert result.briefs[0].reason == "the spec changed"
    (workspace / "output" / "good-2" / "brief.pdf").unlink()
    result = run(workspace, "specs/good")
    assert statuses(result) == {"good-1": "cached", "good-2": "rendered"}, why(result)
    assert result.briefs[1].reason == "brief.pdf is missing"
    assert (workspace / "output" / "good-2" / "brief.pdf").is_file()


def test_dask_renders_the_same_bytes_as_the_local_pool(
    first: tuple[Path, RunResult], tmp_path: Path
) -> None:
    from distributed import LocalCluster

    root, local = first
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        result = build([root / "specs" / "good" / "good-1.yaml",
                        root / "specs" / "bad" / "d-yaml.yaml"],
                       out_dir=tmp_path / "output", options=options_for(root), force=True,
                       dask_address=cluster.scheduler_address)
    assert statuses(result)["good-1"] == "rendered"
    assert statuses(result)["d-yaml"] == "failed"
    by_slug = {b.slug: b for b in local.briefs}
    remote = next(b for b in result.briefs if b.slug == "good-1")
    assert remote.sha256s == by_slug["good-1"].sha256s
    assert manifest(tmp_path)["run"]["executor"] == "dask"
