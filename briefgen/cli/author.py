"""Commands for writing notes: `briefgen preview` (a live page) and `briefgen init` (a project).

Nothing heavy is imported here: the preview imports the render stack when it starts.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path

import typer

from briefgen.errors import InputError


def register(app: typer.Typer) -> None:
    app.command("preview")(preview)
    app.command("init")(init)


def preview(
    spec: Path = typer.Argument(..., metavar="SPEC", show_default=False, hidden=True),
    port: int = typer.Option(8000, "--port", "-p", min=0, max=65535, metavar="PORT",
                             help="Port to serve on; 0 picks a free one."),
    host: str = typer.Option("127.0.0.1", "--host", metavar="ADDRESS",
                             help="Address to serve on. Anything but 127.0.0.1 or localhost lets "
                             "other machines read the note."),
    brand: Path | None = typer.Option(None, "--brand", "-b", metavar="FILE",
                                      help="Brand file (brand.yaml). [default: the project's]"),
    templates: list[Path] = typer.Option(
        [], "--templates", "-t", metavar="DIR", help="Folder of templates searched before the "
        "brand's and the built-in ones (repeatable). [default: the project's]"),
    paper: str | None = typer.Option(None, "--paper", metavar="SIZE",
                                     help="Paper size the page is laid out for. [default: a4]"),
    no_open: bool = typer.Option(False, "--no-open", help="Do not open a browser."),
) -> None:
    """Serve SPEC's note on localhost and render it again on every save.

    Edits to the spec, its CSV files, the brand file, the logo or a template reload the page; a
    spec with problems shows them (file:line:column) until it is fixed. Only the HTML is
    rendered, which is what makes it quick; `briefgen render` makes the PDF.
    """
    from briefgen.cli.options import resolve_cli_project
    from briefgen.preview.server import LOOPBACK_HOSTS, PreviewServer
    from briefgen.preview.watch import Preview

    if not spec.is_file():
        raise InputError(f"{spec}: no such file")
    # The project's brand, templates and paper, as `render` uses them (flags over them).
    project = resolve_cli_project(brand=brand, templates=templates, paper=paper)
    page = Preview(spec, brand_file=project.brand.path if project.brand else None,
                   template_dirs=list(project.project_templates),
                   paper=project.render.paper, log=_log)
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
    folder: Path = typer.Argument(..., metavar="DIR", show_default=False, hidden=True),
    force: bool = typer.Option(False, "--force",
                               help="Write into a folder that is not empty (overwrites files of "
                               "the same names)."),
) -> None:
    """Create a starter project in DIR: briefgen.yaml, a spec and its CSV, the spec's schema, a
    brand, a template override, schedules and a delivery config."""
    from briefgen.cli.scaffold import SPEC, create_project

    for path in create_project(folder, force=force):
        typer.echo(f"wrote {path}")
    typer.echo(f"\nnext: cd {shlex.quote(str(folder))} && briefgen preview {SPEC}")
