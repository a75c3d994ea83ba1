"""Template search order, `default:` extension, strictness, and where the built-ins are found."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from bs4 import BeautifulSoup

from briefgen.brand.model import Brand, Colours
from briefgen.build.pipeline import RenderOptions, render_loaded
from briefgen.charts.style import style_for
from briefgen.errors import InputError, RenderError
from briefgen.note.builtin import builtin_template_dir
from briefgen.note.templates import template_environment
from tests.helpers.golden import ROOT, rendered

BUILTIN_TEMPLATES = builtin_template_dir()


def html(options: RenderOptions) -> BeautifulSoup:
    result = render_loaded(rendered("baba").loaded, options)
    return BeautifulSoup(result.files["brief.html"], "html.parser")


def test_builtins_are_the_repository_folder_in_a_checkout() -> None:
    assert builtin_template_dir() == BUILTIN_TEMPLATES == ROOT / "templates"
    assert (BUILTIN_TEMPLATES / "note.html").is_file()


def test_environment_is_strict_and_escapes() -> None:
    env = template_environment()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
    assert env.from_string("{{ x }}").render(x="<b>&") == "&lt;b&gt;&amp;"


def test_user_folder_comes_first_and_default_names_the_builtin(tmp_path: Path) -> None:
    (tmp_path / "note.html").write_text("mine")
    env = template_environment([tmp_path])
    assert env.get_template("note.html").render() == "mine"
    assert env.get_template("default:note.html").filename == str(BUILTIN_TEMPLATES / "note.html")
    (tmp_path / "default:note.html").write_text("shadow")  # cannot hide the built-in
    assert env.get_template("default:note.html").filename == str(BUILTIN_TEMPLATES / "note.html")


def test_a_user_template_replaces_one_block(tmp_path: Path) -> None:
    (tmp_path / "note.html").write_text(
        '{% extends "default:note.html" %}'
        '{% block disclaimer %}<section class="ours"><h2>Important</h2>'
        "<p>Our own words for {{ note.company }}.</p></section>{% endblock %}")
    soup = html(RenderOptions(formats=("html",), template_dirs=(tmp_path,)))
    assert soup.select_one(".ours p").get_text() == "Our own words for Alibaba Group."
    assert soup.select_one(".disclaimer") is None
    assert soup.select_one("#table-results") is not None  # everything else as built in


def test_a_user_partial_overrides_the_builtin_one(tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "analysts.html").write_text(
        '<section class="box"><h2>Desk</h2><p class="who">{{ note.author }}</p></section>')
    soup = html(RenderOptions(formats=("html",), template_dirs=(tmp_path,)))
    assert soup.select_one(".who").get_text() == "Sample Analyst"


def test_template_mistakes_are_render_errors_that_name_the_place(tmp_path: Path) -> None:
    (tmp_path / "note.html").write_text('{% extends "default:note.html" %}'
                                        "{% block summary %}{{ note.nothing }}{% endblock %}")
    with pytest.raises(RenderError, match="nothing"):
        html(RenderOptions(formats=("html",), template_dirs=(tmp_path,)))
    (tmp_path / "note.html").write_text("{% if %}")
    with pytest.raises(RenderError, match=r"note.html:1"):
        html(RenderOptions(formats=("html",), template_dirs=(tmp_path,)))


def test_missing_template_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="template folder not found"):
        template_environment([tmp_path / "nope"])


def test_brand_styles_the_note_and_charts() -> None:
    brand = Brand(firm_name="Acme Securities", colours=Colours(primary="#112233"))
    soup = html(RenderOptions(formats=("html",), brand=brand))
    assert soup.select_one(".firm").get_text() == "Acme Securities"
    assert "--primary: #112233" in soup.style.get_text()
    assert style_for(brand).palette == brand.colours.palette


@pytest.mark.parametrize("bad", [{"colours": {"primary": "red;}</style>"}},
                                 {"font_family": 'Inter"; x'}, {"firm": "typo"}])
def test_brand_rejects_what_could_break_out_of_css(bad: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError):
        Brand.model_validate(bad)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"formats": ("docx",)}, "unknown output format"),
    ({"formats": ()}, "unknown output format"),
    ({"paper": "a5"}, "unknown paper"),
    ({"pdf_variant": "pdf/x-4"}, "unknown PDF variant"),
])
def test_render_options_reject_bad_values(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError, match=message):
        RenderOptions(**kwargs)


def test_charts_that_differ_from_their_plan_are_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    import briefgen.build.pipeline as pipeline

    real = pipeline.draw_charts
    monkeypatch.setattr(pipeline, "draw_charts", lambda *args: [
        dataclasses.replace(chart, height_in=chart.height_in + 1) for chart in real(*args)])
    with pytest.raises(RenderError, match="differ from the charts planned"):
        render_loaded(rendered("baba").loaded, RenderOptions(formats=("html",)))
