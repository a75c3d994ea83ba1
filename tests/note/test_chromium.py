"""The HTML note in a real browser, offline: no request leaves it, no console error, fonts load,
nothing overflows a phone's width. Screenshots at desktop and phone widths.

Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: JSON messages
ending in NUL on file descriptors 3 and 4), so no websocket library is needed. Set
BRIEFGEN_SCREENSHOTS=folder to keep the screenshots.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.chromium import (
    CHROMIUM,
    DevTools,
    attached_page,
    evaluate,
    open_page,
    screenshot,
)
from tests.helpers.golden import rendered

pytestmark = pytest.mark.e2e

@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    domains = ("Page", "Network", "Runtime", "Log")
    with attached_page(tmp_path_factory.mktemp("chromium-profile"), domains) as tools:
        yield tools


@pytest.fixture(scope="module")
def note_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("note") / "brief.html"
    path.write_bytes(rendered("baba").files["brief.html"])
    return path.as_uri()


def problems(tools: DevTools) -> list[str]:
    found = []
    for event in tools.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(("file:", "data:")):
                found.append(f"request: {url}")
        elif method == "Network.loadingFailed":
            found.append(f"failed load: {params.get('errorText')}")
        elif method == "Runtime.exceptionThrown":
            found.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "warning"}:
            found.append(f"console {params['type']}: {params.get('args')}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in {"error", "warning"}:
            found.append(f"log: {params['entry'].get('text')}")
    return found


def assert_looks_like_a_page(path: Path) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(path.read_bytes())).convert("L")
    assert image.width >= 300 and image.height >= 1000
    low, high = image.getextrema()
    assert high - low > 100, "a blank screenshot"


def test_desktop_offline_no_requests_no_errors_fonts_loaded(
        browser: DevTools, note_url: str, tmp_path: Path) -> None:
    open_page(browser, note_url, 1280, 900, mobile=False)
    assert problems(browser) == []
    faces = evaluate(browser, "[...document.fonts].map(f => f.family + ' ' + f.weight + ' ' "
                              "+ f.style + ' ' + f.status)")
    assert len(faces) == 4 and not any(face.endswith("error") for face in faces)
    assert evaluate(browser, "document.fonts.check('16px Inter') && "
                             "document.fonts.check('700 16px Inter')")
    assert evaluate(browser, "getComputedStyle(document.querySelector('h1')).fontFamily"
                    ).startswith("Inter,")
    assert evaluate(browser, "document.querySelectorAll('svg[role=img][aria-label]').length") == 5
    assert evaluate(browser, "document.documentElement.scrollWidth <= innerWidth")
    assert_looks_like_a_page(screenshot(browser, "desktop", tmp_path))


def test_phone_width_reads_without_sideways_page_scroll(
        browser: DevTools, note_url: str, tmp_path: Path) -> None:
    open_page(browser, note_url, 390, 844, mobile=True)
    assert problems(browser) == []
    assert evaluate(browser, "document.documentElement.scrollWidth <= innerWidth")
    # the sidebar stacks under the headline instead of squeezing the text
    assert evaluate(browser, "document.querySelector('.sidebar').getBoundingClientRect().width"
                    ) > 300
    assert evaluate(browser, "parseFloat(getComputedStyle(document.querySelector('.summary'))"
                             ".fontSize)") >= 14
    # every chart whole on screen, in no scroll box: the current quarter is never cut off
    charts = evaluate(browser, """[...document.querySelectorAll('.chart-body')].map(b => [
        getComputedStyle(b).overflowX, b.querySelector('svg').getBoundingClientRect().left,
        b.querySelector('svg').getBoundingClientRect().right])""")
    assert len(charts) == 5
    assert all(overflow == "visible" and left >= 0 and right <= 390
               for overflow, left, right in charts), charts
    # and their figures in words, at the text's size, one tap away
    assert evaluate(browser, "[...document.querySelectorAll('.chart-data')].filter("
                             "d => d.offsetHeight > 0).length") == 5
    assert_looks_like_a_page(screenshot(browser, "phone", tmp_path))
