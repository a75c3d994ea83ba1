"""The one Jinja environment factory, for the note's templates and the email's alike.

Search order: the user's folders (a brand's or a delivery config's `templates:`), then the
built-ins; `default:NAME` always means the built-in one, so a user's template can extend it and
replace a single block (`{% extends "default:note.html" %}`, `{% extends "default:brief.txt" %}`).
Autoescaping is on for every template except plain text (`*.txt`); undefined names are errors.

Templates run sandboxed (Jinja's `SandboxedEnvironment`): a template can read the values it is
given but cannot reach Python's internals (`__globals__`, `__subclasses__`, `os`), so a brand file
passed between firms cannot run code. Measured on the sample note (2-core machine under load): the
page renders in 11.1 ms sandboxed against 8.5 ms without (medians of 45), about 0.3% of a brief's
0.7-1 s, so the built-in templates run in it too. A desk whose own templates need more sets
`BRIEFGEN_TRUSTED_TEMPLATES=1`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import jinja2
import jinja2.bccache
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from briefgen.derive import formatting
from briefgen.errors import InputError
from briefgen.note.builtin import builtin_template_dir
from briefgen.privatedir import private_folder

TRUSTED_TEMPLATES_VARIABLE = "BRIEFGEN_TRUSTED_TEMPLATES"
TEMPLATE_CACHE_VARIABLE = "BRIEFGEN_TEMPLATE_CACHE"


def template_environment(template_dirs: Sequence[Path] = (), *, builtin: str = ""
                         ) -> jinja2.Environment:
    """An environment over `template_dirs`, then the built-in templates (`builtin` names their
    subfolder: "" for the note's, "email" for the email's)."""
    for folder in template_dirs:
        if not Path(folder).is_dir():
            raise InputError(f"{folder}: template folder not found")
    builtins = jinja2.FileSystemLoader(str(builtin_template_dir() / builtin))
    loader = jinja2.ChoiceLoader([
        # First, so that "default:note.html" can never be shadowed by a user's file.
        jinja2.PrefixLoader({"default": builtins}, delimiter=":"),
        *(jinja2.FileSystemLoader(str(folder)) for folder in template_dirs),
        builtins,
    ])
    kind = jinja2.Environment if trusted_templates() else SandboxedEnvironment
    env = kind(
        loader=loader,
        bytecode_cache=_compiled_templates(kind.__name__),
        autoescape=_escaped,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=formatting.money,
        percent=formatting.percent,
        points=formatting.points,
        date_long=formatting.date_long,
        date_short=formatting.date_short,
        css_string=css_string,
        wrap=wrap,
    )
    env.globals["static"] = functools.partial(_static, env)
    return env


@functools.lru_cache(maxsize=8)
def cached_environment(template_dirs: tuple[Path, ...], builtin: str = "") -> jinja2.Environment:
    """One environment per search path per process: templates compile once per worker."""
    return template_environment(template_dirs, builtin=builtin)


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, which never fails a render: a template whose code
    cannot be written (a full or read-only disk) is compiled again next time."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled_templates(kind: str) -> jinja2.BytecodeCache | None:
    """A cache of the templates' compiled code between processes: compiling the note's 23
    templates is most of a cold render's page step (measured: ~50 ms of CPU, against ~1 ms to
    load them compiled). It is kept in a folder of the system's temporary directory that only
    this user may open (`briefgen.privatedir`), keyed by each template's name, file and a hash
    of its source, so an edited template is compiled afresh; the environment's kind is in the
    file name, so sandboxed and trusted code never mix. `BRIEFGEN_TEMPLATE_CACHE=0` turns it
    off."""
    if os.environ.get(TEMPLATE_CACHE_VARIABLE, "") == "0":
        return None
    folder = private_folder("briefgen-templates")
    if folder is None:  # no private folder to be had: compile every time
        return None
    return _CompiledTemplates(str(folder), pattern=f"{kind}-%s.cache")


def trusted_templates() -> bool:
    """Whether the desk has opted out of the sandbox (`BRIEFGEN_TRUSTED_TEMPLATES=1`)."""
    return os.environ.get(TRUSTED_TEMPLATES_VARIABLE, "") not in ("", "0")


def _escaped(name: str | None) -> bool:
    # Plain-text email parts are text, not HTML: escaping would print `&amp;` to the reader.
    return not (name or "").endswith(".txt")


def _static(env: jinja2.Environment, name: str) -> Markup:
    """A file from the template search path, verbatim (CSS is not a Jinja template)."""
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    return Markup(source.replace("</", "<\\/"))  # keeps a </style> inside CSS from ending it


_CSS_SAFE = re.compile(r"[A-Za-z0-9 .,:;!?()'/+%@_-]")


def css_string(value: object) -> Markup:
    """`value` as a quoted CSS string, every other character escaped: safe in a <style>."""
    text = str(value)
    escaped = "".join(ch if _CSS_SAFE.fullmatch(ch) else f"\\{ord(ch):x} " for ch in text)
    return Markup(f'"{escaped}"')


def wrap(text: str, width: int = 72, indent: str = "", first: str | None = None) -> str:
    """Plain-text paragraphs for the text/plain part; `first` prefixes the first line."""
    lead = indent if first is None else first
    return textwrap.fill(" ".join(str(text).split()), width=width, initial_indent=lead,
                         subsequent_indent=indent, break_on_hyphens=False)
