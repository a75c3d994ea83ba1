"""What changed between two notes on one company: the previous quarter's and this one's.

Each change is one fact as the two notes state it, old -> new, with the change in the unit a
reader expects: percentage points between two rates (this quarter's y/y growth against last
quarter's y/y growth, never a rate against an amount), an amount and a percentage between two sums
of money, a difference between two counts. A plan whose total moves is a revision of the plan; a
fact the new note does not give is said to be not given, not to have vanished.

Ranking (one rule, here): every change gets a weight from what it is about, listed in `WEIGHTS`,
plus its size, capped, so that a larger move of the same kind ranks higher. The page-1 box shows
the first few by that rank; the revisions table shows them all, in group order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from briefgen.derive import formatting as fmt
from briefgen.derive.capex import CapexFigures
from briefgen.derive.counts import count_text
from briefgen.derive.derived import Derived
from briefgen.derive.figures import (
    Figure,
    SegmentFigures,
    bound,
    change,
    computed,
    gap_points,
)
from briefgen.spec.model import UNIT_FACTORS, Count, Money, PriceTarget, Qualifier, Spec, Unit

if TYPE_CHECKING:
    from briefgen.spec.load import LoadedSpec

Kind = Literal["changed", "revised", "added", "removed", "not given", "newly given"]

GROUPS = (
    "Headline figures",
    "Consensus and the gap to it",
    "Guidance and capex",
    "Footprint and data centres",
    "Rating and target",
    "Market reaction",
    "Analyst views",
    "Risks",
    "Highlights",
)

# What a change is about -> its weight in the ranking (the size of the move is added, capped).
WEIGHTS = {
    "rating": 100.0,
    "verdict": 95.0,  # beat turned miss, or the other way round
    "plan": 90.0,  # the capex plan's total revised
    "target": 85.0,
    "headline growth": 70.0,
    "headline gap": 60.0,
    "outlook": 55.0,
    "headline revenue": 50.0,
    "growth": 40.0,
    "gap": 35.0,
    "revenue": 30.0,
    "capex": 30.0,
    "footprint": 28.0,
    "consensus": 26.0,
    "risk added": 25.0,
    "view": 20.0,
    "move": 18.0,
    "risk removed": 15.0,
    "newly given": 22.0,  # a figure the previous note did not give: new, not a change
    "highlight": 12.0,
    "wording": 8.0,
    "not given": 2.0,
}
SIZE_CAP = 20.0
BOX_MIN_WEIGHT = 20.0  # below this a change is for the table, never the page-1 box
BOX_SIZE = (3, 5)


@dataclass(frozen=True)
class Change:
    group: str
    label: str
    kind: Kind
    old: str | None  # as the previous note stated it
    new: str | None
    delta: Figure | None = None  # the change, in its unit, with how it was computed
    about: str = "wording"  # the key of its weight in WEIGHTS
    size: float = 0.0  # how large the move was, in its unit (pp, %, count)
    old_figure: Figure | None = None
    new_figure: Figure | None = None

    @property
    def score(self) -> float:
        return WEIGHTS[self.about] + min(abs(self.size), SIZE_CAP)

    @property
    def summary(self) -> str:
        """One line: `Cloud Intelligence Group growth y/y: +26% → +34% (+8.0 pp)`."""
        if self.kind in ("added", "removed"):
            return f"{self.label}: {self.kind}"
        text = f"{self.label}: {self.old or 'not given'} → {self.new or 'not given'}"
        return text + (f" ({self.delta.text})" if self.delta else "")


@dataclass
class Changes:
    """Every change between the previous note and this one, in group order."""

    old_date: str  # the previous note's date, as the note prints dates
    old_period: str
    new_period: str
    old_path: str
    items: list[Change] = field(default_factory=list)
    previous: LoadedSpec | None = None  # the previous note's spec, for provenance

    def ranked(self) -> list[Change]:
        order = {id(c): i for i, c in enumerate(self.items)}
        return sorted(self.items, key=lambda c: (-c.score, order[id(c)]))

    def top(self) -> list[Change]:
        """The page-1 box: the highest-ranked changes of weight, three to five of them."""
        ranked = self.ranked()
        weighty = [c for c in ranked if WEIGHTS[c.about] >= BOX_MIN_WEIGHT]
        low, high = BOX_SIZE
        return weighty[:high] if len(weighty) >= low else ranked[:min(low, len(ranked))]

    def as_json(self) -> dict[str, object]:
        return {
            "previous": {"spec": self.old_path, "date": self.old_date,
                         "period": self.old_period},
            "period": self.new_period,
            "changes": [
                {"group": c.group, "label": c.label, "kind": c.kind, "old": c.old,
                 "new": c.new, "change": c.delta.text if c.delta else None,
                 "change_value": round(c.delta.value, 6) if c.delta else None,
                 "how": c.delta.derivation if c.delta else None,
                 "rank": rank, "score": round(c.score, 3)}
                for rank, c in sorted(((self.ranked().index(c) + 1, c) for c in self.items),
                                      key=lambda pair: self.items.index(pair[1]))
            ],
        }


def signed_money(amount: float, currency: str) -> str:
    """`+RMB 6.4bn`, `−USD 120m`: a difference of two sums, with its sign."""
    sign = "+" if amount > 0 else "−" if amount < 0 else ""
    return sign + fmt.money(abs(amount), Unit.ones, currency)


def money_change(old: Figure, new: Figure, currency: str) -> Figure | None:
    """`+RMB 6.40bn, +19.2%`: the amount and, when the old one is not zero, the percentage;
    None where hedged figures give no honest difference (`bound`)."""
    diff = new.value - old.value
    hedge = bound(new, old)
    if hedge is None:
        return None
    pct = change(new, old)  # None when the old one is zero (or the ratio overflows)
    if pct is None:
        return computed(diff, signed_money(diff, currency), (new, old),
                        f"{new.text} − {old.text}", "the change since the previous note", hedge)
    amount = fmt.qualify(signed_money(diff, currency), hedge)
    both = computed(pct.value, f"{amount}, {pct.text}", (new, old), str(pct.derivation),
                    f"the change since the previous note ({new.text} − {old.text} = {amount})")
    return replace(both, qualifier=hedge)  # each half says its hedge already


def rate_change(old: Figure, new: Figure) -> Figure | None:
    """Two rates: the change in percentage points (`+8.0 pp`)."""
    return gap_points(new, old, "the change since the previous note")


def count_change(old: Figure, new: Figure) -> Figure | None:
    diff = new.value - old.value
    hedge = bound(new, old)
    if hedge is None:
        return None
    return computed(diff, f"{diff:+,.0f}".replace("-", "−"), (new, old),
                    f"{new.text} − {old.text}", "the change since the previous note", hedge)


class _Collector:
    def __init__(self) -> None:
        self.items: list[Change] = []

    def figure(self, group: str, label: str, old: Figure | None, new: Figure | None,
               unit: Literal["money", "rate", "count"], about: str, *, currency: str = "",
               revised: bool = False) -> None:
        """One figure in both notes: changed (with its delta), given in one only, or unchanged."""
        if old is None and new is None:
            return
        if old is None or new is None:
            kind: Kind = "not given" if new is None else "newly given"
            self.items.append(Change(group, label, kind, _text(old, None), _text(new, None),
                                     about=kind,
                                     old_figure=old, new_figure=new))
            return
        if old.text == new.text and abs(old.value - new.value) < 1e-9:
            return
        if unit == "money":
            delta = money_change(old, new, currency)
        elif unit == "rate":
            delta = rate_change(old, new)
        else:
            delta = count_change(old, new)
        self.items.append(Change(group, label, "revised" if revised else "changed", old.text,
                                 new.text, delta, about, delta.value if delta else 0.0, old,
                                 new))

    def text(self, group: str, label: str, old: str | None, new: str | None, about: str) -> None:
        if (old or None) == (new or None):
            return
        kind: Kind = "changed" if old and new else "not given" if old else "newly given"
        self.items.append(Change(group, label, kind, old, new,
                                 about="not given" if kind == "not given" else about))

    def members(self, group: str, noun: str, old: Iterable[str], new: Iterable[str],
                added: str, removed: str) -> None:
        """Named things (risks, views) added to or dropped from the list."""
        before, after = list(dict.fromkeys(old)), list(dict.fromkeys(new))
        for name in after:
            if name not in before:
                self.items.append(Change(group, f"{noun}: {name}", "added", None, name,
                                         about=added))
        for name in before:
            if name not in after:
                self.items.append(Change(group, f"{noun}: {name}", "removed", name, None,
                                         about=removed))


def compare(old_spec: Spec, old: Derived, new_spec: Spec, new: Derived,
            old_path: str = "") -> Changes:
    """Every change of substance from the previous note (`old_*`) to this one (`new_*`)."""
    out = _Collector()
    _segments(out, old_spec, old, new_spec, new)
    _capex(out, old_spec, old.capex, new_spec, new.capex)
    _footprint(out, old_spec, new_spec)
    _rating(out, old_spec, new_spec)
    _moves(out, old, new)
    views = "Analyst views"
    out.members(views, "View", (f"{v.name} ({v.firm})" for v in old_spec.analyst_views),
                (f"{v.name} ({v.firm})" for v in new_spec.analyst_views), "view", "view")
    old_stance = {(v.name, v.firm): v.stance for v in old_spec.analyst_views}
    for view in new_spec.analyst_views:
        before = old_stance.get((view.name, view.firm))
        if before and view.stance and before != view.stance:
            out.text(views, f"{view.name} ({view.firm}) stance", before, view.stance, "view")
    out.members("Risks", "Risk", (r.title for r in old_spec.risks),
                (r.title for r in new_spec.risks), "risk added", "risk removed")
    out.members("Highlights", "Highlight", (h.title for h in old_spec.highlights),
                (h.title for h in new_spec.highlights), "highlight", "highlight")
    order = {group: i for i, group in enumerate(GROUPS)}
    out.items.sort(key=lambda c: order[c.group])  # stable: within a group, reading order
    return Changes(fmt.date_long(old_spec.brief.date), old_spec.period.fiscal_label,
                   new_spec.period.fiscal_label, old_path, out.items)


def _pair_segments(old_spec: Spec, old: Derived, new_spec: Spec, new: Derived
                   ) -> list[tuple[SegmentFigures | None, SegmentFigures | None, bool, str]]:
    """Segments matched by name (or short name), the headline segment matched to the headline."""
    def keys(spec: Spec, index: int) -> set[str]:
        seg = spec.segments[index]
        return {k.lower() for k in (seg.name, seg.short_name) if k}

    pairs: list[tuple[SegmentFigures | None, SegmentFigures | None, bool, str]] = []
    used: set[int] = set()
    for j, seg in enumerate(new.segments):
        match = next((i for i in range(len(old.segments)) if i not in used
                      and keys(old_spec, i) & keys(new_spec, j)), None)
        if match is None and new_spec.segments[j] is new_spec.headline_segment:
            headline = old_spec.segments.index(old_spec.headline_segment)
            match = headline if headline not in used else None
        if match is not None:
            used.add(match)
        pairs.append((old.segments[match] if match is not None else None, seg,
                      new_spec.segments[j] is new_spec.headline_segment, seg.name))
    pairs += [(old.segments[i], None, False, old.segments[i].name)
              for i in range(len(old.segments)) if i not in used]
    return pairs


def _segments(out: _Collector, old_spec: Spec, old: Derived, new_spec: Spec,
              new: Derived) -> None:
    heads, gaps = "Headline figures", "Consensus and the gap to it"
    currency = {s.name: s.revenue.currency for s in [*old_spec.segments, *new_spec.segments]}
    for b, a, headline, name in _pair_segments(old_spec, old, new_spec, new):
        cur = currency[name]

        def both(attr: str, seg_b: SegmentFigures | None = b, seg_a: SegmentFigures | None = a
                 ) -> tuple[Figure | None, Figure | None]:
            return _attr(seg_b, attr), _attr(seg_a, attr)

        same_currency = (b is None or a is None
                         or currency.get(b.name) == currency.get(a.name))
        lead = "headline " if headline else ""
        if same_currency:
            out.figure(heads, f"{name} revenue", *both("revenue"), "money",
                       f"{lead}revenue", currency=cur)
        out.figure(heads, f"{name} growth y/y", *both("growth_yoy"), "rate", f"{lead}growth")
        out.figure(gaps, f"{name} consensus growth y/y", *both("consensus_growth"), "rate",
                   "consensus")
        if same_currency:
            out.figure(gaps, f"{name} consensus revenue", *both("consensus_revenue"), "money",
                       "consensus", currency=cur)
        out.figure(gaps, f"{name} growth against consensus", *both("beat_pp"), "rate",
                   f"{lead}gap")
        out.figure(gaps, f"{name} revenue against consensus", *both("beat_pct"), "rate",
                   f"{lead}gap")
        if b and a and b.verdict and a.verdict and b.verdict != a.verdict:
            out.text(gaps, f"{name} against consensus", b.verdict, a.verdict,
                     "verdict" if headline else "gap")


def _attr(owner: object, attr: str) -> Figure | None:
    value = getattr(owner, attr, None) if owner is not None else None
    return value if isinstance(value, Figure) else None


def _capex(out: _Collector, old_spec: Spec, old: CapexFigures | None, new_spec: Spec,
           new: CapexFigures | None) -> None:
    group = "Guidance and capex"
    if old is None and new is None:
        return
    if old is None or new is None:
        out.figure(group, "Capex plan", old.guidance if old else None,
                   new.guidance if new else None, "money", "plan")
        return
    assert old_spec.capex is not None and new_spec.capex is not None
    before, after = old_spec.capex.plan, new_spec.capex.plan
    currency = after.amount.currency if after else before.amount.currency if before else ""
    if before is None or after is None or old.guidance is None or new.guidance is None:
        out.text(group, "Capex plan", old.guidance.text if old.guidance else None,
                 new.guidance.text if new.guidance else None, "plan")
    elif _same_money(before.amount, after.amount):
        pass
    elif (before.amount.currency == currency and not old.guidance.is_range
          and not new.guidance.is_range):
        out.figure(group, f"Capex plan {new.guidance_words()}", old.guidance,
                   new.guidance, "money", "plan", currency=currency, revised=True)
    else:  # another currency, or a range: said in words, never reduced to a midpoint
        out.text(group, "Capex plan", old.guidance.text, new.guidance.text, "plan")
    if old.years != new.years:
        out.text(group, "Capex plan horizon", old.guidance_words() or None,
                 new.guidance_words() or None, "plan")
    out.figure(group, "Invested, past four quarters", old.invested_trailing_4q,
               new.invested_trailing_4q, "money", "capex", currency=currency)
    out.figure(group, "Invested / yearly pace", old.trailing_vs_pace, new.trailing_vs_pace,
               "rate", "capex")
    out.figure(group, "Invested since the plan began", old.invested_to_date,
               new.invested_to_date, "money", "capex", currency=currency)
    out.figure(group, "Invested / plan", old.share_of_plan, new.share_of_plan, "rate", "capex")
    out.text(group, "Outlook", old.outlook, new.outlook, "outlook")
    out.text(group, "Plan scope", old.scope, new.scope, "wording")


def _same_money(a: Money, b: Money) -> bool:
    """The same amount, range and qualifier (a range compares its ends, never a midpoint)."""
    ends_a = [x * UNIT_FACTORS[a.unit] if x is not None else None for x in (a.value, a.low, a.high)]
    ends_b = [x * UNIT_FACTORS[b.unit] if x is not None else None for x in (b.value, b.low, b.high)]
    return (a.currency == b.currency and a.qualifier == b.qualifier
            and all((x is None and y is None) or (x is not None and y is not None
                                                  and abs(x - y) < 1e-6)
                    for x, y in zip(ends_a, ends_b, strict=True)))


def _footprint(out: _Collector, old_spec: Spec, new_spec: Spec) -> None:
    group = "Footprint and data centres"
    before, after = old_spec.infrastructure, new_spec.infrastructure
    for label, attr in (("Cloud regions", "regions"), ("Availability zones",
                                                        "availability_zones"),
                        ("Data centres", "data_centres")):
        b = getattr(before, attr, None) if before else None
        a = getattr(after, attr, None) if after else None
        if any(c is not None and (c.value is None or c.qualifier is not Qualifier.exact)
               for c in (b, a)):
            # A range or "more than": no delta, which would need a midpoint; said as words.
            out.text(group, label, b and count_text(b), a and count_text(a), "footprint")
            continue
        out.figure(group, label, _count_figure(b), _count_figure(a), "count", "footprint")
    old_regions = [r.name for r in before.new_regions] if before else []
    new_regions = [r.name for r in after.new_regions] if after else []
    if old_regions and not new_regions:
        out.text(group, "New cloud regions", ", ".join(old_regions), None, "footprint")
    elif new_regions:
        out.members(group, "New cloud region", old_regions, new_regions, "footprint",
                    "footprint")
    old_sites = [d.place for d in before.new_data_centres] if before else []
    new_sites = [d.place for d in after.new_data_centres] if after else []
    if old_sites and not new_sites:
        out.text(group, "New data centres", ", ".join(old_sites), None, "footprint")
    elif new_sites:
        out.members(group, "New data centre", old_sites, new_sites, "footprint", "footprint")


def _count_figure(count: Count | None) -> Figure | None:
    return None if count is None or count.value is None else Figure(count.value,
                                                                    f"{count.value:,}")


def _rating(out: _Collector, old_spec: Spec, new_spec: Spec) -> None:
    group = "Rating and target"
    old_rating, new_rating = old_spec.brief.rating, new_spec.brief.rating
    out.text(group, "Rating", old_rating and old_rating.value, new_rating and new_rating.value,
             "rating")
    b, a = old_spec.brief.price_target, new_spec.brief.price_target

    def price(target: PriceTarget | None) -> Figure | None:
        if target is None:
            return None
        text = f"{fmt.currency_label(target.currency)} {target.value:,.2f}"
        return Figure(target.value, text, (target.source,) if target.source else ())

    if b and a and (b.listing != a.listing or b.currency != a.currency):
        out.text(group, "Price target", f"{b.listing} {_text(price(b))}",
                 f"{a.listing} {_text(price(a))}", "target")
        return
    either = a or b
    if either is not None:
        out.figure(group, f"Price target ({either.listing})", price(b), price(a), "money",
                   "target", currency=either.currency)


def _text(figure: Figure | None, default: str | None = "none") -> str | None:
    return figure.text if figure else default


def _moves(out: _Collector, old: Derived, new: Derived) -> None:
    group = "Market reaction"
    before = {m.label: m.move for m in old.moves}
    after = {m.label: m.move for m in new.moves}
    for label in dict.fromkeys([*before, *after]):
        out.figure(group, f"Share-price move after results, {label}", before.get(label),
                   after.get(label), "rate", "move")


def since_previous(loaded: LoadedSpec) -> Changes | None:
    """The changes since the company's previous note, or None when there is none."""
    from briefgen.derive import derive
    from briefgen.spec.load import load_spec

    previous = loaded.previous
    if previous is None or previous.path is None:
        return None
    display = str(previous.path)
    try:
        display = str(previous.path.relative_to(loaded.base_dir).as_posix())
        display = str(Path(loaded.display).parent / display)
    except ValueError:
        pass
    # The previous note's own previous note is not needed: load it without looking for one.
    old = load_spec(previous.path, display=display, find_previous=False)
    changes = compare(old.spec, derive(old.spec), loaded.spec, derive(loaded.spec), display)
    changes.previous = old
    return changes
