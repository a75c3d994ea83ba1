"""`briefgen preview` over real HTTP on localhost: the note, an edit, a broken edit, a fix.

Each server runs in threads of the test process on a free port; every wait is a long poll of
`/__version` bounded by a deadline, never a fixed sleep.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from briefgen.preview.server import PreviewServer
from briefgen.preview.watch import Preview, page_for_browser

TITLE = "Alibaba: cloud re-accelerates to a three-year high as AI spending pays off"


class Client:
    """GETs against one preview server, and waits for its next version."""

    def __init__(self, server: PreviewServer) -> None:
        self.server = server
        self.version = self.state()["version"]

    def get(self, path: str = "/", headers: dict[str, str] | None = None,
            ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.server.url.rstrip("/") + path,
                                         headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def state(self, since: int | None = None) -> dict[str, int | bool]:
        query = "" if since is None else f"?since={since}"
        status, _, body = self.get(f"/__version{query}")
        assert status == 200
        return dict(json.loads(body))

    def next_page(self, timeout: float = 30) -> tuple[int, BeautifulSoup]:
        """The page once the server has published a version after the last one seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            version = int(self.state(since=self.version)["version"])
            if version != self.version:
                self.version = version
                status, _, body = self.get("/")
                return status, BeautifulSoup(body, "html.parser")
        raise AssertionError(f"no new version within {timeout} s")


@pytest.fixture
def serve() -> Iterator[type[PreviewServer]]:
    servers: list[PreviewServer] = []

    class Tracked(PreviewServer):
        def __post_init__(self) -> None:
            super().__post_init__()
            servers.append(self)

    yield Tracked
    for server in servers:
        server.close()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_note_then_edit_then_located_error_then_recovery(
        spec_dir: Path, serve: type[PreviewServer]) -> None:
    spec = spec_dir / "baba.yaml"
    client = Client(serve(Preview(spec), long_poll=5).start())
    status, _, body = client.get("/")
    assert status == 200
    assert BeautifulSoup(body, "html.parser").h1.get_text() == TITLE

    edit(spec, "cloud re-accelerates", "cloud accelerates again")
    status, page = client.next_page()
    assert status == 200
    assert page.h1.get_text() == TITLE.replace("cloud re-accelerates", "cloud accelerates again")

    edit(spec, "  author: Sample Analyst", "  autor: Sample Analyst")
    status, page = client.next_page()
    assert status == 500
    problems = [li.get_text() for li in page.select("li code")]
    assert f'{spec}:9:3: brief.autor: unknown key (did you mean "author"?)' in problems
    assert any(p.startswith(f"{spec}:6:1: brief.author: missing required key") for p in problems)
    assert page.h1.get_text() == f"{spec} has problems"

    edit(spec, "  autor: Sample Analyst", "  author: Another Analyst")
    status, page = client.next_page()
    assert status == 200
    assert page.select_one(".analysts .author").get_text() == "Another Analyst"
    assert page.select_one("#table-results") is not None


def test_an_edit_to_the_csv_the_spec_reads_renders_again(
        spec_dir: Path, serve: type[PreviewServer]) -> None:
    client = Client(serve(Preview(spec_dir / "baba.yaml"), long_poll=5).start())
    csv = spec_dir / "baba-cloud-revenue.csv"
    edit(csv, "2025-03-31,30127,", "2025-03-31,lots,")
    status, page = client.next_page()
    assert status == 500
    problems = [li.get_text() for li in page.select("li code")]
    assert any(p.startswith(f"{csv}:5:12: segments[0].history.quarters[3].revenue: expected a "
                            'number, got "lots"') for p in problems), problems
    edit(csv, "2025-03-31,lots,", "2025-03-31,30127,")
    status, page = client.next_page()
    assert status == 200


