"""Counts as sources give them (a number, a range, a qualified number, dated) and cloud regions
launched apart from data centres opened: in sentences, key data, the footprint line, the chart
and the changes since the previous note."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from briefgen.charts.draw import plan_charts
from briefgen.derive import derive
from briefgen.derive.changes import compare
from briefgen.note.model import footprint, regions_table
from briefgen.spec.model import Spec
from tests.helpers.specs import make_spec

SITES = [{"place": "Querétaro", "country": "Mexico", "region": "Americas"},
         {"place": "Bangkok", "country": "Thailand", "region": "Asia"},
         {"place": "Johor", "country": "Malaysia", "region": "Asia"}]
LAUNCHES = [{"name": "Mexico Central", "country": "Mexico", "launched": "2025-07",
             "availability_zones": {"value": 3}},
            {"name": "Thailand"}]


def _spec(**infrastructure: Any) -> Spec:
    return make_spec(infrastructure={"source": "s", **infrastructure})


def _everything(spec: Spec) -> str:
    """Every text the note prints about the quarter's footprint."""
    d = derive(spec)
    line, _ = footprint(spec, d)
    return "\n".join([*(t.text for t in d.takeaways), *(v.text for _, v in d.key_data),
                      line or "", *(p.alt for p in plan_charts(spec, d))])


def test_a_count_range_prints_as_a_range_everywhere_never_its_midpoint() -> None:
    spec = _spec(regions={"low": 30, "high": 32}, availability_zones={"value": 96},
                 data_centres={"value": 100, "qualifier": "more than"},
                 new_data_centres=SITES)
    d = derive(spec)
    said = next(t.text for t in d.takeaways if "footprint" in t.text)
    assert said.endswith("footprint of 30–32 regions, 96 availability zones and more than 100 "
                         "data centres.")
    assert dict((k, v.text) for k, v in d.key_data)["Footprint"] == (
        "30–32 regions, 96 AZs, more than 100 data centres")
    assert footprint(spec, d)[0] == ("Footprint: 30–32 cloud regions, 96 availability zones "
                                     "and more than 100 data centres.")
    chart = next(p for p in plan_charts(spec, d) if p.key == "infrastructure")
    assert "30–32 regions, 96 availability zones, more than 100 data centres" in chart.alt
    assert "31" not in _everything(spec)  # the midpoint is no figure anyone gave


@pytest.mark.parametrize(("count", "words"), [
    ({"value": 1}, "1 region"), ({"value": 1, "qualifier": "more than"}, "more than 1 region"),
    ({"low": 1, "high": 2}, "1–2 regions"), ({"value": 1200, "qualifier": "about"},
                                            "about 1,200 regions"),
    ({"low": 30, "high": 32, "qualifier": "up to"}, "up to 30–32 regions")])
def test_count_words(count: dict[str, Any], words: str) -> None:
    assert f"footprint of {words}." in _everything(_spec(regions=count)).lower()


@pytest.mark.parametrize("count", [{"value": 3, "low": 1, "high": 4}, {"low": 5, "high": 2},
                                   {"low": 5}, {"value": -1}, {"low": -1, "high": 2},
                                   {"value": 2.5}])
def test_a_count_is_one_whole_number_or_a_whole_range(count: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _spec(regions=count)


def test_each_count_says_its_own_date_and_a_shared_date_once() -> None:
    apart = _everything(_spec(regions={"value": 38, "as_of": "2025-09-02"},
                              availability_zones={"value": 120}))
    assert "38 regions (as of 2 Sep 2025) and 120 availability zones." in apart
    shared = _everything(_spec(regions={"value": 38, "as_of": "2025-09-02"},
                               availability_zones={"value": 120, "as_of": "2025-09-02"}))
    assert "38 regions and 120 availability zones (as of 2 Sep 2025)." in shared
    assert "Footprint: 38 cloud regions and 120 availability zones (as of 2 Sep 2025)." in shared


def test_one_count_alone_is_still_said() -> None:
    """The footprint was printed only with both regions and zones; any one count is a fact."""
    text = _everything(_spec(data_centres={"value": 100, "qualifier": "more than"}))
    assert "Footprint of more than 100 data centres." in text
    assert "Footprint: more than 100 data centres." in text


def test_region_launches_are_not_data_centre_openings() -> None:
    spec = _spec(new_regions=LAUNCHES, new_regions_period="in the quarter",
                 new_data_centres=SITES, new_data_centres_period="in 2025 to date")
    d = derive(spec)
    said = next(t.text for t in d.takeaways if "cloud region" in t.text)
    assert said == ("2 new cloud regions launched in the quarter (Mexico Central, Jul 2025; "
                    "Thailand); 3 new data centres in 2025 to date (Americas: 1, Asia: 2).")
    assert d.sites_by_region == {"Americas": 1, "Asia": 2}  # regions launched are not sites
    table = regions_table(spec, d)
    assert table is not None and table.title == "New cloud regions in the quarter"
    assert [(label, ["".join(p.text for p in c.parts) for c in cells])
            for label, cells in table.rows] == [
        ("Mexico Central", ["Mexico", "3", "Jul 2025"]), ("Thailand", ["", "", ""])]
    chart = next(p for p in plan_charts(spec, d) if p.key == "infrastructure")
    assert "3 opened in 2025 to date" in chart.alt and "Mexico Central" not in chart.alt


def test_one_region_launch_without_data_centres() -> None:
    d = derive(_spec(new_regions=LAUNCHES[1:]))
    assert "1 new cloud region launched (Thailand)." in [t.text for t in d.takeaways]
    assert not [p for p in plan_charts(_spec(new_regions=LAUNCHES[1:]), d)
                if p.key == "infrastructure"]  # no chart of zero data centres


def test_changes_compare_ranges_as_words_without_a_delta() -> None:
    before = _spec(regions={"value": 29}, data_centres={"low": 80, "high": 90})
    after = _spec(regions={"value": 31}, data_centres={"value": 100, "qualifier": "more than"},
                  new_regions=LAUNCHES)
    found = {c.label: c for c in compare(before, derive(before), after, derive(after)).items}
    assert (found["Cloud regions"].old, found["Cloud regions"].new) == ("29", "31")
    assert found["Cloud regions"].delta is not None
    dc = found["Data centres"]
    assert (dc.old, dc.new, dc.delta) == ("80–90", "more than 100", None)
    assert {"New cloud region: Mexico Central", "New cloud region: Thailand"} <= set(found)
