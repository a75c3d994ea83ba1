"""Every note the suite renders in this process must explain every number it prints.

`install()` wraps the pipeline's `render_loaded` so that each brief it returns is checked: a
provenance record classed "unexplained" fails the test that rendered it. A test that renders such
a number on purpose (a template with a literal number, to see it caught) marks itself
`@pytest.mark.unexplained_numbers`. Renders in forked workers are checked by the tests that read
their outputs (tests/build/test_reconcile.py runs `briefgen check` on them).
"""

from __future__ import annotations

import functools
import json
from typing import Any

allowed = False  # set by the conftest fixture for tests marked `unexplained_numbers`
checked: list[str] = []  # slugs of the briefs checked, for the test that the guard runs


def install() -> None:
    from briefgen.build import pipeline
    from briefgen.build.options import PROVENANCE_FILE

    original = pipeline.render_loaded
    if getattr(original, "guarded", False):
        return

    @functools.wraps(original)
    def render_loaded(*args: Any, **kwargs: Any) -> Any:
        brief = original(*args, **kwargs)
        data = brief.files.get(PROVENANCE_FILE)
        if data is not None and not allowed:
            numbers = json.loads(data)["numbers"]
            unexplained = [(n["text"], n["section"]) for n in numbers
                           if n["kind"] == "unexplained"]
            assert not unexplained, f"{brief.slug}: numbers without an origin: {unexplained}"
            checked.append(brief.slug)
        return brief

    render_loaded.guarded = True  # type: ignore[attr-defined]
    pipeline.render_loaded = render_loaded
