"""Sentences generated from derived figures: the standfirst, the key takeaways, the key-data box
and the email subject. Every number in them comes from a `Figure`, so text and tables agree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefgen import formatting as fmt

if TYPE_CHECKING:
    from briefgen.figures import Derived, SegmentFigures
    from briefgen.spec import Spec

MAX_TAKEAWAYS = 5


def _segment_name(spec: Spec, figures: SegmentFigures) -> str:
    segment = next(s for s in spec.segments if s.name == figures.name)
    return segment.short_name or segment.name


def consensus_clause(seg: SegmentFigures) -> str | None:
    """`7.6 pp above the 18.4% consensus` or `5% above the RMB 37.9bn consensus`."""
    if seg.beat_pp and seg.consensus_growth and not seg.consensus_growth.derived:
        side = "above" if seg.beat_pp.value >= 0 else "below"
        gap = fmt.points(abs(seg.beat_pp.value)).lstrip("+")
        expected = fmt.percent(seg.consensus_growth.value, signed=False)
        return f"{gap} {side} the {expected} growth consensus"
    if seg.beat_pct and seg.consensus_revenue:
        side = "above" if seg.beat_pct.value >= 0 else "below"
        gap = fmt.percent(abs(seg.beat_pct.value), signed=False, fixed=True)
        return f"{gap} {side} the {seg.consensus_revenue.text} consensus"
    return None


def standfirst(spec: Spec, d: Derived) -> str:
    seg = d.headline
    parts = [f"{_segment_name(spec, seg).capitalize()} revenue {seg.revenue.text}"]
    if seg.growth_yoy:
        parts[0] += f" ({seg.growth_yoy.text} y/y)"
    clause = consensus_clause(seg)
    if clause:
        parts.append(clause)
    return ", ".join(parts)


def takeaways(spec: Spec, d: Derived) -> list[str]:
    seg = d.headline
    found: list[str] = []
    name = _segment_name(spec, seg)
    lead = f"{name.capitalize()} revenue of {seg.revenue.text}"
    if seg.revenue_usd:
        lead += f" (about {seg.revenue_usd.text})"
    if seg.growth_yoy:
        lead += f", {seg.growth_yoy.text} y/y"
    clause = consensus_clause(seg)
    found.append(lead + (f", {clause}." if clause else "."))

    if seg.accelerating_quarters >= 2:
        recent = [p for p in seg.history if p.quarter_end <= spec.period.quarter_end]
        start = recent[-1 - seg.accelerating_quarters].growth_yoy
        end = recent[-1].growth_yoy
        if start is not None and end is not None:
            text = (f"Growth has accelerated for {fmt.ordinal_words(seg.accelerating_quarters)} "
                    f"quarters in a row, from {fmt.percent(start)} to {fmt.percent(end)} y/y")
            if seg.growth_qoq:
                change = fmt.percent(abs(seg.growth_qoq.value), signed=False, fixed=True)
                verb = "rose" if seg.growth_qoq.value >= 0 else "fell"
                text += f"; revenue {verb} {change} on the prior quarter"
            found.append(text + ".")

    capex = d.capex
    if capex and capex.invested_trailing_4q and capex.trailing_vs_pace:
        found.append(
            f"{fmt.sentence_case(capex.invested_trailing_4q.text)} invested over the past four "
            f"quarters: {capex.trailing_vs_pace.text} of the {capex.annual_pace.text} a year "
            f"implied by the plan of {capex.plan_total.text} over "
            f"{fmt.ordinal_words(capex.horizon_years)} years."
        )
    elif capex:
        found.append(f"Capex plan of {capex.plan_total.text} over {capex.horizon_years} years.")

    infra = spec.infrastructure
    if infra and (infra.new_data_centres or infra.regions):
        text = ""
        if infra.new_data_centres:
            regions = ", ".join(f"{r}: {n}" for r, n in d.sites_by_region.items())
            text = f"{len(infra.new_data_centres)} new data centres"
            if infra.new_data_centres_period:
                text += f" {infra.new_data_centres_period}"
            text += f" ({regions})"
        if infra.regions and infra.availability_zones:
            footprint = (f"{infra.regions.value} regions and "
                         f"{infra.availability_zones.value} availability zones")
            text = f"{text}; footprint of {footprint}" if text else f"Footprint of {footprint}"
        found.append(fmt.sentence_case(text) + ".")

    if d.moves:
        moves = " and ".join(
            fmt.qualify(fmt.percent(m.move.value, signed=m.move.value < 0), m.qualifier)
            + f" ({m.label})"
            for m in d.moves
        )
        verb = "rose" if all(m.move.value > 0 for m in d.moves) else "moved"
        found.append(f"The shares {verb} {moves} after the results.")

    for other in d.segments:
        if other is seg or len(found) >= MAX_TAKEAWAYS:
            continue
        text = f"{other.name} revenue {other.revenue.text}"
        if other.growth_yoy:
            text += f", {other.growth_yoy.text} y/y"
        clause = consensus_clause(other)
        if clause:
            text += f", {clause}"
        found.append(text + ".")
    return found[:MAX_TAKEAWAYS]


def key_data(spec: Spec, d: Derived) -> list[tuple[str, str]]:
    seg = d.headline
    rows = [
        ("Period", spec.period.fiscal_label),
        ("Results", fmt.date_short(spec.period.results_date)),
        (f"{_segment_name(spec, seg).capitalize()} revenue", seg.revenue.text),
    ]
    if seg.growth_yoy:
        rows.append(("Growth y/y", seg.growth_yoy.text))
    if seg.beat_pp and seg.consensus_growth and not seg.consensus_growth.derived:
        rows.append(("vs consensus", seg.beat_pp.text))
    elif seg.beat_pct:
        rows.append(("vs consensus", seg.beat_pct.text))
    if d.capex:
        rows.append(("Capex plan", f"{d.capex.plan_total.text} / {d.capex.horizon_years} yrs"))
    infra = spec.infrastructure
    if infra and infra.regions and infra.availability_zones:
        rows.append(("Footprint", f"{infra.regions.value} regions, "
                                  f"{infra.availability_zones.value} AZs"))
    fx = spec.company.fx_to_usd
    if fx:
        currency = fmt.currency_label(spec.company.reporting_currency)
        rows.append(("FX", f"{fx.rate:g} {currency}/USD"))
    rows.extend((item.label, item.text) for item in spec.brief.key_data)
    return rows


def subject(spec: Spec, d: Derived) -> str:
    """`Alibaba (BABA): cloud +26% y/y, 7.6 pp above consensus`."""
    company = spec.company.short_name or spec.company.name
    ticker = spec.company.listings[0].ticker
    seg = d.headline
    text = f"{company} ({ticker}): {_segment_name(spec, seg)}"
    if seg.growth_yoy:
        text += f" {seg.growth_yoy.text} y/y"
    else:
        text += f" revenue {seg.revenue.text}"
    # Lead with the consensus as reported: points when a growth rate was polled, percent of the
    # value otherwise (an implied growth consensus is shown in the body, marked as derived).
    if seg.beat_pp and seg.consensus_growth and not seg.consensus_growth.derived:
        side = "above" if seg.beat_pp.value >= 0 else "below"
        text += f", {fmt.points(abs(seg.beat_pp.value)).lstrip('+')} {side} consensus"
    elif seg.beat_pct:
        side = "above" if seg.beat_pct.value >= 0 else "below"
        gap = fmt.percent(abs(seg.beat_pct.value), signed=False, fixed=True)
        text += f", {gap} {side} consensus"
    return text
