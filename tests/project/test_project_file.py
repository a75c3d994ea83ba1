"""`briefgen.yaml`: found from the current folder upward, located errors, flags over it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli.main import app
from briefgen.errors import InputError
from briefgen.project import Overrides, resolve_project
from briefgen.project.file import ProjectFileError
from tests.conftest import ROOT

BRAND = ROOT / "examples" / "brand.yaml"


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "briefgen.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_found_from_a_folder_below_and_paths_read_from_its_folder(tmp_path: Path) -> None:
    (tmp_path / "desk" / "tpl").mkdir(parents=True)
    write(tmp_path / "desk", "output: built\npaper: letter\npdf_variant: PDF/UA-1\n"
          "templates: [tpl]\nformats: [pdf]\nspecs: [specs]\n")
    below = tmp_path / "desk" / "specs" / "2025"
    below.mkdir(parents=True)
    project = resolve_project(start=below)
    assert project.file == (tmp_path / "desk" / "briefgen.yaml")
    assert Path(project.out_dir).resolve() == tmp_path / "desk" / "built"
    assert project.render.paper == "letter"
    assert project.render.pdf_variant == "pdf/ua-1"
    assert project.render.formats == ("pdf",)
    assert [Path(d).resolve() for d in project.render.template_dirs] == [tmp_path / "desk" / "tpl"]
    assert [Path(s).resolve() for s in project.specs] == [tmp_path / "desk" / "specs"]
    assert project.sources["paper"] == "project file" and project.sources["brand"] == "default"


def test_no_project_file_means_the_built_in_defaults(tmp_path: Path) -> None:
    project = resolve_project(start=tmp_path)
    assert project.file is None and project.brand is None
    assert (project.out_dir, project.render.paper, project.render.pdf_variant) == (
        Path("output"), "a4", "pdf/ua-1")  # tagged unless told otherwise


def test_flags_override_the_file(tmp_path: Path) -> None:
    write(tmp_path, f"paper: letter\npdf_variant: pdf/a-3b\nbrand: {BRAND}\n")
    project = resolve_project(Overrides(paper="a4", out=tmp_path / "elsewhere"), start=tmp_path)
    assert project.render.paper == "a4" and project.sources["paper"] == "flag"
    assert project.render.pdf_variant == "pdf/a-3b"  # not given as a flag: the file's
    assert project.out_dir == tmp_path / "elsewhere"
    assert project.brand is not None and project.render.brand == project.brand.brand


def test_every_problem_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "paper: legal\npdf_varient: pdf/ua-1\nformats: [html, docx]\n"
                 "pdf_variant: pdf/x\n")
    with pytest.raises(ProjectFileError) as caught:
        resolve_project(start=tmp_path)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(f"{path}:1:8: paper: ")
    assert lines[1].startswith(f"{path}:2:1: pdf_varient: unknown key")
    assert "did you mean" in lines[1] and "pdf_variant" in lines[1]
    assert lines[2].startswith(f"{path}:3:17: formats[1]: ")
    assert lines[3].startswith(f"{path}:4:14: pdf_variant: unknown PDF variant \"pdf/x\"")
    assert "pdf/ua-1" in lines[3]  # the hint names the variants there are
    assert caught.value.exit_code == 2


def test_a_missing_brand_is_located_in_the_project_file(tmp_path: Path) -> None:
    path = write(tmp_path, "# desk settings\nbrand: house/brand.yaml\n")
    with pytest.raises(ProjectFileError) as caught:
        resolve_project(start=tmp_path)
    assert str(caught.value) == (f"{path}:2:8: brand: no brand file at "
                                 f"{tmp_path / 'house' / 'brand.yaml'} (paths are read from "
                                 "the project file's folder)")


def test_a_brand_flag_that_names_nothing_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"--brand nope.yaml: no such file"):
        resolve_project(Overrides(brand=Path("nope.yaml")), start=tmp_path)


def test_config_prints_the_resolved_project(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, f"paper: letter\nbrand: {BRAND}\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.output.splitlines()
                 if not line.startswith(("project file", "PDF variant")))
    assert lines["paper"] == "letter  (project file)"
    assert lines["brand"].startswith(f"{BRAND} (") and lines["brand"].endswith("(project file)")
    assert "weasyprint 70." in lines["versions"] and "matplotlib 3." in lines["versions"]
    assert f"project file {tmp_path / 'briefgen.yaml'}" in result.output
    data = json.loads(CliRunner().invoke(app, ["config", "--json"]).output)
    assert data["paper"] == "letter" and data["pdf_variant"] == "pdf/ua-1"
    assert data["project_file"] == str(tmp_path / "briefgen.yaml")
    assert data["sources"]["paper"] == "project file"


def test_render_without_specs_outside_a_project_is_bad_input(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["render"])
    assert isinstance(result.exception, InputError) and result.exception.exit_code == 2
    assert "no spec given, and no briefgen.yaml" in str(result.exception)
