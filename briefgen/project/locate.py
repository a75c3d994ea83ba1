"""Where the project file is: the nearest `briefgen.yaml` from a folder upward.

Its own module, importing neither pydantic nor YAML, so that `briefgen render SPEC` can tell
whether a project file is in force before deciding that a proven cache hit needs nothing more
(`briefgen.cli.early`)."""

from __future__ import annotations

from pathlib import Path

PROJECT_FILE = "briefgen.yaml"


def find_project_file(start: Path) -> Path | None:
    """The nearest `briefgen.yaml` in `start` or a folder above it (None: no project)."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / PROJECT_FILE
        if path.is_file():
            return path
    return None
