"""Where the built-in templates are: a module of its own, without Jinja, so that the cache can
hash them without importing what renders them."""

from __future__ import annotations

from pathlib import Path

from briefgen.errors import RenderError

NOTE_TEMPLATE = "note.html"


def builtin_template_dir() -> Path:
    """The built-in templates: the package's when installed, else the repository's folder."""
    # The wheel ships them as briefgen/templates (a data folder, not a package: no
    # importlib.resources, which reads a folder without __init__.py as a namespace package).
    for folder in (Path(__file__).resolve().parents[1] / "templates",
                   Path(__file__).resolve().parents[2] / "templates"):
        if (folder / NOTE_TEMPLATE).is_file():
            return folder
    raise RenderError("briefgen's built-in templates are missing: reinstall briefgen")
