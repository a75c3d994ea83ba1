"""One Jinja environment for note and email templates: `default:` in both, and the sandbox."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from jinja2.exceptions import SecurityError

from briefgen.note.templates import template_environment


def test_an_email_template_can_extend_the_built_in_one(tmp_path: Path) -> None:
    (tmp_path / "brief.txt").write_text(
        '{% extends "default:brief.txt" %}{% block signature %}From the desk{% endblock %}',
        encoding="utf-8")
    env = template_environment([tmp_path], builtin="email")
    template = env.get_template("brief.txt")
    assert template.filename == str(tmp_path / "brief.txt")
    assert env.get_template("default:brief.txt").filename.endswith("templates/email/brief.txt")


def test_text_templates_are_not_escaped_and_html_ones_are(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("{{ x }}", encoding="utf-8")
    (tmp_path / "a.html").write_text("{{ x }}", encoding="utf-8")
    env = template_environment([tmp_path])
    assert env.get_template("a.txt").render(x="R&D <b>") == "R&D <b>"
    assert env.get_template("a.html").render(x="R&D <b>") == "R&amp;D &lt;b&gt;"


EVIL = "{{ cycler.__init__.__globals__.os.popen('echo pwned').read() }}"


@pytest.mark.parametrize("builtin", ["", "email"])
def test_templates_cannot_reach_python_internals(tmp_path: Path, builtin: str) -> None:
    (tmp_path / "evil.html").write_text(EVIL, encoding="utf-8")
    env = template_environment([tmp_path], builtin=builtin)
    with pytest.raises(SecurityError):
        env.get_template("evil.html").render()


def test_a_desk_may_trust_its_own_templates(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFGEN_TRUSTED_TEMPLATES", "1")
    (tmp_path / "evil.html").write_text(EVIL, encoding="utf-8")
    env = template_environment([tmp_path])
    assert type(env) is jinja2.Environment
    assert env.get_template("evil.html").render().strip() == "pwned"
