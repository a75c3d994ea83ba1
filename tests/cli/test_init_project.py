"""`briefgen init DIR`: a starter project that validates and renders as it is."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from briefgen.cli.main import app
from briefgen.cli.scaffold import PROJECT_FILES
from briefgen.schedule import steps as job_steps
from briefgen.schedule.contracts import Steps
from briefgen.schedule.jobs import run_due
from tests.helpers.schedule_fakes import Clock, FakeSteps, utc

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # What the console script prints for a BriefgenError (cli.main converts it).
        return getattr(result.exception, "exit_code", 1), str(result.exception)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("init") / "desk"
    code, output = invoke("init", str(folder))
    assert code == 0, output
    assert output.splitlines()[: len(PROJECT_FILES)] == [
        f"wrote {folder / name}" for name in PROJECT_FILES]
    # The project file names the brand: no --brand needed in the project's own commands.
    assert output.endswith(f"next: cd {folder} && briefgen preview specs/example-2025q2.yaml\n")
    return folder


def test_writes_the_starter_files(project: Path) -> None:
    found = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert found == sorted(PROJECT_FILES)
    override = (project / "templates" / "note.html").read_text()
    assert '{% extends "default:note.html" %}' in override and "{#-" in override
    assert "# desk: research notes with briefgen" in (project / "README.md").read_text()


def test_renders_as_it_is(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke("render", str(project / "specs"), "--brand",
                          str(project / "brand.yaml"), "--out", str(out))
    assert code == 0, output
    page = BeautifulSoup((out / "example-2025q2" / "brief.html").read_bytes(), "html.parser")
    assert page.h1.get_text() == "Example Holdings: cloud growth accelerates for a fourth quarter"
    assert page.select_one(".desk-line").get_text() == "Example Research · Your Desk"  # override
    assert page.select_one("#table-results") is not None  # the rest of the built-in note
    assert page.select_one("img.logo")["src"].startswith("data:image/svg+xml;base64,")
    assert "--primary: #0B4F6C;" in page.style.get_text()
    assert (out / "example-2025q2" / "brief.pdf").read_bytes().startswith(b"%PDF-")


def test_renders_without_the_brand_too(project: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    code, output = invoke("render", "specs/example-2025q2.yaml", "--format", "html", "--out",
                          str(tmp_path))
    assert code == 0, output


def test_the_spec_and_configs_are_valid(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen.cli.schedule import project_schedules
    from briefgen.mail.config import load_delivery
    from briefgen.schedule.file import load_schedules

    code, output = invoke("validate", "--strict", str(project / "specs"))
    assert code == 0, output
    schedules = load_schedules(project / "schedules.yaml")
    job = schedules.jobs[0]
    assert schedules.spec_paths(job) == [project / "specs" / "example-2025q2.yaml"]
    assert job.delivery is not None
    config = load_delivery(project / job.delivery.config)
    assert set(job.delivery.lists) <= set(config.lists)
    assert "password" not in (project / "delivery.yaml").read_text().replace("password_env", "")
    # The project file's brand styles the jobs: the schedules file names none of its own.
    assert schedules.model.brand is None
    monkeypatch.chdir(project / "specs")  # briefgen.yaml is found from a folder below it too
    in_project = project_schedules(None)
    assert in_project.path.resolve() == (project / "schedules.yaml").resolve()
    assert in_project.brand is not None
    assert in_project.brand.path.resolve() == (project / "brand.yaml").resolve()
    assert in_project.options is not None
    assert in_project.options.brand == in_project.brand.brand
    assert in_project.options.brand.firm_name == "Example Research"


def test_the_scheduled_job_renders_with_the_brand(project: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen.cli.schedule import project_schedules

    desk = tmp_path / "desk"
    shutil.copytree(project, desk)  # the job writes output/ and .briefgen/ beside its file
    monkeypatch.chdir(desk)
    schedules = project_schedules(None)
    fakes = FakeSteps()  # the real build; delivery and the owner's notice are recorded only
    steps = Steps(job_steps.build, fakes.deliver, fakes.notify)
    clock = Clock(utc(2026, 3, 1, 12))  # a Sunday: the job is first seen
    assert run_due(schedules, now=clock, steps=steps).handled == []
    clock.now = utc(2026, 3, 2, 7, 5)  # Monday 07:05 in London, the job's zone

    [done] = run_due(schedules, now=clock, steps=steps).handled

    assert done.status == "ok", done.detail
    [request] = fakes.deliveries
    assert request.brand is not None and request.brand.brand.firm_name == "Example Research"
    [brief] = request.briefs
    page = BeautifulSoup(brief.outputs["html"].read_bytes(), "html.parser")
    assert "--primary: #0B4F6C;" in page.style.get_text()  # the brand's colour
    assert page.select_one("img.logo")["alt"] == "Example Research"  # its logo and firm name
    assert page.select_one(".desk-line").get_text() == "Example Research · Your Desk"  # templates


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, output = invoke("init", str(tmp_path))
    assert code == 2
    assert output == (f"{tmp_path} is not empty; choose a new folder, or use --force to write the "
                      "starter files into it (files of the same name are overwritten)")
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]
    code, output = invoke("init", str(tmp_path), "--force")
    assert code == 0, output
    assert (tmp_path / "notes.txt").read_text() == "mine"  # nothing else is touched
    assert (tmp_path / "brand.yaml").is_file()


def test_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("")
    assert invoke("init", str(target)) == (2, f"{target} is a file, not a folder")
