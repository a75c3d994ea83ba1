"""The spec is data, never a template; a note reads only what it may and never the network."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from briefgen.build.pipeline import RenderOptions, allowed_roots, render_brief
from briefgen.errors import RenderError
from briefgen.note import webfonts
from briefgen.note.templates import css_string
from briefgen.pdf import weasy as pdf
from tests.helpers.golden import variant_spec

SCRIPT = "<script>alert(1)</script>"
JINJA = "{{ 7*7 }}"


def hostile(data: dict) -> None:  # type: ignore[type-arg]
    data["brief"]["title"] = f"Cloud {JINJA} {SCRIPT}"
    data["brief"]["summary"] = f"Summary {JINJA} and {SCRIPT} and {{% if true %}}x{{% endif %}}"
    data["company"]["name"] = f"Evil & Co </style>{SCRIPT}"
    data["quotes"][0]["text"] = f"{SCRIPT} {JINJA}"
    data["risks"][0]["title"] = f'Risk "{JINJA}" <img src=x onerror=alert(1)>'
    data["sources"][0]["title"] = f"<b>bold</b> {JINJA}"


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> tuple[BeautifulSoup, str]:
    spec = variant_spec(tmp_path_factory.mktemp("evil"), hostile)
    rendered = render_brief(spec)
    soup = BeautifulSoup(rendered.files["brief.html"], "html.parser")
    reader = PdfReader(io.BytesIO(rendered.files["brief.pdf"]))
    text = "\n".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    return soup, text


def test_html_has_no_script_element_and_shows_the_text(evil: tuple[BeautifulSoup, str]) -> None:
    soup, _ = evil
    assert soup.find("script") is None
    assert not soup.find_all(attrs={"onerror": True})
    assert soup.find("b") is None  # markup in a source title stays text
    h1 = soup.h1.get_text()
    assert h1 == f"Cloud {JINJA} {SCRIPT}"
    assert "49" not in h1
    summary = soup.select_one(".summary").get_text()
    assert JINJA in summary and "{% if true %}x{% endif %}" in summary
    assert f"{SCRIPT} {JINJA}" in soup.select_one(".quotes blockquote").get_text()
    assert soup.select_one(".company").get_text() == f"Evil & Co </style>{SCRIPT}"


def test_css_strings_cannot_close_the_style_element(evil: tuple[BeautifulSoup, str]) -> None:
    soup, _ = evil
    styles = [style for style in soup.find_all("style") if style.find_parent("svg") is None]
    assert len(styles) == 4  # note.html's four; nothing broke out of them
    assert "</style>" not in "".join(style.get_text() for style in styles)
    assert css_string('a"b\\c</style>\n') == '"a\\22 b\\5c c\\3c /style\\3e \\a "'


def test_pdf_shows_the_text_literally(evil: tuple[BeautifulSoup, str]) -> None:
    _, text = evil
    assert f"Cloud {JINJA} {SCRIPT}" in text
    assert f"{SCRIPT} {JINJA}" in text
    assert "Cloud 49" not in text
    assert f"Evil & Co </style>{SCRIPT}" in text  # the running header of page 2


def test_spec_text_in_marked_sentences_stays_text(tmp_path: Path) -> None:
    """Sentences with † marks are built from escaped parts: spec words in them stay words."""
    def hostile_words(data: dict) -> None:  # type: ignore[type-arg]
        data["segments"][0]["short_name"] = f"<b>cloud</b> {JINJA} {SCRIPT}"
        data["segments"][1]["name"] = "<i>Group</i>"

    rendered = render_brief(variant_spec(tmp_path, hostile_words))
    soup = BeautifulSoup(rendered.files["brief.html"], "html.parser")
    standfirst = soup.select_one("header.masthead .standfirst")
    takeaways = soup.select_one("section.takeaways")
    assert standfirst is not None and takeaways is not None
    for block in (standfirst, takeaways):
        assert not block.find_all(["b", "i", "script"])
        assert block.select("sup.derived-mark")  # still marked
    assert standfirst.get_text().startswith(f"<b>cloud</b> {JINJA} {SCRIPT} revenue RMB 33.4bn")
    assert "<i>Group</i> revenue" in takeaways.get_text()
    assert soup.find("script") is None


@pytest.fixture
def page(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Lays out a one-line page with `extra` in it, with the note's URL rules."""
    def lay_out(extra: str) -> bytes:
        html = f"<style>{webfonts.font_faces_for_pdf()}</style><p>x</p>{extra}"
        data, _ = pdf.html_to_pdf(html, base_dir=tmp_path,
                                  allowed_roots=allowed_roots(RenderOptions()))
        return data
    return lay_out


@pytest.mark.parametrize("extra", [
    '<img src="http://127.0.0.1:9/x.png">',
    '<img src="https://example.com/x.png">',
    '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
    '<style>@import url("http://127.0.0.1:9/x.css");</style>',
    '<style>p { background: url("ftp://127.0.0.1/x.png") }</style>',
    '<img src="file:///etc/hostname">',
    '<img src="../outside.svg">',
])
def test_fetcher_refuses_anything_but_data_and_allowed_files(page, extra: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RenderError, match="refused to fetch"):
        page(extra)


def test_fetcher_allows_data_uris_and_files_beside_the_spec(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2">'
           '<rect width="2" height="2"/></svg>')
    (tmp_path / "logo.svg").write_text(svg)
    assert page('<img src="logo.svg"><img src="data:image/svg+xml,'
                '%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E">').startswith(b"%PDF")


def test_a_render_opens_no_socket(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access during a render: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    spec = variant_spec(tmp_path, lambda data: None, name="baba-2025q3")
    rendered = render_brief(spec, RenderOptions(formats=("html", "pdf")))
    assert rendered.files["brief.pdf"].startswith(b"%PDF")
