"""What a note shows, as plain data the templates lay out: tables, boxes, lists, running text.

Everything a template prints is decided here, in Python: which sections exist (a section without
data is `None` or empty, so a template needs one `{% if %}` and never prints an empty heading),
which cells, and which numbers in the standfirst and takeaways, are derived (each gets a numbered
† and a note saying how it was computed, from `Figure.derivation`: see marks.py), the source line
under each table, the implied upside of a price target.
Templates do no arithmetic and format no numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from briefgen.derive import formatting as fmt
from briefgen.derive.counts import count_text, footprint_counts, footprint_phrase
from briefgen.derive.figures import Figure, ratio
from briefgen.note.changes import ChangesView, changes_view
from briefgen.note.labels import labels_fit
from briefgen.note.marks import Cell, Marks, Numbering, Part, Prose, text_cell

if TYPE_CHECKING:
    from briefgen.brand.model import Brand
    from briefgen.derive import Derived
    from briefgen.derive.changes import Changes
    from briefgen.spec.model import AnalystView, PriceTarget, Spec


@dataclass
class Table:
    """A table with a header row, a header cell per row, its source line and derivation notes."""

    id: str
    title: str
    columns: list[str]
    rows: list[tuple[str, list[Cell]]]
    source: str
    notes: list[tuple[str | None, str]] = field(default_factory=list)  # (mark, text)
    numeric: int = -1  # how many of the last columns hold figures (right-aligned); -1: all
    compact: bool = False  # as wide as its content, not the column

    @property
    def labels_fit(self) -> bool:
        """Whether every row label fits its column without a break inside a word (`labels.py`)."""
        return labels_fit(head for head, _ in self.rows)

    def aligned(self, column: int) -> str:
        """`num` for a figure column (right-aligned), else `text`; column 0 is the row header."""
        first = 1 if self.numeric < 0 else len(self.columns) - self.numeric
        return "num" if column >= first else "text"

    def drop_empty_columns(self) -> Table:
        keep = [i for i in range(len(self.columns) - 1)
                if any(not cells[i].empty for _, cells in self.rows)]
        if self.numeric >= 0:  # count the figure columns that stay
            figures = range(len(self.columns) - 1 - self.numeric, len(self.columns) - 1)
            self.numeric = sum(1 for i in keep if i in figures)
        self.columns = [self.columns[0], *(self.columns[i + 1] for i in keep)]
        self.rows = [(head, [cells[i] for i in keep]) for head, cells in self.rows]
        return self


@dataclass
class RatingBox:
    rating: str | None
    target: str | None
    listing: str | None
    horizon: str | None
    price_at_setting: str | None
    upside: Part | None
    notes: list[tuple[str | None, str]]


@dataclass
class Person:
    """A quote or an analyst view, attributed."""

    text: str
    name: str
    role: str | None
    source: str
    kind: str = "quote"  # "quote" or "paraphrase"
    stance: str | None = None
    context: str | None = None  # "after results, 30 Jul 2025; Buy, target USD 250.00"


@dataclass
class Item:
    title: str
    text: str | None
    date: str | None = None


@dataclass
class SourceEntry:
    number: int
    id: str
    publisher: str
    title: str
    date: str
    via: str | None
    url: str | None


@dataclass
class Note:
    """Everything the templates print, ready to lay out."""

    title: str
    language: str  # BCP 47, from the spec: <html lang>, hence the PDF's /Lang
    standfirst: Prose  # its marks refer to the notes under the takeaways
    summary: str | None
    company: str
    listings: str
    sector: str | None
    date: str
    date_iso: str
    author: str
    desk: str
    short_title: str
    keywords: list[str]
    rating: RatingBox | None
    takeaways: list[Prose]
    takeaway_notes: list[tuple[str | None, str]]  # for the marks in the takeaways and standfirst
    key_data: list[tuple[str, Prose]]
    key_notes: list[tuple[str | None, str]]
    results_heading: str
    results: Table
    capex: Table | None
    capex_text: list[str]
    footprint: str | None
    footprint_source: str
    sites: Table | None
    market: Table | None
    highlights: list[Item]
    quotes: list[Person]
    views: list[Person]
    risks: list[Item]
    sources: list[SourceEntry]
    kpis: Table | None = None
    new_regions: Table | None = None  # cloud regions launched, apart from new data centres
    illustrative: bool = False  # invented figures: the note says so, visibly, on every page
    changes: ChangesView | None = None  # since the previous note; None when there is none


def price(value: float, currency: str) -> str:
    """A share price as quoted: `USD 150.00`, `HKD 98.50`."""
    return f"{fmt.currency_label(currency)} {value:,.2f}"


def implied_upside(target: PriceTarget) -> Figure | None:
    quotient = None if target.price_at_setting is None else ratio(target.value,
                                                                   target.price_at_setting)
    if target.price_at_setting is None or quotient is None:
        return None
    upside = (quotient - 1) * 100
    how = (f"{price(target.value, target.currency)} / "
           f"{price(target.price_at_setting, target.currency)} − 1; the target against the "
           "price when it was set")
    return Figure(upside, fmt.percent(upside, fixed=True), (), how)


def rating_box(spec: Spec, numbering: Numbering | None = None) -> RatingBox | None:
    brief = spec.brief
    target = brief.price_target
    if brief.rating is None and target is None:
        return None
    marks = Marks(numbering)
    upside = marks.part(implied_upside(target), tone=True) if target else None
    listing = None
    if target:
        exchange = next((x.exchange for x in spec.company.listings if x.ticker == target.listing),
                        None)
        listing = f"{exchange}: {target.listing}" if exchange else target.listing
    return RatingBox(
        rating=brief.rating.value if brief.rating else None,
        target=price(target.value, target.currency) if target else None,
        listing=listing,
        horizon=f"{target.horizon_months} months" if target else None,
        price_at_setting=(price(target.price_at_setting, target.currency)
                          if target and target.price_at_setting else None),
        upside=upside,
        notes=marks.notes,
    )


def key_data(derived: Derived, numbering: Numbering | None = None
             ) -> tuple[list[tuple[str, Prose]], list[tuple[str | None, str]]]:
    """The key-data rows with each derived figure marked: the figure a row mentions, never one
    found by its printed text (two figures may print alike)."""
    marks = Marks(numbering)
    rows = [(label, marks.prose(value)) for label, value in derived.key_data]
    return rows, marks.notes


def results_table(spec: Spec, derived: Derived, numbering: Numbering | None = None) -> Table:
    marks = Marks(numbering)
    rows: list[tuple[str, list[Cell]]] = []
    for seg in derived.segments:
        rows.append((seg.name, [
            marks.cell(seg.revenue),
            marks.cell(seg.growth_yoy, tone=True),
            marks.cell(seg.consensus_revenue, seg.consensus_growth,
                       suffixes=("", " y/y") if seg.consensus_revenue else ()),
            marks.cell(seg.beat_pct, seg.beat_pp, tone=True),
            marks.cell(seg.prior_quarter),
            marks.cell(seg.prior_year),
        ]))
        if seg.note:
            marks.notes.append((None, f"{seg.name}: {seg.note}"))
    providers = dict.fromkeys(provider_words(s.consensus_provider) for s in derived.segments
                              if s.consensus_provider)
    if providers:
        marks.notes.append((None, "Consensus: " + "; ".join(providers) + "."))
    has_consensus = any(s.consensus_growth or s.consensus_revenue for s in derived.segments)
    table = Table(
        "results",
        f"{spec.period.fiscal_label}: results"
        + (" against consensus" if has_consensus else ""),
        ["Segment", "Revenue", "y/y", "Consensus", "vs consensus", "Prior quarter",
         "Prior year"],
        rows, derived.source_line(marks.sources), marks.notes,
    )
    return table.drop_empty_columns()


def provider_words(provider: str) -> str:
    """Whose consensus, as a note says it: `provider: unnamed` is an unattributed estimate."""
    return "an unattributed estimate" if provider.casefold() == "unnamed" else provider


def capex_table(derived: Derived, numbering: Numbering | None = None) -> Table | None:
    capex = derived.capex
    if capex is None:
        return None
    marks = Marks(numbering)
    guided = "Guidance" if capex.one_year else "Plan"
    entries: list[tuple[str, Figure | None]] = [
        (f"Spend, {q.label}", q.spend) for q in capex.quarters[-4:]]
    latest = capex.latest
    if latest is not None and latest.growth_yoy is not None:
        entries.append((f"Spend y/y, {latest.label}", latest.growth_yoy))
    entries += [
        (f"{guided} {capex.guidance_words()}".strip(), capex.guidance),
        ("Implied yearly pace", capex.annual_pace),
        ("Invested, past four quarters", capex.invested_trailing_4q),
        ("Invested / yearly pace", capex.trailing_vs_pace),
        ("Invested since the plan began", capex.invested_to_date),
        ("Invested / plan", capex.share_of_plan),
    ]
    rows = [(label, [marks.cell(figure, tone=label.startswith("Spend y/y"))])
            for label, figure in entries if figure]
    if capex.guidance is None and capex.not_disclosed:
        rows.append(("Plan", [text_cell("not disclosed")]))
    if not rows:
        return None
    if capex.definition:
        marks.notes.append((None, f"Capex: {capex.definition}."))
    marks.sources.extend(capex.sources)
    title = "Capital spending" + (" against plan" if capex.guidance is not None else "")
    return Table("capex", title, ["Measure", "Amount"], rows,
                 derived.source_line(marks.sources), marks.notes, compact=True)


def kpi_table(derived: Derived, numbering: Numbering | None = None) -> Table | None:
    """Typed KPIs: each row its figure, growth (constant currency said), consensus and gap."""
    if not derived.kpis:
        return None
    marks = Marks(numbering)
    rows: list[tuple[str, list[Cell]]] = []
    for kpi in derived.kpis:
        name = kpi.name + (f" ({kpi.segment})" if kpi.segment else "")
        level = kpi.amount or kpi.margin
        growth = marks.cell(kpi.growth_yoy, tone=True,
                            suffixes=(" (constant currency)",) if kpi.constant_currency else ())
        rows.append((name, [text_cell(kpi.kind), marks.cell(level), growth,
                            marks.cell(kpi.consensus), marks.cell(kpi.gap, tone=True)]))
    providers = dict.fromkeys(provider_words(k.provider) for k in derived.kpis if k.provider)
    if providers:
        marks.notes.append((None, "Consensus: " + "; ".join(providers) + "."))
    table = Table("kpis", "Other reported figures",
                  ["Measure", "Kind", "Figure", "y/y", "Consensus", "vs consensus"], rows,
                  derived.source_line(marks.sources), marks.notes, numeric=4)
    return table.drop_empty_columns()


def sites_table(spec: Spec, derived: Derived) -> Table | None:
    infra = spec.infrastructure
    if infra is None or not infra.new_data_centres:
        return None
    sources = [s for s in [infra.source, *(d.source for d in infra.new_data_centres)] if s]
    rows = [(dc.place, [text_cell(dc.country), text_cell(dc.region),
                        text_cell(fmt.loose_date(dc.opened) if dc.opened else None)])
            for dc in infra.new_data_centres]
    period = f" {infra.new_data_centres_period}" if infra.new_data_centres_period else ""
    table = Table("sites", f"New data centres{period}", ["Site", "Country", "Region", "Opened"],
                  rows, derived.source_line(sources), numeric=0, compact=True)
    return table.drop_empty_columns()


def regions_table(spec: Spec, derived: Derived) -> Table | None:
    """New cloud regions: apart from new data centres (a region launch is not an opening)."""
    infra = spec.infrastructure
    if infra is None or not infra.new_regions:
        return None
    sources = [s for s in [infra.source, *(r.source for r in infra.new_regions)] if s]
    rows = [(r.name, [text_cell(r.country),
                      text_cell(count_text(r.availability_zones) if r.availability_zones
                                else None),
                      text_cell(fmt.loose_date(r.launched) if r.launched else None)])
            for r in infra.new_regions]
    period = f" {infra.new_regions_period}" if infra.new_regions_period else ""
    table = Table("new-regions", f"New cloud regions{period}",
                  ["Region", "Country", "Availability zones", "Launched"], rows,
                  derived.source_line(sources), numeric=0, compact=True)
    return table.drop_empty_columns()


def footprint(spec: Spec, derived: Derived) -> tuple[str | None, str]:
    infra = spec.infrastructure
    counts = footprint_counts(spec)
    if infra is None or not counts:
        return None, ""
    sources = [infra.source, *(c.count.source for c in counts)]
    text = "Footprint: " + footprint_phrase(counts, cloud=True) + "."
    return text, derived.source_line([s for s in sources if s])


def market_table(derived: Derived, numbering: Numbering | None = None) -> Table | None:
    if not derived.moves:
        return None
    marks = Marks(numbering)
    rows = [(move.label, [text_cell(fmt.date_short(move.date)), text_cell(move.basis),
                          text_cell(move.session), marks.cell(move.move, tone=True)])
            for move in derived.moves]
    table = Table("market", "Share-price reaction to the results",
                  ["Listing", "Date", "Basis", "Session", "Move"], rows,
                  derived.source_line(marks.sources), marks.notes, numeric=1)
    return table.drop_empty_columns()


def view(derived: Derived, v: AnalystView) -> Person:
    """An analyst's view; a firm's view is attributed to the firm alone (no "— CFRA, CFRA")."""
    who = v.name or v.firm
    role = ", ".join(x for x in (v.role, v.firm if v.name else None) if x) or None
    when = ", ".join(x for x in (v.timing, fmt.loose_date(v.date) if v.date else None) if x)
    call = "; ".join(x for x in (
        v.rating, price(v.target.value, v.target.currency) + " target" if v.target else None)
        if x)
    context = "; ".join(x for x in (when, call) if x) or None
    return Person(v.text, who, role, sources_of(derived, v.source), v.kind, v.stance, context)


def sources_of(derived: Derived, source: str | None) -> str:
    return derived.source_line([source]) if source else ""


def lead_prose(derived: Derived, numbering: Numbering | None = None
               ) -> tuple[Prose, list[Prose], list[tuple[str | None, str]]]:
    """Standfirst, takeaways and their notes, marked as one block whose notes follow the list.

    The takeaways are numbered first, so their notes read in order; the standfirst above them
    restates the lead takeaway and so reuses its marks (a figure keeps its mark: see `Marks`)."""
    marks = Marks(numbering)
    takeaways = [marks.prose(sentence) for sentence in derived.takeaways]
    return marks.prose(derived.standfirst), takeaways, marks.notes


def build_note(spec: Spec, derived: Derived, brand: Brand,
               changes: Changes | None = None) -> Note:
    brief, company, period = spec.brief, spec.company, spec.period
    # One numbering for the whole note, given in reading order of the blocks' notes.
    numbering = Numbering()
    standfirst, takeaways, takeaway_notes = lead_prose(derived, numbering)
    capex = spec.capex
    rating = rating_box(spec, numbering)
    key_rows, key_notes = key_data(derived, numbering)
    footprint_text, footprint_source = footprint(spec, derived)
    capex_text = []
    plan = derived.capex
    if plan and plan.scope and plan.guidance is not None:
        capex_text.append(f"The {'guidance' if plan.one_year else 'plan'} covers {plan.scope}.")
    if plan and plan.not_disclosed:
        capex_text.append("The company has not disclosed a capex plan.")
    if capex and capex.outlook:
        capex_text.append(capex.outlook)
    return Note(
        title=brief.title,
        language=brief.language,
        standfirst=standfirst,
        summary=brief.summary,
        company=company.name,
        listings=derived.listings_text,
        sector=company.sector,
        date=fmt.date_long(brief.date),
        date_iso=brief.date.isoformat(),
        author=brief.author,
        desk=brief.desk,
        short_title=("Illustrative data · " if spec.illustrative else "")
        + f"{company.short_name or company.name}: {period.fiscal_label}",
        keywords=list(dict.fromkeys(
            [company.name, *(x.ticker for x in company.listings),
             *([company.sector] if company.sector else []), period.fiscal_label,
             brand.note_label])),
        rating=rating,
        takeaways=takeaways,
        takeaway_notes=takeaway_notes,
        key_data=key_rows,
        key_notes=key_notes,
        results_heading=("Results against consensus"
                         if any(s.consensus_provider or s.consensus_growth or s.consensus_revenue
                                for s in derived.segments) else "Results"),
        results=results_table(spec, derived, numbering),
        capex=capex_table(derived, numbering),
        capex_text=capex_text,
        footprint=footprint_text,
        footprint_source=footprint_source,
        sites=sites_table(spec, derived),
        new_regions=regions_table(spec, derived),
        market=market_table(derived),
        highlights=[Item(h.title, h.text, fmt.loose_date(h.date) if h.date else None)
                    for h in spec.highlights],
        quotes=[Person(q.text, q.speaker, q.role, sources_of(derived, q.source))
                for q in spec.quotes],
        views=[view(derived, v) for v in spec.analyst_views],
        risks=[Item(r.title, r.text) for r in spec.risks],
        sources=[SourceEntry(i, s.id, s.publisher, s.title, fmt.loose_date(s.date), s.via, s.url)
                 for i, s in enumerate(spec.sources, start=1)],
        kpis=kpi_table(derived, numbering),
        illustrative=spec.illustrative,
        changes=changes_view(changes),
    )
