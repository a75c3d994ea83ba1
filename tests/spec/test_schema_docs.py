"""docs/spec.schema.json and docs/spec-reference.md are generated from the model and must match it.

When a test here fails after a change to briefgen/spec.py, run `python -m briefgen.spec.schema`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import BaseModel, Field

from briefgen.spec import schema as schema_module
from briefgen.spec.schema import (
    REFERENCE_FILE,
    REGENERATE,
    SCHEMA_FILE,
    reference_markdown,
    spec_json_schema,
    undocumented_fields,
)
from tests.conftest import ROOT, SAMPLE, SAMPLE_Q3

DOCS = ROOT / "docs"


def _as_json(value: Any) -> Any:
    """YAML data as an editor's schema check sees it: dates are strings there."""
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((DOCS / SCHEMA_FILE).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_the_generated_one() -> None:
    committed = (DOCS / SCHEMA_FILE).read_text(encoding="utf-8")
    assert json.loads(committed) == spec_json_schema(), f"docs/{SCHEMA_FILE} is stale: {REGENERATE}"
    assert committed == schema_module.schema_text(), f"docs/{SCHEMA_FILE} reformatted: {REGENERATE}"


def test_committed_reference_is_the_generated_one() -> None:
    committed = (DOCS / REFERENCE_FILE).read_text(encoding="utf-8")
    assert committed == reference_markdown(), f"docs/{REFERENCE_FILE} is stale: {REGENERATE}"


def test_check_mode_reports_drift(tmp_path: Path) -> None:
    assert schema_module.main(["--docs", str(tmp_path)]) == 0  # writes both files
    assert schema_module.main(["--check", "--docs", str(tmp_path)]) == 0
    (tmp_path / REFERENCE_FILE).write_text("# edited by hand\n", encoding="utf-8")
    assert schema_module.main(["--check", "--docs", str(tmp_path)]) == 1
    assert (tmp_path / REFERENCE_FILE).read_text(encoding="utf-8") == "# edited by hand\n"


def test_every_field_has_a_description() -> None:
    assert undocumented_fields() == []


def test_an_undocumented_field_is_caught() -> None:
    """The check above must be able to fail, including for a field of a nested model."""

    class Inner(BaseModel):
        """Nested."""

        bare: int

    class Outer(BaseModel):
        """Top."""

        inner: Inner = Field(description="Documented.")
        plain: str

    assert undocumented_fields(Outer.model_json_schema()) == ["Outer.plain", "Inner.bare"]


def _reference_tables(markdown: str) -> dict[str, dict[str, tuple[str, str]]]:
    """{section: {key: (type, required)}} read back from the generated Markdown."""
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    section = ""
    for line in markdown.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            tables[section] = {}
        row = re.fullmatch(r"\| `([^`]+)` \| (.+?) \| (yes|no) \| (.*?) \| (.+) \|", line)
        if row and section:
            tables[section][row[1]] = (row[2], row[3])
    return tables


def test_reference_lists_every_section_and_field_with_required() -> None:
    schema = spec_json_schema()
    tables = _reference_tables((DOCS / REFERENCE_FILE).read_text(encoding="utf-8"))
    objects = {"Spec": schema} | {
        name: node for name, node in schema["$defs"].items() if "properties" in node
    }
    assert set(tables) == set(objects)
    for name, node in objects.items():
        required = set(node.get("required", []))
        assert set(tables[name]) == set(node["properties"]), name
        for key, (_, is_required) in tables[name].items():
            assert (is_required == "yes") == (key in required), f"{name}.{key}"
    assert tables["Brief"]["date"][0] == "date (YYYY-MM-DD)"
    assert tables["Spec"]["segments"][0] == "list of [Segment](#segment) (at least 1)"
    assert tables["Brief"]["rating"][0].startswith("one of `Buy`, `Hold`")


@pytest.mark.parametrize("sample", [SAMPLE, SAMPLE_Q3], ids=lambda p: p.name)
def test_schema_accepts_the_samples(sample: Path, validator: jsonschema.Validator) -> None:
    data = _as_json(yaml.safe_load(sample.read_text(encoding="utf-8")))
    assert [error.message for error in validator.iter_errors(data)] == []


def test_samples_point_editors_at_the_schema() -> None:
    for sample in (SAMPLE, SAMPLE_Q3):
        first = sample.read_text(encoding="utf-8").splitlines()[0]
        found = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert found, f"{sample.name} does not start with the schema comment"
        assert (sample.parent / found[1]).resolve() == (DOCS / SCHEMA_FILE).resolve()


def test_schema_rejects_a_bad_spec(validator: jsonschema.Validator) -> None:
    data = _as_json(yaml.safe_load(SAMPLE.read_text(encoding="utf-8")))
    data["segments"][0]["revenue"]["value"] = "abc"
    data["company"]["shortname"] = data["company"].pop("short_name")
    del data["brief"]["title"]
    data["brief"]["rating"] = "buy"
    found = sorted(
        ("/".join(str(part) for part in error.absolute_path), error.validator)
        for error in validator.iter_errors(data)
    )
    assert found == [
        ("brief", "required"),
        ("brief/rating", "anyOf"),
        ("company", "additionalProperties"),
        ("segments/0/revenue/value", "type"),
    ]
