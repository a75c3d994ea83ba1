"""Cache keys change exactly when something a brief is made from changes; hits are verified."""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.brand.model import Brand
from briefgen.build.cache import (
    CACHE_RECORD,
    PACKAGE_DIR,
    CacheRecord,
    Inputs,
    cached_record,
    check,
    environment_digest,
    environment_parts,
    render_code,
    sha256_bytes,
)


@dataclass(frozen=True)
class Options:
    """Stands in for RenderOptions: the cache hashes any dataclass the same way."""

    formats: tuple[str, ...] = ("html", "pdf")
    paper: str = "a4"
    template_dirs: tuple[Path, ...] = ()
    brand: Brand | None = None
    extra: dict[str, str] = field(default_factory=dict)


def test_environment_changes_with_templates_brand_and_options(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "note.html").write_text("{% extends 'default:note.html' %}")
    base = environment_digest(Options(template_dirs=(templates,)))
    assert environment_digest(Options(template_dirs=(templates,))) == base
    (templates / "note.html").write_text("{% extends 'default:note.html' %}{# edited #}")
    edited = environment_digest(Options(template_dirs=(templates,)))
    assert edited != base
    (templates / "extra.css").write_text("p {}")
    assert environment_digest(Options(template_dirs=(templates,))) not in {base, edited}
    assert environment_digest(Options(paper="letter")) != environment_digest(Options())
    assert environment_digest(Options(formats=("html",))) != environment_digest(Options())
    assert environment_digest(Options(brand=Brand(firm_name="Acme"))) != environment_digest(
        Options(brand=Brand())
    )


def test_bytes_count_by_content() -> None:
    from briefgen.build.cache import canonical

    logo = b"<svg/>" * 100_000
    assert canonical({"logo": logo}) == {"logo": {"sha256": sha256_bytes(logo)}}
    assert canonical({"logo": logo}) != canonical({"logo": logo + b" "})


def test_a_moved_template_folder_with_the_same_files_keeps_the_key(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "note.html").write_text("same")
    assert environment_digest(Options(template_dirs=(tmp_path / "one",))) == environment_digest(
        Options(template_dirs=(tmp_path / "two",))
    )


def test_the_key_follows_spec_bytes_and_data_files(tmp_path: Path) -> None:
    csv = tmp_path / "history.csv"
    csv.write_text("quarter_end,revenue\n2025-06-30,1\n")
    env = {"code": "c1"}
    key = Inputs.of(env, b"spec", tmp_path, [csv]).key
    assert Inputs.of(env, b"spec", tmp_path, [csv]).key == key
    assert Inputs.of(env, b"spec ", tmp_path, [csv]).key != key
    assert Inputs.of({"code": "c2"}, b"spec", tmp_path, [csv]).key != key
    csv.write_text("quarter_end,revenue\n2025-06-30,2\n")
    changed = Inputs.of(env, b"spec", tmp_path, [csv])
    assert changed.key != key
    assert Inputs.of(env, b"spec", tmp_path, [csv]).data == {"history.csv": changed.data[
        "history.csv"]}


def test_a_miss_says_what_changed(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "note.html").write_text("v1")
    options = Options(template_dirs=(templates,))
    before = Inputs.of(environment_parts(options), b"spec", tmp_path, [])
    (templates / "note.html").write_text("v2")
    after = Inputs.of(environment_parts(options), b"spec 2", tmp_path, [])
    assert after.changes_since(dataclasses.asdict(before)) == ["the spec", "the templates"]
    assert set(environment_parts(options)) == {
        "format", "briefgen", "code", "libraries", "options", "templates", "fonts", "subsetter"}


