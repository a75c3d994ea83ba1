"""The preview's HTTP server and file watcher: `briefgen preview` serves one `Preview` on localhost.

`PreviewServer` answers three paths and nothing else: `/` (the note, or the page of problems),
`/__version` (long-polled by the page's script, which reloads the page when the version moves)
and `/favicon.ico` (empty). No directory listing, no file access. Every response carries a
Content-Security-Policy that lets only the preview's own script (by nonce) run. A watcher thread
(watchfiles' Rust notifier, on the folders of the files the last render read) renders again on a
change, and now and then compares the files' signatures, for changes that no event reported.
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from briefgen.errors import InputError
from briefgen.preview.watch import Preview, WatchSet, page_for_browser

LONG_POLL_SECONDS = 25.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "briefgen-preview"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        if not self.server.host_allowed(self.headers.get("Host", "")):
            self._send(HTTPStatus.MISDIRECTED_REQUEST, b"unknown host\n", "text/plain", send_body)
            return
        path, _, query = self.path.partition("?")  # not urlsplit: "//x" is a path here, not a host
        preview = self.server.preview
        if path == "/":
            snapshot = preview.snapshot
            nonce = secrets.token_urlsafe(12)
            status = HTTPStatus.OK if snapshot.ok else HTTPStatus.INTERNAL_SERVER_ERROR
            self._send(status, page_for_browser(snapshot, nonce), "text/html; charset=utf-8",
                       send_body, nonce=nonce)
        elif path == "/__version":
            since = next((v for k, _, v in (p.partition("=") for p in query.split("&"))
                          if k == "since"), "")
            snapshot = (preview.wait_for_change(int(since), self.server.long_poll)
                        if since.lstrip("-").isdigit() else preview.snapshot)
            data = json.dumps({"version": snapshot.version, "ok": snapshot.ok}).encode()
            self._send(HTTPStatus.OK, data, "application/json", send_body)
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon", send_body)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found: this server shows one note at /\n",
                       "text/plain; charset=utf-8", send_body)

    def _send(self, status: HTTPStatus, body: bytes, kind: str, send_body: bool,
              nonce: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        script = f"'nonce-{nonce}'" if nonce else "'none'"
        self.send_header("Content-Security-Policy",
                         "default-src 'none'; img-src data:; font-src data:; "
                         f"style-src 'unsafe-inline'; script-src {script}; connect-src 'self'; "
                         "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal shows renders, not requests


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a long poll must not hold up Ctrl-C
    preview: Preview
    loopback_only: bool
    long_poll: float = LONG_POLL_SECONDS

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a closed tab: nothing to say
            super().handle_error(request, client_address)

    def host_allowed(self, host: str) -> bool:
        """Refuse other host names on a loopback server: a page that rebinds its own name to
        127.0.0.1 (DNS rebinding) must not read the note."""
        if not self.loopback_only:
            return True
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in LOOPBACK_HOSTS


@dataclass
class PreviewServer:
    """The HTTP server and the watcher of one `Preview`; `start` runs both in threads."""

    preview: Preview
    host: str = "127.0.0.1"
    port: int = 0
    debounce_ms: int = 40
    long_poll: float = LONG_POLL_SECONDS  # seconds a `/__version?since=N` waits for a change
    _httpd: _HTTPServer = field(init=False)
    _threads: list[threading.Thread] = field(init=False, default_factory=list)
    _stop: threading.Event = field(init=False, default_factory=threading.Event)
    _armed: threading.Event = field(init=False, default_factory=threading.Event)

    def __post_init__(self) -> None:
        try:
            self._httpd = _HTTPServer((self.host, self.port), _Handler)
        except OSError as exc:
            raise InputError(f"cannot serve on {self.host}:{self.port}: {exc.strerror or exc} "
                             "(choose another --port; 0 picks a free one)") from None
        self._httpd.preview = self.preview
        self._httpd.loopback_only = self.host in LOOPBACK_HOSTS
        self._httpd.long_poll = self.long_poll
        self.port = int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> PreviewServer:
        """Render once, then serve and watch in background threads."""
        self.preview.refresh()
        for target, name in ((self._httpd.serve_forever, "serve"), (self._watch, "watch")):
            thread = threading.Thread(target=target, name=f"briefgen-preview-{name}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)
        self._armed.wait(10)  # so that a save right after `start` is seen
        return self

    def wait(self) -> None:
        """Block until `close` (or Ctrl-C in the caller)."""
        while not self._stop.wait(0.5):
            pass

    def close(self) -> None:
        self._stop.set()
        self.preview.close()
        if self._threads:  # shutdown() waits for serve_forever, which must have started
            self._httpd.shutdown()
        self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=10)

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _watch(self) -> None:
        while not self._stop.is_set():
            watching = self.preview.watching
            directories = watching.directories()
            try:
                if directories:
                    self._watch_events(watching, directories)
                    continue
            except (OSError, RuntimeError) as exc:  # no inotify left, a folder gone meanwhile
                self.preview.log(f"watching by polling ({exc})")
            self._armed.set()
            if not self._stop.wait(0.5) and self.preview.stale():
                self.preview.refresh()

    def _watch_events(self, watching: WatchSet, directories: list[Path]) -> None:
        """Render on each relevant change until the set of files to watch changes."""
        from watchfiles import Change
        from watchfiles._rust_notify import RustNotify  # watchfiles' documented low-level API

        with RustNotify([str(d) for d in directories], False, False, 300, False,
                        False) as notify:
            self._armed.set()
            if self.preview.stale():  # changed before the watcher was armed
                self.preview.refresh()
            while self.preview.watching == watching and not self._stop.is_set():
                found = notify.watch(1000, self.debounce_ms, 500, self._stop)
                if isinstance(found, str):  # "timeout", "stop" or "signal"
                    if found == "timeout" and self.preview.stale():
                        self.preview.refresh()  # a change no event reported
                    continue
                changes = [(Change(c), Path(p)) for c, p in found if watching.covers(Path(p))]
                if not changes:
                    continue
                if any(c != Change.modified and watching.covers_folder(p) for c, p in changes):
                    _forget_templates()
                self.preview.refresh()


def _forget_templates() -> None:
    """Jinja notices an edited template by its mtime, but not a new file that now shadows a
    built-in one: after a file is added or removed, start from a fresh environment."""
    from briefgen.note.templates import cached_environment

    cached_environment.cache_clear()
