"""Write the sample note as WeasyPrint receives it (the PDF path's HTML and its chart SVGs) to
bench/fixtures/, the yardstick for "a cheaper note": `bench/targets.py` times WeasyPrint on this
fixture against the note briefgen makes now, in the same PDF variant, and compares the pages.

    python bench/make_note_fixture.py [--name note-2026-12-03]   # once, to fix "today's" note
"""

from __future__ import annotations

import argparse
import json
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
