"""The one writer of the output folder: atomic, and never outside the folder."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.build.writer import OLD_TEMP_AGE_SECONDS, OutputError, OutputPathError, OutputWriter
from briefgen.errors import InputError
from tests.helpers.golden import rendered


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def test_writes_under_the_root_and_replaces(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path / "out")
    path = writer.write("baba/brief.html", b"one")
    assert path == tmp_path / "out" / "baba" / "brief.html"
    assert path.read_bytes() == b"one"
    writer.write(Path("baba") / "brief.html", b"two")
    assert path.read_bytes() == b"two"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("bad", ["../escape.html", "baba/../../escape.html", "/etc/passwd",
                                 "", ".", "baba/.."])
def test_refuses_paths_that_leave_the_folder(tmp_path: Path, bad: str) -> None:
    with pytest.raises(OutputPathError):
        OutputWriter(tmp_path / "out").write(bad, b"x")
    assert not (tmp_path / "escape.html").exists()


def test_refuses_a_symlink_that_points_outside(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    root = tmp_path / "out"
    root.mkdir()
    (root / "baba").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputPathError, match="outside"):
        OutputWriter(root).write("baba/brief.html", b"x")
    (root / "note.html").symlink_to(outside / "note.html")
    with pytest.raises(OutputPathError, match="outside"):
        OutputWriter(root).write("note.html", b"x")
    assert list(outside.iterdir()) == []


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = OutputWriter(tmp_path)
    path = writer.write("baba/brief.pdf", b"old")

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OutputError, match=r"cannot write .*brief.pdf: disk full"):
        writer.write("baba/brief.pdf", b"new")
    assert path.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_write_brief_writes_each_rendered_file(tmp_path: Path) -> None:
    brief = rendered("baba")
    written = OutputWriter(tmp_path).write_brief(brief)
    assert written == [tmp_path / "baba" / name
                       for name in ("brief.html", "brief.pdf", "brief.provenance.json")]
    assert [p.read_bytes() for p in written] == list(brief.files.values())
    assert all(oct(p.stat().st_mode)[-3:] == "644" for p in written)


def full_disk_on(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC when the temporary file of `name` is flushed to disk, as a full disk does."""
    real_fsync: Callable[[int], None] = os.fsync

    def fsync(fd: int) -> None:
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(f".{name}."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


BRIEF = {"baba/brief.html": b"<html>new", "baba/brief.pdf": b"%PDF new"}


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_full_disk_while_writing_the_pdf_keeps_the_brief_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = OutputWriter(tmp_path)
    writer.write_all({"baba/brief.html": b"<html>old", "baba/brief.pdf": b"%PDF old"})
    full_disk_on("brief.pdf", monkeypatch)
    with pytest.raises(OutputError, match=r"cannot write .*brief.pdf: No space left on device"):
        writer.write_all(BRIEF)
    assert (tmp_path / "baba" / "brief.html").read_bytes() == b"<html>old"  # the old pair
    assert (tmp_path / "baba" / "brief.pdf").read_bytes() == b"%PDF old"
    assert leftovers(tmp_path) == []
    with pytest.raises(OutputError):  # and a first render leaves nothing
        writer.write_all({"new/brief.html": b"<html>", "new/brief.pdf": b"%PDF"})
    assert list((tmp_path / "new").iterdir()) == []


def test_a_rename_failing_halfway_leaves_the_brief_absent_not_mixed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = OutputWriter(tmp_path)
    writer.write_all({"baba/brief.html": b"<html>old", "baba/brief.pdf": b"%PDF old"})
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        if str(dst).endswith("brief.pdf"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match=r"brief\.pdf"):
        writer.write_all(BRIEF)
    assert list((tmp_path / "baba").iterdir()) == []


def dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_stale_temps_of_dead_writers_are_removed_and_nothing_else(tmp_path: Path) -> None:
    brief = tmp_path / "baba"
    brief.mkdir()
    gone, alive = dead_pid(), os.getppid()
    stale = [brief / f".brief.pdf.{gone}-k3j_x9zq.tmp", tmp_path / f".manifest.json.{gone}-a.tmp"]
    old_style = brief / ".brief.html.ab12cd34.tmp"
    kept = [brief / f".brief.pdf.{alive}-zzzzzzzz.tmp",  # its writer still runs
            brief / ".brief.html.ef56gh78.tmp",  # old-style, but recent
            brief / "draft.tmp", brief / ".notes.tmp", brief / "brief.pdf"]  # not ours
    for path in [*stale, old_style, *kept]:
        path.write_bytes(b"x")
    an_hour_ago = time.time() - OLD_TEMP_AGE_SECONDS - 60
    os.utime(old_style, (an_hour_ago, an_hour_ago))
    removed = OutputWriter(tmp_path).remove_stale_temps()
    assert sorted(removed) == sorted([*stale, old_style])
    assert all(path.exists() for path in kept)


def test_temps_left_by_a_kill_between_write_and_rename_are_removed_next_time(
        tmp_path: Path) -> None:
    killed = subprocess.run([sys.executable, "-c", f"""
import os, signal
from pathlib import Path
from briefgen.build.writer import OutputWriter
os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)  # killed before the rename
OutputWriter(Path({str(tmp_path)!r})).write_all({{"baba/brief.html": b"<html>",
                                                 "baba/brief.pdf": b"%PDF"}})
"""], cwd=Path(__file__).resolve().parents[2])
    assert killed.returncode == -9
    assert len(leftovers(tmp_path)) == 2 and not (tmp_path / "baba" / "brief.pdf").exists()
    OutputWriter(tmp_path).remove_stale_temps()
    assert leftovers(tmp_path) == []


def test_an_output_path_that_is_a_file_is_refused_up_front(tmp_path: Path) -> None:
    taken = tmp_path / "output"
    taken.write_text("not a folder")
    with pytest.raises(InputError, match=rf"^{taken}: the output folder is a file, not a folder"):
        OutputWriter(taken).prepare()
    with pytest.raises(InputError, match=r"the output folder cannot be written: Not a directory"):
        OutputWriter(taken / "sub").prepare()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to any folder")
def test_an_output_folder_that_cannot_be_written_is_refused_up_front(tmp_path: Path) -> None:
    locked = tmp_path / "output"
    locked.mkdir(mode=0o555)
    try:
        with pytest.raises(InputError, match=r"cannot be written: Permission denied"):
            OutputWriter(locked).prepare()
    finally:
        locked.chmod(0o755)
