"""Derived figures and their formatting: computed from the spec, marked as derived, worded once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.derive import derive
from briefgen.derive import formatting as fmt
from briefgen.derive.figures import Figure, change, gap_points, share
from briefgen.spec.load import load_spec
from briefgen.spec.model import Qualifier, Unit
from tests.conftest import SAMPLE, SAMPLE_Q3
from tests.helpers.golden import variant_spec


@pytest.fixture(scope="module")
def june():  # type: ignore[no-untyped-def]
    return derive(load_spec(SAMPLE).spec)


@pytest.fixture(scope="module")
def september():  # type: ignore[no-untyped-def]
    return derive(load_spec(SAMPLE_Q3).spec)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((33.4, Unit.billion, "CNY"), "RMB 33.4bn"),
        ((33398, Unit.million, "CNY"), "RMB 33.4bn"),
        ((4_670_022_371.0, Unit.ones, "USD"), "USD 4.67bn"),
        ((380, Unit.billion, "CNY", Qualifier.up_to), "up to RMB 380bn"),
        ((247652, Unit.million, "CNY"), "RMB 248bn"),
        ((950, Unit.million, "HKD"), "HKD 950m"),
    ],
)
def test_money_reads_one_way(args: tuple, expected: str) -> None:  # type: ignore[type-arg]
    assert fmt.money(*args) == expected


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (26, {}, "+26%"),
        (18.4, {"signed": False}, "18.4%"),
        (-3.26, {}, "−3.3%"),  # a true minus sign, not a hyphen
        (5.013, {"fixed": True}, "+5.0%"),
        (0, {}, "0%"),
    ],
)
def test_percent(value: float, kwargs: dict, expected: str) -> None:  # type: ignore[type-arg]
    assert fmt.percent(value, **kwargs) == expected


def test_points_keep_one_decimal() -> None:
    assert fmt.points(7.6000001) == "+7.6 pp"
    assert fmt.points(6.0027) == "+6.0 pp"
    assert fmt.points(-1.25) == "−1.2 pp"


def test_dates() -> None:
    assert fmt.date_long(dt.date(2025, 8, 29)) == "29 August 2025"
    assert fmt.quarter_label(dt.date(2025, 6, 30)) == "Jun-25"


def test_beat_against_growth_consensus_is_derived_in_points(june) -> None:  # type: ignore[no-untyped-def]
    head = june.headline
    assert head.beat_pp.text == "+7.6 pp"
    assert head.beat_pp.derived and "18.4%" in head.beat_pp.derivation
    assert head.consensus_growth.derived is False  # reported by the source
    assert head.verdict == "beat"


def test_usd_is_converted_from_the_spec_rate(june) -> None:  # type: ignore[no-untyped-def]
    usd = june.headline.revenue_usd
    assert usd.text == "USD 4.67bn"
    assert usd.derived and "7.152" in usd.derivation
    assert usd.sources == ("tradingkey",)  # listed once though two inputs cite it


def test_history_gives_q_on_q_and_prior_year(june) -> None:  # type: ignore[no-untyped-def]
    head = june.headline
    assert head.growth_qoq.text == "+10.9%"  # 33,398 / 30,127
    assert head.prior_year.text == "RMB 26,549m"  # as the history gives it, not re-rounded
    assert head.accelerating_quarters == 4  # 6 → 7 → 13 → 18 → 26


def test_capex_progress_against_plan(june) -> None:  # type: ignore[no-untyped-def]
    capex = june.capex
    assert capex.annual_pace.text == "up to RMB 127bn"  # up to 380 / 3
    assert capex.trailing_vs_pace.text == "at least 79%"  # more than 100 / up to 126.7
    assert capex.share_of_plan.text == "at least 26%"  # more than 100 / up to 380
    assert capex.invested_trailing_4q.text == "more than RMB 100bn"


def test_value_consensus_implies_growth_and_percent_gap(september) -> None:  # type: ignore[no-untyped-def]
    head = september.headline
    assert head.beat_pct.text == "+5.0%"  # 39.8 / 37.9
    assert head.consensus_growth.derived  # implied from 37.9bn against 29.6bn a year earlier
    assert head.consensus_growth.text == "+28.0%"
    group = september.segments[1]
    assert group.beat_pct.text == "+2.1%"  # 247.8 / 242.65


def test_takeaways_and_subject(june, september) -> None:  # type: ignore[no-untyped-def]
    assert june.subject == "Alibaba (BABA): cloud +26% y/y, 7.6 pp above consensus"
    # With only a value consensus the subject quotes the gap to it, not the implied points.
    assert september.subject == "Alibaba (BABA): cloud +34% y/y, 5.0% above consensus"
    assert 3 <= len(june.takeaways) <= 5
    texts = [t.text for t in june.takeaways]
    assert texts[0].startswith("Cloud revenue of RMB 33.4bn (about USD 4.67bn), +26% y/y")
    assert any("rose nearly 13% (NYSE: BABA) and 18% (HKEX: 9988)" in t for t in texts)
    # The cap drops the footprint (colour), never the group or the trend.
    assert not any("China: 3, Overseas: 5" in t for t in texts)
    assert texts[1].startswith("Group revenue RMB 247,652m, +2% y/y")


def test_sentences_mark_exactly_the_derived_numbers(june, september) -> None:  # type: ignore[no-untyped-def]
    head = june.headline
    assert june.standfirst.marked() == (
        "Cloud revenue RMB 33.4bn (+26% y/y), 7.6 pp† above the 18.4% growth consensus")
    assert june.takeaways[0].marked() == (
        "Cloud revenue of RMB 33.4bn (about USD 4.67bn†), +26% y/y, 7.6 pp† above the 18.4% "
        "growth consensus.")
    # The sentence keeps the figure itself, even where it rewords it (`7.6 pp` for `+7.6 pp`).
    assert june.takeaways[0].derived == (head.revenue_usd, head.beat_pp)
    capex = june.capex
    assert june.takeaways[3].derived == (capex.trailing_vs_pace, capex.annual_pace)
    assert "at least 79%† of a yearly pace of up to RMB 127bn†" in june.takeaways[3].marked()
    assert "rose 10.9%† on the prior quarter" in june.takeaways[2].marked()
    # Reported figures (revenue, growth, consensus, moves) and spec counts carry no mark.
    assert not june.takeaways[1].derived and not june.takeaways[4].derived
    # September's consensus is a value: its gap to it is derived, the value itself is not.
    assert september.takeaways[0].marked().endswith("5.0%† above the RMB 37.9bn consensus.")
    assert str(june.takeaways[0]) == june.takeaways[0].text  # plain text, unmarked


def test_growth_computed_from_the_history_is_marked(tmp_path: Path) -> None:
    spec = variant_spec(tmp_path, lambda data: None)
    # No reported growth for Jun-24: briefgen computes it from the row a year earlier.
    csv = tmp_path / "baba-cloud-revenue.csv"
    rows = csv.read_text().splitlines()
    rows[1] = rows[1].replace(",6,", ",,")
    csv.write_text("\n".join([rows[0], "2023-06-30,25046,,alibaba-results", *rows[1:]]) + "\n")
    derived = derive(load_spec(spec).spec)
    [start] = [p for p in derived.headline.history if p.label == "Jun-24"]
    assert start.growth_derived
    assert start.growth_derivation == "RMB 26,549m / RMB 25,046m − 1; Jun-24 against Jun-23"
    acceleration = derived.takeaways[2]
    assert "from +6.0%† to +26% y/y" in acceleration.marked()
    assert acceleration.derived[0].derivation == start.growth_derivation


def test_sections_without_data_derive_nothing(september) -> None:  # type: ignore[no-untyped-def]
    assert september.moves == []
    assert september.sites_by_region == {}
    assert september.headline.revenue_usd is None  # no FX rate in that spec


def test_source_line(june) -> None:  # type: ignore[no-untyped-def]
    line = june.source_line(["tradingkey", "alibaba-results", "tradingkey"])
    assert line == "Source: TradingKey (via Yahoo Finance), 1 Sep 2025; Alibaba Group, 29 Aug 2025"


def test_sample_specs_are_clean_under_strict() -> None:
    for path in (SAMPLE, SAMPLE_Q3):
        loaded = load_spec(Path(path), strict=True)
        assert loaded.warnings == []


def _hedged(value: float, qualifier: Qualifier) -> Figure:
    return Figure(value, fmt.qualify(f"{value:g}", qualifier), qualifier=qualifier)


@pytest.mark.parametrize(("part", "whole", "expected"), [
    (Qualifier.exact, Qualifier.exact, "50%"),
    (Qualifier.more_than, Qualifier.exact, "at least 50%"),   # the part is at least 50
    (Qualifier.exact, Qualifier.up_to, "at least 50%"),       # the whole is at most 100
    (Qualifier.more_than, Qualifier.up_to, "at least 50%"),   # both push the share up
    (Qualifier.up_to, Qualifier.at_least, "up to 50%"),       # both push it down
    (Qualifier.nearly, Qualifier.exact, "up to 50%"),
    (Qualifier.about, Qualifier.up_to, "about 50%"),
    (Qualifier.more_than, Qualifier.more_than, None),         # could be anything: left out
    (Qualifier.up_to, Qualifier.up_to, None),
])
def test_a_figure_computed_from_hedged_figures_is_hedged_the_way_they_pull(
        part: Qualifier, whole: Qualifier, expected: str | None) -> None:
    """A derived figure never reads as exact when its inputs were hedged: dividing "more than
    RMB 100bn" by "up to RMB 127bn" gives at least their ratio, and where the hedges pull
    opposite ways no honest figure exists, so none is printed."""
    found = share(_hedged(50, part), _hedged(100, whole))
    assert (found.text if found else None) == expected
    growth = change(_hedged(150, part), _hedged(100, whole))
    assert (growth.text if growth else None) == (
        expected.replace("50%", "+50.0%") if expected else None)
    points = gap_points(_hedged(20, part), _hedged(10, Qualifier.exact))
    assert points is not None and points.text == fmt.qualify(
        "+10.0 pp", {Qualifier.more_than: Qualifier.at_least, Qualifier.nearly:
                     Qualifier.up_to}.get(part, part))


def test_a_yearly_pace_keeps_the_plans_hedge() -> None:
    capex = derive(load_spec(SAMPLE).spec).capex
    assert capex.guidance is not None and capex.guidance.text == "up to RMB 380bn"
    assert capex.annual_pace is not None and capex.annual_pace.text == "up to RMB 127bn"
