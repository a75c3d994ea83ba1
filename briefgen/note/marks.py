"""How the note marks derived figures: a numbered † after the number and a note saying how it was
computed (from `Figure.derivation`), in table cells, in boxes and in generated sentences alike.

Templates print `Part`s through one macro (templates/partials/macros.html), so a † looks the same
wherever it appears, and spec text in a sentence stays data that Jinja escapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.derive.text import Mention

if TYPE_CHECKING:
    from briefgen.derive.figures import Figure
    from briefgen.derive.text import Sentence


@dataclass(frozen=True)
class Part:
    """One figure in a cell: its text and, when derived, the mark of the note explaining it."""

    text: str
    mark: str | None = None
    tone: str | None = None  # "pos" or "neg" for moves and beats, else None


@dataclass(frozen=True)
class Cell:
    parts: tuple[Part, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.parts


@dataclass(frozen=True)
class Prose:
    """A generated sentence ready to print: plain words, and figures as `Part`s with their marks.

    `str()` is the plain text, unmarked: a user's template written when the standfirst was a
    string (`<meta content="{{ note.standfirst }}">`) still gets words, never markup."""

    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts)

    def __str__(self) -> str:
        return self.text


class Numbering:
    """One numbering of the derived figures of a whole note: a figure has one mark wherever it
    is printed (the "+7.6 pp" of the takeaways is the "+7.6 pp" of the key-data box)."""

    def __init__(self) -> None:
        self._given: dict[Figure, str] = {}

    def mark(self, figure: Figure) -> str:
        if figure not in self._given:
            self._given[figure] = f"†{len(self._given) + 1}"
        return self._given[figure]


class Marks:
    """The derived figures of one block (a table, a box, the takeaways): each gets its mark from
    the note's `Numbering`, and the block lists a note saying how, once per figure, under itself
    (so the explanation stays beside the number, and each mark links to the note of its block).
    Without a numbering the block numbers its own figures from †1."""

    def __init__(self, numbering: Numbering | None = None) -> None:
        self.notes: list[tuple[str | None, str]] = []  # (mark or None, text), in order
        self.sources: list[str] = []  # every source of every figure, for the source line
        self.numbering = numbering or Numbering()
        # A figure said twice (the standfirst repeats the lead takeaway) has its note once.
        self._listed: set[Figure] = set()

    @property
    def count(self) -> int:
        """How many derived figures this block lists a note for."""
        return len(self._listed)

    def mark(self, figure: Figure) -> str | None:
        """The mark of a derived figure, noting how it was made on its first sight in this
        block; None for a reported figure."""
        if figure.derivation is None:
            return None
        mark = self.numbering.mark(figure)
        if figure not in self._listed:
            self._listed.add(figure)
            self.notes.append((mark, f"Derived: {figure.derivation}."))
        return mark

    def part(self, figure: Figure | None, *, tone: bool = False, suffix: str = "") -> Part | None:
        if figure is None:
            return None
        self.sources.extend(figure.sources)
        shade = None
        if tone and figure.value:
            shade = "pos" if figure.value > 0 else "neg"
        return Part(figure.text + suffix, self.mark(figure), shade)

    def cell(self, *figures: Figure | None, tone: bool = False, suffixes: tuple[str, ...] = ()
             ) -> Cell:
        parts = (self.part(f, tone=tone, suffix=suffixes[i] if i < len(suffixes) else "")
                 for i, f in enumerate(figures))
        return Cell(tuple(p for p in parts if p is not None))

    def prose(self, sentence: Sentence) -> Prose:
        """A sentence with its derived numbers marked; each number as the sentence words it."""
        parts = (Part(run.text, self.mark(run.figure)) if isinstance(run, Mention) else Part(run)
                 for run in sentence.runs)
        return Prose(tuple(parts))


def text_cell(text: str | None) -> Cell:
    return Cell((Part(text),)) if text else Cell()
