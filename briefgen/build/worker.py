"""What a worker does with one spec: render it and hand back bytes, never writing a file.

The same function runs in a local worker process and on a Dask worker; the caller's one
`OutputWriter` writes what it returns. A worker on another machine may not see the caller's files,
so `render_bundle` takes the spec, its data files and the user's template folders as bytes,
lays them out in a temporary folder and renders from there.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from briefgen.errors import BriefgenError, InputError, escape_text

if TYPE_CHECKING:
    from briefgen.build.options import RenderOptions


class Rendered(Protocol):
    """The part of `briefgen.build.pipeline.RenderedBrief` the batch needs."""

    slug: str
    files: dict[str, bytes]
    timings: dict[str, float]
    warnings: list[str]


RenderFn = Callable[[Path, "RenderOptions"], Rendered]


@dataclass
class RenderOutput:
    """A rendered brief reduced to what crosses a process or network boundary."""

    files: dict[str, bytes]
    timings: dict[str, float]
    warnings: list[str]
    worker: str  # host:pid, for the manifest and for telling workers apart in benchmarks
    peak_rss: int | None = None  # bytes, the worker process's high-water mark so far


@dataclass
class RenderFailure:
    """Why a spec could not be rendered, as plain text (exceptions may not pickle)."""

    error: str
    kind: str  # "spec" (bad input), "render", "internal", "timeout", "crash"
    detail: str | None = None  # a traceback, for errors that are bugs
    timings: dict[str, float] = field(default_factory=dict)


def default_render() -> RenderFn:
    from briefgen.build.pipeline import render_brief

    render: RenderFn = render_brief
    return render


def warm_up(options: RenderOptions | None = None) -> None:
    """Import (and compile templates for) what rendering needs, once, before the first spec.

    Errors are left for the first render to report against its spec.
    """
    from briefgen.build import pipeline

    with contextlib.suppress(Exception):
        pipeline.warm_up(options)


def peak_rss() -> int | None:
    """This process's peak resident set size in bytes (Linux /proc; None elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def worker_name() -> str:
    return f"{os.uname().nodename}:{os.getpid()}"


def render_spec(
    spec_path: Path, options: RenderOptions, render: RenderFn | None = None
) -> RenderOutput | RenderFailure:
    """Render one spec; every exception becomes a `RenderFailure` with a message for a person."""
    render = render or default_render()
    start = time.perf_counter()
    try:
        rendered = render(spec_path, options)
    except BriefgenError as exc:
        kind = "spec" if isinstance(exc, InputError) else "render"
        # A spec error is the user's and says all; a render error may be a template's or ours.
        return RenderFailure(str(exc), kind, timings={"total": time.perf_counter() - start},
                             detail=None if kind == "spec" else traceback.format_exc())
    except Exception as exc:
        return RenderFailure(
            escape_text(f"internal error: {type(exc).__name__}: {exc}"),
            "internal",
            detail=traceback.format_exc(),
            timings={"total": time.perf_counter() - start},
        )
    timings = {name: float(value) for name, value in rendered.timings.items()}
    timings.setdefault("total", time.perf_counter() - start)
    return RenderOutput(
        files=dict(rendered.files),
        timings=timings,
        warnings=list(dict.fromkeys(str(w) for w in rendered.warnings)),  # each once
        worker=worker_name(),
        peak_rss=peak_rss(),
    )


# --- for workers that do not share the caller's file system ---------------------------------


@dataclass
class Bundle:
    """A spec and the files it reads, as bytes, relative to the spec's folder."""

    spec_name: str
    display: str  # how the caller names the spec, so messages point at the caller's file
    files: dict[str, bytes]  # relative path -> bytes; includes the spec itself


@dataclass
class TemplateBundle:
    """The user's template folders (in search order), as bytes."""

    folders: list[dict[str, bytes]]


def read_bundle(spec_path: Path, data_files: list[Path]) -> Bundle:
    folder = spec_path.parent.resolve()
    files = {spec_path.name: spec_path.read_bytes()}
    for path in data_files:
        files[path.resolve().relative_to(folder).as_posix()] = path.read_bytes()
    return Bundle(spec_path.name, str(spec_path), files)


def read_templates(folders: tuple[Path, ...]) -> TemplateBundle:
    found = []
    for folder in folders:
        files = {}
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
        found.append(files)
    return TemplateBundle(found)


def _lay_out(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = (root / name).resolve()
        if not target.is_relative_to(root.resolve()):
            raise ValueError(f"refusing to unpack {name!r} outside the work folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def render_bundle(
    bundle: Bundle,
    templates: TemplateBundle,
    options: RenderOptions,
    render: RenderFn | None = None,
    timeout: float | None = None,
) -> RenderOutput | RenderFailure:
    """Render a shipped spec in a temporary folder; give up after `timeout` seconds.

    A Dask worker cannot be told to stop a running task, so a render that outlives `timeout` is
    abandoned in its thread and reported as timed out; its result is dropped when it comes.
    """
    with tempfile.TemporaryDirectory(prefix="briefgen-") as work:
        root = Path(work)
        _lay_out(root / "spec", bundle.files)
        template_dirs = []
        for index, folder in enumerate(templates.folders):
            target = root / f"templates-{index}"
            target.mkdir()
            _lay_out(target, folder)
            template_dirs.append(target)
        if templates.folders:
            options = replace(options, template_dirs=tuple(template_dirs))
        spec_path = root / "spec" / bundle.spec_name
        outcome = _with_timeout(lambda: render_spec(spec_path, options, render), timeout)
    if isinstance(outcome, RenderFailure):
        # Point messages at the caller's file, not at this worker's temporary copy.
        outcome.error = outcome.error.replace(str(spec_path), bundle.display)
    return outcome


def _with_timeout(
    job: Callable[[], RenderOutput | RenderFailure], timeout: float | None
) -> RenderOutput | RenderFailure:
    if timeout is None:
        return job()
    box: list[RenderOutput | RenderFailure] = []
    thread = threading.Thread(target=lambda: box.append(job()), daemon=True)
    thread.start()
    thread.join(timeout)
    if not box:
        return RenderFailure(f"timed out after {timeout:g} s (abandoned on {worker_name()})",
                             "timeout", timings={"total": float(timeout)})
    return box[0]
