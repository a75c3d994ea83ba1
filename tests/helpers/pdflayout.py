"""Where the words of a PDF sit: poppler's `pdftotext -bbox-layout` (pages, blocks, lines and
words with their boxes, in points from the top left), for tests of page layout."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

PDFTOTEXT = shutil.which("pdftotext")
MM = 72 / 25.4
# The note's @page margins (templates/note.css): the running header and footer sit in them.
MARGIN_SIDE = 15 * MM
MARGIN_BOTTOM = 20 * MM
MARGIN_TOP = 20 * MM
MARGIN_TOP_FIRST = 13 * MM

_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Line:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def y0(self) -> float:
        return min(word.y0 for word in self.words)

    @property
    def y1(self) -> float:
        return max(word.y1 for word in self.words)


@dataclass
class Page:
    number: int  # from 1
    width: float
    height: float
    blocks: list[list[Line]] = field(default_factory=list)

    @property
    def top(self) -> float:
        return MARGIN_TOP_FIRST if self.number == 1 else MARGIN_TOP

    @property
    def bottom(self) -> float:
        return self.height - MARGIN_BOTTOM

    def body_lines(self) -> list[Line]:
        """The lines inside the page's margins (not the running header or footer), top first."""
        lines = [line for block in self.blocks for line in block
                 if line.y0 >= self.top - 1 and line.y1 <= self.bottom + 1]
        return sorted(lines, key=lambda line: (line.y0, line.words[0].x0))

    def rows(self) -> list[float]:
        """The distinct heights (rounded to a point) at which body text sits: its visual rows."""
        return sorted({round(line.y0) for line in self.body_lines()})


def pdf_pages(pdf: bytes) -> list[Page]:
    assert PDFTOTEXT, "pdftotext (poppler-utils) is not installed"
    xhtml = subprocess.run([PDFTOTEXT, "-bbox-layout", "-", "-"], input=pdf,
                           capture_output=True, check=True).stdout
    pages = []
    for number, node in enumerate(ET.fromstring(xhtml).iter(f"{_NS}page"), start=1):
        page = Page(number, float(node.get("width", 0)), float(node.get("height", 0)))
        for block in node.iter(f"{_NS}block"):
            lines = [Line([Word(w.text or "", *(float(w.get(k, 0)) for k in
                                                ("xMin", "yMin", "xMax", "yMax")))
                           for w in line.iter(f"{_NS}word")])
                     for line in block.iter(f"{_NS}line")]
            page.blocks.append([line for line in lines if line.words])
        pages.append(page)
    return pages
