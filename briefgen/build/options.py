"""`RenderOptions`: how to render a brief (outputs, paper, templates, brand, PDF variant).

Its own small module, importing neither pydantic nor Jinja, so that a fully cached run (which
hashes the options into every cache key) loads no more than it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from briefgen.errors import InputError
from briefgen.pdf.weasy import check_variant

if TYPE_CHECKING:
    from briefgen.brand.model import Brand

FORMATS = ("html", "pdf")
FILE_NAMES = {"html": "brief.html", "pdf": "brief.pdf"}
# Written beside them: every printed number and where it came from (note/provenance.py).
PROVENANCE_FILE = "brief.provenance.json"
Paper = Literal["a4", "letter"]


@dataclass
class RenderOptions:
    """How to render: which outputs, on what paper, with whose templates and brand."""

    formats: tuple[str, ...] = FORMATS
    paper: Paper = "a4"
    template_dirs: tuple[Path, ...] = ()
    brand: Brand | None = None
    # "pdf/ua-1" (the default, from None), "pdf/a-3b", "tagged", "none" (untagged), …
    pdf_variant: str | None = None

    def __post_init__(self) -> None:
        self.formats = tuple(dict.fromkeys(f.strip().lower() for f in self.formats))
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown or not self.formats:
            raise InputError(f"unknown output format {', '.join(unknown) or '(none)'}; "
                             f"choose from {', '.join(FORMATS)}")
        if self.paper not in ("a4", "letter"):
            raise InputError(f"unknown paper {self.paper!r}; choose a4 or letter")
        self.template_dirs = tuple(Path(d) for d in self.template_dirs)
        self.pdf_variant = check_variant(self.pdf_variant)
