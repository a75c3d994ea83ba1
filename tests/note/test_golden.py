"""Both sample notes against their golden HTML (regenerate: `make golden`)."""

from __future__ import annotations

import pytest

from tests.helpers.golden import SAMPLES, difference, golden_path, normalise


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_html_matches_golden(name: str) -> None:
    assert golden_path(name).is_file(), "run: python -m tests.helpers.golden --regenerate"
    diff = difference(name)
    assert diff is None, f"{name} differs from its golden file:\n{diff}\n" \
                         "If the change is intended: python -m tests.helpers.golden --regenerate"


def test_normalising_ignores_whitespace_but_not_content() -> None:
    a = normalise("<p class='x'  id=y>Some   text\n here</p>")
    assert a == normalise('<p id="y" class="x">Some text here</p>')
    assert a != normalise('<p id="y" class="x">Some text there</p>')