def test_a_template_edit_renders_again(
        spec_dir: Path, tmp_path: Path, serve: type[PreviewServer]) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    note = templates / "note.html"
    note.write_text('{% extends "default:note.html" %}'
                    '{% block summary %}<p class="ours">first</p>{% endblock %}')
    client = Client(serve(Preview(spec_dir / "baba.yaml", template_dirs=[templates]),
                          long_poll=5).start())
    note.write_text(note.read_text().replace("first", "second"))
    status, page = client.next_page()
    assert status == 200 and page.select_one(".ours").get_text() == "second"
    (templates / "partials").mkdir()  # a new file that shadows a built-in one
    (templates / "partials" / "risks.html").write_text('<p class="our-risks">none</p>')
    status, page = client.next_page()
    assert page.select_one(".our-risks") is not None


def test_serves_the_note_and_its_endpoints_only(
        spec_dir: Path, serve: type[PreviewServer]) -> None:
    client = Client(serve(Preview(spec_dir / "baba.yaml"), long_poll=5).start())
    for path in ("/baba.yaml", "/baba-cloud-revenue.csv", "/../baba.yaml", "/%2e%2e/baba.yaml",
                 "/etc/passwd", "/brief.html", "/index.html", "/templates/note.html",
                 "//etc/passwd"):
        status, _, body = client.get(path)
        assert status == 404, path
        assert b"Alibaba" not in body
    status, _, body = client.get("/favicon.ico")
    assert status == 204 and body == b""
    # A page whose host name was rebound to 127.0.0.1 (DNS rebinding) is refused the note.
    status, _, body = client.get("/", headers={"Host": f"evil.example:{client.server.port}"})
    assert status == 421 and b"Alibaba" not in body
    connection = http.client.HTTPConnection("127.0.0.1", client.server.port, timeout=10)
    connection.request("POST", "/", body=b"x")
    assert connection.getresponse().status == 501
    connection.close()


def test_only_the_response_carries_a_script_and_only_that_one_runs(
        spec_dir: Path, serve: type[PreviewServer]) -> None:
    server = serve(Preview(spec_dir / "baba.yaml"), long_poll=5).start()
    assert b"<script" not in server.preview.snapshot.body  # the note as `render` writes it
    _, headers, body = Client(server).get("/")
    scripts = BeautifulSoup(body, "html.parser").find_all("script")
    assert len(scripts) == 1
    policy = headers["Content-Security-Policy"]
    assert f"script-src 'nonce-{scripts[0]['nonce']}'" in policy
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert headers["Cache-Control"] == "no-store"
    body2 = Client(server).get("/")[2]  # a new nonce for every response
    assert BeautifulSoup(body2, "html.parser").script["nonce"] != scripts[0]["nonce"]


def test_error_page_escapes_what_the_user_wrote(
        spec_dir: Path, serve: type[PreviewServer]) -> None:
    spec = spec_dir / "baba.yaml"
    edit(spec, "  author: Sample Analyst", '  "<img src=x onerror=alert(1)>": 1\n'
               "  author: Sample Analyst")
    server = serve(Preview(spec), long_poll=5).start()
    status, _, body = Client(server).get("/")
    page = BeautifulSoup(body, "html.parser")
    assert status == 500
    assert page.find("img") is None and len(page.find_all("script")) == 1
    assert any("<img src=x onerror=alert(1)>" in li.get_text() for li in page.select("li code"))


def test_a_broken_spec_at_start_is_shown_not_fatal(
        spec_dir: Path, serve: type[PreviewServer]) -> None:
    spec = spec_dir / "baba.yaml"
    edit(spec, "brief:", "brief: [")
    client = Client(serve(Preview(spec), long_poll=5).start())
    status, _, body = client.get("/")
    assert status == 500 and f"{spec}:".encode() in body
    edit(spec, "brief: [", "brief:")
    status, page = client.next_page()
    assert status == 200 and page.h1.get_text() == TITLE


