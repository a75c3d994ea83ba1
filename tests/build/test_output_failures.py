"""Clean failures of the output folder in a run: said before rendering (exit 2), a brief whole
or absent, leftovers of a killed run removed, and no "0 failed" when the manifest failed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from briefgen.build.batch import build
from briefgen.build.progress import LogLines
from briefgen.cli.main import main
from briefgen.errors import InputError
from tests.build.test_writer import dead_pid, full_disk_on, leftovers
from tests.helpers.fake_render import fake_render, write_specs


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out + captured.err


def test_an_output_path_that_is_a_file_stops_the_run_before_rendering(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    specs = write_specs(tmp_path / "specs", "a", "b")
    taken = tmp_path / "output"
    taken.write_text("a report someone saved here")
    log = io.StringIO()
    with pytest.raises(InputError, match="the output folder is a file"):
        build([specs], out_dir=taken, render=fake_render, progress=LogLines(log))
    assert log.getvalue() == ""  # nothing started, so no "0 failed" either
    code, output = run_main(["render", str(specs), "--out", str(taken)], capsys)
    assert code == 2
    assert f"{taken}: the output folder is a file, not a folder" in output
    assert "failed" not in output and "Traceback" not in output
    code, output = run_main(["render", str(specs), "--out", str(taken), "--dry-run"], capsys)
    assert code == 2 and "the output folder is a file" in output
    assert taken.read_text() == "a report someone saved here"


def test_a_single_render_checks_the_output_folder_first(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_specs(tmp_path / "specs", "a") / "a.yaml"
    taken = tmp_path / "output"
    taken.write_text("")
    code, output = run_main(["render", str(spec), "--out", str(taken)], capsys)
    assert code == 2 and f"{taken}: the output folder is a file" in output


def test_a_manifest_that_cannot_be_written_fails_the_run_and_says_so(tmp_path: Path) -> None:
    specs = write_specs(tmp_path / "specs", "a")
    out = tmp_path / "out"
    (out / "manifest.json").mkdir(parents=True)  # something the writer refuses to replace
    log = io.StringIO()
    run = build([specs], out_dir=out, render=fake_render, progress=LogLines(log))
    assert not run.ok and run.exit_code == 1
    assert run.manifest_error is not None and "manifest.json" in run.manifest_error
    last = log.getvalue().splitlines()[-1]
    assert "1 rendered, 0 cached, 0 failed of 1" in last
    assert "but the manifest was not written" in last and "manifest: " not in last
    assert json.loads(json.dumps(run.to_json()))["manifest_error"] == run.manifest_error


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_full_disk_while_writing_a_pdf_keeps_the_brief_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = write_specs(tmp_path / "specs", "a")
    out = tmp_path / "out"
    assert build([specs], out_dir=out, render=fake_render).ok
    before = {p.name: p.read_bytes() for p in (out / "a").iterdir()}
    spec = specs / "a.yaml"
    spec.write_text(spec.read_text() + "\n# edited\n")  # a new render, new bytes
    full_disk_on("brief.pdf", monkeypatch)
    run = build([specs], out_dir=out, render=fake_render, progress=LogLines(io.StringIO()))
    [brief] = run.briefs
    assert brief.status == "failed" and "No space left on device" in (brief.error or "")
    assert {p.name: p.read_bytes() for p in (out / "a").iterdir()} == before
    assert leftovers(out) == []
    monkeypatch.undo()
    again = build([specs], out_dir=out, render=fake_render)
    assert again.briefs[0].status == "rendered"  # the old pair was not taken for the new one


def test_a_run_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    specs = write_specs(tmp_path / "specs", "a")
    out = tmp_path / "out"
    assert build([specs], out_dir=out, render=fake_render).ok
    gone = dead_pid()
    left = [out / "a" / f".brief.pdf.{gone}-q1w2e3r4.tmp", out / f".manifest.json.{gone}-x.tmp"]
    for path in left:
        path.write_bytes(b"%PDF complete but never renamed")
    mine = out / "a" / "notes.tmp"
    mine.write_text("the user's")
    assert build([specs], out_dir=out, render=fake_render).ok
    assert not any(path.exists() for path in left) and mine.exists()