def _imports_followed(*roots: str) -> set[str]:
    """The briefgen modules reachable from `roots` by their imports (inside functions too)."""
    def module_file(name: str) -> Path | None:
        parts = name.split(".")[1:]
        for candidate in (PACKAGE_DIR.joinpath(*parts).with_suffix(".py") if parts else None,
                          PACKAGE_DIR.joinpath(*parts, "__init__.py")):
            if candidate is not None and candidate.is_file():
                return candidate
        return None

    seen: set[Path] = set()
    todo = [module_file(name) for name in roots]
    while todo:
        path = todo.pop()
        if path is None or path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("briefgen."):
                    parts = name.split(".")  # importing a.b.c runs a/__init__, a/b/__init__
                    todo.extend(module_file(".".join(parts[:i])) for i in range(2, len(parts) + 1))
    return {p.relative_to(PACKAGE_DIR).as_posix() for p in seen}


def test_render_code_holds_every_module_a_render_can_reach() -> None:
    names = {p.relative_to(PACKAGE_DIR).as_posix() for p in render_code()}
    reached = _imports_followed("briefgen.build.pipeline", "briefgen.build.worker")
    assert reached - names == set()  # a module that changes a note but not its cache key
    assert {"__init__.py", "build/worker.py", "charts/draw.py", "errors.py"} <= names
    assert "build/batch.py" not in names  # not part of drawing a note
    assert not {name for name in names if name.startswith(("mail/", "cli/", "schedule/"))}


INPUTS = Inputs({"code": "c1"}, "spec-sha")


def _write_brief(brief_dir: Path, inputs: Inputs = INPUTS) -> None:
    brief_dir.mkdir(parents=True)
    outputs = {}
    for name, data in {"brief.html": b"<html>", "brief.pdf": b"%PDF-1.7"}.items():
        (brief_dir / name).write_bytes(data)
        outputs[name] = {"sha256": sha256_bytes(data), "bytes": len(data)}
    record = CacheRecord(inputs.key, "x.yaml", outputs, inputs=dataclasses.asdict(inputs))
    (brief_dir / CACHE_RECORD).write_bytes(record.to_bytes())


def test_a_hit_needs_the_same_inputs_and_untouched_outputs(tmp_path: Path) -> None:
    brief = tmp_path / "x"
    _write_brief(brief)
    assert check(brief, INPUTS) == (CacheRecord.read(brief / CACHE_RECORD), "cached")
    assert check(brief, Inputs({"code": "c2"}, "spec-sha")) == (
        None, "briefgen's code changed")
    (brief / "brief.pdf").write_bytes(b"%PDF-1.7")  # rewritten, same bytes: still a hit
    assert check(brief, INPUTS)[0] is not None
    assert cached_record(brief, INPUTS.key) is not None
    assert cached_record(brief, "another key") is None
    (brief / "brief.pdf").write_bytes(b"%PDF-1.4")  # same size, other bytes
    assert check(brief, INPUTS) == (None, "brief.pdf was changed on disk")
    assert cached_record(brief, INPUTS.key) is None


def test_a_deleted_output_or_a_broken_record_is_a_miss(tmp_path: Path) -> None:
    brief = tmp_path / "x"
    _write_brief(brief)
    (brief / "brief.html").unlink()
    assert check(brief, INPUTS) == (None, "brief.html is missing")
    (brief / CACHE_RECORD).write_text("{not json")
    assert check(brief, INPUTS) == (None, "not rendered before")
    assert check(tmp_path / "missing", INPUTS) == (None, "not rendered before")



def test_a_fully_cached_run_loads_no_spec_and_imports_nothing_heavy(tmp_path: Path) -> None:
    import subprocess
    import sys

    from briefgen.build.batch import build
    from tests.helpers.fake_render import fake_render
    from tests.helpers.golden import SAMPLES

    specs = [SAMPLES["baba"], SAMPLES["baba-2025q3"]]
    build(specs, out_dir=tmp_path, render=fake_render)
    script = (
        "import sys\nfrom pathlib import Path\nfrom briefgen.build.batch import build\n"
        f"run = build({[str(s) for s in specs]!r}, out_dir=Path({str(tmp_path)!r}))\n"
        "assert run.counts['cached'] == 2, run.counts\n"
        "heavy = {'pydantic', 'briefgen.spec.load', 'matplotlib', 'weasyprint', 'jinja2',"
        " 'rich'} & set(sys.modules)\n"
        "assert not heavy, heavy\nprint('ok')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
