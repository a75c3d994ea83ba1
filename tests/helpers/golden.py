"""Reference renders of the sample specs, and their golden HTML under tests/golden/.

    python -m tests.helpers.golden --regenerate     # after an intended change to the templates

The golden files hold the note's HTML normalised by BeautifulSoup, so whitespace and attribute
order do not matter, and with what other modules own left out: the inside of each chart's <svg>
(charts.py has its own tests) and the font data (webfonts.py's). What is left is what the templates
decide: every heading, table, cell, mark, note and source line.

`rendered(spec)` renders a sample once per process (the tests share it; with xdist, once per
worker): load, charts, HTML and PDF, about a second.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# Pinned before anything imports matplotlib or reads the clock (as tests/conftest.py does).
os.environ["TZ"] = "UTC"
os.environ.setdefault("SOURCE_DATE_EPOCH", "1756684800")
os.environ["MPLBACKEND"] = "Agg"

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, Tag
from bs4.element import Stylesheet

if TYPE_CHECKING:
    from briefgen.build.pipeline import RenderedBrief

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"
SAMPLES = {"baba": ROOT / "specs" / "baba.yaml", "baba-2025q3": ROOT / "specs" / "baba-2025q3.yaml"}


@functools.cache
def rendered(name: str) -> RenderedBrief:
    from briefgen.build.pipeline import render_brief

    return render_brief(SAMPLES[name])


_DATA_URI = re.compile(r"data:([\w/+.-]+);base64,[A-Za-z0-9+/=]+")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def normalise(html: str) -> str:
    """The note's HTML in a canonical form: one node a line, whitespace collapsed."""
    soup = BeautifulSoup(html, "html.parser")
    for svg in soup.find_all("svg"):  # a chart: what it draws and says belongs to charts.py
        svg.clear()
        svg.attrs = {"role": svg.get("role", ""),
                     "aria-label": "…" if svg.get("aria-label") else ""}
    lines: list[str] = []
    _walk(soup, 0, lines)
    return "\n".join(lines) + "\n"


def _walk(node: Tag, depth: int, lines: list[str]) -> None:
    for child in node.children:
        if isinstance(child, Tag):
            attrs = " ".join(f'{key}="{_attr(value)}"'
                             for key, value in sorted(child.attrs.items()))
            lines.append("  " * depth + f"<{child.name}{' ' + attrs if attrs else ''}>")
            _walk(child, depth + 1, lines)
        elif isinstance(child, Stylesheet):  # one CSS rule a line
            css = " ".join(_DATA_URI.sub(r"data:\1;…", _CSS_COMMENT.sub("", child)).split())
            lines.extend("  " * depth + rule.strip() + "}" for rule in css.split("}")
                         if rule.strip())
        elif isinstance(child, Comment | Doctype):
            continue
        elif isinstance(child, NavigableString):
            text = " ".join(_DATA_URI.sub(r"data:\1;…", str(child)).split())
            if text:
                lines.append("  " * depth + text)


def _attr(value: object) -> str:
    text = " ".join(value) if isinstance(value, list) else str(value)
    return " ".join(_DATA_URI.sub(r"data:\1;…", text).split())


def golden_path(name: str) -> Path:
    return GOLDEN_DIR / f"{name}.html"


def html_of(name: str) -> str:
    return rendered(name).files["brief.html"].decode("utf-8")


def soup_of(name: str, *, provenance: bool = False) -> BeautifulSoup:
    """The note parsed; without `provenance`, each number's provenance span is unwrapped, so
    text reads as the note prints it (get_text(" ") would otherwise space `(+26%`)."""
    soup = BeautifulSoup(html_of(name), "html.parser")
    if not provenance:
        for span in soup.select("span.src"):
            span.unwrap()
        soup.smooth()  # the unwrapped number and the words around it: one string again
    return soup


def difference(name: str) -> str | None:
    """None when the render matches its golden file, else a readable diff."""
    expected = golden_path(name).read_text(encoding="utf-8")
    actual = normalise(html_of(name))
    if actual == expected:
        return None
    diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                f"golden/{name}.html", "rendered", lineterm="", n=2)
    return "\n".join(list(diff)[:80])


def regenerate() -> None:
    GOLDEN_DIR.mkdir(exist_ok=True)
    for name in SAMPLES:
        golden_path(name).write_text(normalise(html_of(name)), encoding="utf-8")
        print(f"wrote {golden_path(name).relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--regenerate"]:
        sys.exit("usage: python -m tests.helpers.golden --regenerate")
    regenerate()


def variant_spec(folder: Path, change: object, name: str = "baba") -> Path:
    """A copy of a sample spec in `folder`, edited by `change(data)` (a callable on the YAML)."""
    import shutil

    import yaml

    source = SAMPLES[name]
    for extra in source.parent.glob("*.csv"):
        shutil.copy(extra, folder / extra.name)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    target = folder / source.name
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    return target


@functools.cache
def rendered_starter() -> RenderedBrief:
    """The note of `briefgen init`'s starter project, with its brand and template override."""
    import tempfile

    from briefgen.brand.load import load_brand
    from briefgen.build.pipeline import RenderOptions, render_brief
    from briefgen.cli.scaffold import SPEC, create_project

    folder = Path(tempfile.mkdtemp(prefix="briefgen-starter-")) / "desk"
    create_project(folder)
    brand = load_brand(folder / "brand.yaml")
    options = RenderOptions(brand=brand.brand, template_dirs=brand.template_dirs)
    return render_brief(folder / SPEC, options)


def all_notes() -> dict[str, RenderedBrief]:
    """Every note the suite renders as a reader would get it: the samples and the starter."""
    notes = {name: rendered(name) for name in SAMPLES}
    notes["init-starter"] = rendered_starter()
    return notes
