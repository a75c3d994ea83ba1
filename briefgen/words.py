"""How briefgen words counts, in every stage and command alike: "1 spec", "2 specs"."""

from __future__ import annotations


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`count(1, "spec")` -> "1 spec"; `count(2, "spec")` -> "2 specs"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