def test_reload_script_goes_before_the_end_of_body() -> None:
    from briefgen.preview.watch import Snapshot

    page = page_for_browser(Snapshot(3, True, b"<html><body><p>x</p></body></html>", ""), "n0")
    assert page.startswith(b"<html><body><p>x</p><script nonce=\"n0\">")
    assert page.endswith(b"</script>\n</body></html>")
    assert b"var version = 3;" in page
    warned = page_for_browser(Snapshot(3, True, b"<p>x</p>", "", ("a <b> warning",)), "n0")
    assert b"warning: a &lt;b&gt; warning" in warned


def test_brand_logo_and_brand_templates_are_watched(
        tmp_path: Path, serve: type[PreviewServer]) -> None:
    from briefgen.cli.scaffold import create_project

    create_project(tmp_path / "desk")
    brand = tmp_path / "desk" / "brand.yaml"
    client = Client(serve(Preview(tmp_path / "desk" / "specs" / "example-2025q2.yaml",
                                  brand_file=brand), long_poll=5).start())
    status, _, body = client.get("/")
    assert status == 200 and b"--primary: #0B4F6C;" in body

    edit(brand, 'primary: "#0B4F6C"', 'primary: "#7A1F3D"')
    status, page = client.next_page()
    assert status == 200 and "--primary: #7A1F3D;" in page.style.get_text()

    edit(brand, 'primary: "#7A1F3D"', "primary: maroon")
    status, page = client.next_page()
    assert status == 500
    assert [li.get_text() for li in page.select("li code")] == [
        f'{brand}:15:12: colours.primary: expected a colour as #RRGGBB, got "maroon"']
    assert page.h1.get_text() == f"{brand} has problems"

    edit(brand, "primary: maroon", 'primary: "#7A1F3D"')
    status, page = client.next_page()
    assert status == 200

    edit(tmp_path / "desk" / "logo.svg", "Example Research</text>", "Renamed</text>")
    status, page = client.next_page()
    assert b"Renamed</text>" in base64.b64decode(page.select_one("img.logo")["src"].split(",")[1])

    edit(tmp_path / "desk" / "templates" / "note.html", 'class="desk-line"', 'class="desk-row"')
    status, page = client.next_page()
    assert page.select_one(".desk-row") is not None and page.select_one(".desk-line") is None


def test_without_file_events_it_polls(spec_dir: Path, serve: type[PreviewServer],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import watchfiles._rust_notify

    def no_inotify(*args: object) -> None:
        raise OSError("inotify watch limit reached")

    monkeypatch.setattr(watchfiles._rust_notify, "RustNotify", no_inotify)
    lines: list[str] = []
    spec = spec_dir / "baba.yaml"
    client = Client(serve(Preview(spec, log=lines.append), long_poll=5).start())
    edit(spec, "cloud re-accelerates", "cloud accelerates again")
    status, page = client.next_page()
    assert status == 200 and "cloud accelerates again" in page.h1.get_text()
    assert "watching by polling (inotify watch limit reached)" in lines


def test_a_save_that_lands_mid_render_is_rendered_again_not_published_half_read(
        spec_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An editor truncates the file, briefgen reads it empty, then the editor writes the rest.
    spec = spec_dir / "baba.yaml"
    full = spec.read_text(encoding="utf-8").replace("cloud re-accelerates", "cloud accelerates")
    preview = Preview(spec)
    first = preview.refresh()
    assert first.ok
    render = Preview._render
    calls = 0

    def truncated_then_written(self: Preview) -> tuple[bool, bytes, str, list[str], object]:
        nonlocal calls
        calls += 1
        if calls == 1:
            spec.write_text("", encoding="utf-8")
            result = render(self)  # reads the empty file: a failed render
            spec.write_text(full, encoding="utf-8")  # the rest of the save lands
            return result
        return render(self)

    monkeypatch.setattr(Preview, "_render", truncated_then_written)
    snapshot = preview.refresh()
    assert calls == 2
    assert snapshot.ok, snapshot.summary
    assert snapshot.version == first.version + 1  # one new page, never the half-read one
    title = BeautifulSoup(snapshot.body, "html.parser").h1.get_text()
    assert title == TITLE.replace("cloud re-accelerates", "cloud accelerates")
