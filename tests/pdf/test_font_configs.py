"""The PDF stage keeps a WeasyPrint FontConfiguration per set of @font-face rules, but only a few:
a preview session whose brand keeps changing its fonts must not hold every set it ever had, each
with its own copy of the fonts on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.pdf import weasy


@pytest.fixture
def fresh_fonts() -> Iterator[None]:
    weasy.release_fonts()
    yield
    weasy.release_fonts()


def _page(name: str) -> str:
    return (f'<style>@font-face {{ font-family: "{name}"; src: url("{name}.otf"); }}</style>'
            f"<p>{name}</p>")


def test_only_the_recently_used_font_sets_are_kept(tmp_path: Path, fresh_fonts: None) -> None:
    folders = {}
    for name in ("Alpha", "Beta", "Gamma", "Delta"):
        config = weasy._font_config(_page(name))
        folder = tmp_path / name
        folder.mkdir()
        config._folder = str(folder)  # where WeasyPrint would have copied the fonts
        folders[name] = folder
    assert weasy._font_config(_page("Alpha")) is weasy._font_config(_page("Alpha"))  # reused
    weasy._font_config(_page("Epsilon"))  # one set too many: the least recently used goes
    weasy._font_config(_page("Zeta"))

    assert len(weasy._FONT_CONFIGS) == weasy._FONT_CONFIGS_KEPT == 4
    assert not folders["Beta"].exists() and not folders["Gamma"].exists()
    assert folders["Alpha"].exists() and folders["Delta"].exists()


def test_a_forgotten_font_set_takes_its_parsed_sheets_along(fresh_fonts: None) -> None:
    first = weasy._font_config(_page("Alpha"))
    weasy._SHEETS[("p { color: red }", "")] = (first, object())
    for name in ("Beta", "Gamma", "Delta", "Epsilon"):
        weasy._font_config(_page(name))
    assert ("p { color: red }", "") not in weasy._SHEETS
    assert first not in weasy._FONT_CONFIGS.values()
