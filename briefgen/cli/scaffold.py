"""`briefgen init DIR`: a starter project that renders as it is.

The files come from the package (`briefgen/data/init-*`), so an installed briefgen writes the same
project as a checkout: the project file (briefgen.yaml), a spec and the CSV it reads, the spec's
JSON Schema beside it (the field reference, offline), a brand file and its logo, a templates
folder with one commented override of the built-in note, a schedules file, a delivery config and
a README.
A folder that holds anything already is refused unless `force` (then only these files are
overwritten; nothing else in it is touched).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from briefgen.errors import InputError

# Where each file goes in the project -> its name in briefgen/data/.
PROJECT_FILES = {
    "briefgen.yaml": "init-project.yaml",
    "README.md": "init-README.md",
    "brand.yaml": "init-brand.yaml",
    "logo.svg": "init-logo.svg",
    "templates/note.html": "init-note.html",
    "specs/example-2025q2.yaml": "init-spec.yaml",
    "specs/example-revenue.csv": "init-revenue.csv",
    "specs/spec.schema.json": "",  # written from the model: the spec reference, offline
    "schedules.yaml": "init-schedules.yaml",
    "delivery.yaml": "init-delivery.yaml",
}
SPEC = "specs/example-2025q2.yaml"


def project_text(source: str, name: str) -> str:
    if not source:
        from briefgen.spec.schema import schema_text

        return schema_text()
    text = files("briefgen").joinpath("data", source).read_text(encoding="utf-8")
    return text.replace("__NAME__", name)


def create_project(folder: Path, *, force: bool = False) -> list[Path]:
    """Write the starter project into `folder`; return the files written, in order."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise InputError(f"{folder} is not empty; choose a new folder, or use --force to write "
                         "the starter files into it (files of the same name are overwritten)")
    name = folder.resolve().name or "research"
    written = []
    try:
        for target, source in PROJECT_FILES.items():
            path = folder / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(project_text(source, name), encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise InputError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    return written
