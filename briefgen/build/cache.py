"""Content-hash cache keys: a brief is rendered again only when something it is made from changed.

A brief depends on its spec's bytes, the data files the spec reads (`LoadedSpec.data_files`), every
file in the template search path, the fonts, the brand and the other render options, and the code
that draws it (briefgen's version, the digest of its own source, the versions of the libraries
that lay out and draw). The key is a sha256 over all of them. Everything but the spec and its data
files is the same for every brief of a run, so it is hashed once (`environment_digest`).

After a brief is written its key and the sha256 of each output go into
`output/<slug>/.briefgen-cache.json`. A later run skips the brief only when the key is the same and
every output on disk still hashes to what was recorded: a deleted or edited output is rendered
again. Nothing here imports matplotlib or WeasyPrint, so a fully cached run stays fast.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.version import __version__

CACHE_RECORD = ".briefgen-cache.json"
RECORD_FORMAT = 1
# The libraries whose version can change a note's bytes (layout, drawing, PDF writing, fonts).
RENDER_LIBRARIES = ("matplotlib", "weasyprint", "pydyf", "fonttools", "jinja2", "pillow",
                    "tinycss2")
PACKAGE_DIR = Path(__file__).resolve().parents[1]
# The code a render runs (`render_code`), part of every cache key.
RENDER_STAGES = ("inputs", "spec", "derive", "brand", "charts", "note", "pdf")
RENDER_BUILD_MODULES = ("__init__.py", "options.py", "pipeline.py", "worker.py")
RENDER_TOP_MODULES = (
    "__init__.py", "errors.py", "lazy.py", "lifeline.py", "privatedir.py", "version.py", "words.py",
)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_digest(root: Path, pattern: str = "**/*") -> list[tuple[str, str]]:
    """`(relative path, sha256)` of every file under `root`, sorted; hidden and cache files out."""
    if root.is_file():
        return [(root.name, sha256_file(root))]
    if not root.is_dir():
        return []
    found = []
    for path in root.glob(pattern):
        relative = path.relative_to(root)
        if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        if path.is_file():
            found.append((relative.as_posix(), sha256_file(path)))
    return sorted(found)


def canonical(value: Any) -> Any:
    """A JSON-able form of options, brands and paths in which every file counts by its content.

    A path is replaced by the digest of the file or folder it names, not by where it is, so moving
    a template folder does not re-render everything while editing one file in it does.
    """
    if isinstance(value, Path):
        if value.exists():
            return {"content": tree_digest(value)}
        return {"missing": str(value)}
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__type__": type(value).__qualname__, **fields}
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump):  # a pydantic model, such as the brand
        return {"__type__": type(value).__qualname__, **canonical(model_dump())}
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple | set | frozenset):
        items = [canonical(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, bytes | bytearray):  # a brand's logo and font files, read in
        return {"sha256": sha256_bytes(bytes(value))}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


def builtin_template_dir() -> Path:
    """The built-in templates, where `briefgen.note` finds them (Jinja not imported)."""
    from briefgen.note.builtin import builtin_template_dir

    return builtin_template_dir()


def render_code() -> list[Path]:
    """The briefgen modules a render can run: every module of the stages before `build` (the
    import-linter contract keeps later stages out of them), `build`'s per-brief modules
    (`RENDER_BUILD_MODULES`) and the top-level modules they share.

    Listed, not found by following imports (which meant parsing ~60 files on every run, 0.16 s
    of a cache hit); tests/build/test_cache.py follows the imports and fails when a render
    reaches a module this list leaves out. Editing `mail/` re-renders nothing, editing
    `charts/` re-renders everything.
    """
    files = [PACKAGE_DIR / name for name in RENDER_TOP_MODULES]
    files += [PACKAGE_DIR / "build" / name for name in RENDER_BUILD_MODULES]
    for stage in RENDER_STAGES:
        files += (PACKAGE_DIR / stage).rglob("*.py")
    return sorted(path for path in files if path.is_file())


def library_versions(names: Iterable[str] = RENDER_LIBRARIES) -> dict[str, str]:
    """Each library's installed version, or "absent".

    Read from the `.dist-info` folders on `sys.path` when each name has exactly one there (the
    usual install), else asked of `importlib.metadata`, whose import alone (email, zipfile,
    csv, ...) took 0.03 s of a 0.1 s cache hit."""
    versions = {}
    found = _dist_info_versions({_normalized(name) for name in names})
    for name in names:
        known = found.get(_normalized(name))
        if known is not None and len(known) == 1:
            versions[name] = known[0]
            continue
        import importlib.metadata

        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()  # PEP 503, with dist-info's underscores


def _dist_info_versions(wanted: set[str]) -> dict[str, list[str]]:
    """Normalized distribution name (of `wanted`) -> the versions its `.dist-info` folders on
    `sys.path` give in their METADATA."""
    found: dict[str, list[str]] = {}
    for entry in dict.fromkeys(sys.path):
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if not folder.endswith(".dist-info"):
                continue
            name = _normalized(folder[: -len(".dist-info")].partition("-")[0])
            if name not in wanted:
                continue
            version = _metadata_version(Path(entry or ".") / folder / "METADATA")
            if version is not None and (name not in found or found[name][0] != version):
                found.setdefault(name, []).append(version)
    return found


def _metadata_version(path: Path) -> str | None:
    """The `Version:` header of a METADATA file (it comes before the long description)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip()
                if not line.strip():
                    return None  # the headers ended without one
    except OSError:
        return None
    return None


