"""`briefgen render`: what it writes and prints, and how it fails."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.cli.main import main
from tests.helpers.golden import ROOT, SAMPLES, rendered


def run(args: list[str]) -> tuple[int, str, str]:
    """The CLI in this process (fast: WeasyPrint and matplotlib are already imported)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as done:
        main(args)
    return int(done.value.code or 0), out.getvalue(), err.getvalue()


def test_render_as_a_process_writes_both_files_reproducibly(tmp_path: Path) -> None:
    briefgen = Path(sys.executable).with_name("briefgen")

    def render(*specs: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(briefgen), "render", *map(str, specs), "--out", str(tmp_path)],
                              capture_output=True, text=True, cwd=ROOT, env=os.environ.copy(),
                              timeout=120)

    # One spec: rendered in this process with the early printer, reported like any run:
    # results on stdout, progress on stderr, and output/manifest.json written.
    done = render(SAMPLES["baba"])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [re.sub(r"\(\d+ KB\)", "(N KB)", line) for line in lines] == [
        f"wrote {tmp_path}/baba/brief.{kind} (N KB)" for kind in ("html", "pdf", "provenance.json")]
    assert "1 rendered, 0 cached, 0 failed of 1" in done.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [b["slug"] for b in manifest["briefs"]] == ["baba"]
    assert manifest["briefs"][0]["status"] == "rendered"
    # Again: a cache hit, reported on stdout; the manifest says so.
    done = render(SAMPLES["baba"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"cached {tmp_path}/baba/brief.{kind} (unchanged)"
        for kind in ("html", "pdf", "provenance.json")]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["briefs"][0]["status"] == "cached"
    # Two specs: a pool (baba is cached from the first run).
    done = render(SAMPLES["baba"], SAMPLES["baba-2025q3"])
    assert done.returncode == 0, done.stderr
    assert "1 rendered, 1 cached, 0 failed of 2" in done.stderr
    assert f"wrote {tmp_path}/baba-2025q3/brief.pdf" in done.stdout
    # Fresh processes (forked printer, batch worker) made the same bytes as this process.
    for name in ("baba", "baba-2025q3"):
        expected = rendered(name).files
        assert (tmp_path / name / "brief.pdf").read_bytes() == expected["brief.pdf"], name
        assert (tmp_path / name / "brief.html").read_bytes() == expected["brief.html"], name


def test_format_paper_and_variant_flags(tmp_path: Path) -> None:
    code, out, _ = run(["render", str(SAMPLES["baba-2025q3"]), "--out", str(tmp_path),
                        "--format", "html"])
    assert code == 0
    written = sorted(p.name for p in (tmp_path / "baba-2025q3").iterdir())
    assert written == [".briefgen-cache.json", "brief.html", "brief.provenance.json"]
    assert "brief.html" in out and "brief.pdf" not in out


def test_a_bad_spec_exits_2_with_the_place_and_no_traceback(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    text = SAMPLES["baba-2025q3"].read_text().replace("value: 39.8", 'value: "39.8bn"')
    spec.write_text(text)
    code, out, err = run(["render", str(spec), "--out", str(tmp_path / "out")])
    assert code == 2
    assert re.search(r"bad\.yaml:\d+:\d+: segments\[0\]\.revenue\.value: expected a number", err)
    assert "Traceback" not in err and out == ""
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["manifest.json"]


@pytest.mark.parametrize(("flags", "message"), [
    (["--paper", "a5"], "unknown paper"),
    (["--format", "docx"], "unknown output format"),
    (["--pdf-variant", "pdf/x-9"], "unknown PDF variant"),
    (["--templates", "no-such-folder"], "--templates no-such-folder: no such folder"),
])
def test_bad_flags_exit_2(tmp_path: Path, flags: list[str], message: str) -> None:
    code, _, err = run(["render", str(SAMPLES["baba"]), "--out", str(tmp_path), *flags])
    assert code == 2
    assert message in err and "Traceback" not in err


def test_a_missing_spec_exits_2(tmp_path: Path) -> None:
    code, _, err = run(["render", str(tmp_path / "nope.yaml")])
    assert code == 2 and "no spec found at" in err


def test_a_failed_render_exits_1_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "note.html").write_text("{{ note.no_such_field }}")
    args = ["render", str(SAMPLES["baba"]), "--out", str(tmp_path / "out"), "--templates",
            str(templates)]
    code, _, err = run(args)
    assert code == 1
    assert "no_such_field" in err and "Traceback" not in err
    code, _, err = run(["--debug", *args])
    assert code == 1
    assert "Traceback" in err and "UndefinedError" in err


def test_render_modules_import_nothing_heavy() -> None:
    code = ("import sys, briefgen.cli.main, briefgen.cli.render, briefgen.build.pipeline, "
            "briefgen.note.html, briefgen.pdf.weasy, briefgen.build.writer, briefgen.brand.model, "
            "briefgen.note.webfonts\n"
            "heavy = {'matplotlib', 'weasyprint', 'fontTools'} & set(sys.modules)\n"
            "assert not heavy, heavy")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


HIT = '''
import atexit, os, subprocess, sys
started = []
def refuse(name):
    def call(*args, **kwargs):
        started.append(name)
        raise OSError(f"{name} on a cache hit")
    return call
os.fork = refuse("fork")
os.posix_spawn = os.posix_spawnp = refuse("posix_spawn")
subprocess.Popen.__init__ = refuse("subprocess")

def report():
    heavy = {"typer", "pydantic", "jinja2", "matplotlib", "weasyprint", "yaml", "rich",
             "multiprocessing", "briefgen.spec.load", "briefgen.pdf.printer"}
    print("loaded", sorted(heavy & set(sys.modules)), "started", started, file=sys.stderr)
atexit.register(report)
# As the console script starts: the early printer would be forked for this argv on a miss.
sys.argv = ["/venv/bin/briefgen", "render", SPEC, "--out", OUT]
import briefgen.cli.main
'''


def test_a_cache_hit_imports_nothing_heavy_and_forks_nothing(tmp_path: Path) -> None:
    from briefgen.build.batch import build
    from tests.helpers.fake_render import fake_render

    out = tmp_path / "out"
    build([SAMPLES["baba"]], out_dir=out, render=fake_render)  # a cached brief to find

    def hit() -> subprocess.CompletedProcess[str]:
        script = HIT.replace("SPEC", repr(str(SAMPLES["baba"]))).replace("OUT", repr(str(out)))
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              cwd=tmp_path, timeout=60)  # no briefgen.yaml here or above

    done = hit()
    assert done.returncode == 0, done.stderr
    assert "loaded [] started []" in done.stderr
    # Answered as any run: results on stdout, the summary on stderr, the manifest rewritten.
    assert done.stdout.splitlines() == [f"cached {out}/baba/{name} (unchanged)"
                                        for name in ("brief.html", "brief.pdf")]
    assert "0 rendered, 1 cached, 0 failed of 1" in done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert [b["status"] for b in manifest["briefs"]] == ["cached"]
    # The same command on a miss does import and fork (the guard above can fail).
    (out / "baba" / "brief.pdf").write_bytes(b"%PDF-edited")
    done = hit()
    assert "started ['fork']" in done.stderr
