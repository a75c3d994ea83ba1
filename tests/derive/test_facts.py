"""Facts as sources state them: ranges, several estimates, loose dates, dated counts, share-move
bases, capex by quarter and guidance of every kind, typed KPIs, firm-level analyst views."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from briefgen.derive import derive
from briefgen.derive import formatting as fmt
from briefgen.note.model import view
from briefgen.spec.model import AnalystView
from tests.helpers.specs import history, make_spec, spec_data


def _cloud(**extra: object) -> dict[str, object]:
    return {"name": "Cloud", "source": "s", "revenue": {"value": 10.4, "currency": "USD"},
            "growth_yoy": {"value": 20}, **extra}


def test_a_range_is_never_reduced_to_its_midpoint() -> None:
    d = derive(make_spec(segments=[_cloud(consensus={
        "provider": "LSEG", "revenue": {"low": 10.0, "high": 10.6, "currency": "USD"}})]))
    seg = d.headline
    assert seg.consensus_revenue is not None and seg.consensus_revenue.text == "USD 10–10.6bn"
    assert seg.beat_pct is None and seg.verdict == "in line"  # 10.4 is inside the range
    assert "in line with the USD 10–10.6bn consensus range" in d.standfirst.text


def test_a_result_above_a_range_beats_its_top() -> None:
    d = derive(make_spec(segments=[_cloud(consensus={
        "provider": "unnamed", "growth_yoy": {"low": 15, "high": 18}})]))
    gap = d.headline.beat_pp
    assert gap is not None and gap.text == "+2.0 pp"
    assert gap.derivation == "20% − 18%; against the top of the consensus range"


def test_several_estimates_read_as_a_range_with_their_providers() -> None:
    d = derive(make_spec(segments=[_cloud(consensus={"estimates": [
        {"provider": "LSEG", "revenue": {"value": 10.1, "currency": "USD"}},
        {"provider": "Visible Alpha", "revenue": {"value": 10.3, "currency": "USD"}}]})]))
    seg = d.headline
    assert seg.consensus_provider == "LSEG, Visible Alpha"
    assert seg.consensus_revenue is not None
    assert seg.consensus_revenue.text == "USD 10.1bn to USD 10.3bn"
    assert seg.beat_pct is not None and seg.beat_pct.text == "+1.0%"  # 10.4 / 10.3 − 1


@pytest.mark.parametrize("section", [{"value": 1, "low": 0, "high": 2}, {"low": 3, "high": 2},
                                     {"low": 3}])
def test_a_range_needs_both_ends_and_no_value(section: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        make_spec(segments=[_cloud(revenue={"currency": "USD", **section})])


@pytest.mark.parametrize(("given", "printed"), [
    ("2025-09-01", "1 Sep 2025"), ("2025-09", "Sep 2025"), ("about 2025-09-01", "c. 1 Sep 2025"),
    ("n.d.", "n.d."), (None, "n.d.")])
def test_a_source_date_prints_as_given(given: str | None, printed: str) -> None:
    data = spec_data()
    data["sources"][0]["date"] = given
    d = derive(make_spec(sources=data["sources"]))
    assert d.source_line(["s"]).endswith(printed)


def test_counts_dated_after_the_quarter_say_so() -> None:
    d = derive(make_spec(infrastructure={"source": "s", "regions": {"value": 38, "as_of":
                                         "2025-09-02"}, "availability_zones": {"value": 120}}))
    assert any("(as of 2 Sep 2025)" in t.text for t in d.takeaways)


def test_two_moves_on_one_listing_read_as_a_sequence() -> None:
    d = derive(make_spec(market_reaction=[
        {"listing": "EXM", "date": "2025-07-30", "move": 13, "basis": "after hours",
         "source": "s"},
        {"listing": "EXM", "date": "2025-07-31", "move": 11, "basis": "close", "source": "s"}]))
    [text] = [t.text for t in d.takeaways if "shares" in t.text]
    assert text == ("The shares rose 13% after hours on 30 Jul (NASDAQ: EXM), then 11% at the "
                    "close on 31 Jul after the results.")


def test_capex_by_quarter_with_year_on_year_and_a_one_year_range() -> None:
    spend = [{"quarter_end": end, "spend": {"value": value, "currency": "USD"}}
             for end, value in (("2024-06-30", 17.6), ("2025-06-30", 31.4))]
    d = derive(make_spec(capex={"source": "s", "quarterly": spend, "guidance": {
        "amount": {"low": 64, "high": 72, "currency": "USD"}, "period": "FY2025",
        "definition": "cash capex including finance leases"}}))
    assert d.capex is not None and d.capex.latest is not None
    growth = d.capex.latest.growth_yoy
    assert growth is not None and growth.text == "+78.4%"
    assert growth.derivation == "USD 31.4bn / USD 17.6bn − 1; Jun-25 against Jun-24"
    assert d.capex.annual_pace is None  # a year's guidance is its own pace
    [text] = [t.text for t in d.takeaways if "Capex" in t.text]
    assert text == ("Capex of USD 31.4bn in the quarter (+78.4% y/y); guidance of USD 64–72bn "
                    "for FY2025.")


def test_no_plan_disclosed_is_said() -> None:
    d = derive(make_spec(capex={"source": "s", "plan_disclosed": False}))
    assert "No capex plan disclosed." in [t.text for t in d.takeaways]
    assert ("Capex plan", "not disclosed") in [(k, v.text) for k, v in d.key_data]


def test_the_earlier_capex_form_still_reads() -> None:
    d = derive(make_spec(capex={"source": "s", "horizon_years": 3, "plan_total": {
        "value": 380, "currency": "CNY", "qualifier": "up to"}}))
    assert d.capex is not None and d.capex.annual_pace is not None
    assert d.capex.annual_pace.text == "up to RMB 127bn"


def test_typed_kpis_and_growth_only_history_rows() -> None:
    rows = history(("2024-06-30", 8.0, None), ("2025-03-31", None, 18), ("2025-06-30", 10.4, 30))
    d = derive(make_spec(segments=[_cloud(growth_yoy={"value": 30}, history=rows)], kpis=[
        {"name": "Platform growth", "kind": "growth", "growth_yoy": {"value": 40},
         "constant_currency": True, "source": "s"},
        {"name": "Operating income", "kind": "operating income", "segment": "Cloud",
         "amount": {"value": 2.1, "currency": "USD"}, "source": "s",
         "consensus": {"provider": "FactSet", "revenue": {"value": 2.0, "currency": "USD"}}}]))
    assert [p.revenue for p in d.headline.history] == [8.0, None, 10.4]
    platform, income = d.kpis
    assert platform.main.text == "+40%" and platform.growth_label == "y/y, constant currency"
    assert income.gap is not None and income.gap.text == "+5.0%"


def test_a_firms_view_needs_no_person() -> None:
    d = derive(make_spec())
    person = view(d, AnalystView(firm="CFRA", kind="paraphrase", text="Upgraded.",
                                 timing="after results", date="2025-07-31", rating="Buy",
                                 target={"value": 250, "currency": "USD"}))
    assert person.name == "CFRA" and person.role is None
    assert person.context == "after results, 31 Jul 2025; Buy; USD 250.00 target"


def test_loose_date_formatting() -> None:
    assert fmt.loose_date("2025-07") == "Jul 2025"
