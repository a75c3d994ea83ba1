"""A generated sentence whose numbers keep their figures: runs of plain words and `Mention`s.

The note marks a derived number with † in a sentence just as its tables do (`note.marks`), and the
email's plain text can too, without finding numbers again by their text (a sentence words `+7.6 pp`
as `7.6 pp above`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefgen.derive.figures import Figure

DERIVED_MARK = "†"


@dataclass(frozen=True)
class Mention:
    """A number as a sentence words it, and the figure it comes from."""

    text: str
    figure: Figure


Run = str | Mention


@dataclass(frozen=True)
class Sentence:
    """Words and numbers in reading order; `str()` is the plain text, unmarked."""

    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(run if isinstance(run, str) else run.text for run in self.runs)

    def __str__(self) -> str:
        return self.text

    @property
    def derived(self) -> tuple[Figure, ...]:
        """The derived figures it mentions, in reading order."""
        return tuple(run.figure for run in self.runs
                     if isinstance(run, Mention) and run.figure.derived)

    def marked(self, mark: str = DERIVED_MARK) -> str:
        """Plain text with `mark` after each derived number (`7.6 pp† above`)."""
        return "".join(run if isinstance(run, str) else
                       run.text + (mark if run.figure.derived else "") for run in self.runs)


def sentence(*runs: Run | None) -> Sentence:
    """A sentence from runs, skipping `None` and joining neighbouring words into one run."""
    merged: list[Run] = []
    for run in runs:
        if run is None or run == "":
            continue
        if isinstance(run, str) and merged and isinstance(merged[-1], str):
            merged[-1] += run
        else:
            merged.append(run)
    return Sentence(tuple(merged))


def said(figure: Figure, wording: Callable[[str], str] | str | None = None) -> Mention:
    """`figure` in a sentence, as it reads (`figure.text`) or reworded (`7.6 pp` for `+7.6 pp`)."""
    if wording is None:
        return Mention(figure.text, figure)
    return Mention(wording if isinstance(wording, str) else wording(figure.text), figure)
