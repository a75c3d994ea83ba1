"""Many specs to many notes: `build()`, the library API that `briefgen render` is a thin layer over.

A run reads and validates every spec first (cheap: no matplotlib, no WeasyPrint), refuses two
specs with the same slug before anything renders, skips the briefs whose cache key and outputs
are unchanged (`cache`), renders the rest in a local process pool (`pool`) or on a Dask cluster
(`cluster`), and writes each brief as it comes back through the one `OutputWriter`, followed by
its cache record and, every so often and at the end, `output/manifest.json` (`manifest`).
A spec that fails (bad input, a render error, a hang, a crash) is reported and the others go on.
Ctrl-C or SIGTERM stops the run; every brief already written stays intact and the manifest lists
exactly those.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Generator, Hashable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Literal

from briefgen.build.cache import (
    CacheRecord,
    Inputs,
    check,
    environment_parts,
    proven_hit,
    sha256_bytes,
)
from briefgen.build.manifest import BriefResult, ManifestWriter, RunResult, previous_slugs
from briefgen.build.options import RenderOptions
from briefgen.build.progress import Progress
from briefgen.build.worker import RenderFailure, RenderFn, RenderOutput, render_spec, warm_up
from briefgen.build.writer import OutputWriter
from briefgen.errors import BriefgenError, InputError, SpecError, debugging, escape_text
from briefgen.spec.find import find_specs

if TYPE_CHECKING:
    from briefgen.build.dask import DaskAddress
    from briefgen.spec.load import LoadedSpec

__all__ = ["BriefResult", "PlannedBrief", "RunResult", "build", "find_specs", "plan"]

# A local worker is replaced (by a fork of the warm parent) after this many briefs. Memory no
# longer needs it: with WeasyPrint's per-layout leak closed (`briefgen.pdf.fontfeatures`) a
# worker's peak RSS stayed at 134.4-134.6 MiB from brief 100 to 1,000 with replacement off
# (measured 2026-12-03, 2 workers, the bench's variants of the sample; it grew 142 -> 191 MiB
# before). It stays as a cheap backstop (one fork of the warm parent per 100 briefs): that patch
# applies to WeasyPrint 70 only, and other brands and templates were not measured.
BRIEFS_PER_WORKER = 100
# A render that takes this long is hung, not slow (a note takes about a second): without a limit,
# one hung spec would hold an unattended run (`schedule run-due`, `send`) and its lock forever.
DEFAULT_TIMEOUT_SECONDS = 300.0


class RunInterrupted(KeyboardInterrupt):
    """SIGTERM arrived: treated like Ctrl-C, so the run stops the same way."""


@dataclass
class _Job:
    """A valid spec that needs rendering."""

    index: int
    spec_path: Path
    slug: str
    data_files: list[Path]
    inputs: Inputs
    reason: str  # why it is rendered: "forced", "the templates changed", …
    warnings: list[str]
    hit: CacheRecord | None = None  # a cache hit proven before loading the spec
    # The spec as planning loaded it, kept only when it is the one spec of the run: rendered
    # here, it is not read and validated a second time (~7 ms of a cold render's CPU).
    loaded: LoadedSpec | None = None

    @property
    def cache_key(self) -> str:
        return self.inputs.key


def build(
    paths: str | Path | Iterable[str | Path],
    out_dir: Path = Path("output"),
    jobs: int | None = None,
    force: bool = False,
    timeout: float | None = None,
    options: RenderOptions | None = None,
    dask_address: DaskAddress | None = None,
    progress: Progress | None = None,
    *,
    render: RenderFn | None = None,
    single_in_process: bool = False,
) -> RunResult:
    """Render every spec in `paths` into `out_dir/<slug>/` and write `out_dir/manifest.json`.

    `jobs`: worker processes (default: all cores); `timeout`: seconds a spec may take before its
    worker is stopped (default `DEFAULT_TIMEOUT_SECONDS`); `force`: ignore the cache; `options`:
    a `briefgen.build.pipeline.RenderOptions`; `dask_address`: a scheduler address (or a
    `distributed.Client`) to render on instead of local processes; `progress`: a
    `briefgen.build.progress.Progress` (the CLI passes a bar or log lines); `render`: the function
    from a spec path and options to a rendered brief (tests pass one that hangs or crashes on
    purpose; default `briefgen.build.pipeline.render_brief`); `single_in_process`: when exactly
    one brief needs rendering (and no Dask), render it in this process instead of starting a
    pool, its PDF made by a forked printer that imports WeasyPrint while this process draws the
    charts (`briefgen.pdf.printer`): the quickest cold path, which the CLI takes for one spec
    without `--jobs`/`--timeout`, at the price of the pool's timeout and crash isolation.

    Raises `InputError` (exit code 2) before rendering anything when no spec is found, a number
    is out of range, two specs share a slug or the output folder cannot be written. Failures of
    single specs do not raise: they are in the result (`result.ok`, `result.exit_code`). On
    Ctrl-C or SIGTERM the workers are stopped, the manifest is written (run status
    "interrupted") and `KeyboardInterrupt` propagates.
    """
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs must be at least 1, got {jobs}")
    if timeout is not None and timeout <= 0:
        raise InputError(f"--timeout must be more than 0 seconds, got {timeout:g}")
    timeout = DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
    options = _checked_options(options)
    progress = progress or Progress()
    out_dir = Path(out_dir)
    started = dt.datetime.now(dt.UTC)
    specs = find_specs(paths)
    writer = OutputWriter(out_dir)
    writer.check()

    results: dict[int, BriefResult] = {}
    jobs_to_render = _plan(specs, out_dir, options, force, results)
    writer.prepare()  # a folder that cannot be written is said now, not after rendering
    writer.remove_stale_temps()
    workers = min(jobs or os.cpu_count() or 1, max(1, len(jobs_to_render)))
    run = RunResult([], out_dir, started, executor="dask" if dask_address is not None else "local",
                    jobs=None if dask_address is not None else workers, total=len(specs))
    manifest = ManifestWriter(writer)

    def finish_brief(index: int, brief: BriefResult) -> None:
        results[index] = brief
        run.briefs = [results[i] for i in sorted(results)]
        progress.brief_done(brief)
        manifest.update(run)

    run.briefs = [results[i] for i in sorted(results)]
    where = (_describe_dask(dask_address) if dask_address is not None
             else f"{workers} worker{'s' if workers != 1 else ''}")
    progress.start(len(specs), list(run.briefs), len(jobs_to_render), where)
    try:
        with _signals_as_interrupts():
            if jobs_to_render:  # else the final write follows at once (a cache hit: one fsync)
                manifest.update(run, force=True)
            rendering = _render_all(jobs_to_render, options, render, workers, timeout,
                                    dask_address, progress, single_in_process)
            with closing(rendering):  # on an interrupt, stop the workers now, not at GC
                for job, outcome in rendering:
                    finish_brief(job.index, _store(job, outcome, writer))
    except KeyboardInterrupt:
        run.interrupted = True
        raise
    finally:
        with _signals_ignored():
            run.finished = dt.datetime.now(dt.UTC)
            try:
                manifest.update(run, force=True)
            finally:
                progress.finish(run)
    return run


@dataclass
class PlannedBrief:
    """What `build` would do with one spec: render it (and why), reuse its cached outputs, or
    report it as failed (a spec that does not load)."""

    spec_path: Path
    slug: str | None
    action: Literal["render", "cached", "failed"]
    why: str | None = None  # the reason to render ("the templates changed"), or the error


def plan(
    paths: str | Path | Iterable[str | Path],
    out_dir: Path = Path("output"),
    force: bool = False,
    options: RenderOptions | None = None,
) -> list[PlannedBrief]:
    """What `build` with the same arguments would do, in spec order; renders and writes nothing.

    Reads and validates every spec and checks the cache exactly as `build` does (so it imports
    neither matplotlib nor WeasyPrint); raises `InputError` where `build` would."""
    options = _checked_options(options)
    specs = find_specs(paths)
    OutputWriter(out_dir).check()  # what `build` would say of a file in the folder's place
    results: dict[int, BriefResult] = {}
    to_render = _plan(specs, Path(out_dir), options, force, results)
    planned = {index: PlannedBrief(brief.spec_path, brief.slug,
                                   "cached" if brief.status == "cached" else "failed", brief.error)
               for index, brief in results.items()}
    planned.update({job.index: PlannedBrief(job.spec_path, job.slug, "render", job.reason)
                    for job in to_render})
    return [planned[index] for index in sorted(planned)]


def _checked_options(options: RenderOptions | None) -> RenderOptions:
    options = RenderOptions() if options is None else options
    for folder in options.template_dirs:
        if not Path(folder).is_dir():
            raise InputError(f"{folder}: template folder not found")
    return options


def _plan(
    specs: list[Path], out_dir: Path, options: RenderOptions, force: bool,
    results: dict[int, BriefResult],
) -> list[_Job]:
    """Validate every spec, refuse shared slugs, take cache hits; return what must be rendered.

    Only what a job needs is kept of each loaded spec, so planning 10,000 specs stays small.
    A spec whose brief the cache proves unchanged (`proven_hit`, at the folder the last run's
    manifest names) is not even loaded: a fully cached run imports neither pydantic nor the
    spec model.
    """
    environment = environment_parts(options)
    last_run = {} if force else previous_slugs(out_dir)
    valid: list[_Job] = []
    for index, spec_path in enumerate(specs):
        try:
            spec_bytes = spec_path.read_bytes()
            slug = last_run.get(spec_path.resolve())
            hit = proven_hit(out_dir / slug, environment, spec_path, spec_bytes) if slug else None
            if slug and hit:
                valid.append(_Job(index, spec_path, slug, [], hit[1], "cached",
                                  hit[0].warnings, hit[0]))
                continue
            from briefgen.build.pipeline import spec_fonts
            from briefgen.spec.load import load_spec

            loaded = load_spec(spec_path, fonts=spec_fonts(options))
        except SpecError as exc:
            results[index] = BriefResult(spec_path, None, "failed", error=str(exc),
                                         error_kind="spec")
            continue
        except OSError as exc:
            results[index] = BriefResult(spec_path, None, "failed", error_kind="spec",
                                         error=f"{escape_text(str(spec_path))}: cannot read: "
                                         f"{exc.strerror}")
            continue
        try:
            inputs = Inputs.of(environment, spec_bytes, loaded.path.parent, loaded.data_files)
        except Exception as exc:  # e.g. a data file removed since: this spec fails, not the run
            if debugging():
                raise
            results[index] = BriefResult(spec_path, None, "failed", error_kind="spec",
                                         error=f"{escape_text(str(spec_path))}: cannot read its "
                                         f"data files: {exc}")
            continue
        valid.append(_Job(index, spec_path, loaded.slug, list(loaded.data_files), inputs,
                          "forced", [str(w) for w in loaded.warnings],
                          loaded=loaded if len(specs) == 1 else None))
    _refuse_shared_slugs(valid)

    to_render: list[_Job] = []
    for job in valid:
        brief_dir = out_dir / job.slug
        record, reason = ((job.hit, "cached") if job.hit else (None, "forced") if force
                          else check(brief_dir, job.inputs))
        if record is None:
            job.reason = reason
            to_render.append(job)
            continue
        results[job.index] = BriefResult(
            job.spec_path, job.slug, "cached",
            outputs={name: brief_dir / name for name in record.outputs},
            sha256s={name: str(meta["sha256"]) for name, meta in record.outputs.items()},
            sizes={name: int(meta["bytes"]) for name, meta in record.outputs.items()},
            timings=dict(record.timings), cache_key=job.cache_key,
            warnings=record.warnings or job.warnings,
        )
    return to_render


def _refuse_shared_slugs(valid: list[_Job]) -> None:
    by_slug: dict[str, list[_Job]] = {}
    for job in valid:
        by_slug.setdefault(job.slug, []).append(job)
    clashes = {slug: found for slug, found in by_slug.items() if len(found) > 1}
    if clashes:
        lines = [f"{' and '.join(str(j.spec_path) for j in found)} have the same slug {slug!r}"
                 for slug, found in sorted(clashes.items())]
        raise InputError("; ".join(lines) + ": each brief needs its own output folder "
                         "(set a different brief.slug in all but one)")


def _render_all(
    jobs: list[_Job],
    options: RenderOptions,
    render: RenderFn | None,
    workers: int,
    timeout: float | None,
    dask_address: DaskAddress | None,
    progress: Progress,
    single_in_process: bool,
) -> Generator[tuple[_Job, RenderOutput | RenderFailure], None, None]:
    if single_in_process and len(jobs) == 1 and dask_address is None:
        yield jobs[0], _render_here(jobs[0], options, render)
        return
    # A printer forked for one brief is no use to a pool (nor forked into it). Only a process
    # that imported the printer module can have one: a cache hit does not import it.
    printer = sys.modules.get("briefgen.pdf.printer")
    if printer is not None:
        printer.discard_early()
    if not jobs:
        return
    by_index: dict[Hashable, _Job] = {job.index: job for job in jobs}
    if dask_address is not None:
        from briefgen.build.dask import run_on_dask

        items = [(job.index, job.spec_path, job.data_files) for job in jobs]
        for index, outcome in run_on_dask(dask_address, items, options, render=render,
                                          timeout=timeout, on_tick=progress.tick):
            yield by_index[index], outcome
        return

    from briefgen.build.pool import LocalPool, start_method

    warm = functools.partial(warm_up, options)
    if start_method() == "fork":
        warm()  # once, here: every forked worker (and every replacement) starts warm
    task = functools.partial(render_spec, options=options, render=render)
    with LocalPool(workers, task, timeout=timeout, initializer=warm,
                   max_tasks=BRIEFS_PER_WORKER) as pool:
        for index, outcome in pool.run(((job.index, job.spec_path) for job in jobs),
                                       on_tick=progress.tick):
            yield by_index[index], outcome


def _render_here(job: _Job, options: RenderOptions, render: RenderFn | None
                 ) -> RenderOutput | RenderFailure:
    """One brief in this process; its PDF in a forked printer where that gains time."""
    from briefgen.pdf.printer import ForkedPrinter

    if render is not None:  # the caller's renderer: no printer to hand it
        return render_spec(job.spec_path, options, render)
    from briefgen.build.pipeline import render_brief, render_planned

    printer = ForkedPrinter.start() if "pdf" in options.formats else None
    submit = printer.submit if printer is not None else None
    ours: RenderFn = (functools.partial(render_brief, printer=submit) if job.loaded is None
                      else functools.partial(render_planned, job.loaded, printer=submit))
    try:
        return render_spec(job.spec_path, options, ours)
    finally:
        if printer is not None:
            printer.close()


def _store(job: _Job, outcome: RenderOutput | RenderFailure | object,
           writer: OutputWriter) -> BriefResult:
    """Write a rendered brief and its cache record; turn a failure into the brief's result."""
    if isinstance(outcome, RenderFailure):
        return BriefResult(job.spec_path, job.slug, "failed", timings=outcome.timings,
                           error=outcome.error, error_kind=outcome.kind,
                           traceback=outcome.detail, cache_key=job.cache_key,
                           warnings=job.warnings, reason=job.reason)
    if not isinstance(outcome, RenderOutput):
        return BriefResult(job.spec_path, job.slug, "failed", error_kind="internal",
                           error=f"internal error: a worker returned {type(outcome).__name__}",
                           cache_key=job.cache_key, warnings=job.warnings)
    start = time.perf_counter()
    outputs: dict[str, Path] = {}
    sha256s: dict[str, str] = {}
    sizes: dict[str, int] = {}
    try:
        # All of a brief's files or none: never a new HTML beside an old or missing PDF.
        writer.write_all({Path(job.slug) / name: data for name, data in outcome.files.items()})
        for name, data in outcome.files.items():
            outputs[name] = writer.root / job.slug / name
            sha256s[name] = sha256_bytes(data)
            sizes[name] = len(data)
        timings = {**outcome.timings, "write": time.perf_counter() - start}
        warnings = outcome.warnings or job.warnings
        record = CacheRecord(
            key=job.cache_key, spec=str(job.spec_path),
            outputs={name: {"sha256": sha256s[name], "bytes": sizes[name]} for name in outputs},
            timings=timings, warnings=warnings, inputs=dataclasses.asdict(job.inputs),
        )
        # Last: a brief interrupted halfway has a stale record, so the next run renders it again.
        writer.write(Path(job.slug) / ".briefgen-cache.json", record.to_bytes())
    except (OSError, BriefgenError) as exc:
        return BriefResult(job.spec_path, job.slug, "failed", error_kind="internal",
                           error=f"could not write {job.slug}: {exc}", cache_key=job.cache_key,
                           warnings=job.warnings)
    return BriefResult(job.spec_path, job.slug, "rendered", outputs=outputs, sha256s=sha256s,
                       sizes=sizes, timings=timings, cache_key=job.cache_key,
                       warnings=warnings, worker=outcome.worker, peak_rss=outcome.peak_rss,
                       reason=job.reason)


def _describe_dask(address: DaskAddress) -> str:
    from briefgen.build.dask import describe

    return describe(address)


@contextmanager
def _signals_as_interrupts() -> Iterator[None]:
    """SIGTERM raises `RunInterrupted` (as Ctrl-C raises KeyboardInterrupt) in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise RunInterrupted(f"signal {signal.Signals(signum).name}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _signals_ignored() -> Iterator[None]:
    """While the final manifest is written, a second Ctrl-C or SIGTERM must not cut it short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
