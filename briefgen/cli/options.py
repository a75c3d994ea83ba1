"""What every command shares: the global flags' state and the project's resolved options.

`--debug`, `-q/--quiet` and `-v/--verbose` are accepted before or after the subcommand (the
console script lifts them out of the arguments, `briefgen.cli.main`); `BRIEFGEN_DEBUG=1` is
`--debug` for a whole shell or a cron job. Commands read them from `FLAGS`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import InputError

if TYPE_CHECKING:
    from briefgen.project import Project

GLOBAL_FLAGS = {"--debug": "debug", "-q": "quiet", "--quiet": "quiet", "-v": "verbose",
                "--verbose": "verbose"}


@dataclass
class Flags:
    debug: bool = False
    quiet: bool = False
    verbose: bool = False


FLAGS = Flags()


def reset_flags() -> None:
    """Back to no flags given; `BRIEFGEN_DEBUG` (anything but empty or 0) is `--debug`."""
    FLAGS.debug = os.environ.get("BRIEFGEN_DEBUG", "") not in ("", "0")
    FLAGS.quiet = FLAGS.verbose = False


reset_flags()


def lift_global_flags(argv: list[str]) -> list[str]:
    """Set `FLAGS` from the global flags wherever they stand; return the other arguments.

    Nothing after `--` is touched (a spec may be named `-v`)."""
    rest: list[str] = []
    for index, argument in enumerate(argv):
        if argument == "--":
            rest.extend(argv[index:])
            break
        if argument in GLOBAL_FLAGS:
            setattr(FLAGS, GLOBAL_FLAGS[argument], True)
        else:
            rest.append(argument)
    if FLAGS.quiet and FLAGS.verbose:
        raise InputError("-q/--quiet and -v/--verbose cannot be used together")
    return rest


def note(text: str) -> None:
    """A line for -v/--verbose only, on stderr."""
    if FLAGS.verbose:
        print(f"briefgen: {text}", file=sys.stderr, flush=True)


def resolve_cli_project(*, out: Path | None = None, formats: str | None = None,
                        paper: str | None = None, templates: list[Path] | None = None,
                        pdf_variant: str | None = None, brand: Path | None = None,
                        delivery: Path | None = None, schedules: Path | None = None) -> Project:
    """The project file (found from the current folder upward) with these flags over it."""
    from briefgen.project import Overrides, resolve_project

    project = resolve_project(Overrides(
        out=out, brand=brand, templates=tuple(templates or ()), paper=paper,
        pdf_variant=pdf_variant, formats=formats, delivery=delivery, schedules=schedules))
    for warning in project.brand.warnings if project.brand else ():
        print(str(warning), file=sys.stderr)  # low contrast: said, not fatal (--strict is)
    options = project.render
    note(f"project file: {project.file or 'none'}; output {project.out_dir}, paper "
         f"{options.paper}, PDF {options.pdf_variant or 'plain'}, brand "
         f"{project.brand.path if project.brand else 'built-in'}, formats "
         f"{','.join(options.formats)}")
    return project


def project_specs(project: Project) -> list[Path]:
    """The specs a command reads when given none: the project file's `specs`."""
    if project.file is None:
        raise InputError("no spec given, and no briefgen.yaml here or above to name them "
                         "(give spec files, folders or globs, or run `briefgen init`)")
    return list(project.specs)
