"""The one writer of the output folder.

Everything briefgen writes under `output/` goes through `OutputWriter`: each file is written to a
temporary file in its own folder, flushed to disk and renamed over the target, so a reader (a
mailer, a web server, a person) sees either the old file or the new one, never half of one. Paths
are checked before anything is written: no absolute paths, no `..`, nothing that resolves (through
a symlink) outside the output folder.

A brief's files are written together (`write_all`): every temporary file first, then the
renames. A full disk fails while writing a temporary file, before any rename, so the brief on
disk stays the complete one it was (an HTML beside the PDF made with it), never a new HTML beside
an old or missing PDF; should a rename fail halfway, the brief's files are removed rather than
left mixed. Temporary files are named `.<name>.<pid>-<random>.tmp`: a run killed between write
and rename leaves them behind, and the next run removes those whose process is gone
(`remove_stale_temps`), and nothing else.

`prepare` checks the folder itself before a run renders anything: a path that is a file, or a
folder that cannot be written, is the user's to fix (exit 2), not a failure found at the end.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from briefgen.errors import BriefgenError, InputError

if TYPE_CHECKING:
    from briefgen.build.pipeline import RenderedBrief


class OutputError(BriefgenError):
    """An output could not be written (a full disk, a read-only folder): exit code 1."""


class OutputPathError(OutputError):
    """A write was asked for outside the output folder (a bug or a hostile slug): refused."""


# `.<name>.<pid>-<random>.tmp`, as `_stage` names them; and the `.<name>.<random>.tmp` of
# briefgen before the pid was in the name, removed once surely abandoned.
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[A-Za-z0-9_]+\.tmp$")
_OLD_TEMP = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp$")
OLD_TEMP_AGE_SECONDS = 3600.0


class OutputWriter:
    """Writes files under `root`, atomically, and nowhere else."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def check(self) -> None:
        """Raise `InputError` (exit 2) if the output folder is a file; changes nothing."""
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"{self.root}: the output folder is a file, not a folder (choose "
                             "another output folder with --out, or move the file)")

    def prepare(self) -> None:
        """Make the output folder, or raise `InputError` (exit 2) saying why it cannot be used:
        called before a run renders anything."""
        where = f"{self.root}: the output folder"
        self.check()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=f".briefgen-probe.{os.getpid()}-",
                                         suffix=".tmp", dir=self.root)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise InputError(f"{where} cannot be written: {exc.strerror or exc} (check its "
                             "permissions and free space, or choose another with --out)"
                             ) from None

    def remove_stale_temps(self) -> list[Path]:
        """Remove the temporary files that killed runs left in the output folder and its brief
        folders: briefgen's own names only, and only those whose writer is no longer running."""
        removed: list[Path] = []
        try:
            folders = [self.root, *(p for p in self.root.iterdir()
                                    if p.is_dir() and not p.is_symlink())]
        except OSError:
            return removed
        now = time.time()
        for folder in folders:
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if not entry.is_file(follow_symlinks=False) or not _abandoned(entry, now):
                    continue
                try:
                    os.unlink(entry.path)
                except OSError:
                    continue
                removed.append(Path(entry.path))
        return removed

    def target(self, relative: str | Path) -> Path:
        """The absolute path `relative` names, or `OutputPathError` if it leaves the folder."""
        pure = PurePath(relative)
        if pure.is_absolute() or pure.anchor:
            raise OutputPathError(f"refusing to write {str(relative)!r}: not a relative path")
        if not pure.parts or ".." in pure.parts:
            raise OutputPathError(
                f"refusing to write {str(relative)!r}: not a file path inside the output folder"
            )
        root = self.root.resolve()
        path = root.joinpath(*pure.parts)
        # resolve() follows symlinks in every existing part: a link to elsewhere shows up here.
        if not path.resolve().is_relative_to(root):
            raise OutputPathError(
                f"refusing to write {str(relative)!r}: it resolves outside {self.root} "
                "(a symlink?)"
            )
        return path

    def write(self, relative: str | Path, data: bytes) -> Path:
        """Write `data` to `root/relative` atomically; return that path (under `root` as given)."""
        return self.write_all({relative: data})[0]

    def write_all(self, files: Mapping[str | Path, bytes]) -> list[Path]:
        """Write several files as one: all of them, or (on an error) none of them changed.

        Every file goes to a temporary file first; only when all are on disk are they renamed.
        Returns the paths (under `root` as given), in order; raises `OutputError`."""
        targets = [(relative, self.target(relative)) for relative in files]
        staged: list[tuple[Path, Path]] = []  # (temporary file, target)
        current: str | Path = ""
        try:
            for (relative, path), data in zip(targets, files.values(), strict=True):
                current = relative
                staged.append((self._stage(path, relative, data), path))
            self._rename_all(staged)
        except OSError as exc:
            shown = self.root.joinpath(*PurePath(current).parts)
            raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from exc
        finally:
            for temp, _ in staged:  # gone when renamed; removed when the set failed
                temp.unlink(missing_ok=True)
        for folder in dict.fromkeys(path.parent for _, path in staged):
            _fsync_folder(folder)
        return [self.root.joinpath(*PurePath(relative).parts) for relative, _ in targets]

    @staticmethod
    def _rename_all(staged: list[tuple[Path, Path]]) -> None:
        done = 0
        try:
            for temp, path in staged:
                os.replace(temp, path)
                done += 1
        except OSError:
            if done:  # some new, some old: the set is removed rather than left mixed
                for _, path in staged:
                    path.unlink(missing_ok=True)
            raise

    def _stage(self, path: Path, relative: str | Path, data: bytes) -> Path:
        """`data` in a temporary file beside `path`, on disk (fsynced); returns its path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.parent.resolve().is_relative_to(self.root.resolve()):  # raced by a symlink
            raise OutputPathError(f"refusing to write {str(relative)!r}: folder left the output")
        if path.is_dir():
            raise OutputPathError(f"refusing to write {str(relative)!r}: it is a folder")
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp",
                                         dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp_name, 0o644)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return Path(temp_name)

    def write_brief(self, rendered: RenderedBrief) -> list[Path]:
        """`root/<slug>/brief.html` and `brief.pdf` (whichever were rendered), as one."""
        return self.write_all({Path(rendered.slug) / name: data
                               for name, data in rendered.files.items()})


def _abandoned(entry: os.DirEntry[str], now: float) -> bool:
    """Whether `entry` is a temporary file of a briefgen writer that is gone."""
    match = _TEMP.match(entry.name)
    if match is not None:
        pid = int(match["pid"])
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, another user's
            return False
        return False
    if _OLD_TEMP.match(entry.name) is None:
        return False
    try:
        return now - entry.stat(follow_symlinks=False).st_mtime > OLD_TEMP_AGE_SECONDS
    except OSError:
        return False


def _fsync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk; not every OS allows it.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
