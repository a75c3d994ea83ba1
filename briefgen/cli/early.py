"""What `briefgen render SPEC` does before typer and the commands are imported.

A cold render gains most from forking the PDF printer at once (`briefgen.pdf.printer.
start_early`: the child's WeasyPrint import is the critical path). A cache hit gains nothing
from it and pays for the fork, so the cache is checked first (`proven_hit`: no spec loaded, no
pydantic, matplotlib or WeasyPrint imported, a few milliseconds). The check runs only for the
plain form, `briefgen render SPEC [--out DIR] [--json]`; with other flags the printer is forked
as before (and ended unused on a hit).
"""

from __future__ import annotations

from pathlib import Path

from briefgen.pdf.printer import start_early

_VALUE_FLAGS = ("--out", "-o")


def prepare_render(argv: list[str]) -> None:
    """Fork the PDF printer for `briefgen render`, unless its one spec is known to be cached."""
    plain = _plain_single_render(argv[2:])
    if plain is not None and (not plain[0].is_file() or _cached(*plain)):
        return  # a folder or glob (a pool renders it), or a cache hit: no printer
    start_early(argv)


def _plain_single_render(args: list[str]) -> tuple[Path, Path] | None:
    """(spec, output folder) of `SPEC [--out DIR] [--json]`; None for anything else (`--force`
    included: it renders whatever the cache says)."""
    specs: list[str] = []
    out = "output"
    rest = iter(args)
    for arg in rest:
        name, has_value, value = arg.partition("=")
        if name in _VALUE_FLAGS:
            out = value if has_value else next(rest, "")
        elif arg == "--json":
            continue
        elif arg.startswith("-"):
            return None
        else:
            specs.append(arg)
    return (Path(specs[0]), Path(out)) if len(specs) == 1 and out else None


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
