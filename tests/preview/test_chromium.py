"""The preview in a real browser: headless Chromium loads the page, and reloads it by itself after a
save, after a broken save (the error page) and after the fix, with no console error and no request
the Content-Security-Policy refused. Screenshots of the note and of the error page, taken with
Chromium's own `--screenshot`; set BRIEFGEN_SCREENSHOTS=folder to keep them.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.preview.server import PreviewServer
from briefgen.preview.watch import Preview
from tests.helpers import chromium as test_render_chromium
from tests.helpers.chromium import CHROMIUM, DevTools, evaluate

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]
TITLE = "Alibaba: cloud re-accelerates to a three-year high as AI spending pays off"


@pytest.fixture
def server(spec_dir: Path) -> Iterator[PreviewServer]:
    with PreviewServer(Preview(spec_dir / "baba.yaml"), long_poll=5) as running:
        yield running


def screenshot(url: str, name: str, tmp_path: Path) -> Path:
    keep = os.environ.get("BRIEFGEN_SCREENSHOTS")
    folder = Path(keep) if keep else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.png"
    assert CHROMIUM
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / f'profile-{name}'}",
                    "--window-size=1100,1400", f"--screenshot={target}", url],
                   capture_output=True, timeout=120, check=True)
    return target


def spread(path: Path) -> tuple[int, int]:
    from PIL import Image

    image = Image.open(io.BytesIO(path.read_bytes())).convert("L")
    low, high = image.getextrema()
    return image.width, high - low


def test_screenshots_of_the_note_and_of_the_error_page(
        server: PreviewServer, spec_dir: Path, tmp_path: Path) -> None:
    note = screenshot(server.url, "preview-note", tmp_path)
    assert spread(note) == (1100, spread(note)[1]) and spread(note)[1] > 100
    spec = spec_dir / "baba.yaml"
    spec.write_text(spec.read_text().replace("  author:", "  autor:"))
    server.preview.refresh()
    assert not server.preview.snapshot.ok
    error = screenshot(server.url, "preview-error", tmp_path)
    assert spread(error)[1] > 100
    assert error.read_bytes() != note.read_bytes()


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DevTools]:
    # The render tests send every request to a dead proxy, loopback included; the preview is on
    # loopback. Host names still resolve to nothing: the page can reach 127.0.0.1 only.
    flags = [flag for flag in test_render_chromium.FLAGS
             if not flag.startswith(("--proxy", "--host-resolver-rules"))]
    monkeypatch.setattr(test_render_chromium, "FLAGS", [
        *flags, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
    tools = DevTools(tmp_path / "profile")
    try:
        target = tools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        tools.session = tools.send("Target.attachToTarget",
                                   {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            tools.send(f"{domain}.enable")
        yield tools
    finally:
        tools.close()


def reloaded(tools: DevTools, expression: str) -> str:
    """The value of `expression` once the page has reloaded by itself."""
    tools.wait_for("Page.loadEventFired", timeout=30)
    return str(evaluate(tools, expression))


def test_the_page_reloads_itself_after_each_save(
        server: PreviewServer, browser: DevTools, spec_dir: Path) -> None:
    spec = spec_dir / "baba.yaml"
    text = spec.read_text()
    browser.events.clear()
    browser.send("Page.navigate", {"url": server.url})
    assert reloaded(browser, "document.querySelector('h1').textContent") == TITLE

    spec.write_text(text.replace("cloud re-accelerates", "cloud speeds up"))
    assert reloaded(browser, "document.querySelector('h1').textContent") == TITLE.replace(
        "cloud re-accelerates", "cloud speeds up")

    spec.write_text(text.replace("  author:", "  autor:"))
    assert reloaded(browser, "document.querySelector('h1').textContent") == (
        f"{spec} has problems")
    assert 'brief.autor: unknown key (did you mean "author"?)' in str(
        evaluate(browser, "document.body.textContent"))

    spec.write_text(text)
    assert reloaded(browser, "document.querySelector('h1').textContent") == TITLE
    errors = [e["params"].get("entry", {}).get("text", "exception")
              for e in browser.events if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Log.entryAdded"
                  and e["params"]["entry"]["level"] in {"error", "warning"})]
    # Only the error page's own status is logged; a refused script, style, font or image, or a
    # script error, would be logged here too.
    assert errors == ["Failed to load resource: the server responded with a status of 500 "
                      "(Internal Server Error)"]
