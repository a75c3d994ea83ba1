"""What `briefgen render` does before typer and the commands are imported.

A cache hit must cost next to nothing: when the plain form, `briefgen render SPEC [--out DIR]
[--json]`, runs with no project file in force and the cache proves that SPEC's brief is what it
would render to now (`proven_hit`: no spec loaded), the command is answered here, through the
same `build()` and report as any run (`briefgen.cli.report`), without importing typer,
pydantic, Jinja, matplotlib or WeasyPrint, and without forking.

Otherwise a cold render gains most from forking the PDF printer at once
(`briefgen.pdf.printer.start_early`: the child's WeasyPrint import is the critical path). With a
project file the cache is still checked with the default options (a hit by those forks nothing;
a miss by them forks the printer, which `render` ends unused if its own options find a hit).
With other flags the printer is forked as before.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

_VALUE_FLAGS = ("--out", "-o")


@dataclass(frozen=True)
class PlainRender:
    """`briefgen render SPEC [--out DIR] [--json]`."""

    spec: Path
    out: Path
    as_json: bool


def prepare_render(argv: list[str]) -> PlainRender | None:
    """Fork the PDF printer for `briefgen render`, unless its one spec is known to be cached.

    Returns the command when it is a proven cache hit that `answer_cached` can answer in full
    (the plain form, no project file in force); None when the command must run as usual."""
    plain = _plain_single_render(argv[2:])
    if plain is not None and not plain.spec.is_file():
        return None  # a folder or glob (a pool renders it), or a missing spec (said later)
    if plain is None or not _cached(plain.spec, plain.out):
        from briefgen.pdf.printer import start_early  # multiprocessing: only for a render

        start_early(argv)
        return None
    from briefgen.project.locate import find_project_file

    return plain if find_project_file(Path.cwd()) is None else None


def answer_cached(command: PlainRender) -> int:
    """Run `briefgen render SPEC` as the typer command would with no project file: `build()`
    finds the hit again (or renders, should the spec have changed since) and reports; the exit
    code is returned. Errors end as at the CLI's edge: a message and its code, no traceback."""
    from briefgen.build.options import RenderOptions
    from briefgen.cli.options import FLAGS, reset_flags
    from briefgen.cli.report import echo, render_specs
    from briefgen.errors import EXIT_FAILED_RUN, BriefgenError

    for stream in (sys.stdout, sys.stderr):  # as `briefgen.cli.main` does
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    reset_flags()  # BRIEFGEN_DEBUG=1 is --debug
    try:
        return render_specs([command.spec], out_dir=command.out, options=RenderOptions(),
                            as_json=command.as_json, single_in_process=True, debug=FLAGS.debug)
    except BriefgenError as exc:
        if FLAGS.debug:
            raise
        echo(str(exc), err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        echo("Interrupted.", err=True)
        return 130
    except Exception as exc:  # the edge: any bug becomes one line, not a traceback
        if FLAGS.debug:
            raise
        echo(f"briefgen: internal error: {exc!r} (run with --debug for the traceback)",
             err=True)
        return EXIT_FAILED_RUN


def _plain_single_render(args: list[str]) -> PlainRender | None:
    """`SPEC [--out DIR] [--json]`; None for anything else (`--force` included: it renders
    whatever the cache says)."""
    specs: list[str] = []
    out = "output"
    as_json = False
    rest = iter(args)
    for arg in rest:
        name, has_value, value = arg.partition("=")
        if name in _VALUE_FLAGS:
            out = value if has_value else next(rest, "")
        elif arg == "--json":
            as_json = True
        elif arg.startswith("-"):
            return None
        else:
            specs.append(arg)
    if len(specs) != 1 or not out:
        return None
    return PlainRender(Path(specs[0]), Path(out), as_json)


def _cached(spec: Path, out: Path) -> bool:
    from briefgen.build.cache import environment_parts, proven_hit
    from briefgen.build.manifest import previous_slugs
    from briefgen.build.options import RenderOptions

    try:
        slug = previous_slugs(out).get(spec.resolve())
        return slug is not None and proven_hit(
            out / slug, environment_parts(RenderOptions()), spec, spec.read_bytes()) is not None
    except (OSError, ValueError):
        return False  # a missing or odd spec: the command will say what is wrong
