"""Capital spending: spend by quarter (with y/y), and guidance for one year or a plan over
several, in every combination a company reports them, including "no plan disclosed".

A plan over several years has a yearly pace (`plan / years`) that spend is compared with; one
year's guidance is its own pace, so nothing is derived from it that would merely repeat it.
A range (`USD 64–72bn`) is printed as given and never reduced to a midpoint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from briefgen.derive import formatting as fmt
from briefgen.derive.figures import (
    Figure,
    change,
    computed,
    money_figure,
    percent_figure,
    share,
)
from briefgen.spec.model import Spec, Unit


@dataclass(frozen=True)
class CapexQuarter:
    quarter_end: dt.date
    label: str  # "Jun-25"
    spend: Figure
    growth_yoy: Figure | None  # reported, or computed from the quarter a year earlier


@dataclass
class CapexFigures:
    guidance: Figure | None  # the amount guided (a range or with a qualifier, as given)
    years: int | None  # 1 for one year's guidance, more for a plan
    period: str | None  # "FY2025", "2025-2027"
    scope: str | None
    definition: str | None
    not_disclosed: bool  # the company gives no plan (said, not left blank)
    annual_pace: Figure | None = None  # a multi-year plan spread evenly over its years
    invested_trailing_4q: Figure | None = None
    invested_to_date: Figure | None = None
    share_of_plan: Figure | None = None  # invested / plan, in percent
    trailing_vs_pace: Figure | None = None  # trailing four quarters / yearly pace, in percent
    quarters: list[CapexQuarter] = field(default_factory=list)
    latest: CapexQuarter | None = None  # the spend of the quarter the note covers
    outlook: str | None = None
    sources: tuple[str, ...] = ()
    currency: str = ""  # as printed (RMB for CNY), for chart axes

    @property
    def one_year(self) -> bool:
        return self.years == 1

    def guidance_words(self) -> str:
        """`for FY2025`, `for the year`, `over three years (2025-2027)`."""
        if self.years is None:
            return ""
        if self.years == 1:
            return f"for {self.period}" if self.period else "for the year"
        span = f"over {fmt.ordinal_words(self.years)} years"
        return f"{span} ({self.period})" if self.period else span

    # The older names, for templates written against them.
    @property
    def plan_total(self) -> Figure | None:
        return self.guidance

    @property
    def horizon_years(self) -> int | None:
        return self.years

    @property
    def plan_scope(self) -> str | None:
        return self.scope


def _year_before(quarters: list[CapexQuarter], end: dt.date) -> CapexQuarter | None:
    return next((q for q in quarters if abs((end - q.quarter_end).days - 365) <= 10), None)


def capex_figures(spec: Spec) -> CapexFigures | None:
    capex = spec.capex
    if capex is None:
        return None
    fallback = capex.source
    plan = capex.plan
    guidance = money_figure(plan.amount, plan.source or fallback) if plan else None
    result = CapexFigures(
        guidance, plan.years if plan else None, plan.period if plan else None,
        plan.scope if plan else None, plan.definition if plan else None,
        not_disclosed=not capex.plan_disclosed, outlook=capex.outlook,
        sources=tuple(s for s in [fallback] if s))

    quarters: list[CapexQuarter] = []
    for point in capex.quarterly:
        spend = money_figure(point.spend, point.source or fallback)
        label = fmt.quarter_label(point.quarter_end)
        growth = None
        if point.growth_yoy is not None:
            growth = percent_figure(point.growth_yoy, point.source or fallback)
        else:
            earlier = _year_before(quarters, point.quarter_end)
            if earlier and not spend.is_range and not earlier.spend.is_range:
                growth = change(spend, earlier.spend, f"{label} against {earlier.label}")
        quarters.append(CapexQuarter(point.quarter_end, label, spend, growth))
    result.quarters = quarters
    amounts = [*([plan.amount] if plan else []), *(p.spend for p in capex.quarterly)]
    result.currency = fmt.currency_label(amounts[0].currency) if amounts else ""
    result.latest = next((q for q in quarters if q.quarter_end == spec.period.quarter_end), None)

    pace = None
    per_year = ""
    if guidance is not None and plan is not None and plan.years > 1 and not guidance.is_range:
        per_year = f"{guidance.text} / {plan.years}"
        pace_value = guidance.value / plan.years
        # A plan divided by its years is hedged as the plan is ("up to RMB 127bn a year").
        pace = computed(pace_value, fmt.money(pace_value, Unit.ones, plan.amount.currency),
                        (guidance,), per_year, f"the plan spread evenly over {plan.years} years",
                        guidance.qualifier)
        result.annual_pace = pace
    if capex.invested_trailing_4q:
        invested = money_figure(capex.invested_trailing_4q, fallback)
        result.invested_trailing_4q = invested
        if pace is not None and not invested.is_range:
            result.trailing_vs_pace = share(
                invested, pace, f"({per_year})",
                "invested over four quarters against the yearly pace")
    if capex.invested_to_date:
        result.invested_to_date = money_figure(capex.invested_to_date, fallback)
    base = result.invested_to_date or result.invested_trailing_4q
    if base and guidance and not base.is_range and not guidance.is_range:
        result.share_of_plan = share(base, guidance, gloss="invested against the plan")
    return result
