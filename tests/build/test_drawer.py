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


EARLY = textwrap.dedent('''
    import sys
    from briefgen.build import drawer
    from briefgen.cli.early import prepare_render

    assert "matplotlib" not in sys.modules
    prepare_render(["/usr/bin/briefgen", "render", sys.argv[1], "--out", sys.argv[2]])
    early = drawer.take_early()
    print("drawer" if early is not None else "no drawer")
    if early is not None:
        early.close()
''')


def test_a_cold_render_forks_the_drawer_and_a_cache_hit_does_not(tmp_path: Path) -> None:
    def early() -> str:
        done = subprocess.run([sys.executable, "-c", EARLY, str(SAMPLES["baba"]),
                               str(tmp_path)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert early() == "drawer"
    from briefgen.build.batch import build
    from tests.helpers.fake_render import fake_render

    build([SAMPLES["baba"]], out_dir=tmp_path, render=fake_render)
    assert early() == "no drawer"
