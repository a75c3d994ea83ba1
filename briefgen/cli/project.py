"""`briefgen config`: the resolved project, so a support question starts from facts.

Which project file is in force (found from the current folder upward), which brand and templates,
where the briefs go, the paper, PDF variant and formats, and the versions of briefgen and the
engines that make the bytes. Nothing heavy is imported: versions come from package metadata.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import sys
from pathlib import Path

import typer

import briefgen

ENGINES = ("weasyprint", "matplotlib", "jinja2", "pydantic", "pyyaml", "typer", "croniter",
           "dask", "distributed")


def register(app: typer.Typer) -> None:
    app.command("config")(config)


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def config(
    as_json: bool = typer.Option(False, "--json", help="Print it as JSON on stdout."),
) -> None:
    """Show the resolved project: which file, brand, templates, output, paper, PDF variant and
    formats every command uses, and the versions of briefgen and its engines."""
    from briefgen.cli.options import resolve_cli_project
    from briefgen.note.builtin import builtin_template_dir

    project = resolve_cli_project()
    builtin = builtin_template_dir()
    options = project.render
    brand = project.brand
    facts: dict[str, object] = {
        "project_file": str(project.file) if project.file else None,
        "output": str(project.out_dir),
        "brand": ({"file": str(brand.path), "firm_name": brand.brand.firm_name}
                  if brand else None),
        "templates": [str(d) for d in options.template_dirs] + [str(builtin)],
        "paper": options.paper,
        "pdf_variant": options.pdf_variant,
        "formats": list(options.formats),
        "specs": [str(s) for s in project.specs],
        "delivery": str(project.delivery) if project.delivery else None,
        "schedules": str(project.schedules) if project.schedules else None,
        "sources": project.sources,
        "versions": {"briefgen": briefgen.__version__, "python": platform.python_version(),
                     **{name: _version(name) for name in ENGINES}},
        "installed_at": str(Path(briefgen.__file__).parent),
        "executable": sys.executable,
    }
    if as_json:
        typer.echo(json.dumps(facts, indent=2, ensure_ascii=False))
        return
    where = dict(project.sources)

    def line(label: str, value: str, setting: str | None = None) -> None:
        source = f"  ({where[setting]})" if setting in where else ""
        typer.echo(f"{label:<13}{value}{source}")

    line("project file", str(project.file) if project.file else
         "none here or above (built-in defaults; `briefgen init DIR` writes one)")
    line("output", str(project.out_dir), "output")
    line("brand", f"{brand.path} ({brand.brand.firm_name})" if brand else "built-in", "brand")
    line("templates", ", ".join([*(str(d) for d in options.template_dirs),
                                 f"built-in ({builtin})"]), "templates")
    line("paper", options.paper, "paper")
    line("PDF variant", options.pdf_variant or "plain PDF", "pdf_variant")
    line("formats", ", ".join(options.formats), "formats")
    line("specs", ", ".join(map(str, project.specs)) or "none (give them on the command line)")
    line("delivery", str(project.delivery) if project.delivery else "none", "delivery")
    line("schedules", str(project.schedules) if project.schedules else "schedules.yaml",
         "schedules")
    versions = facts["versions"]
    assert isinstance(versions, dict)
    line("versions", ", ".join(f"{name} {version}" for name, version in versions.items()))
    line("installed", f"{facts['installed_at']} (python: {sys.executable})")
