"""The one writer of the output folder.

Everything briefgen writes under `output/` goes through `OutputWriter`: each file is written to a
temporary file in its own folder, flushed to disk and renamed over the target, so a reader (a
mailer, a web server, a person) sees either the old file or the new one, never half of one. Paths
are checked before anything is written: no absolute paths, no `..`, nothing that resolves (through
a symlink) outside the output folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from briefgen.errors import BriefgenError

if TYPE_CHECKING:
    from briefgen.build.pipeline import RenderedBrief


class OutputError(BriefgenError):
    """An output could not be written (a full disk, a read-only folder): exit code 1."""


class OutputPathError(OutputError):
    """A write was asked for outside the output folder (a bug or a hostile slug): refused."""


class OutputWriter:
    """Writes files under `root`, atomically, and nowhere else."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

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
        path = self.target(relative)
        try:
            self._write(path, relative, data)
        except OSError as exc:
            raise OutputError(f"cannot write {self.root.joinpath(*PurePath(relative).parts)}: "
                              f"{exc.strerror or exc}") from exc
        return self.root.joinpath(*PurePath(relative).parts)

    def _write(self, path: Path, relative: str | Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.parent.resolve().is_relative_to(self.root.resolve()):  # raced by a symlink
            raise OutputPathError(f"refusing to write {str(relative)!r}: folder left the output")
        if path.is_dir():
            raise OutputPathError(f"refusing to write {str(relative)!r}: it is a folder")
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp_name, 0o644)
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        _fsync_folder(path.parent)

    def write_brief(self, rendered: RenderedBrief) -> list[Path]:
        """`root/<slug>/brief.html` and `brief.pdf` (whichever were rendered)."""
        return [self.write(Path(rendered.slug) / name, data)
                for name, data in rendered.files.items()]


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
