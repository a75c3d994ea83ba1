"""The generated story reads right for any shape of quarter: misses, slowdowns, declines and
falls are said (and signed), names keep the desk's casing, and the takeaways put what matters
first whatever the order of the spec's lists."""

from __future__ import annotations

from briefgen.derive import derive
from tests.helpers.specs import history, make_spec

QUARTERS = ("2024-06-30", "2024-09-30", "2024-12-31", "2025-03-31", "2025-06-30")


def _segment(name: str, revenue: float, growth: float, **extra: object) -> dict[str, object]:
    return {"name": name, "source": "s", "revenue": {"value": revenue, "currency": "USD"},
            "growth_yoy": {"value": growth}, **extra}


def test_names_keep_the_desks_casing() -> None:
    spec = make_spec(segments=[_segment("AWS", 30.9, 17.5), _segment("Google Cloud", 13.6, 32)])
    d = derive(spec)
    everything = " ".join([d.standfirst.text, d.subject, *(t.text for t in d.takeaways),
                           *(label for label, _ in d.key_data)])
    assert "AWS revenue" in everything and "Google Cloud revenue" in everything
    assert "Aws" not in everything and "Google cloud" not in everything


def test_a_figure_prints_at_the_precision_given() -> None:
    spec = make_spec(segments=[_segment("AI Cloud", 6.2, 21, consensus={
        "provider": "LSEG", "revenue": {"value": 180.2, "currency": "USD"}})])
    d = derive(spec)
    assert d.headline.revenue.text == "USD 6.2bn"  # not 6.20bn
    assert d.headline.consensus_revenue is not None
    assert d.headline.consensus_revenue.text == "USD 180.2bn"  # not 180bn
    assert d.headline.beat_pct is not None
    assert d.headline.beat_pct.derivation is not None
    assert d.headline.beat_pct.derivation.startswith("USD 6.2bn / USD 180.2bn − 1")


def test_a_miss_a_slowdown_and_a_fall_are_said_and_signed() -> None:
    rows = [(QUARTERS[0], 10.0, 30), (QUARTERS[1], 10.5, 28), (QUARTERS[2], 11.0, 25),
            (QUARTERS[3], 11.5, 22), (QUARTERS[4], 11.2, 12)]
    spec = make_spec(
        segments=[_segment("Cloud", 11.2, 12, headline=True, history=history(*rows),
                           consensus={"provider": "FactSet", "growth_yoy": {"value": 15}})],
        market_reaction=[{"listing": "EXM", "date": "2025-07-31", "move": -8.4, "source": "s"}],
    )
    d = derive(spec)
    texts = [t.text for t in d.takeaways]
    assert "3.0 pp below the 15% growth consensus" in texts[0]
    assert d.headline.verdict == "miss"
    # The slowdown and the q/q decline come straight after the lead.
    assert texts[1] == ("Growth slowed from +22% in Mar-25 to +12% y/y; revenue fell 2.6% on the "
                        "prior quarter.")
    assert "The shares fell 8.4% (NASDAQ: EXM) after the results." in texts  # fell: its size
    assert "below consensus" in d.subject


def test_a_move_one_way_is_said_by_its_size_and_moves_both_ways_are_signed() -> None:
    spec = make_spec(market_reaction=[
        {"listing": "EXM", "date": "2025-07-31", "move": 4.5, "source": "s"}])
    [move] = [t.text for t in derive(spec).takeaways if "shares" in t.text]
    assert move == "The shares rose 4.5% (NASDAQ: EXM) after the results."
    company = {"name": "Example Corp", "reporting_currency": "USD", "listings": [
        {"exchange": "NASDAQ", "ticker": "EXM", "currency": "USD"},
        {"exchange": "HKEX", "ticker": "9999", "currency": "HKD"}]}
    spec = make_spec(company=company, market_reaction=[
        {"listing": "EXM", "date": "2025-07-31", "move": 2.1, "source": "s"},
        {"listing": "9999", "date": "2025-07-31", "move": -0.4, "source": "s"}])
    [move] = [t.text for t in derive(spec).takeaways if "shares" in t.text]
    assert move == ("The shares moved +2.1% (NASDAQ: EXM) and −0.4% (HKEX: 9999) after the "
                    "results.")


def test_takeaways_rank_a_late_miss_above_colour() -> None:
    segments = [_segment("Cloud", 11.2, 30, headline=True),
                *(_segment(f"Unit {i}", 1.0, 5) for i in range(4)),
                _segment("Devices", 2.0, -4, consensus={
                    "provider": "LSEG", "revenue": {"value": 2.5, "currency": "USD"}})]
    d = derive(make_spec(segments=segments))
    texts = [t.text for t in d.takeaways]
    assert len(texts) == 5
    assert texts[0].startswith("Cloud revenue")
    # Last in the spec's list, first after the lead: a miss is never the one the cap drops.
    assert texts[1].startswith("Devices revenue USD 2bn, −4% y/y, 20.0% below")


def test_an_unnamed_provider_is_said_to_be_unattributed() -> None:
    spec = make_spec(segments=[_segment("Cloud", 10.0, 20, consensus={
        "provider": "unnamed", "growth_yoy": {"value": 18}})])
    assert "above an unattributed 18% growth estimate" in derive(spec).standfirst.text


def test_a_one_year_capex_guidance_is_not_over_one_years() -> None:
    spec = make_spec(capex={"source": "s", "horizon_years": 1, "plan_total": {
        "value": 125, "currency": "USD", "qualifier": "about"}})
    d = derive(spec)
    texts = " ".join([*(t.text for t in d.takeaways), *(v.text for _, v in d.key_data)])
    assert "1 years" not in texts and "one years" not in texts
    assert "Capex guidance of about USD 125bn for the year." in texts