# How a changed part of the environment is named when it explains a re-render.
PART_NAMES = {
    "format": "the cache format",
    "briefgen": "briefgen's version",
    "code": "briefgen's code",
    "libraries": "a library version",
    "options": "the render options or brand",
    "templates": "the templates",
    "fonts": "the fonts",
    "subsetter": "the font subsetter (libharfbuzz-subset installed or removed)",
}


def environment_parts(options: Any) -> dict[str, str]:
    """What every brief of a run shares, part by part, each as a sha256."""
    template_dirs = tuple(getattr(options, "template_dirs", ()))
    other_options = canonical(options)
    if isinstance(other_options, dict):
        other_options.pop("template_dirs", None)  # counted, by content, under "templates"
    parts = {
        "format": _digest(RECORD_FORMAT),
        "briefgen": _digest(__version__),
        **_process_parts(),
        "options": _digest(other_options),
        "templates": _digest([tree_digest(Path(d))
                              for d in (*template_dirs, builtin_template_dir())]),
    }
    return {name: parts[name] for name in PART_NAMES}


@functools.cache
def _process_parts() -> dict[str, str]:
    """The parts that cannot change under a running process: the code it runs (between
    releases the version does not move while the code does), its libraries, briefgen's fonts.
    Once per process: the early printer's cache check and the run's own then cost one."""
    return {
        "code": _digest([(p.relative_to(PACKAGE_DIR).as_posix(), sha256_file(p))
                         for p in render_code()]),
        "libraries": _digest(library_versions()),
        "fonts": _digest(tree_digest(PACKAGE_DIR / "fonts")),
        "subsetter": _digest(font_subsetter()),
    }


# The names WeasyPrint 70 tries for libharfbuzz-subset (weasyprint/text/ffi.py), Linux's first:
# a name that fails costs a search of the library path.
HARFBUZZ_SUBSET_NAMES = ("libharfbuzz-subset.so.0", "libharfbuzz-subset-0", "harfbuzz-subset",
                         "harfbuzz-subset-0.0", "libharfbuzz-subset.0.dylib",
                         "libharfbuzz-subset-0.dll")


def font_subsetter() -> str:
    """Which library WeasyPrint will subset the PDF's fonts with: HarfBuzz's or fontTools (when
    libharfbuzz-subset is missing). Their subsets differ in bytes, so a PDF made with one must
    not be taken from the cache by a machine that has the other. Asked the way WeasyPrint asks
    (a dlopen by the same names), without importing WeasyPrint."""
    import ctypes

    for name in HARFBUZZ_SUBSET_NAMES:
        with contextlib.suppress(OSError):
            ctypes.CDLL(name)
            return "harfbuzz-subset"
    return "fonttools"


def environment_digest(options: Any) -> str:
    return _digest(environment_parts(options))


def _digest(value: Any) -> str:
    return sha256_bytes(json.dumps(value, sort_keys=True).encode())


