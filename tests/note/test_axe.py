"""axe-core (the npm package, run in headless Chromium over the DevTools protocol) finds no
violation in the notes readers get, nor in the email's HTML, at 1280 px and 390 px; and it does
find one in a note whose brand sets low-contrast text colours (so the test can fail).

axe.min.js comes from `npm ci --prefix .ci/axe` (.ci/run does it); without it, or without
Chromium, these tests are skipped. BRIEFGEN_SCREENSHOTS=folder keeps a screenshot of each page."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.brand.model import Brand, Colours
from briefgen.build.pipeline import RenderOptions, render_brief
from briefgen.mail.compose import compose
from tests.helpers.chromium import (
    AXE,
    CHROMIUM,
    DevTools,
    attached_page,
    axe_violations,
    open_page,
    screenshot,
)
from tests.helpers.golden import SAMPLES, all_notes
from tests.mail.test_compose import CLOCK, PEOPLE, config, content

pytestmark = pytest.mark.e2e
WIDTHS = {"desktop": (1280, 900, False), "phone": (390, 844, True)}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed ({AXE}): npm ci --prefix .ci/axe")
    with attached_page(tmp_path_factory.mktemp("chromium-profile"), ("Page", "Runtime")) as tools:
        yield tools


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every page a reader opens: each note the suite renders, and the email's HTML part."""
    folder = tmp_path_factory.mktemp("pages")
    found = {}
    for name, brief in all_notes().items():
        found[name] = folder / f"{name}.html"
        found[name].write_bytes(brief.files["brief.html"])
    msg = email.message_from_bytes(
        compose(content(), PEOPLE, config(unsubscribe={"url": "https://research.example/u"}),
                clock=lambda: CLOCK).as_bytes(), policy=email.policy.default)
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    found["email"] = folder / "email.html"
    found["email"].write_text(html, encoding="utf-8")
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_no_violations_in_any_page(browser: DevTools, pages: dict[str, Path], width: str,
                                   tmp_path: Path) -> None:
    found = {}
    for name, path in pages.items():
        open_page(browser, path.as_uri(), *WIDTHS[width])
        found[name] = axe_violations(browser)
        screenshot(browser, f"{name}-{width}", tmp_path)
        # the whole chart is on screen: no chart is wider than the page
        assert browser.send("Runtime.evaluate", {"expression": """
            [...document.querySelectorAll('.chart-body svg')].every(
                s => s.getBoundingClientRect().right <= document.documentElement.clientWidth)""",
            "returnByValue": True})["result"]["value"], (name, width)
    assert found == {name: [] for name in pages}


def test_a_low_contrast_brand_is_a_violation(browser: DevTools, tmp_path: Path) -> None:
    pale = Brand(colours=Colours(muted="#A0A8B0", primary="#7FA7C9"))
    brief = render_brief(SAMPLES["baba"], RenderOptions(formats=("html",), brand=pale))
    path = tmp_path / "pale.html"
    path.write_bytes(brief.files["brief.html"])
    open_page(browser, path.as_uri(), *WIDTHS["desktop"])
    found = axe_violations(browser)
    assert any(line.startswith("color-contrast (serious)") for line in found), found
    print("\n".join(found[:6]))  # shown with -s: what axe says about the pale brand
