"""Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: JSON
messages ending in NUL on file descriptors 3 and 4), so no websocket library is needed. Set
BRIEFGEN_SCREENSHOTS=folder to keep the screenshots."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = next((c for c in (shutil.which("chromium"), "/usr/bin/chromium",
                             shutil.which("chromium-browser"), shutil.which("google-chrome"))
                 if c and Path(c).exists()), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-pipe",
         # Offline: every host resolves to nothing and any proxy use goes nowhere.
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
         "--proxy-bypass-list=<-loopback>"]


class DevTools:
    """A minimal DevTools protocol client over Chromium's pipe."""

    def __init__(self, profile: Path) -> None:
        assert CHROMIUM
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:  # in the child: the pipe ends become fds 3 and 4
            # dup2 onto the same number keeps close-on-exec (a process with few files open
            # gets fds 3 and 4 from os.pipe): clear it.
            for fd, target in ((to_chrome_r, 3), (from_chrome_w, 4)):
                if fd == target:
                    os.set_inheritable(fd, True)
                else:
                    os.dup2(fd, target)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, close_fds=False)  # fds 3 and 4 exist only after `wire`
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def send(self, method: str, params: dict[str, Any] | None = None,
             timeout: float = 30) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            for reply in self._read(deadline):
                if reply.get("id") == self._next_id:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return dict(reply.get("result", {}))
                self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(index)
            self.events.extend(self._read(deadline))

    def _read(self, deadline: float) -> Iterator[dict[str, Any]]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self._buffer += chunk
        *messages, self._buffer = self._buffer.split(b"\0")
        for raw in messages:
            yield json.loads(raw)

    def close(self) -> None:
        try:
            self.session = None
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


@contextmanager
def attached_page(profile: Path,
                  domains: Iterable[str] = ("Page", "Runtime")) -> Iterator[DevTools]:
    """A headless Chromium with one blank page attached and `domains` enabled, closed after."""
    tools = DevTools(profile)
    try:
        target = tools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        tools.session = tools.send("Target.attachToTarget",
                                   {"targetId": target, "flatten": True})["sessionId"]
        for domain in domains:
            tools.send(f"{domain}.enable")
        yield tools
    finally:
        tools.close()


def open_page(tools: DevTools, url: str, width: int, height: int, mobile: bool) -> None:
    tools.send("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    tools.events.clear()
    tools.send("Page.navigate", {"url": url})
    tools.wait_for("Page.loadEventFired")
    evaluate(tools, "document.fonts.ready.then(() => true)")


def evaluate(tools: DevTools, expression: str) -> Any:
    result = tools.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                             "returnByValue": True})
    assert "exceptionDetails" not in result, result
    return result["result"].get("value")


def screenshot(tools: DevTools, name: str, folder: Path) -> Path:
    size = tools.send("Page.getLayoutMetrics")["cssContentSize"]
    shot = tools.send("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    keep = os.environ.get("BRIEFGEN_SCREENSHOTS")
    target = Path(keep) if keep else folder
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


# axe-core (npm), installed by .ci/run with `npm ci --prefix .ci/axe`; BRIEFGEN_AXE names
# another copy of axe.min.js.
AXE = Path(os.environ.get("BRIEFGEN_AXE") or Path(__file__).resolve().parents[2] / ".ci" / "axe"
           / "node_modules" / "axe-core" / "axe.min.js")


def axe_violations(tools: DevTools) -> list[str]:
    """Run axe-core (WCAG 2.x A and AA rules and best practices) on the open page; one line per
    violation and node: `rule (impact): target: summary`."""
    evaluate(tools, AXE.read_text(encoding="utf-8") + "\n;true")
    found = evaluate(tools, """
        axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.flatMap(
            v => v.nodes.map(n => `${v.id} (${v.impact}): ${n.target.join(' ')}: ` +
                                  (n.failureSummary || '').replace(/\\s+/g, ' '))))""")
    return list(found)
