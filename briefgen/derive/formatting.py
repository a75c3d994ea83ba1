"""One way to write a number everywhere: text, tables, charts and email (`RMB 33.4bn`, `+26%`,
`+7.6 pp`). Also registered as Jinja filters, so templates never format numbers themselves."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from briefgen.spec.model import UNIT_FACTORS, Qualifier, Unit

# Desks write the renminbi as RMB although its ISO 4217 code is CNY.
CURRENCY_DISPLAY = {"CNY": "RMB"}


def currency_label(code: str) -> str:
    return CURRENCY_DISPLAY.get(code, code)


def significant(value: float, figures: int = 3) -> str:
    """`33.398` -> `33.4`, `4.6699` -> `4.67`, `380` -> `380`: three significant figures, which is
    how results notes quote amounts."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    decimals = max(0, figures - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{decimals}f}"
    return text


def given(value: float) -> str:
    """A number as the spec gave it: `6.2` -> `6.2`, `180.2` -> `180.2`, `33.006` -> `33.006`,
    `247652` -> `247,652`. Never rounds and never pads: the digits a reader sees are the value.

    YAML has already read `6.20` as 6.2, so the shortest text that reads back as the same float
    (Python's repr) is the precision the desk gave."""
    if not math.isfinite(value):
        return str(value)
    text = repr(float(value))
    if "e" in text or "E" in text:  # 1e-05, 1e+16: write it out in full
        text = format(Decimal(text), "f")
    fraction = text.partition(".")[2]
    decimals = 0 if fraction == "0" else len(fraction)
    body = f"{abs(value):,.{decimals}f}"
    return body if value >= 0 else f"−{body}"  # a true minus sign, as `percent` writes it


def scale_for(amount: float) -> Unit:
    """The unit a human would quote `amount` (in ones) in."""
    size = abs(amount)
    if size >= 1e12:
        return Unit.trillion
    if size >= 1e9:
        return Unit.billion
    if size >= 1e6:
        return Unit.million
    if size >= 1e3:
        return Unit.thousand
    return Unit.ones


def money_given(value: float, unit: Unit, currency: str,
                qualifier: Qualifier = Qualifier.exact) -> str:
    """An amount as the spec states it, in its own unit and precision: `RMB 247,652m`,
    `USD 6.2bn`, `about RMB 120bn`. Every reported amount in a note reads this way, so a reader
    who recomputes a derived figure from the amounts printed beside it gets the printed result."""
    suffix = "" if unit is Unit.ones else unit.value
    sign = "−" if value < 0 else ""
    return qualify(f"{sign}{currency_label(currency)} {given(abs(value))}{suffix}", qualifier)


def money(value: float, unit: Unit, currency: str, qualifier: Qualifier = Qualifier.exact,
          *, to_unit: Unit | None = None) -> str:
    """A computed amount, to three significant figures in the unit a person would quote:
    `money(4_670_022_371, Unit.ones, "USD")` -> `USD 4.67bn`. Reported amounts use
    `money_given`, which never rounds."""
    ones = value * UNIT_FACTORS[unit]
    target = to_unit or scale_for(ones)
    scaled = ones / UNIT_FACTORS[target]
    suffix = "" if target is Unit.ones else target.value
    text = f"{currency_label(currency)} {significant(scaled)}{suffix}"
    return qualify(text, qualifier)


def qualify(text: str, qualifier: Qualifier) -> str:
    return text if qualifier is Qualifier.exact else f"{qualifier.value} {text}"


def _trim(value: float, decimals: int) -> str:
    text = f"{abs(value):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def percent_given(value: float, *, signed: bool = True) -> str:
    """A reported rate at the precision given: `26` -> `+26%`, `18.45` -> `+18.45%`."""
    body = given(abs(value))
    if body == "0":
        return "0%"
    sign = ("+" if value > 0 else "−") if signed else ("−" if value < 0 else "")
    return f"{sign}{body}%"


def percent(value: float, *, signed: bool = True, decimals: int = 1, fixed: bool = False) -> str:
    """`26` -> `+26%`, `18.4` -> `+18.4%`, `-3.05` -> `−3.1%` (a true minus sign).

    Reported rates keep the precision they were given (`+26%`); computed ones pass `fixed=True`
    so `5.0%` does not pretend to be a rounded whole number."""
    body = f"{abs(value):.{decimals}f}" if fixed else _trim(value, decimals)
    if body == "0":
        return "0%"
    sign = ("+" if value > 0 else "−") if signed else ("−" if value < 0 else "")
    return f"{sign}{body}%"


def points(value: float, decimals: int = 1) -> str:
    """A difference of two percentages: `+7.6 pp` (always one decimal: `+6.0 pp`)."""
    body = f"{abs(value):.{decimals}f}"
    if float(body) == 0:
        return f"{body} pp"
    sign = "+" if value > 0 else "−"
    return f"{sign}{body} pp"


def loose_date(value: dt.date | str | None) -> str:
    """A source's date as it gives it: `1 Sep 2025`, `Sep 2025` (month only), `c. 1 Sep 2025`
    (approximate) or `n.d.` (none): never a made-up exact day."""
    if value is None or value == "n.d.":
        return "n.d."
    if isinstance(value, dt.date):
        return date_short(value)
    if value.startswith("about "):
        return "c. " + date_short(dt.date.fromisoformat(value.removeprefix("about ")))
    month = dt.date.fromisoformat(value + "-01")
    return f"{month:%b %Y}"


def money_range(low: float, high: float, unit: Unit, currency: str,
                qualifier: Qualifier = Qualifier.exact) -> str:
    """`USD 64–72bn`, `about RMB 91–93bn`: both ends as given, one currency and unit."""
    suffix = "" if unit is Unit.ones else unit.value
    return qualify(f"{currency_label(currency)} {given(low)}–{given(high)}{suffix}", qualifier)


def percent_range(low: float, high: float, qualifier: Qualifier = Qualifier.exact) -> str:
    """`+18–20%`, `−2% to −4%` (`to` when an end is negative, so minus signs do not blur)."""
    if low < 0 or high < 0:
        return qualify(f"{percent_given(low)} to {percent_given(high)}", qualifier)
    return qualify(f"+{given(low)}–{given(high)}%", qualifier)


def date_long(value: dt.date) -> str:
    """`2025-08-29` -> `29 August 2025`."""
    return f"{value.day} {value:%B %Y}"


def date_short(value: dt.date) -> str:
    """`2025-08-29` -> `29 Aug 2025`."""
    return f"{value.day} {value:%b %Y}"


def quarter_label(end: dt.date) -> str:
    """Chart axis label for a quarter: `2025-06-30` -> `Jun-25`."""
    return f"{end:%b-%y}"


def sentence_case(text: str) -> str:
    """Capitalise the first letter only (`more than RMB 100bn` -> `More than RMB 100bn`)."""
    return text[:1].upper() + text[1:]


def ordinal_words(count: int) -> str:
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten"]
    return words[count] if 0 <= count < len(words) else str(count)
