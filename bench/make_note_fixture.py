"""Write the sample note as WeasyPrint receives it (the PDF path's HTML and its chart SVGs) to
bench/fixtures/, the yardstick for "a cheaper note": `bench/targets.py` times WeasyPrint on this
fixture against the note briefgen makes now, in the same PDF variant, and compares the pages.

    python bench/make_note_fixture.py [--name note-2026-12-03]   # once, to fix "today's" note
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "bench" / "fixtures"
# The PDF path's HTML names the package's fonts by absolute file: URL, which is the checkout's
# own folder; the fixture holds this placeholder instead, put back by `load_fixture`, so the
# bench runs in any checkout (the fetcher refuses files outside the one it runs from).
FONTS_PLACEHOLDER = "{BRIEFGEN_FONTS}"


def current_note(spec: Path = ROOT / "specs" / "baba.yaml") -> dict[str, Any]:
    """The PDF path's HTML of `spec`, its charts by URL, and what `html_to_pdf` was told."""
    from briefgen.build.pipeline import RenderOptions, render_brief
    from briefgen.pdf import printer

    seen: dict[str, Any] = {}
    original = printer.html_to_pdf

    def capture(html: str, **options: Any) -> Any:
        seen.update(html=html, charts=dict(options["charts"]), variant=options.get("variant"))
        return original(html, **options)

    printer.html_to_pdf = capture  # type: ignore[assignment]
    try:
        render_brief(spec, RenderOptions())
    finally:
        printer.html_to_pdf = original  # type: ignore[assignment]
    return seen


def fonts_url() -> str:
    from briefgen.note.webfonts import FONT_DIR

    return FONT_DIR.as_uri()


def to_fixture(html: str) -> str:
    """`html` with this checkout's font folder replaced by the placeholder; no other file: URL
    may remain (it would tie the fixture to one machine)."""
    text = html.replace(fonts_url(), FONTS_PLACEHOLDER)
    if "file://" in text:
        raise SystemExit("the note names a file: URL other than the fonts: not a portable fixture")
    return text


def load_fixture(name: str = "note-2026-12-03") -> dict[str, Any]:
    """The fixture `name` as `current_note` gives a note: HTML (fonts of this checkout) and
    charts by URL."""
    base = FIXTURES / name
    html = base.with_suffix(".html").read_text(encoding="utf-8")
    return {"html": html.replace(FONTS_PLACEHOLDER, fonts_url()),
            "charts": json.loads(base.with_suffix(".charts.json").read_text(encoding="utf-8"))}


# Wrappers that tag nothing a reader needs (a Div, a Span, a Sect): the unstyled note leaves
# them out, keeping their content.
_WRAPPERS = {"div", "span", "section", "main", "article", "header", "footer", "aside", "time"}
# Attributes that change what is printed or tagged; every other one (class, style, aria-*) goes.
_KEPT_ATTRIBUTES = {"href", "src", "id", "alt", "lang", "scope", "colspan", "rowspan"}


def unstyled(html: str) -> str:
    """`html` (the PDF path's page) with its content and none of its look: the floor under "a
    cheaper note".

    Kept: every element the tagged PDF's structure tree is built from (headings, paragraphs,
    lists, tables and their cells, figures, links, images: the charts), their text and their
    attributes that change what is printed or tagged; the fonts (@font-face); the page's size
    and running header and footer (the note's own `@page` rules); and the sizes of the text
    (the print stylesheet's `html`, `h1` and `h2` font sizes and line height), so the words
    take as many lines. Gone: every other rule, class and wrapper. Every page gets the first
    page's smaller top margin, so the unstyled note takes as few pages as it can (the sample's
    takes 5 to the note's 4: `note_cost_driver` reports both counts)."""
    import tinycss2
    from bs4 import BeautifulSoup

    page = BeautifulSoup(html, "html.parser")
    kept_css = []
    for style in page.find_all("style"):
        text = style.get_text()
        for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
            if rule.type != "at-rule":
                continue
            if rule.lower_at_keyword in ("font-face", "page"):
                kept_css.append(rule.serialize())
            elif rule.lower_at_keyword == "media" and tinycss2.serialize(rule.prelude).strip() \
                    == "print":
                for inner in tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                      skip_whitespace=True):
                    selector = tinycss2.serialize(inner.prelude).strip()
                    if inner.type == "qualified-rule" and selector in ("html", "h1", "h2"):
                        sizes = [d for d in tinycss2.parse_declaration_list(inner.content)
                                 if d.type == "declaration"
                                 and d.lower_name in ("font-size", "line-height")]
                        if sizes:
                            kept_css.append(selector + " { " + "; ".join(
                                f"{d.name}: {tinycss2.serialize(d.value).strip()}"
                                for d in sizes) + " }")
        style.decompose()
    kept_text = "".join(kept_css)
    family = re.search(r"font-family:\s*([^;}]+)", kept_text)
    first_page_top = re.search(r"@page\s*:first\s*\{[^}]*margin-top:\s*([^;}]+)", kept_text)
    kept_css.append(f"html {{ font-family: {family.group(1) if family else 'sans-serif'} }}")
    if first_page_top:
        kept_css.append(f"@page {{ margin-top: {first_page_top.group(1)} }}")
    # The browser's default gaps, smaller: the note's own are smaller still.
    kept_css.append("img { width: 100% } dd { margin: 0 } "
                    "figure, p, ul, dl, table, h1, h2 { margin: 0 0 0.25em }")
    for element in page.find_all(True):
        if element.name in _WRAPPERS:
            element.unwrap()
            continue
        for name in [name for name in element.attrs if name not in _KEPT_ATTRIBUTES]:
            del element[name]
    style = page.new_tag("style")
    style.string = "\n".join(kept_css)
    (page.head or page).append(style)
    return str(page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="note-2026-12-03")
    args = parser.parse_args()
    note = current_note()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    (FIXTURES / f"{args.name}.html").write_text(to_fixture(note["html"]),
                                                   encoding="utf-8")
    (FIXTURES / f"{args.name}.charts.json").write_text(
        json.dumps(note["charts"], indent=1, sort_keys=True), encoding="utf-8")
    print(f"wrote {FIXTURES / args.name}.html and .charts.json (variant {note['variant']})")


if __name__ == "__main__":
    main()