@dataclass
class Inputs:
    """Everything one brief is made from, as digests; its `key` is the cache key."""

    environment: dict[str, str]  # part -> sha256, shared by the run
    spec: str  # sha256 of the spec's bytes
    data: dict[str, str] = field(default_factory=dict)  # data file, relative to the spec -> sha256

    @property
    def key(self) -> str:
        return _digest(dataclasses.asdict(self))

    @classmethod
    def of(cls, environment: dict[str, str], spec_bytes: bytes, spec_dir: Path,
           data_files: list[Path]) -> Inputs:
        data = {}
        for path in data_files:
            try:
                name = path.resolve().relative_to(spec_dir.resolve()).as_posix()
            except ValueError:
                name = str(path)
            data[name] = sha256_file(path)
        return cls(dict(environment), sha256_bytes(spec_bytes), dict(sorted(data.items())))

    def changes_since(self, before: dict[str, Any]) -> list[str]:
        """What differs from the inputs of an earlier render, in words."""
        changed = []
        if before.get("spec") != self.spec:
            changed.append("the spec")
        if before.get("data") != self.data:
            changed.append("its data files")
        old = before.get("environment") or {}
        changed.extend(PART_NAMES.get(name, name) for name, digest in self.environment.items()
                       if old.get(name) != digest)
        return changed


@dataclass
class CacheRecord:
    """What `output/<slug>/.briefgen-cache.json` says about the brief last written there."""

    key: str
    spec: str
    outputs: dict[str, dict[str, Any]]  # name -> {"sha256": ..., "bytes": ...}
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)  # `Inputs` as a dict, to explain misses

    def to_bytes(self) -> bytes:
        data = {"format": RECORD_FORMAT, **dataclasses.asdict(self)}
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()

    @classmethod
    def read(cls, path: Path) -> CacheRecord | None:
        try:
            data = json.loads(path.read_bytes())
            if data.get("format") != RECORD_FORMAT:
                return None
            return cls(
                key=str(data["key"]),
                spec=str(data["spec"]),
                outputs={str(k): dict(v) for k, v in data["outputs"].items()},
                timings={str(k): float(v) for k, v in data.get("timings", {}).items()},
                warnings=[str(w) for w in data.get("warnings", [])],
                inputs=dict(data.get("inputs") or {}),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing, unreadable or from another version: not a hit


def check(brief_dir: Path, inputs: Inputs) -> tuple[CacheRecord | None, str]:
    """The record of a brief still exactly as rendered from `inputs`, or None and why not."""
    record = CacheRecord.read(brief_dir / CACHE_RECORD)
    if record is None or not record.outputs:
        return None, "not rendered before"
    if record.key != inputs.key:
        changed = inputs.changes_since(record.inputs)
        return None, (" and ".join(changed) if changed else "its inputs") + " changed"
    problem = _outputs_problem(brief_dir, record)
    return (None, problem) if problem else (record, "cached")


def proven_hit(brief_dir: Path, environment: dict[str, str], spec_path: Path,
               spec_bytes: bytes) -> tuple[CacheRecord, Inputs] | None:
    """The record in `brief_dir` and the inputs it was checked against, when it proves without
    loading the spec that the brief there is what `spec_path` renders to now; else None (then
    load the spec and `check`).

    Sound because the key covers the spec's bytes and the code that reads them: with the same
    bytes and code the spec reads the same data files (named in the record) and gets the same
    slug, so hashing those files again completes the key."""
    record = CacheRecord.read(brief_dir / CACHE_RECORD)
    if record is None or not record.outputs:
        return None
    try:
        if Path(record.spec).resolve() != spec_path.resolve():
            return None  # another spec's brief, or this one named from another folder
        data = [spec_path.parent / str(name) for name in record.inputs.get("data") or {}]
        inputs = Inputs.of(environment, spec_bytes, spec_path.parent, data)
    except (OSError, TypeError, AttributeError):
        return None
    if inputs.key != record.key or _outputs_problem(brief_dir, record):
        return None
    return record, inputs


def cached_record(brief_dir: Path, key: str) -> CacheRecord | None:
    """The record of the brief in `brief_dir` if it was rendered for `key` and its outputs still
    hash to what was recorded (a mailer checks this before attaching them), else None."""
    record = CacheRecord.read(brief_dir / CACHE_RECORD)
    if record is None or record.key != key or not record.outputs:
        return None
    return None if _outputs_problem(brief_dir, record) else record


def _outputs_problem(brief_dir: Path, record: CacheRecord) -> str | None:
    for name, meta in record.outputs.items():
        path = brief_dir / name
        try:
            if path.stat().st_size != meta.get("bytes") or sha256_file(path) != meta.get("sha256"):
                return f"{name} was changed on disk"
        except OSError:
            return f"{name} is missing"
    return None

