"""The `briefgen` command: a thin typer layer over the library.

Each group of commands lives in its own module of `briefgen.cli` and registers itself here. Those
modules import nothing heavy at import time, so `briefgen --help` and `briefgen validate` never
load matplotlib or WeasyPrint. Errors are converted here, once: a `BriefgenError` prints its
message and exits with its code (2 bad input, 1 failed run); `--debug` (or `BRIEFGEN_DEBUG=1`)
shows the traceback instead. Help is click's plain layout, wrapped to the terminal's width.
"""

from __future__ import annotations

import os
import sys

# numpy's OpenBLAS starts one thread per core as it loads (matplotlib imports numpy), and they
# spin for a while. briefgen has no linear algebra worth a thread (matplotlib's transforms are
# 3x3) and its parallelism is processes, which those threads would only contend with. Measured
# on 2 cores: a cold `briefgen render` 1.475 -> 1.407 s CPU, 0.925 -> 0.873 s wall. Set before
# anything imports numpy, and so inherited by every worker; a value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

if sys.argv[1:2] == ["render"]:  # before typer: answer a cache hit, or fork the PDF process
    from briefgen.cli.early import answer_cached, prepare_render

    _cached_render = prepare_render(sys.argv)
    if _cached_render is not None:
        sys.exit(answer_cached(_cached_render))

import typer

from briefgen.cli.batch import DEBUG_KEY
from briefgen.cli.options import FLAGS, lift_global_flags, reset_flags
from briefgen.errors import EXIT_FAILED_RUN, BriefgenError, set_debugging
from briefgen.version import __version__

app = typer.Typer(
    name="briefgen",
    help="Turn a YAML file per company quarter into a research note (HTML + PDF).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # `briefgen --install-completion` (bash, zsh, fish, PowerShell) and `--show-completion`.
    add_completion=True,
    # Plain click help: paragraphs re-wrapped to the terminal, no boxes, no type column.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 200},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefgen {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors (also after "
                               "the command, or BRIEFGEN_DEBUG=1)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors and the result."),
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="Also say which project file and options are in force."),
    version: bool = typer.Option(
        False, "--version", "-V", callback=_version, is_eager=True,
        help="Print the version and exit."
    ),
) -> None:
    FLAGS.debug = FLAGS.debug or debug
    FLAGS.quiet = FLAGS.quiet or quiet
    FLAGS.verbose = FLAGS.verbose or verbose
    set_debugging(FLAGS.debug)  # for the library (`errors.debugging`) and forked workers
    ctx.meta[DEBUG_KEY] = FLAGS.debug  # for a command that reports failures itself (a run's)


def _register() -> None:
    # Each module adds its commands to `app`; registered in this order so --help is stable.
    from briefgen.cli import author, changes, project, provenance, render, schedule, send, spec

    for module in (spec, render, send, schedule, author, changes, project, provenance):
        module.register(app)


_register()


def _is_usage_error(exc: BaseException) -> bool:
    # typer 0.29 ships its own copy of click (typer._click), so match the class by name rather
    # than by importing one particular click.
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app, converting errors to messages and exit codes."""
    try:
        _main(argv)
    finally:  # a later call in this process (a test, a notebook) starts without these flags
        reset_flags()
        set_debugging(False)


def _main(argv: list[str] | None) -> None:
    # The last net under "never fail on what a user wrote": a character no stream can encode
    # (a lone surrogate from a spec's escape or a non-UTF-8 file name) is printed as an escape.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        reset_flags()  # each call starts from the environment (tests call main() many times)
        args = lift_global_flags(list(sys.argv[1:] if argv is None else argv))
        # Without standalone mode click returns the code of a `typer.Exit` instead of exiting.
        code = app(args=args, prog_name="briefgen", standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except BriefgenError as exc:
        if FLAGS.debug:
            raise
        typer.echo(str(exc), err=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as exc:  # the edge: any bug becomes one line, not a traceback
        if _is_usage_error(exc):
            exc.show()  # type: ignore[attr-defined]
            # click gives usage errors exit code 2 already; keep any other code it chose.
            sys.exit(getattr(exc, "exit_code", 2))
        if FLAGS.debug:
            raise
        typer.echo(f"briefgen: internal error: {exc!r} (run with --debug for the traceback)",
                   err=True)
        sys.exit(EXIT_FAILED_RUN)
