"""The spec's JSON Schema and its Markdown reference, both generated from `briefgen.spec`.

Neither file in docs/ is edited by hand: `python -m briefgen.spec.schema` rewrites both, and
`python -m briefgen.spec.schema --check` (run by the tests) fails when either has drifted from the
model.
The reference is built from the JSON Schema rather than from pydantic's internals, so what an
editor's autocomplete says and what the reference says cannot disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from briefgen.spec.model import Spec

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA_FILE = "spec.schema.json"
REFERENCE_FILE = "spec-reference.md"
REGENERATE = "python -m briefgen.spec.schema"

JsonSchema = dict[str, Any]

# Keys first in this order so the committed file reads top-down; pydantic puts $defs first.
_KEY_ORDER = ("$schema", "title", "description", "type", "properties", "required",
              "additionalProperties", "$defs")


def spec_json_schema(model: type[BaseModel] = Spec) -> JsonSchema:
    """pydantic's JSON Schema of the model, with the dialect named for editors."""
    schema: JsonSchema = {"$schema": SCHEMA_DIALECT, **model.model_json_schema()}
    ordered = {key: schema[key] for key in _KEY_ORDER if key in schema}
    return {**ordered, **schema}


def schema_text(model: type[BaseModel] = Spec) -> str:
    return json.dumps(spec_json_schema(model), indent=2, ensure_ascii=False) + "\n"


def _objects(schema: JsonSchema) -> Iterator[tuple[str, JsonSchema]]:
    """The root and every object definition, as (name, schema), in reading order.

    Breadth-first from the root following `$ref`s in field order, so a section is described
    before the types it uses; enums are not sections (their values are given inline).
    """
    defs: dict[str, JsonSchema] = schema.get("$defs", {})
    queue: list[tuple[str, JsonSchema]] = [(str(schema.get("title", "Spec")), schema)]
    seen: set[str] = set()
    while queue:
        name, node = queue.pop(0)
        yield name, node
        for prop in node.get("properties", {}).values():
            for ref in _refs(prop):
                if ref not in seen and "properties" in defs.get(ref, {}):
                    seen.add(ref)
                    queue.append((ref, defs[ref]))


def _refs(fragment: Any) -> Iterator[str]:
    if isinstance(fragment, dict):
        if isinstance(fragment.get("$ref"), str):
            yield fragment["$ref"].rsplit("/", 1)[-1]
        for value in fragment.values():
            yield from _refs(value)
    elif isinstance(fragment, list):
        for item in fragment:
            yield from _refs(item)


def undocumented_fields(schema: JsonSchema | None = None) -> list[str]:
    """`Model.field` for every field without a description (the reference would be blank)."""
    schema = schema if schema is not None else spec_json_schema()
    return [
        f"{name}.{field}"
        for name, node in _objects(schema)
        for field, prop in node.get("properties", {}).items()
        if not str(prop.get("description", "")).strip()
    ]


# --- the Markdown reference ----------------------------------------------------------------------


def _one_of(values: Sequence[Any]) -> str:
    return "one of " + ", ".join(f"`{value}`" for value in values)


def _bounds(fragment: JsonSchema, *, items: bool = False) -> str:
    words = {"exclusiveMinimum": "> {}", "minimum": "≥ {}", "exclusiveMaximum": "< {}",
             "maximum": "≤ {}"}
    if items:
        words = {"minItems": "at least {}"}
    found = [text.format(fragment[key]) for key, text in words.items() if key in fragment]
    return f" ({', '.join(found)})" if found else ""


