"""Whether a table's row labels fit their column on paper without a break inside a word.

A row label (`table.data tbody th`) may break anywhere, even inside a word, so that a label with
one very long word ("Consolidated-Hyperscale-Infrastructure-Services", a URL) wraps instead of
pushing its table past the margin. For WeasyPrint that costs: to find the column's narrowest
width it lays the label out a character at a time (measured: 5% of its time on the sample note).
Where no word of any label is wider than the column's minimum width anyway, breaking inside a
word changes nothing on the page; such a table gets the class `labels-fit`, and note.css lets
its labels break between words only, on paper.
"""

from __future__ import annotations

from collections.abc import Iterable

# Advance widths of Inter SemiBold (row labels are set at weight 600) for printable ASCII and the
# space, in hundredths of an em, from the font's hmtx table (tests/note/test_labels.py checks them
# against the file). Kerning only narrows a word, so it is left out.
_ASCII = (" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
          "abcdefghijklmnopqrstuvwxyz{|}~")
_ADVANCES = (25, 31, 40, 64, 65, 84, 66, 21, 39, 39, 54, 67, 30, 47, 29, 38, 67, 48, 62, 65, 67,
             63, 65, 59, 65, 65, 29, 30, 67, 67, 67, 54, 100, 72, 66, 74, 72, 61, 59, 75, 74, 27,
             56, 68, 57, 91, 74, 77, 64, 78, 65, 65, 66, 73, 72, 101, 69, 70, 65, 39, 38, 39, 48,
             47, 50, 57, 63, 58, 63, 59, 38, 63, 61, 26, 26, 57, 26, 90, 61, 61, 62, 62, 40, 55,
             38, 61, 58, 84, 56, 58, 56, 39, 36, 39, 67)
ADVANCE = dict(zip(_ASCII, _ADVANCES, strict=True))
# Any other character (an accented letter, a CJK ideograph) counts as wide as the widest letter.
_OTHER = 101
# note.css: a row label's `min-width: 8rem`, at the table's 8pt over the page's 8.6pt rem, is
# 8.6 em; a brand's font may run up to a third wider than Inter, hence the margin.
FITS_EM = 8.6 / 1.35


def widest_word_em(text: str) -> float:
    """The width in em of `text`'s widest word (split at white space only: a hyphen or slash
    may break too, so this never underestimates)."""
    return max((sum(ADVANCE.get(ch, _OTHER) for ch in word) / 100 for word in text.split()),
               default=0.0)


def labels_fit(labels: Iterable[str]) -> bool:
    """Whether no word of any label is wider than a row label's column can be made."""
    return all(widest_word_em(label) <= FITS_EM for label in labels)
