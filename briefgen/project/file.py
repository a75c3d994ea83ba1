"""Reading `briefgen.yaml` with the loader every YAML kind shares (`briefgen.inputs.loader`):
located like a spec (`briefgen.yaml:4:8: paper: ...`), unknown keys refused with a
did-you-mean, every problem at once. Paths in it are relative to its folder; turning them into
options is `briefgen.project.resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from briefgen.errors import FileError, InputError, Problem
from briefgen.inputs.loader import FileKind, load_model
from briefgen.inputs.located import LocatedDocument, PathKey, dotted
from briefgen.inputs.worded import describe
from briefgen.pdf.weasy import PDF_VARIANTS, check_variant
from briefgen.project.locate import PROJECT_FILE as PROJECT_FILE
from briefgen.project.locate import find_project_file as find_project_file
from briefgen.spec.model import StrictModel

RelativePath = Annotated[str, Field(min_length=1)]
Format = Literal["html", "pdf"]


def _all_formats() -> list[Format]:
    return ["html", "pdf"]


class ProjectFile(StrictModel):
    """What every command of a project shares. Command-line flags override each setting."""

    output: RelativePath = Field("output", description="Folder the briefs are written to.")
    brand: RelativePath | None = Field(
        None, description="Brand file (brand.yaml): firm name, logo, colours, fonts, legal text "
        "and its own templates folder.")
    templates: list[RelativePath] = Field(
        default_factory=list, description="Template folders searched before the brand's and "
        "the built-in ones.")
    paper: Literal["a4", "letter"] = Field("a4", description="Paper size of the PDF.")
    pdf_variant: str | None = Field(
        None, description="PDF flavour: " + ", ".join(PDF_VARIANTS) + " (default: plain PDF).")
    formats: list[Format] = Field(
        default_factory=_all_formats, min_length=1, description="Outputs to write.")
    delivery: RelativePath | None = Field(
        None, description="Delivery config (delivery.yaml) for `briefgen send`.")
    schedules: RelativePath | None = Field(
        None, description="Schedules file (schedules.yaml) for `briefgen schedule` and `runs`.")
    specs: list[RelativePath] = Field(
        default_factory=lambda: ["specs"], description="Spec folders, files or globs that "
        "`render`, `send` and `validate` use when given none.")

    @field_validator("pdf_variant")
    @classmethod
    def _known_variant(cls, value: str | None) -> str | None:
        try:
            return check_variant(value)
        except InputError:
            raise PydanticCustomError(
                "pdf_variant", "unknown PDF variant {got}",
                {"got": describe(value), "hint": "choose one of " + ", ".join(PDF_VARIANTS)},
            ) from None



@dataclass(frozen=True)
class LoadedProjectFile:
    """A valid project file, and where each of its values stands (for later located errors)."""

    path: Path
    model: ProjectFile
    doc: LocatedDocument

    def problem(self, where: PathKey, message: str, hint: str | None = None) -> Problem:
        mark = self.doc.mark_for(where)
        return Problem(self.doc.file, mark.line if mark else None, mark.column if mark else None,
                       dotted(where), message, hint)


class ProjectFileError(FileError):
    """What is wrong in a project file (briefgen.yaml), every problem at once."""


PROJECT_KIND = FileKind(ProjectFile, ProjectFileError,
                        "a mapping of project settings (output, brand, paper, …)",
                        empty_hint="write the settings to share, e.g. `paper: letter`, or delete "
                        "it for the built-in defaults")


def load_project_file(path: Path, display: str | None = None) -> LoadedProjectFile:
    """Load and validate a project file; raise `ProjectFileError` with every problem in it."""
    validated = load_model(path, PROJECT_KIND, display=display)
    return LoadedProjectFile(path, validated.model, validated.doc)
