"""The page as WeasyPrint is handed it: the reader's page without what paper never shows.

WeasyPrint's time grows with every element it parses, styles, lays out, paints and tags, so the
PDF's input leaves out the elements that print the same pages without them (the bench's "cheaper
note" target, `bench/targets.py`; `tests/pdf/test_lean_input.py` compares the pages):
- what a template marks as for the screen only, between `SCREEN_ONLY` comments (a chart's
  figures in words for phones, a caption for screen readers): the print stylesheet hides it;
- each number's provenance span, its id and tooltip (`provenance.numbers_for_print`);
- a figure's span without a tone (`<span class="figure">`), which no print rule styles: the span
  stays where a tone colours it (`figure pos`, `figure neg`);
- each element's `id` that no link of the page targets and no style names (a section's, a
  heading's for `aria-labelledby`): WeasyPrint makes every id a named destination of the PDF;
- and one thing is added: a zero-width space every few characters of a word too long for any
  line (a name run together, a URL), since beside a float (the sidebar) WeasyPrint moves such a
  word below the float instead of breaking it (`overflow-wrap`), leaving its list bullet alone
  above a blank gap;
- the brand's CSS variables (`:root { --primary: #1F3A5F }`): each `var(--primary)` in the
  page's styles is written as its value, which WeasyPrint would otherwise parse again for every
  element it styles. The stylesheet every note shares stays the same text for every note of a
  brand, so it is still parsed once per process (`pdf.weasy`).
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from briefgen.note.provenance import numbers_for_print

# Comments, not a class: a template's text is escaped, so no spec string can open or close one.
SCREEN_ONLY = ("<!--screen-only-->", "<!--/screen-only-->")
_SCREEN_ONLY = re.compile(re.escape(SCREEN_ONLY[0]) + ".*?" + re.escape(SCREEN_ONLY[1]), re.S)
# A figure's span as the macros write it, once its numbers have lost their spans: text, and at
# most a range held on one line (`<span class="nw">64–72bn</span>`, see `provenance._wrap`).
_PLAIN_FIGURE = re.compile(r'<span class="figure">((?:[^<]|<span class="nw">[^<]*</span>)*)</span>')
_STYLE = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.S | re.I)
# Ids: an element's, a link's target, a style's selector (a colour such as #D3D9E1 matches too,
# which only keeps an id of that name).
_ID = re.compile(r'\sid="([^"]*)"')
_LINK_TARGET = re.compile(r'\shref="#([^"]+)"')
_ID_SELECTOR = re.compile(r"#([A-Za-z_][\w-]*)")
# A run of 24 or more characters with no break in it, in the text between two tags (an entity
# such as &amp; ends a run), and the step at which a line may break inside one.
_TEXT = re.compile(r">([^<]+)<")
_LONG_WORD = re.compile(r"[^\s&;<>\u200b/-]{24,}")
WORD_STEP = 8
# CSS variables: a `:root` rule's body, a declaration of one, a use without a fallback value.
_ROOT_RULE = re.compile(r"(?<![\w-]):root\s*\{([^{}]*)\}")
_CUSTOM_PROPERTY = re.compile(r"(--[\w-]+)\s*:")
_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*\)")


def for_print(page: str) -> str:
    """`page` (the annotated note) as the PDF's input."""
    lean = _PLAIN_FIGURE.sub(r"\1", numbers_for_print(_SCREEN_ONLY.sub("", page)))
    # The styles are the same text for every note of a brand: what is read from them is kept.
    css = "\n".join(style for _, style, _ in _STYLE.findall(lean))
    head, separator, body = lean.partition("<body")
    if separator:
        lean = head + separator + _long_words_breakable(_targeted_ids_only(body, css))
    values = _root_variables(css)
    if not values:
        return lean
    return _STYLE.sub(lambda style: style.group(1) + _with_values(style.group(2), values)
                      + style.group(3), lean)


def _long_words_breakable(body: str) -> str:
    """The body's text with a zero-width space every `WORD_STEP` characters of a long word: a
    line may end there, and the space is neither drawn nor read back from the PDF."""
    def breakable(word: re.Match[str]) -> str:
        text = word.group()
        return "\u200b".join(text[i:i + WORD_STEP] for i in range(0, len(text), WORD_STEP))

    return _TEXT.sub(lambda text: ">" + _LONG_WORD.sub(breakable, text.group(1)) + "<", body)


def _targeted_ids_only(body: str, css: str) -> str:
    """The body without the ids nothing in the PDF refers to: kept are the targets of its links
    (a † mark's note) and any id a style could select (`#name` in the page's `css`)."""
    kept = _id_selectors(css) | set(_LINK_TARGET.findall(body))
    return _ID.sub(lambda found: found.group() if found.group(1) in kept else "", body)


@functools.lru_cache(maxsize=8)
def _id_selectors(css: str) -> frozenset[str]:
    return frozenset(_ID_SELECTOR.findall(css))


@functools.lru_cache(maxsize=8)
def _root_variables(css: str) -> tuple[tuple[str, str], ...]:
    """Each CSS variable whose `:root` value holds for every element, and that value: `--name`
    is declared once in `css`, in a `:root` rule, and its value names no other variable. Any
    other (a variable set again lower down) is left to the cascade, as is a use with a fallback
    value."""
    import tinycss2

    declared = Counter(_CUSTOM_PROPERTY.findall(css))
    values: dict[str, str] = {}
    for rule in _ROOT_RULE.finditer(css):
        for node in tinycss2.parse_blocks_contents(rule.group(1), skip_comments=True,
                                                   skip_whitespace=True):
            if isinstance(node, tinycss2.ast.Declaration) and declared[node.name] == 1:
                value = tinycss2.serialize(node.value).strip()
                if value and "var(" not in value.lower() and not node.important:
                    values[node.name] = value
    return tuple(values.items())


@functools.lru_cache(maxsize=32)
def _with_values(style: str, values: tuple[tuple[str, str], ...]) -> str:
    """`style` with each `var(--name)` of `values` written as its value."""
    known = dict(values)
    return _VAR.sub(lambda use: known.get(use.group(1), use.group()), style)
