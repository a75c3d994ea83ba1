"""`briefgen render --dry-run` and `briefgen.build.batch.plan`: what a run would do, and why, with
nothing rendered or written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefgen.build.batch import build, plan
from briefgen.build.options import RenderOptions
from briefgen.cli.main import app
from tests.helpers.fake_render import fake_render, write_specs


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def rendered_workspace(tmp_path: Path) -> tuple[Path, Path]:
    """Three specs rendered once (a, b, c); then b edited and a broken d added."""
    specs, out = write_specs(tmp_path / "specs", "a", "b", "c"), tmp_path / "out"
    assert build([specs], out_dir=out, jobs=1, render=fake_render).ok
    spec_b = specs / "b.yaml"
    spec_b.write_text(spec_b.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    (specs / "d.yaml").write_text("brief: [unclosed\n", encoding="utf-8")
    return specs, out


def test_a_dry_run_says_what_would_render_and_why_and_writes_nothing(tmp_path: Path) -> None:
    specs, out = rendered_workspace(tmp_path)
    before = snapshot(tmp_path)
    result = CliRunner().invoke(app, ["render", str(specs), "--out", str(out), "--dry-run"])
    assert result.exit_code == 2  # a spec that does not load: bad input, as it is alone
    lines = result.output.splitlines()
    assert lines[0] == f"cached  {specs / 'a.yaml'} -> {out / 'a'}/ (unchanged)"
    assert lines[1] == f"render  {specs / 'b.yaml'} -> {out / 'b'}/ (the spec changed)"
    assert lines[2] == f"cached  {specs / 'c.yaml'} -> {out / 'c'}/ (unchanged)"
    assert lines[3].startswith(f"failed  {specs / 'd.yaml'}: {specs / 'd.yaml'}:2:1: ")
    assert lines[4] == ("4 specs: 1 to render, 2 cached, 1 failed "
                        "(dry run: nothing rendered or written)")
    assert snapshot(tmp_path) == before


def test_force_plans_every_valid_spec_and_json_is_for_machines(tmp_path: Path) -> None:
    specs, out = rendered_workspace(tmp_path)
    (specs / "d.yaml").unlink()
    result = CliRunner().invoke(app, ["render", str(specs), "--out", str(out), "--dry-run",
                                      "--force", "--json"])
    assert result.exit_code == 0
    planned = json.loads(result.output)
    assert [(p["slug"], p["action"], p["why"]) for p in planned] == [
        ("a", "render", "forced"), ("b", "render", "forced"), ("c", "render", "forced")]


def test_the_plan_is_what_the_run_then_does(tmp_path: Path) -> None:
    specs, out = rendered_workspace(tmp_path)
    import briefgen

    assert briefgen.plan is plan  # the library API, beside briefgen.build
    planned = {p.slug: p.action for p in plan([specs], out_dir=out)}
    run = build([specs], out_dir=out, jobs=1, render=fake_render)
    done = {b.slug: b.status for b in run.briefs}
    assert planned == {"a": "cached", "b": "render", "c": "cached", None: "failed"}
    assert done == {"a": "cached", "b": "rendered", "c": "cached", None: "failed"}


def test_a_dry_run_imports_no_renderer(tmp_path: Path) -> None:
    specs, out = rendered_workspace(tmp_path)
    code = ("import sys\nfrom briefgen.cli.main import main\n"
            f"try:\n    main(['render', {str(specs)!r}, '--out', {str(out)!r}, '--dry-run'])\n"
            "except SystemExit as exit:\n    code = exit.code\n"
            "heavy = {'matplotlib', 'weasyprint', 'dask'} & set(sys.modules)\n"
            "assert not heavy, heavy\nprint('exit', code)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "exit 2"  # a spec that does not load: bad input


def test_a_single_spec_is_loaded_once_for_planning_and_rendering(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen.spec import load as spec_load

    loads: list[Path] = []
    original = spec_load.load_spec

    def counted(path: Path, **options: Any) -> Any:
        loads.append(path)
        return original(path, **options)

    monkeypatch.setattr(spec_load, "load_spec", counted)
    specs = write_specs(tmp_path / "specs", "a", "b")
    one = build([specs / "a.yaml"], out_dir=tmp_path / "out",
                options=RenderOptions(formats=("html",)), single_in_process=True)
    assert one.ok and [b.status for b in one.briefs] == ["rendered"]
    assert loads == [specs / "a.yaml"]  # planned and rendered from one load
    assert (tmp_path / "out" / "a" / "brief.html").read_bytes().startswith(b"<!DOCTYPE html>")
