"""`briefgen.spec.fix.fixed_text`: superseded forms rewritten to the current form, the desk's
comments and layout kept elsewhere, the meaning unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from briefgen.spec import superseded
from briefgen.spec.fix import fixed_text
from briefgen.spec.load import load_spec
from tests.conftest import SPECS

COMPAT = Path(__file__).resolve().parents[1] / "fixtures" / "compat"


@pytest.mark.parametrize("name", ["baba.yaml", "baba-2025q3.yaml"])
def test_the_previous_samples_fix_to_the_current_ones(name: str) -> None:
    """The samples were moved to `guidance` by hand; `--fix` writes the same bytes."""
    before = (COMPAT / name).read_text(encoding="utf-8")
    fixed = fixed_text(before)
    assert fixed.forms == ["capex plan"]
    assert fixed.after == (SPECS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["baba.yaml", "baba-2025q3.yaml"])
def test_a_fix_keeps_the_meaning_and_clears_the_warning(name: str, tmp_path: Path) -> None:
    for extra in COMPAT.glob("*.csv"):
        (tmp_path / extra.name).write_bytes(extra.read_bytes())
    old = load_spec(COMPAT / name, find_previous=False)
    assert [w.where for w in old.warnings] == ["capex.plan_total"]
    target = tmp_path / name
    target.write_text(fixed_text((COMPAT / name).read_text(encoding="utf-8")).after,
                      encoding="utf-8")
    new = load_spec(target, strict=True, find_previous=False)
    assert new.warnings == []
    assert old.spec.capex is not None and new.spec.capex is not None
    assert new.spec.capex.plan == old.spec.capex.plan
    assert new.spec.model_dump(exclude={"capex"}) == old.spec.model_dump(exclude={"capex"})
    keep = {"invested_trailing_4q", "invested_to_date", "outlook", "source", "quarterly"}
    assert new.spec.capex.model_dump(include=keep) == old.spec.capex.model_dump(include=keep)


ODD = """\
# Desk header: kept
brief:
    title: "Odd: a spec written another way"   # trailing comment, kept
    date: 2025-08-01
company:
    name: Odd Co
    listings:
    - {exchange: NYSE, ticker: ODD,
       currency: USD}
capex:
    # the plan as the release put it
    plan_total: {value: 50, currency: USD, unit: bn}  # from the 10-Q
    horizon_years: 2
    plan_scope: 'data centres'
    # outlook follows
    outlook: Raised.
kpis:
  - {name: X, kind: growth,
     growth_yoy: {value: 4}}
"""


def test_comments_quoting_and_layout_elsewhere_are_kept() -> None:
    fixed = fixed_text(ODD)
    assert fixed.after == ODD.replace("""\
    plan_total: {value: 50, currency: USD, unit: bn}  # from the 10-Q
    horizon_years: 2
    plan_scope: 'data centres'
""", """\
    guidance:
        amount: {value: 50, currency: USD, unit: bn}  # from the 10-Q
        years: 2
        scope: 'data centres'
""")


def test_a_flow_mapping_is_rewritten_in_flow_style() -> None:
    text = ("capex: {plan_total: {value: 50, currency: USD}, horizon_years: 2}\n"
            "other: {a: 1,\n        b: 2}\n")
    assert fixed_text(text).after == ("capex: {guidance: {amount: {value: 50, currency: USD}, "
                                      "years: 2}}\nother: {a: 1,\n        b: 2}\n")


def test_windows_line_ends_and_a_byte_order_mark_are_kept() -> None:
    text = "\ufeffa: 1  # one\r\ncapex:\r\n  plan_total: {value: 5, currency: USD}\r\n" \
           "  horizon_years: 1\r\n"
    after = fixed_text(text).after
    assert after == ("\ufeffa: 1  # one\r\ncapex:\r\n  guidance:\r\n"
                     "    amount: {value: 5, currency: USD}\r\n    years: 1\r\n")


def test_plan_scope_beside_guidance_moves_into_it() -> None:
    text = ("capex:\n  plan_scope: AI\n  guidance:\n    amount: {value: 5, currency: USD}\n"
            "    years: 1\n")
    data = yaml.safe_load(text)
    assert [f.message for f in superseded.find(data)] == [
        "`plan_scope` is the earlier form of `guidance.scope`"]
    assert yaml.safe_load(fixed_text(text).after) == {"capex": {"guidance": {
        "amount": {"value": 5, "currency": "USD"}, "years": 1, "scope": "AI"}}}


def test_what_needs_the_desks_choice_is_not_rewritten() -> None:
    conflicting = ("capex:\n  plan_scope: AI\n  guidance:\n    amount: {value: 5, currency: "
                   "USD}\n    scope: cloud\n")
    [found] = superseded.find(yaml.safe_load(conflicting))
    assert not found.fixable and "remove `plan_scope`" in found.hint
    no_length = "capex:\n  plan_total: {value: 5, currency: USD}\n"
    for text in (conflicting, no_length, "capex: [1]\n", "- a list\n", "a: [unclosed\n", ""):
        fixed = fixed_text(text)
        assert (fixed.after, fixed.forms, fixed.changed) == (text, [], False)


def test_every_fixable_warning_says_fix_rewrites_it() -> None:
    """A warning's hint promises `--fix` exactly when `--fix` does something."""
    for text in (ODD, "capex:\n  plan_scope: AI\n  guidance: {amount: {value: 5}}\n"):
        for found in superseded.find(yaml.safe_load(text)):
            assert ("--fix" in found.hint) == found.fixable
            assert fixed_text(text).changed == found.fixable
