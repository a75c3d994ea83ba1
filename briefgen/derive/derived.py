"""`derive(spec)`: a quarter's figures and the words made from them, the one input of the note,
its charts and its email. Figures first (`figures`), then the sentences built from them
(`sentences`), so no sentence is ever a placeholder and no figure depends on its wording."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.derive import sentences
from briefgen.derive.quarter import QuarterFigures, quarter_figures
from briefgen.derive.text import Sentence

if TYPE_CHECKING:
    from briefgen.spec.model import Spec


@dataclass
class Derived(QuarterFigures):
    """Every figure of the quarter, and the sentences, key data and email subject made from them."""

    standfirst: Sentence
    takeaways: list[Sentence]
    key_data: list[tuple[str, Sentence]]  # (label, value): a value keeps the figure it prints
    subject: str


def derive(spec: Spec) -> Derived:
    """All derived figures and generated sentences for one spec."""
    figures = quarter_figures(spec)
    numbers = {field.name: getattr(figures, field.name) for field in dataclasses.fields(figures)}
    return Derived(
        **numbers,
        standfirst=sentences.standfirst(spec, figures),
        takeaways=sentences.takeaways(spec, figures),
        key_data=sentences.key_data(spec, figures),
        subject=sentences.subject(spec, figures),
    )
