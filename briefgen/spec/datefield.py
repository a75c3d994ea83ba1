"""`Date`: the one type of every date field in a spec or any other YAML config briefgen reads.

pydantic's lax mode reads a number as a Unix timestamp: `date: 1756425600` (or the CSV cell
"1756425600") becomes 2025-08-29. A desk that writes a number there has made a mistake (20250829,
an Excel serial day), never meant seconds since 1970, so a number is refused before pydantic
converts it. Dates written as YAML dates or as text like 2025-08-29 are read as before.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BeforeValidator
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
