"""Checks between fields that a type cannot express: cited sources exist, quarters are in order,
reported growth agrees with the history, listings named in the reaction exist.

Each check yields `Problem`s located at the offending value; type checks have already passed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from briefgen.errors import Problem, Severity
from briefgen.inputs.located import LocatedDocument, PathKey, dotted, escape_controls, quoted
from briefgen.spec.model import UNIT_FACTORS, Spec

# Reported growth is rounded to whole percent in most releases; more than this is a real mismatch.
GROWTH_TOLERANCE_PP = 1.0
# The largest number a spec may give, in its own unit: VND revenue in ones stays below it.
MAX_MAGNITUDE = 1e15


Report = Callable[..., None]


def _reporter(doc: LocatedDocument, found: list[Problem]) -> Report:
    def report(path: PathKey, message: str, hint: str | None = None,
               severity: Severity = "error") -> None:
        mark = doc.value_marks.get(path) or doc.mark_for(path)
        found.append(Problem(mark.file if mark else doc.file, mark.line if mark else None,
                             mark.column if mark else None, dotted(path), message, hint, severity))
    return report


def citation_problems(doc: LocatedDocument) -> list[Problem]:
    """Sources cited but not listed, and figures citing nothing. Works on raw data, so these are
    reported beside type errors rather than after they are fixed."""
    found: list[Problem] = []
    report = _reporter(doc, found)
    sources = doc.data.get("sources") if isinstance(doc.data, dict) else None
    known: set[str] = set()
    for index, entry in enumerate(sources if isinstance(sources, list) else []):
        source_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(source_id, str):
            continue
        if source_id in known:
            report(("sources", index, "id"), f"duplicate source id {quoted(source_id)}",
                   "give each source its own id")
        known.add(source_id)

    for path, cited, inherited in _cited_figures(doc.data):
        if cited is not None and cited not in known:
            match = difflib.get_close_matches(cited, sorted(known), n=1, cutoff=0.5)
            report((*path, "source"), f"cites unknown source {quoted(cited)}",
                   f"did you mean {quoted(match[0])}?" if match else "add it to `sources`")
        node = _at(doc.data, path)
        if _is_figure(node) and cited is None and inherited is None:
            report(path, "figure has no source", "add `source:` here or on its section",
                   "warning")
        if isinstance(node, dict) and node.get("derived") and not node.get("derivation"):
            report(path, "derived figure does not say how", "add `derivation:`", "warning")
    return found


# Active ISO 4217 codes plus a few recently withdrawn ones that older filings still use.
_ISO_4217_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CLF CLP CNH CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN
ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD
JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON
RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP
TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XCD XCG XDR XOF
XPD XPF XPT YER ZAR ZMW ZWG ZWL
"""
ISO_4217 = frozenset(_ISO_4217_CODES.split())
# Names desks write that are not codes; the hint says which code they mean.
CURRENCY_ALIASES = {
    "RMB": ("renminbi", "CNY"), "YEN": ("yen", "JPY"), "NTD": ("New Taiwan dollar", "TWD"),
    "UKP": ("pound sterling", "GBP"), "STG": ("pound sterling", "GBP"),
    "SFR": ("Swiss franc", "CHF"), "HKS": ("Hong Kong dollar", "HKD"),
}
_CURRENCY_KEYS = {"currency", "reporting_currency"}


def currency_problems(doc: LocatedDocument) -> list[Problem]:
    """Three capital letters that are not an ISO 4217 code, e.g. the common "RMB".

    The type only checks the shape; on raw data, so reported beside type errors.
    """
    found: list[Problem] = []
    report = _reporter(doc, found)

    def visit(data: Any, path: PathKey) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                if (key in _CURRENCY_KEYS and isinstance(value, str)
                        and re.fullmatch(r"[A-Z]{3}", value) and value not in ISO_4217):
                    name, code = CURRENCY_ALIASES.get(value, ("", ""))
                    report((*path, key), f'"{value}" is not an ISO 4217 currency code',
                           f"the ISO 4217 code for {name} is {code}" if code
                           else "see https://en.wikipedia.org/wiki/ISO_4217")
                else:
                    visit(value, (*path, key))
        elif isinstance(data, list):
            for index, item in enumerate(data):
                visit(item, (*path, index))

    visit(doc.data, ())
    return found


def cross_field_problems(spec: Spec, doc: LocatedDocument) -> list[Problem]:
    """Checks that need a fully typed spec: ordering, growth arithmetic, listings, dates."""
    found: list[Problem] = []
    report = _reporter(doc, found)

    for path, number in _numbers(spec):
        if not math.isfinite(number):
            # YAML's .inf and .nan pass a float type but are no figure anyone reported.
            report(path, f"expected a finite number, got {number}")
        elif abs(number) > MAX_MAGNITUDE:
            # 1e308 is finite, but a chart's axis around it overflows to inf and sums of such
            # figures do too; nothing a company reports comes near this bound (a quadrillion).
            report(path, f"is too large to print or chart (at most {MAX_MAGNITUDE:.0e} "
                   f"either side of zero), got {number:g}", "is the unit right?")

    headlines = [i for i, s in enumerate(spec.segments) if s.headline]
    for extra in headlines[1:]:
        report(("segments", extra, "headline"), "only one segment can be the headline")

    for index, segment in enumerate(spec.segments):
        base: PathKey = ("segments", index)
        if segment.consensus and not (segment.consensus.provider or segment.consensus.estimates):
            # Valid before providers were asked for; a note must not call it "the consensus".
            report((*base, "consensus"), "consensus names no provider",
                   "add `provider: NAME` (e.g. LSEG), or `provider: unnamed` when the source "
                   "names none", "warning")
        if segment.history:
            ends = [q.quarter_end for q in segment.history.quarters]
            _check_order(ends, (*base, "history", "quarters"), report)
            _check_growth(spec, index, report)
    if spec.capex:
        _check_order([q.quarter_end for q in spec.capex.quarterly], ("capex", "quarterly"), report)

    tickers = [listing.ticker for listing in spec.company.listings]
    listed = ", ".join(escape_controls(ticker) for ticker in tickers)
    for index, move in enumerate(spec.market_reaction):
        if move.listing not in tickers:
            match = difflib.get_close_matches(move.listing, tickers, n=1, cutoff=0.3)
            report(("market_reaction", index, "listing"),
                   f"{quoted(move.listing)} is not one of company.listings ({listed})",
                   f"did you mean {quoted(match[0])}?" if match else None)
    target = spec.brief.price_target
    if target and target.listing not in tickers:
        report(("brief", "price_target", "listing"),
               f"{quoted(target.listing)} is not one of company.listings ({listed})")

    if spec.period.results_date < spec.period.quarter_end:
        report(("period", "results_date"), "results are dated before the quarter ended")
    if spec.brief.date < spec.period.quarter_end:
        report(("brief", "date"), "the note is dated before the quarter ended", severity="warning")
    return found


