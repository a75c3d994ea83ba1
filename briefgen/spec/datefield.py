"""`Date`: the one type of every date field in a spec or any other YAML config briefgen reads.

pydantic's lax mode reads a number as a Unix timestamp: `date: 1756425600` (or the CSV cell
"1756425600") becomes 2025-08-29. A desk that writes a number there has made a mistake (20250829,
an Excel serial day), never meant seconds since 1970, so a number is refused before pydantic
converts it. Dates written as YAML dates or as text like 2025-08-29 are read as before.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError


def _not_a_number(value: object) -> object:
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        # The "date_" prefix makes validate.message_for word it like every other bad date.
        raise PydanticCustomError("date_from_number", "a number is not a date")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


Date = Annotated[dt.date, BeforeValidator(_not_a_number)]


# A date as a source gives it: exact (a date), a month only ("2025-09"), approximate
# ("about 2025-09-01") or none ("n.d."). Kept as written; `derive.formatting.loose_date` prints it.
LOOSE_DATE_PATTERN = r"^(\d{4}-(0[1-9]|1[0-2])|about \d{4}-\d{2}-\d{2}|n\.d\.)$"


def _source_date(value: object) -> dt.date | str:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    _not_a_number(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(LOOSE_DATE_PATTERN, text):
            if text.startswith("about "):
                _iso(text.removeprefix("about "))
            return text
        return _iso(text)
    raise PydanticCustomError("date_type", "expected a date")


def _iso(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        # The "date_" prefix makes the loader word it like every other bad date, with a hint.
        raise PydanticCustomError(
            "date_loose", "expected a date like 2025-09-01, a month like 2025-09, "
            "'about 2025-09-01' or 'n.d.'") from None


SourceDate = Annotated[
    dt.date | str,
    PlainValidator(_source_date),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date"},
                              {"type": "string", "pattern": LOOSE_DATE_PATTERN}]}),
    Field(description="A date (2025-09-01), a month (2025-09), 'about 2025-09-01' or 'n.d.'."),
]
