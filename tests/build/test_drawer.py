"""The forked chart drawer of a cold `briefgen render SPEC` (`briefgen.build.drawer`)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from briefgen.brand.model import DEFAULT_BRAND
from briefgen.build import drawer as charts
from briefgen.build.pipeline import draw_charts
from briefgen.derive import derive
from briefgen.errors import RenderError
from briefgen.spec.load import load_spec
from tests.helpers.golden import SAMPLES


def test_the_drawer_draws_what_this_process_draws_and_hands_back_errors() -> None:
    loaded = load_spec(SAMPLES["baba"])
    derived = derive(loaded.spec)
    drawer = charts.ForkedDrawer()
    try:
        drawer.submit(loaded, derived, DEFAULT_BRAND)
        drawn, warnings = drawer.result()
    finally:
        drawer.close()
    assert drawn == draw_charts(loaded, derived, DEFAULT_BRAND)
    assert [chart.key for chart in drawn] == ["revenue", "consensus", "capex", "infrastructure",
                                              "market"]
    assert warnings == []
    drawer = charts.ForkedDrawer()
    try:
        drawer.submit(loaded, derived, None)  # type: ignore[arg-type]  # no brand: it fails there
        with pytest.raises(AttributeError):
            drawer.result()
    finally:
        drawer.close()


def test_an_unused_drawer_ends_and_a_dead_one_is_a_render_error() -> None:
    drawer = charts.ForkedDrawer()
    process = drawer._process
    drawer.close()
    assert not process.is_alive()
    drawer = charts.ForkedDrawer()
    drawer._process.kill()
    drawer._process.join()
    with pytest.raises(RenderError, match="chart process stopped"):
        drawer.submit(load_spec(SAMPLES["baba"]), derive(load_spec(SAMPLES["baba"]).spec),
                      DEFAULT_BRAND)
        drawer.result()
    drawer.close()


SINGLE = textwrap.dedent('''
    import sys
    from pathlib import Path
    from briefgen.build.batch import build

    run = build([sys.argv[1]], out_dir=Path(sys.argv[2]), single_in_process=True)
    assert run.counts["rendered"] == 1, run.to_json()
    # The charts were drawn by the drawer and the PDF made by the printer: this process
    # imported neither matplotlib nor WeasyPrint.
    print(sorted({"matplotlib", "weasyprint"} & set(sys.modules)))
''')


@pytest.mark.slow
def test_a_single_render_draws_its_charts_in_the_drawer(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SINGLE, str(SAMPLES["baba"]), str(tmp_path)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    from tests.helpers.golden import rendered

    expected = rendered("baba").files
    for name in ("brief.html", "brief.pdf"):
        assert (tmp_path / "baba" / name).read_bytes() == expected[name], name
