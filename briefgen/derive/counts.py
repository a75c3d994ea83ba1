"""Counts as the company gives them (cloud regions, availability zones, data centres): a number,
a range or a qualified number, with the date it applies to when that is not the quarter end.

Counts are read from the spec, never computed: a range is printed as a range ("30–32 regions")
and never reduced to its midpoint, so they are words, not derived figures. Every place that
prints a count (sentences, key data, the footprint line, the chart's subtitle, the changes since
the previous note) words it here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.derive import formatting as fmt

if TYPE_CHECKING:
    import datetime as dt

    from briefgen.spec.model import Count, Spec


def count_text(count: Count) -> str:
    """`29`, `1,200`, `30–32`, `more than 100`, `about 30–32`."""
    text = (f"{count.value:,}" if count.value is not None
            else f"{count.low:,}–{count.high:,}")
    return fmt.qualify(text, count.qualifier)


def count_words(count: Count, singular: str, plural: str) -> str:
    """`29 regions`, `1 region`, `30–32 regions`, `more than 100 data centres`."""
    one = count.value == 1 and count.low is None
    return f"{count_text(count)} {singular if one else plural}"


@dataclass(frozen=True)
class Counted:
    """One count of the footprint with the nouns each place uses for it."""

    key: str  # the spec's field: regions, availability_zones, data_centres
    count: Count
    singular: str
    plural: str
    short: str  # the key-data box's word, e.g. "AZs"

    @property
    def as_of(self) -> dt.date | None:
        return self.count.as_of


# (field, singular, plural, short plural), in the order every place prints them.
FOOTPRINT = (("regions", "region", "regions", "regions"),
             ("availability_zones", "availability zone", "availability zones", "AZs"),
             ("data_centres", "data centre", "data centres", "data centres"))


def footprint_counts(spec: Spec) -> list[Counted]:
    """The footprint counts the spec gives, in print order."""
    infra = spec.infrastructure
    if infra is None:
        return []
    found = []
    for key, singular, plural, short in FOOTPRINT:
        count = getattr(infra, key)
        if count is not None:
            found.append(Counted(key, count, singular, plural, short))
    return found


def footprint_phrase(counts: list[Counted], *, short: bool = False, cloud: bool = False,
                     joiner: str = " and ") -> str:
    """`29 regions and 89 availability zones`, `30–32 regions, 90 AZs (as of 2 Sep 2025)`.

    A count dated apart from the quarter end says so: once at the end when every count shares
    the date, else beside each dated count (never one count's date lent to another)."""
    dates = {c.as_of for c in counts}
    shared = dates.pop() if len(dates) == 1 else None
    words = []
    for c in counts:
        plural = c.short if short else c.plural
        singular = c.singular if not short or c.short == c.plural else c.short
        if cloud and c.key == "regions":
            singular, plural = f"cloud {singular}", f"cloud {plural}"
        text = count_words(c.count, singular, plural)
        if c.as_of is not None and shared is None:
            text += f" (as of {fmt.date_short(c.as_of)})"
        words.append(text)
    if len(words) > 1 and joiner == " and ":
        phrase = ", ".join(words[:-1]) + " and " + words[-1]
    else:
        phrase = joiner.join(words)
    if shared is not None:
        phrase += f" (as of {fmt.date_short(shared)})"
    return phrase
