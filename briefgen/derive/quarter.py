"""`quarter_figures(spec)`: every derived figure of one quarter, made by the modules that own
each kind (segments and consensus in `figures`, capex in `capex`, KPIs in `kpis`). Kept apart from
`figures` so that capex and KPIs build on `figures` and nothing imports back."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from briefgen.derive import formatting as fmt
from briefgen.derive.capex import CapexFigures, capex_figures
from briefgen.derive.figures import (
    Figure,
    MoveFigures,
    SegmentFigures,
    cited,
    segment_figures,
)
from briefgen.derive.kpis import KpiFigures, kpi_figures
from briefgen.spec.model import Source, Spec


@dataclass
class QuarterFigures:
    """Every figure of one quarter that the note, its charts and its email use (the words made
    from them are added by `derive.derived`)."""

    headline: SegmentFigures
    segments: list[SegmentFigures]
    capex: CapexFigures | None
    kpis: list[KpiFigures]
    moves: list[MoveFigures]
    sites_by_region: dict[str, int]
    listings_text: str
    sources: dict[str, Source]
    illustrative: bool  # invented figures, labelled so in the note

    def source_line(self, ids: tuple[str, ...] | list[str]) -> str:
        """`Source: TradingKey (via Yahoo Finance), 1 Sep 2025; Alibaba Group, 29 Aug 2025`."""
        parts = []
        for source_id in dict.fromkeys(ids):
            source = self.sources.get(source_id)
            if source is None:
                continue
            via = f" (via {source.via})" if source.via else ""
            parts.append(f"{source.publisher}{via}, {fmt.loose_date(source.date)}")
        return "Source: " + "; ".join(parts) if parts else ""


def quarter_figures(spec: Spec) -> QuarterFigures:
    """Every derived figure of one spec (no words: `derive.derived.derive` adds those)."""
    segments = [segment_figures(spec, s) for s in spec.segments]
    headline = segments[spec.segments.index(spec.headline_segment)]
    capex = capex_figures(spec)
    listings = {listing.ticker: listing for listing in spec.company.listings}
    moves = [
        MoveFigures(f"{listings[m.listing].exchange}: {m.listing}", m.qualifier,
                    listings[m.listing].exchange,
                    m.listing, m.date, m.session,
                    Figure(m.move, fmt.qualify(fmt.percent_given(m.move), m.qualifier),
                           cited(m, None)), m.basis.value if m.basis else None)
        for m in spec.market_reaction if m.listing in listings
    ]
    infra = spec.infrastructure
    sites = Counter(dc.region for dc in infra.new_data_centres) if infra else Counter()
    return QuarterFigures(
        headline=headline, segments=segments, capex=capex, kpis=kpi_figures(spec), moves=moves,
        sites_by_region=dict(sites),
        listings_text=", ".join(f"{item.exchange}: {item.ticker}"
                                for item in spec.company.listings),
        sources={s.id: s for s in spec.sources},
        illustrative=spec.illustrative,
    )