def type_text(fragment: JsonSchema, defs: dict[str, JsonSchema]) -> str:
    """How a value's type reads in the reference: `date`, `list of [Money](#money)`…"""
    if "$ref" in fragment:
        name = fragment["$ref"].rsplit("/", 1)[-1]
        target = defs.get(name, {})
        if "enum" in target:
            return _one_of(target["enum"])
        return f"[{name}](#{name.lower()})"
    if "anyOf" in fragment:
        options = [o for o in fragment["anyOf"] if o.get("type") != "null"]
        return " or ".join(type_text(o, defs) for o in options) or "nothing"
    if "enum" in fragment:
        return _one_of(fragment["enum"])
    kind = fragment.get("type")
    if kind == "array":
        return f"list of {type_text(fragment.get('items', {}), defs)}" + _bounds(
            fragment, items=True
        )
    if kind == "string":
        fmt = fragment.get("format")
        if fmt == "date":
            return "date (YYYY-MM-DD)"
        if fmt == "path":
            return "file path"
        text = "text"
        if "pattern" in fragment:
            text += f" matching `{fragment['pattern']}`"
        elif "maxLength" in fragment:
            text += f" (up to {fragment['maxLength']} characters)"
        return text
    if kind == "number":
        return "number" + _bounds(fragment)
    if kind == "integer":
        return "whole number" + _bounds(fragment)
    if kind == "boolean":
        return "true or false"
    return str(kind or "any value")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def reference_markdown(schema: JsonSchema | None = None) -> str:
    schema = schema if schema is not None else spec_json_schema()
    defs: dict[str, JsonSchema] = schema.get("$defs", {})
    sections = list(_objects(schema))
    used_by: dict[str, list[str]] = {}
    for name, node in sections:
        for field, prop in node.get("properties", {}).items():
            for ref in dict.fromkeys(_refs(prop)):
                used_by.setdefault(ref, []).append(f"[{name}](#{name.lower()}).`{field}`")

    lines = [
        "# Spec reference",
        "",
        f"<!-- Generated from briefgen/spec/model.py by `{REGENERATE}`; do not edit by hand. -->",
        "",
        "A spec is one YAML file per company quarter. The file itself is a **Spec**: its keys are",
        "the sections below, each described in its own table, followed by the types they use.",
        "Keys marked *yes* must be given; the others may be left out and take the default shown.",
        "Unknown keys are errors. Check a spec with `briefgen validate SPEC`; start one with",
        "`briefgen new NAME`. Editors that read JSON Schema (VS Code's YAML extension) check and",
        f"complete specs against [`{SCHEMA_FILE}`]({SCHEMA_FILE}), which states the same rules.",
    ]
    for name, node in sections:
        required = set(node.get("required", []))
        lines += ["", f"## {name}", "", _cell(str(node.get("description", "")))]
        if name in used_by:
            lines += ["", "Used by " + ", ".join(used_by[name]) + "."]
        lines += ["", "| Key | Type | Required | Default | Description |",
                  "|---|---|---|---|---|"]
        for field, prop in node.get("properties", {}).items():
            default = ""
            if "default" in prop and prop["default"] not in (None, [], {}):
                default = f"`{json.dumps(prop['default'], ensure_ascii=False)}`"
            lines.append(
                f"| `{field}` | {_cell(type_text(prop, defs))} | "
                f"{'yes' if field in required else 'no'} | {default} | "
                f"{_cell(str(prop.get('description', '')))} |"
            )
    return "\n".join(lines) + "\n"


# --- regenerate or check the committed files -----------------------------------------------------


def generated_files(docs: Path = DOCS) -> dict[Path, str]:
    schema = spec_json_schema()
    return {
        docs / SCHEMA_FILE: json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
        docs / REFERENCE_FILE: reference_markdown(schema),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m briefgen.spec.schema", description="Regenerate docs/" + SCHEMA_FILE
        + " and docs/" + REFERENCE_FILE + " from the spec model."
    )
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a committed file differs")
    parser.add_argument("--docs", type=Path, default=DOCS, help="folder of the two files")
    args = parser.parse_args(argv)
    missing = undocumented_fields()
    if missing:
        print("fields without a description: " + ", ".join(missing), file=sys.stderr)
        return 1
    stale = []
    for path, text in generated_files(args.docs).items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        names = ", ".join(str(path) for path in stale)
        print(f"out of date: {names} (run `{REGENERATE}`)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
