"""`build()` with a stand-in render: finding specs, refusing shared slugs, timeouts, the manifest
of an interrupted run, a fast fully cached run, progress output and the CLI's JSON."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from briefgen.build.batch import build, find_specs
from briefgen.build.cache import sha256_file
from briefgen.build.progress import LogLines
from briefgen.build.progressbar import RichProgress
from briefgen.errors import InputError
from tests.conftest import ROOT
from tests.helpers.fake_render import fake_render, write_specs


def test_find_specs_takes_files_folders_and_globs(tmp_path: Path) -> None:
    write_specs(tmp_path / "a", "one", "two")
    write_specs(tmp_path / "a" / "nested", "three")
    write_specs(tmp_path / "a" / ".hidden", "four")
    names = [p.name for p in find_specs([tmp_path / "a"])]
    assert names == ["three.yaml", "one.yaml", "two.yaml"]
    assert [p.name for p in find_specs([f"{tmp_path}/a/t*.yaml", tmp_path / "a" / "two.yaml"])] \
        == ["two.yaml"]
    with pytest.raises(InputError, match=r"no spec found at .*nothing"):
        find_specs([tmp_path / "a", tmp_path / "nothing"])


def test_two_specs_with_one_slug_stop_the_run_before_anything_renders(tmp_path: Path) -> None:
    specs = write_specs(tmp_path / "specs", "same", "other")
    shutil.copy(specs / "same.yaml", specs / "copy.yaml")
    with pytest.raises(InputError) as caught:
        build([specs], out_dir=tmp_path / "out", render=fake_render)
    message = str(caught.value)
    assert "copy.yaml" in message and "same.yaml" in message and "'same'" in message
    assert caught.value.exit_code == 2
    assert not (tmp_path / "out").exists()


@pytest.mark.e2e
def test_a_hang_times_out_and_the_manifest_says_so(tmp_path: Path) -> None:
    specs = write_specs(tmp_path / "specs", "a-hang", "b", "c")
    start = time.monotonic()
    result = build([specs], out_dir=tmp_path / "out", jobs=2, timeout=1, render=fake_render)
    assert time.monotonic() - start < 15
    assert result.exit_code == 1
    data = json.loads((tmp_path / "out" / "manifest.json").read_text())
    entries = {b["slug"]: b for b in data["briefs"]}
    assert entries["a-hang"]["status"] == "failed"
    assert entries["a-hang"]["error_kind"] == "timeout"
    assert "timed out after 1 s" in entries["a-hang"]["error"]
    assert entries["b"]["status"] == entries["c"]["status"] == "rendered"


@pytest.mark.e2e
def test_without_a_timeout_a_hang_is_stopped_after_the_default(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Unattended runs (schedules, send) give no --timeout: a hang must still end.
    from briefgen.build import batch

    monkeypatch.setattr(batch, "DEFAULT_TIMEOUT_SECONDS", 1.0)
    specs = write_specs(tmp_path / "specs", "a-hang", "b")
    result = build([specs], out_dir=tmp_path / "out", jobs=2, render=fake_render)
    by_slug = {b.slug: b for b in result.briefs}
    assert by_slug["a-hang"].error_kind == "timeout"
    assert by_slug["a-hang"].error == "timed out after 1 s; the worker was stopped"
    assert by_slug["b"].status == "rendered"


@pytest.mark.e2e
def test_a_scheduled_build_reports_a_hung_spec_and_renders_the_rest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen.build import batch, pipeline
    from briefgen.schedule import steps as job_steps

    monkeypatch.setattr(batch, "DEFAULT_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(pipeline, "render_brief", fake_render)  # what the workers call
    specs = write_specs(tmp_path / "specs", "a-hang", "b")
    outcomes = job_steps.build(sorted(specs.glob("*.yaml")), tmp_path / "out", ["html", "pdf"])
    by_slug = {o.slug: o for o in outcomes}
    assert not by_slug["a-hang"].ok
    assert "timed out after 1 s" in (by_slug["a-hang"].error or "")
    assert by_slug["b"].ok


def test_the_render_help_states_the_default_timeout() -> None:
    from typer.testing import CliRunner

    from briefgen.build import batch
    from briefgen.cli.main import app

    # CliRunner forces click's help to 80 columns; a wide terminal is asked for explicitly.
    output = CliRunner().invoke(app, ["render", "--help"], terminal_width=300).output
    lines = {flag: next(line for line in output.splitlines() if flag in line)
             for flag in ("--timeout", "--jobs")}
    assert f"[default: {batch.DEFAULT_TIMEOUT_SECONDS:g}]" in lines["--timeout"]
    assert "[default: all cores]" in lines["--jobs"]


def test_bad_numbers_are_usage_errors(tmp_path: Path) -> None:
    specs = write_specs(tmp_path / "specs", "a")
    with pytest.raises(InputError, match="jobs"):
        build([specs], out_dir=tmp_path / "out", jobs=0, render=fake_render)
    with pytest.raises(InputError, match="timeout"):
        build([specs], out_dir=tmp_path / "out", timeout=0, render=fake_render)
    from briefgen.build.pipeline import RenderOptions

    missing = RenderOptions(template_dirs=(tmp_path / "nowhere",))
    with pytest.raises(InputError, match="nowhere: template folder not found"):
        build([specs], out_dir=tmp_path / "out", options=missing, render=fake_render)
    assert not (tmp_path / "out").exists()


def _python(code: str, cwd: Path, **kwargs: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


@pytest.mark.e2e
@pytest.mark.parametrize("how", ["sigterm", "ctrl-c"])
def test_an_interrupted_run_leaves_finished_briefs_intact_and_the_manifest_true(
    tmp_path: Path, how: str
) -> None:
    write_specs(tmp_path / "specs", *(f"slow-{i:02}" for i in range(12)))
    process = _python("""
        import sys
        from briefgen.build.batch import build
        from briefgen.build.progress import LogLines
        from tests.helpers.fake_render import fake_render
        build(["specs"], out_dir="out", jobs=2, render=fake_render, progress=LogLines(sys.stdout))
    """, tmp_path, start_new_session=True)
    assert process.stdout is not None
    rendered = 0
    for line in process.stdout:  # wait until some briefs are written, then stop the run
        rendered += " rendered " in line
        if rendered == 3:
            break
    if how == "sigterm":
        process.send_signal(signal.SIGTERM)
    else:  # a terminal's Ctrl-C: SIGINT to the parent and its workers alike
        os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode != 0, stderr
    assert "KeyboardInterrupt" in stderr or "RunInterrupted" in stderr
    data = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert data["run"]["status"] == "interrupted"
    assert 3 <= data["counts"]["rendered"] < 12
    assert data["counts"]["pending"] == 12 - len(data["briefs"])
    for brief in data["briefs"]:
        for meta in brief["outputs"].values():
            assert sha256_file(tmp_path / "out" / meta["path"]) == meta["sha256"]
    assert not list((tmp_path / "out").rglob("*.tmp"))


@pytest.mark.e2e
def test_a_cached_run_of_100_specs_renders_nothing_and_imports_no_renderer(tmp_path: Path) -> None:
    write_specs(tmp_path / "specs", *(f"brief-{i:03}" for i in range(100)))
    build([tmp_path / "specs"], out_dir=tmp_path / "out", render=fake_render)
    process = _python("""
        import sys, time
        start = time.perf_counter()
        from briefgen.build.batch import build
        from briefgen.build.pipeline import RenderOptions
        result = build(["specs"], out_dir="out")
        print(result.counts["cached"], time.perf_counter() - start,
              [m for m in ("matplotlib", "weasyprint") if m in sys.modules])
    """, tmp_path)
    stdout, stderr = process.communicate(timeout=60)
    cached, seconds, heavy = stdout.split(maxsplit=2)
    # How fast this is belongs to bench/batch_bench.py; here: all cached, nothing heavy imported.
    assert (cached, heavy.strip()) == ("100", "[]"), stderr
    assert float(seconds) > 0


def test_log_lines_and_the_bar_report_each_brief(tmp_path: Path) -> None:
    specs = write_specs(tmp_path / "specs", "a", "b")
    (specs / "broken.yaml").write_text("brief: [\n")
    log = io.StringIO()
    build([specs], out_dir=tmp_path / "out", jobs=2, render=fake_render, progress=LogLines(log))
    lines = log.getvalue().splitlines()
    assert lines[0] == "briefgen: 3 specs: 0 cached, 2 to render on 2 workers"
    assert any(line.startswith("failed ") and "broken.yaml:2:1" in line for line in lines)
    assert sum(" rendered " in line for line in lines) == 2
    assert lines[-1].startswith("briefgen: 2 rendered, 0 cached, 1 failed of 3 in ")
    # The failures again at the end, where a long run's reports have scrolled away.
    assert lines[-3] == "briefgen: 1 failed:"
    assert lines[-2].startswith(f"  {specs / 'broken.yaml'}:2:1: YAML syntax error")

    screen = io.StringIO()
    bar = RichProgress(screen, force_terminal=True, width=300)  # as if on a wide terminal
    result = build([specs], out_dir=tmp_path / "out", render=fake_render, progress=bar)
    assert result.counts == {"total": 3, "rendered": 0, "cached": 2, "failed": 1, "pending": 0}
    assert "2 cached" in screen.getvalue() and "broken.yaml" in screen.getvalue()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue()).splitlines()  # no colour
    recap = shown.index("1 failed:")
    assert shown[recap + 1].startswith(f"  {specs / 'broken.yaml'}:2:1: YAML syntax error")
    assert shown[recap + 2].startswith("0 rendered, 2 cached, 1 failed of 3 in ")


def test_the_cli_layer_prints_json_and_returns_the_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefgen.build.pipeline import RenderOptions
    from briefgen.cli.report import render_specs

    specs = write_specs(tmp_path / "specs", "a")
    build([specs], out_dir=tmp_path / "out", render=fake_render)  # then all cached
    (specs / "broken.yaml").write_text("brief: [\n")
    code = render_specs([specs], out_dir=tmp_path / "out", options=RenderOptions(), as_json=True)
    assert code == 2  # the only failure is a spec that does not load: bad input
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"] == {"total": 2, "rendered": 0, "cached": 1, "failed": 1,
                                 "pending": 0}
    assert summary["manifest"] == str(tmp_path / "out" / "manifest.json")


@pytest.mark.e2e
def test_a_dask_task_that_outlives_the_timeout_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster

    monkeypatch.setenv("BRIEFGEN_TEST_HANG", "3")  # the abandoned thread ends soon after
    specs = write_specs(tmp_path / "specs", "a-hang", "b")
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        result = build([specs], out_dir=tmp_path / "out", timeout=0.5, render=fake_render,
                       dask_address=cluster.scheduler_address)
    by_slug = {b.slug: b for b in result.briefs}
    assert by_slug["a-hang"].error_kind == "timeout"
    assert by_slug["b"].status == "rendered"
    assert (tmp_path / "out" / "b" / "brief.pdf").read_bytes().startswith(b"%PDF")


def test_the_batch_flags_parse_as_the_render_command_will_declare_them(tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from briefgen.cli import batch as cli_batch

    seen: dict[str, Any] = {}
    app = typer.Typer()

    @app.command()
    def render(
        specs: list[Path],
        jobs: int | None = cli_batch.JOBS_OPTION,
        timeout: float | None = cli_batch.TIMEOUT_OPTION,
        force: bool = cli_batch.FORCE_OPTION,
        dask: str | None = cli_batch.DASK_OPTION,
        as_json: bool = cli_batch.JSON_OPTION,
    ) -> None:
        seen.update(specs=specs, jobs=jobs, timeout=timeout, force=force, dask=dask,
                    as_json=as_json)

    runner = CliRunner()
    done = runner.invoke(app, ["a.yaml", "b/", "-j", "3", "--timeout", "2.5", "--force",
                               "--dask", "tcp://h:8786", "--json"])
    assert done.exit_code == 0, done.output
    assert seen == {"specs": [Path("a.yaml"), Path("b/")], "jobs": 3, "timeout": 2.5,
                    "force": True, "dask": "tcp://h:8786", "as_json": True}
    assert runner.invoke(app, ["a.yaml", "--jobs", "0"]).exit_code == 2
