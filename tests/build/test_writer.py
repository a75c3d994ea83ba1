"""The one writer of the output folder: atomic, and never outside the folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefgen.build.writer import OutputError, OutputPathError, OutputWriter
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
    assert written == [tmp_path / "baba" / "brief.html", tmp_path / "baba" / "brief.pdf"]
    assert [p.read_bytes() for p in written] == list(brief.files.values())
    assert all(oct(p.stat().st_mode)[-3:] == "644" for p in written)
