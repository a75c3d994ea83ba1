"""Which fonts a PDF embeds (read with pypdf, page and chart resources alike), and the host's
CJK font the lockout tests need (Debian's fonts-noto-cjk, installed by .ci/run)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader

NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
BUNDLED = {"Inter", "Inter-Italic", "Inter-Semi-Bold", "Inter-Bold"}


def pdf_fonts(pdf: bytes) -> set[str]:
    """The base names of every font a PDF uses (subset tags like `ABCDEF+` removed), found in
    each page's resources and, recursively, in its form XObjects (the charts)."""
    found: set[str] = set()
    seen: set[int] = set()

    def walk(resources: Any) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            name = str(font.get_object()["/BaseFont"]).lstrip("/")
            found.add(name.split("+", 1)[-1])
        for reference in (resources.get("/XObject") or {}).values():
            xobject = reference.get_object()
            if id(xobject) not in seen:
                seen.add(id(xobject))
                walk(xobject.get("/Resources"))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        walk(page.get("/Resources"))
    return found
