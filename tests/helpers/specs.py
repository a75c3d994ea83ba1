"""Small specs built in code, for tests of one shape of quarter at a time."""

from __future__ import annotations

import copy
from typing import Any

from briefgen.spec.model import Spec

MINIMAL: dict[str, Any] = {
    "brief": {"title": "Test note", "date": "2025-08-01", "author": "A. Analyst", "desk": "Desk"},
    "company": {"name": "Example Corp", "listings": [{"exchange": "NASDAQ", "ticker": "EXM",
                                                      "currency": "USD"}],
                "reporting_currency": "USD"},
    "period": {"fiscal_label": "Q2 2025", "quarter_end": "2025-06-30",
               "results_date": "2025-07-30"},
    "segments": [{"name": "Cloud", "source": "s", "revenue": {"value": 10.0, "currency": "USD"}}],
    "sources": [{"id": "s", "publisher": "Example Corp", "title": "Results", "date":
                 "2025-07-30"}],
}


def spec_data(**sections: Any) -> dict[str, Any]:
    """The minimal spec's data with whole sections replaced (`segments=[…]`)."""
    data = copy.deepcopy(MINIMAL)
    data.update(copy.deepcopy(sections))
    return data


def make_spec(**sections: Any) -> Spec:
    return Spec.model_validate(spec_data(**sections))


def history(*rows: tuple[str, float, float | None]) -> dict[str, Any]:
    return {"currency": "USD", "unit": "bn", "source": "s",
            "quarters": [{"quarter_end": end, "revenue": revenue, "growth_yoy": growth}
                         for end, revenue, growth in rows]}
