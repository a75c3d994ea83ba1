"""Typed KPIs beside segment revenue: growth-only metrics (at constant currency or not),
operating income and margin, backlog/RPO, run-rate. Each is printed as given and compared with
its own consensus by the same rules as revenue (derive.figures)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from briefgen.derive.figures import Figure, change, gap_points, money_figure, percent_figure
from briefgen.spec.model import Kpi, Spec


@dataclass(frozen=True)
class KpiFigures:
    name: str
    kind: str
    segment: str | None
    amount: Figure | None
    margin: Figure | None
    growth_yoy: Figure | None
    constant_currency: bool
    consensus: Figure | None  # what was expected of the KPI's main figure
    gap: Figure | None  # its difference to the consensus (pp for rates, % for amounts)
    provider: str | None

    @property
    def main(self) -> Figure:
        """The figure the KPI is about: its amount, else its margin, else its growth."""
        figure = self.amount or self.margin or self.growth_yoy
        assert figure is not None  # the model requires one
        return figure

    @property
    def growth_label(self) -> str:
        return "y/y, constant currency" if self.constant_currency else "y/y"


def _one(kpi: Kpi) -> KpiFigures:
    source = kpi.source
    amount = money_figure(kpi.amount, source) if kpi.amount else None
    margin = percent_figure(kpi.margin, source) if kpi.margin else None
    if margin is not None:  # a margin is a level, not a change: `14.5%`, never `+14.5%`
        margin = replace(margin, text=margin.text.replace("+", "", 1))
    growth = percent_figure(kpi.growth_yoy, source) if kpi.growth_yoy else None
    expected = gap = None
    consensus = kpi.consensus
    if consensus is not None:
        source = consensus.source or source
        if amount is not None and consensus.revenue is not None:
            expected = money_figure(consensus.revenue, source)
            if not (amount.is_range or expected.is_range):
                gap = change(amount, expected, f"{kpi.name} against consensus")
        elif consensus.growth_yoy is not None and (margin or growth) is not None:
            actual = margin or growth
            assert actual is not None
            expected = percent_figure(consensus.growth_yoy, source)
            if not (actual.is_range or expected.is_range):
                gap = gap_points(actual, expected, f"{kpi.name} against consensus")
    return KpiFigures(kpi.name, kpi.kind.value, kpi.segment, amount, margin, growth,
                      kpi.constant_currency, expected, gap,
                      consensus.provider if consensus else None)


def kpi_figures(spec: Spec) -> list[KpiFigures]:
    return [_one(kpi) for kpi in spec.kpis]
