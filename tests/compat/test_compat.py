"""Specs that validated before the model learned to state facts as sources state them still do.

tests/fixtures/compat/ holds the two samples exactly as they were before issue 13's changes; a
superseded form in them may warn (with the new form as the hint) but never fail to validate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.spec.load import load_spec

COMPAT = Path(__file__).resolve().parent.parent / "fixtures" / "compat"


@pytest.mark.parametrize("name", ["baba.yaml", "baba-2025q3.yaml"])
def test_a_spec_valid_before_still_validates(name: str) -> None:
    loaded = load_spec(COMPAT / name)
    assert loaded.spec.segments
    for warning in loaded.warnings:  # a superseded form says what to write instead
        assert warning.hint, warning
