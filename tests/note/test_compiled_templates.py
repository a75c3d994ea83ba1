"""Templates compile once per machine, not once per process: Jinja's bytecode cache, private to
the user, keyed by each template's source, never failing a render."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest

from briefgen.note import templates
from briefgen.note.templates import TEMPLATE_CACHE_VARIABLE, TRUSTED_TEMPLATES_VARIABLE


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh system temporary directory, and a count of the templates compiled."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv(TEMPLATE_CACHE_VARIABLE, raising=False)
    monkeypatch.delenv(TRUSTED_TEMPLATES_VARIABLE, raising=False)
    return tmp_path


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    names: list[str] = []
    original = jinja2.Environment.compile

    def compile_(self: jinja2.Environment, source: str, name: str | None = None,
                 *args: object, **kwargs: object) -> object:
        names.append(name or "")
        return original(self, source, name, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(jinja2.Environment, "compile", compile_)
    return names


def _page(folder: Path) -> str:
    env = templates.template_environment([folder])
    return env.get_template("page.html").render(x="R&D")


def test_a_second_environment_loads_what_the_first_compiled(temp: Path, compiled: list[str],
                                                            tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "page.html").write_text("<p>{{ x }}</p>{% include 'part.html' %}", "utf-8")
    (folder / "part.html").write_text("<i>{{ x|upper }}</i>", "utf-8")
    assert _page(folder) == "<p>R&amp;D</p><i>R&amp;D</i>"
    assert sorted(compiled) == ["page.html", "part.html"]
    assert _page(folder) == "<p>R&amp;D</p><i>R&amp;D</i>"  # a new environment, as in a process
    assert sorted(compiled) == ["page.html", "part.html"]  # nothing compiled again
    cache = temp / f"briefgen-templates-{os.getuid()}"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700  # this user's alone
    assert len(list(cache.glob("SandboxedEnvironment-*.cache"))) == 2

    (folder / "part.html").write_text("<b>{{ x }}</b>", "utf-8")  # an edited template
    assert _page(folder) == "<p>R&amp;D</p><b>R&amp;D</b>"
    assert sorted(compiled) == ["page.html", "part.html", "part.html"]


def test_trusted_and_sandboxed_code_are_kept_apart(temp: Path, compiled: list[str],
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "page.html").write_text("{{ x }}", "utf-8")
    _page(tmp_path)
    monkeypatch.setenv(TRUSTED_TEMPLATES_VARIABLE, "1")
    _page(tmp_path)
    assert compiled == ["page.html", "page.html"]


def test_a_cache_that_cannot_be_written_still_renders(temp: Path, compiled: list[str],
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", full_disk)
    (tmp_path / "page.html").write_text("{{ x }}", "utf-8")
    assert _page(tmp_path) == "R&amp;D"
    assert _page(tmp_path) == "R&amp;D"
    assert compiled == ["page.html", "page.html"]  # compiled each time, nothing failed


def test_the_cache_can_be_turned_off(temp: Path, compiled: list[str], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TEMPLATE_CACHE_VARIABLE, "0")
    (tmp_path / "page.html").write_text("{{ x }}", "utf-8")
    _page(tmp_path)
    _page(tmp_path)
    assert compiled == ["page.html", "page.html"]
    assert not (temp / f"briefgen-templates-{os.getuid()}").exists()

