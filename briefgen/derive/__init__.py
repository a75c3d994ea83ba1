"""Derived figures (beat/miss, growth, USD, capex against plan), number formatting, sentences.

Public: `derive(spec) -> Derived`, `Figure` (one number with its text, sources and derivation)."""

from briefgen.derive.derived import Derived, derive
from briefgen.derive.figures import Figure

__all__ = ["Derived", "Figure", "derive"]
