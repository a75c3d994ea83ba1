"""The host's fonts are never used: a spec with Chinese text and no fallback face declared
renders without a single host glyph although fonts-noto-cjk is installed (the characters are
boxes, and validate names each string's line and column, see tests/spec/test_glyphs.py), in the
PDF (fontconfig sees only the bundled fonts) and in the charts (matplotlib's font list holds
only ours and its own); and with the lockout undone, the same render does reach the host's
font, so the test can tell."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.build.pipeline import RenderedBrief, render_brief
from briefgen.pdf import fontconfig, weasy
from tests.helpers.fonts import BUNDLED, NOTO_CJK, pdf_fonts
from tests.spec.test_glyphs import SPEC

pytestmark = pytest.mark.skipif(not NOTO_CJK.exists(),
                                reason="needs Debian's fonts-noto-cjk (.ci/run installs it)")


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "nebula.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture
def fresh_fonts() -> Iterator[None]:
    """WeasyPrint font configurations made for this test only (each reads fontconfig's
    configuration when made, so one kept from an earlier test would hide what this one sets)."""
    weasy.release_fonts()
    yield
    weasy.release_fonts()


def _render(spec: Path) -> RenderedBrief:
    return render_brief(spec)  # in this process: the lockout applies here as in the printer


def test_no_host_font_reaches_the_pdf(spec: Path, fresh_fonts: None) -> None:
    brief = _render(spec)
    assert pdf_fonts(brief.files["brief.pdf"]) <= BUNDLED
    assert any(".notdef glyph rendered" in w and "星" in w for w in brief.warnings)


def test_without_the_lockout_the_host_font_would_be_used(
        spec: Path, fresh_fonts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # The other side of the test above: what the lockout prevents, and proof it can be seen.
    monkeypatch.setattr(fontconfig, "only_our_fonts", contextlib.nullcontext)
    fonts = pdf_fonts(_render(spec).files["brief.pdf"])
    assert any(name.startswith("Noto-Sans-CJK") for name in fonts), fonts


def test_the_fontconfig_lockout_lists_only_the_bundled_folder() -> None:
    text = fontconfig.config_file().read_text(encoding="utf-8")
    assert text.count("<dir>") == 1 and f"<dir>{fontconfig.FONT_DIR}</dir>" in text
    assert "<include" not in text and "<cachedir" not in text
    before = os.environ.get("FONTCONFIG_FILE")
    with fontconfig.only_our_fonts():
        assert Path(os.environ["FONTCONFIG_FILE"]) == fontconfig.config_file()
    assert os.environ.get("FONTCONFIG_FILE") == before  # restored: a browser sees the fonts


def test_charts_never_draw_with_a_host_font() -> None:
    import matplotlib
    from matplotlib import font_manager

    from briefgen.brand.model import Brand
    from briefgen.charts.style import font_families, style_for, styled

    # A brand naming an installed family without giving its files: the charts use Inter.
    style = style_for(Brand(font_family="Noto Sans CJK SC"))
    assert font_families(style) == ("Inter",)
    host = {Path(path).resolve() for path in font_manager.findSystemFonts()}
    assert NOTO_CJK in host  # what matplotlib would list, on this machine
    with styled(style, "test"):
        listed = {Path(entry.fname).resolve() for entry in font_manager.fontManager.ttflist}
        found = Path(font_manager.findfont(font_manager.FontProperties(
            family=["Noto Sans CJK SC"]), fallback_to_default=True))
    assert listed and not listed & host
    assert Path(matplotlib.get_data_path()).resolve() in found.resolve().parents
