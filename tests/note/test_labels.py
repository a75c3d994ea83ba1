"""Row labels that fit their column on paper: measured in Inter SemiBold's own widths."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from briefgen.note.labels import ADVANCE, FITS_EM, labels_fit, widest_word_em
from briefgen.note.webfonts import FONT_DIR


def test_the_advance_widths_are_inter_semibolds() -> None:
    font = TTFont(FONT_DIR / "Inter-SemiBold.otf", lazy=True)
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    units = font["head"].unitsPerEm
    assert {ch: round(metrics[cmap[ord(ch)]][0] * 100 / units) for ch in ADVANCE} == ADVANCE


@pytest.mark.parametrize(("labels", "fit"), [
    (["Cloud Intelligence Group", "Taobao and Tmall Group"], True),
    (["Implied yearly pace", "HKEX: 9988"], True),
    ([], True),
    (["Consolidated-Hyperscale-Infrastructure-Services"], False),  # one word to a line breaker
    (["Revenue", "https://example.com/investor-relations/q3"], False),
    (["星云科技集团智能云业务"], False),  # no spaces: as wide as its characters
    (["WWWWWWW"], False),  # seven of the widest letter: wider than the margin allows
    (["Déjà-vu-Überraschung"], False),
])
def test_labels_fit(labels: list[str], fit: bool) -> None:
    assert labels_fit(labels) is fit


def test_a_word_is_measured_whole_and_other_characters_count_wide() -> None:
    assert widest_word_em("a bb") == pytest.approx(2 * ADVANCE["b"] / 100)
    assert widest_word_em("é") > max(ADVANCE.values()) / 100 - 0.01
    assert widest_word_em("   ") == 0.0
    assert FITS_EM < 8.6  # a margin under the 8rem minimum, for a brand's wider font

