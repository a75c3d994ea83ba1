"""Chart text drawn a run at a time (`briefgen.pdf.svgtext`): installed on the pinned WeasyPrint,
one text object per label, and every word where WeasyPrint's own drawer puts it.

Each test here fails with the patch turned off (`svgtext.uninstall()` and a no-op `install`), or
with the labels moved: the positions are compared with WeasyPrint's own drawing of the same SVG.
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.pdf import svgtext
from briefgen.pdf.weasy import html_to_pdf
from tests.helpers.golden import rendered
from tests.helpers.patches import unpatched

pypdf = pytest.importorskip("pypdf")

ONE_LABEL = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 60">'
             '<text x="4" y="20">Revenue by quarter</text></svg>')
# A word box from `pdftotext -bbox`: text, xMin, yMin, xMax, yMax (points).
Word = tuple[str, float, float, float, float]
# Pango kerns a run; letter by letter it cannot: in Inter (the only font a page without
# @font-face rules gets, now that the PDF never sees the host's fonts) the words of the sample
# charts start up to ~1.0 pt apart (in the host's DejaVu Sans it was ~0.4 pt) and a long word
# ends up to ~4% shorter; a label moved by a few SVG units is several points away.
TOLERANCE_PT = 1.5


@pytest.fixture
def weasyprints_own_drawer() -> Iterator[None]:
    with unpatched(svgtext):
        yield


def _pdf(svg: str) -> bytes:
    return html_to_pdf('<img src="briefgen-chart:c" style="width: 16cm">', base_dir=Path.cwd(),
                       allowed_roots=[], charts={"briefgen-chart:c": svg}, variant="none")[0]


def _text_runs(pdf: bytes) -> int:
    """How many text-showing operators page 1 has (one per label, or one per letter)."""
    content = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()
    return len(re.findall(rb"\]\s*TJ|\)\s*Tj|>\s*Tj", content))


def _words(pdf: bytes, tmp_path: Path) -> list[Word]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    found = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout
    pattern = (r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
               r"([^<]*)</word>")
    return [(text, float(x0), float(y0), float(x1), float(y1))
            for x0, y0, x1, y1, text in re.findall(pattern, found)]


def test_installed_on_the_pinned_weasyprint() -> None:
    import weasyprint
    import weasyprint.svg

    html_to_pdf("<p>x</p>", base_dir=Path.cwd(), allowed_roots=[])
    # pyproject pins this version: a bump must be checked against the drawer (and these tests).
    assert weasyprint.__version__ == svgtext.WEASYPRINT_VERSION
    assert svgtext.installed()
    assert weasyprint.svg.TAGS["text"] is weasyprint.svg.text is not svgtext._original


def test_a_label_is_one_text_run() -> None:
    pdf = _pdf(ONE_LABEL)
    assert _text_runs(pdf) == 1  # WeasyPrint's own drawer: one per letter (16)
    assert "Revenue by quarter" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_without_the_patch_a_label_is_drawn_letter_by_letter(
    weasyprints_own_drawer: None,
) -> None:
    # The other side of the test above: what the patch saves, and proof the fixture works.
    assert not svgtext.installed()
    assert _text_runs(_pdf(ONE_LABEL)) == len("Revenuebyquarter")


def _chart_words(tmp_path: Path) -> list[list[Word]]:
    return [_words(_pdf(chart.svg), tmp_path) for chart in rendered("baba").charts]


def test_chart_text_lands_where_weasyprints_own_drawer_puts_it(tmp_path: Path) -> None:
    ours = _chart_words(tmp_path)
    with unpatched(svgtext):
        theirs = _chart_words(tmp_path)
    assert len(ours) == len(rendered("baba").charts) >= 3
    for chart_ours, chart_theirs in zip(ours, theirs, strict=True):
        assert [w[0] for w in chart_ours] == [w[0] for w in chart_theirs]
        assert len(chart_ours) > 10
        for mine, own in zip(chart_ours, chart_theirs, strict=True):
            where = f"{mine[0]!r}: {mine[1:]} vs WeasyPrint's {own[1:]}"
            start = max(abs(mine[i] - own[i]) for i in (1, 2, 4))  # left, top, bottom
            assert start <= TOLERANCE_PT, where
            # Kerning shortens a long word a little: its right edge may differ by a few %.
            assert abs(mine[3] - own[3]) <= max(TOLERANCE_PT, 0.06 * (own[3] - own[1])), where


def test_text_positioned_letter_by_letter_goes_to_weasyprints_drawer(tmp_path: Path) -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 60">'
           '<text x="10 60 110" y="20">ABC</text></svg>')
    pdf = _pdf(svg)
    assert _text_runs(pdf) == 3
    letters = _words(pdf, tmp_path)
    assert [w[0] for w in letters] == ["A", "B", "C"]
    # 50 SVG units apart, whatever the scale: equal gaps between the letters' left edges.
    gaps = [b[1] - a[1] for a, b in itertools.pairwise(letters)]
    assert gaps[0] > 20 and abs(gaps[0] - gaps[1]) <= TOLERANCE_PT


def test_same_bytes_twice() -> None:
    assert _pdf(ONE_LABEL) == _pdf(ONE_LABEL)