def _check_order(ends: list[dt.date], path: PathKey, report: Report) -> None:
    seen: set[dt.date] = set()
    for index, end in enumerate(ends):
        if end in seen:
            report((*path, index, "quarter_end"), f"quarter {end} appears twice")
        elif index and end < ends[index - 1]:
            report((*path, index, "quarter_end"),
                   f"quarter {end} comes after {ends[index - 1]}", "list quarters oldest first")
        seen.add(end)


def _year_before(quarters: dict[dt.date, float], end: dt.date) -> float | None:
    """Revenue of the quarter that ended about a year before `end` (quarter ends drift by days)."""
    for candidate, revenue in quarters.items():
        if abs((end - candidate).days - 365) <= 10:
            return revenue
    return None


def _check_growth(spec: Spec, index: int, report: Report) -> None:
    segment = spec.segments[index]
    history = segment.history
    assert history is not None
    revenue_by_end = {q.quarter_end: q.revenue for q in history.quarters
                      if q.revenue is not None}
    base: PathKey = ("segments", index)
    for row, point in enumerate(history.quarters):
        prior = _year_before(revenue_by_end, point.quarter_end)
        if point.growth_yoy is None or not prior or point.revenue is None:
            continue
        computed = (point.revenue / prior - 1) * 100
        if abs(computed - point.growth_yoy) > GROWTH_TOLERANCE_PP:
            report((*base, "history", "quarters", row, "growth_yoy"),
                   f"reported {point.growth_yoy:g}% but the history gives {_rate(computed)}%",
                   severity="warning")
    current = revenue_by_end.get(spec.period.quarter_end)
    prior = _year_before(revenue_by_end, spec.period.quarter_end)
    if segment.growth_yoy and segment.growth_yoy.value is not None and current and prior:
        computed = (current / prior - 1) * 100
        if abs(computed - segment.growth_yoy.value) > GROWTH_TOLERANCE_PP:
            report((*base, "growth_yoy", "value"),
                   f"reported {segment.growth_yoy.value:g}% but the history gives "
                   f"{_rate(computed)}% y/y", severity="warning")
    if current is not None and segment.revenue.value is not None:
        in_history = current * UNIT_FACTORS[history.unit]
        reported = segment.revenue.value * UNIT_FACTORS[segment.revenue.unit]
        # The headline figure is usually rounded (RMB 33.4bn for 33,398m): allow 0.5%.
        if in_history and abs(reported / in_history - 1) > 0.005:
            report((*base, "revenue", "value"),
                   f"disagrees with the history's {current:,.0f}{history.unit.value} "
                   "for the same quarter", severity="warning")


def _numbers(model: BaseModel, path: PathKey = ()) -> Iterator[tuple[PathKey, float]]:
    """Every float in a typed spec, with its path."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = (*path, name) if index is None else (*path, name, index)
            if isinstance(item, BaseModel):
                yield from _numbers(item, where)
            elif isinstance(item, float):
                yield where, item
            elif isinstance(item, int) and not isinstance(item, bool):  # a Count, maybe 10**400
                yield where, float(item) if abs(item) < 10**300 else math.copysign(1e300, item)


def _cited_figures(
    data: Any, path: PathKey = (), inherited: str | None = None
) -> Iterator[tuple[PathKey, str | None, str | None]]:
    """Every mapping with a `source` or a figure, with the source its section gives it."""
    if isinstance(data, dict):
        own = data.get("source") if isinstance(data.get("source"), str) else None
        if "source" in data or _is_figure(data):
            yield path, own, inherited
        for key, value in data.items():
            if key != "sources":
                yield from _cited_figures(value, (*path, key), own or inherited)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _cited_figures(item, (*path, index), inherited)


# Keys whose number makes a mapping a figure that a note may print (and so must cite).
FIGURE_KEYS = ("value", "low", "high", "revenue", "move", "rate")


def _is_figure(node: Any) -> bool:
    return isinstance(node, dict) and any(
        isinstance(node.get(key), int | float) and not isinstance(node.get(key), bool)
        for key in FIGURE_KEYS
    )


def _at(data: Any, path: PathKey) -> Any:
    for part in path:
        data = data[part]
    return data


def _rate(percent: float) -> str:
    """A computed growth rate for a message: one decimal, or three significant figures when it is
    so large (a fuzzed history) that every digit would fill a screen."""
    return f"{percent:.1f}" if abs(percent) < 1e6 else f"{percent:.3g}"
