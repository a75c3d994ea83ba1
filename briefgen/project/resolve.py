"""From the project file and the command line to the options every command uses.

One rule, here only: a flag given on the command line wins; otherwise the project file's value
(its paths read from its own folder); otherwise the built-in default. The brand's templates
folder comes after the project's template folders, before the built-in ones.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NoReturn, cast

from briefgen.brand.load import LoadedBrand, load_brand
from briefgen.build.options import FORMATS, RenderOptions
from briefgen.errors import InputError
from briefgen.project.file import (
    LoadedProjectFile,
    ProjectFileError,
    find_project_file,
    load_project_file,
)

Source = Literal["flag", "project file", "default"]
Paper = Literal["a4", "letter"]


@dataclass(frozen=True)
class Overrides:
    """Command-line flags; None (or empty) means "not given": the project file decides."""

    out: Path | None = None
    brand: Path | None = None
    templates: tuple[Path, ...] = ()
    paper: str | None = None
    pdf_variant: str | None = None
    formats: str | None = None  # "html,pdf"
    delivery: Path | None = None
    schedules: Path | None = None


@dataclass(frozen=True)
class Project:
    """The resolved settings of one invocation: what `briefgen config` prints."""

    file: Path | None  # the briefgen.yaml in force, None when there is none
    out_dir: Path
    render: RenderOptions
    brand: LoadedBrand | None
    project_templates: tuple[Path, ...]  # the project's (or flags') folders, before the brand's
    delivery: Path | None
    schedules: Path | None
    specs: tuple[Path, ...]  # what `render`, `send` and `validate` read when given no spec
    sources: dict[str, Source] = field(default_factory=dict)  # setting -> where it came from

    def with_brand(self, brand: LoadedBrand | None) -> RenderOptions:
        """These options with `brand` (its templates folder after the project's folders)."""
        return dataclasses.replace(
            self.render, brand=brand.brand if brand else None,
            template_dirs=(*self.project_templates, *(brand.template_dirs if brand else ())))


def resolve_project(overrides: Overrides | None = None, *, start: Path | None = None,
                    project_file: Path | None = None) -> Project:
    """Find `briefgen.yaml` from `start` (the current folder) upward and resolve it with the
    flags in `overrides`. Bad values are located `ProjectFileError`s (exit 2)."""
    flags = overrides or Overrides()
    path = project_file or find_project_file(start or Path.cwd())
    loaded = load_project_file(path, _shown(path)) if path is not None else None
    sources: dict[str, Source] = {}

    def pick(name: str, flag: object, from_file: object, default: object) -> object:
        # With a project file its values count, defaults included: `output` unset there is
        # the `output` folder beside the file, not below wherever the command runs.
        given_in_file = loaded is not None and name in loaded.model.model_fields_set
        sources[name] = ("flag" if flag not in (None, ()) else
                         "project file" if given_in_file else "default")
        if sources[name] == "flag":
            return flag
        return from_file if loaded is not None else default

    model = loaded.model if loaded else None
    out_dir = cast(Path, pick("output", flags.out, _file_path(loaded, model.output if model
                                                              else None), Path("output")))
    templates = cast(tuple[Path, ...], pick(
        "templates", tuple(flags.templates),
        tuple(_file_path(loaded, t) for t in model.templates) if model else (), ()))
    paper = cast(str, pick("paper", flags.paper, model.paper if model else None, "a4"))
    variant = cast(str | None, pick("pdf_variant", flags.pdf_variant,
                                    model.pdf_variant if model else None, None))
    formats = cast(str, pick("formats", flags.formats,
                             ",".join(model.formats) if model else None, ",".join(FORMATS)))
    brand = _brand(flags, loaded, sources)
    delivery = cast(Path | None, pick("delivery", flags.delivery,
                                      _file_path(loaded, model.delivery if model else None),
                                      None))
    schedules = cast(Path | None, pick("schedules", flags.schedules,
                                       _file_path(loaded, model.schedules if model else None),
                                       None))
    specs = tuple(p for p in (_file_path(loaded, s) for s in (model.specs if model else ()))
                  if p is not None)
    for folder in templates:
        if not folder.is_dir():
            if sources["templates"] == "flag":
                raise InputError(f"--templates {folder}: no such folder")
            _refuse(loaded, ("templates",), None, f"template folder not found: {folder}")
    options = RenderOptions(
        formats=tuple(f for f in formats.split(",") if f.strip()),
        paper=cast(Paper, paper.strip().lower()),  # RenderOptions checks it
        template_dirs=(*templates, *(brand.template_dirs if brand else ())),
        brand=brand.brand if brand else None,
        pdf_variant=variant,
    )
    return Project(path, out_dir, options, brand, templates, delivery, schedules, specs, sources)


def _brand(flags: Overrides, loaded: LoadedProjectFile | None,
           sources: dict[str, Source]) -> LoadedBrand | None:
    if flags.brand is not None:
        sources["brand"] = "flag"
        if not flags.brand.is_file():
            raise InputError(f"--brand {flags.brand}: no such file")
        return load_brand(flags.brand)
    if loaded is None or loaded.model.brand is None:
        sources["brand"] = "default"
        return None
    sources["brand"] = "project file"
    target = _file_path(loaded, loaded.model.brand)
    assert target is not None
    if not target.is_file():
        _refuse(loaded, ("brand",), None, f"no brand file at {target}")
    return load_brand(target)


def _refuse(loaded: LoadedProjectFile | None, where: tuple[str, ...], flag: str | None,
            message: str) -> NoReturn:
    if flag is not None or loaded is None:
        raise InputError(f"{flag}: {message}" if flag else message)
    raise ProjectFileError([loaded.problem(where, message,
                                    "paths are read from the project file's folder")])


def _file_path(loaded: LoadedProjectFile | None, value: str | None) -> Path | None:
    """A path written in the project file: read from its folder, shown relative to here."""
    if loaded is None or value is None:
        return None
    return Path(_shown(loaded.path.parent / Path(value).expanduser()))


def _shown(path: Path) -> str:
    """`path` relative to the current folder when it is inside it (messages stay short)."""
    absolute = Path(os.path.normpath(path.absolute()))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)
