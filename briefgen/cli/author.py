"""Commands for writing notes: `briefgen preview` (a live page) and `briefgen init` (a project).

Nothing heavy is imported here: the preview imports the render stack when it starts.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import Literal, cast

import typer

from briefgen.errors import InputError


def register(app: typer.Typer) -> None:
    app.command("preview")(preview)
    app.command("init")(init)


def preview(
    spec: Path = typer.Argument(..., help="The spec to preview."),
    port: int = typer.Option(8000, "--port", "-p", min=0, max=65535,
                             help="Port to serve on; 0 picks a free one."),
    host: str = typer.Option("127.0.0.1", "--host",
                             help="Address to serve on. Anything but 127.0.0.1 or localhost lets "
                             "other machines read the note."),
    brand: Path | None = typer.Option(None, "--brand", "-b", help="Brand file (brand.yaml)."),
    templates: list[Path] = typer.Option(
        [], "--templates", "-t", help="Folder of templates searched before the brand's and the "
        "built-in ones (repeatable)."),
    paper: str = typer.Option("a4", "--paper", help="Paper size the page is laid out for."),
    no_open: bool = typer.Option(False, "--no-open", help="Do not open a browser."),
) -> None:
    """Serve a spec's note on localhost and render it again on every save.

    Edits to the spec, its CSV files, the brand file, the logo or a template reload the page; a
    spec with problems shows them (file:line:column) until it is fixed. Only the HTML is
    rendered, which is what makes it quick; `briefgen render` makes the PDF.
    """
    from briefgen.preview.server import LOOPBACK_HOSTS, PreviewServer
    from briefgen.preview.watch import Preview

    if not spec.is_file():
        raise InputError(f"{spec}: no such file")
    if brand is not None and not brand.is_file():
        raise InputError(f"--brand {brand}: no such file")
    for folder in templates:
        if not folder.is_dir():
            raise InputError(f"--templates {folder}: no such folder")
    if paper.strip().lower() not in ("a4", "letter"):
        raise InputError(f"unknown paper {paper!r}; choose a4 or letter")
    page = Preview(spec, brand_file=brand, template_dirs=templates,
                   paper=cast(Literal["a4", "letter"], paper.strip().lower()), log=_log)
    server = PreviewServer(page, host=host, port=port)
    if host not in LOOPBACK_HOSTS:
        typer.echo(f"warning: serving on {host}: anyone who can reach this machine can read "
                   "the note", err=True)
    typer.echo(f"previewing {spec} at {server.url} (Ctrl-C to stop)")
    try:
        server.start()
        if not no_open:
            import webbrowser

            webbrowser.open(server.url)
        server.wait()
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    finally:
        server.close()


def _log(text: str) -> None:
    typer.echo(f"{time.strftime('%H:%M:%S')} {text}", err=True)


def init(
    folder: Path = typer.Argument(..., help="Folder to create the project in."),
    force: bool = typer.Option(False, "--force",
                               help="Write into a folder that is not empty (overwrites files of "
                               "the same names)."),
) -> None:
    """Create a starter project: a spec and its CSV, a brand, a template override, schedules."""
    from briefgen.cli.scaffold import SPEC, create_project

    for path in create_project(folder, force=force):
        typer.echo(f"wrote {path}")
    typer.echo(f"\nnext: cd {shlex.quote(str(folder))} && "
               f"briefgen preview {SPEC} --brand brand.yaml")
