"""Where the built-in templates are: a module of its own, without Jinja, so that the cache can
hash them without importing what renders them."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from briefgen.errors import RenderError

NOTE_TEMPLATE = "note.html"


def builtin_template_dir() -> Path:
    """The built-in templates: the package's when installed, else the repository's folder."""
    try:
        entry = importlib.resources.files("briefgen.templates").joinpath(NOTE_TEMPLATE)
        packaged = Path(str(entry))
        if packaged.is_file():
            return packaged.parent
    except (ModuleNotFoundError, TypeError, ValueError):
        pass
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if (checkout / NOTE_TEMPLATE).is_file():
        return checkout
    raise RenderError("briefgen's built-in templates are missing: reinstall briefgen")
