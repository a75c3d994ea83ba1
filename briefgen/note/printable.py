"""The page as WeasyPrint is handed it: the reader's page without what paper never shows.

WeasyPrint's time grows with every element it parses, styles, lays out, paints and tags, so the
PDF's input leaves out the elements that print the same pages without them (the bench's "cheaper
note" target, `bench/targets.py`; `tests/pdf/test_lean_input.py` compares the pages):
- what a template marks as for the screen only, between `SCREEN_ONLY` comments (a chart's
  figures in words for phones, a caption for screen readers): the print stylesheet hides it;
- each number's provenance span, its id and tooltip (`provenance.numbers_for_print`);
- a figure's span without a tone (`<span class="figure">`), which no print rule styles: the span
  stays where a tone colours it (`figure pos`, `figure neg`).
"""

from __future__ import annotations

import re

from briefgen.note.provenance import numbers_for_print

# Comments, not a class: a template's text is escaped, so no spec string can open or close one.
SCREEN_ONLY = ("<!--screen-only-->", "<!--/screen-only-->")
_SCREEN_ONLY = re.compile(re.escape(SCREEN_ONLY[0]) + ".*?" + re.escape(SCREEN_ONLY[1]), re.S)
# A figure's span as the macros write it, once its numbers have lost their spans: text, and at
# most a range held on one line (`<span class="nw">64–72bn</span>`, see `provenance._wrap`).
_PLAIN_FIGURE = re.compile(r'<span class="figure">((?:[^<]|<span class="nw">[^<]*</span>)*)</span>')


def for_print(page: str) -> str:
    """`page` (the annotated note) as the PDF's input."""
    lean = numbers_for_print(_SCREEN_ONLY.sub("", page))
    return _PLAIN_FIGURE.sub(r"\1", lean)
