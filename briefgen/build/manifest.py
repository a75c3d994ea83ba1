"""The record of a run: in memory (`RunResult`) and on disk (`output/manifest.json`).

The manifest lists every brief that has finished (rendered, cached or failed) with its outputs,
their sha256 and size, the time each stage took and the error, if any. It is written through the
`OutputWriter` (atomically) while the run goes (at most every `MIN_INTERVAL` seconds) and once at
the end, also when the run is interrupted, so it never names a file that is not complete on disk.
A manifest that cannot be written (a full disk) does not stop the run: it fails it, and the run's
summary says so (`RunResult.manifest_error`), rather than "0 failed" followed by an error.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from briefgen.build.writer import OutputError, OutputWriter
from briefgen.errors import EXIT_BAD_INPUT, EXIT_FAILED_RUN, EXIT_OK
from briefgen.version import __version__

Status = Literal["rendered", "cached", "failed"]
MANIFEST = "manifest.json"
MIN_INTERVAL = 0.5  # seconds between two writes of the manifest during a run
EXIT_INTERRUPTED = 130


@dataclass
class BriefResult:
    """What became of one spec."""

    spec_path: Path
    slug: str | None  # None when the spec could not be read far enough to know it
    status: Status
    outputs: dict[str, Path] = field(default_factory=dict)  # "brief.pdf" -> output/x/brief.pdf
    sha256s: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    error: str | None = None
    error_kind: str | None = None  # spec, render, internal, timeout, crash
    traceback: str | None = None  # for render and internal errors: where a template or bug failed
    cache_key: str | None = None
    reason: str | None = None  # why it was rendered: "not rendered before", "the spec changed"…
    warnings: list[str] = field(default_factory=list)
    worker: str | None = None  # host:pid that rendered it
    peak_rss: int | None = None  # that worker's peak RSS in bytes when it finished this brief

    def to_json(self, out_dir: Path) -> dict[str, Any]:
        outputs = {}
        for name, path in self.outputs.items():
            try:
                shown = path.relative_to(out_dir).as_posix()
            except ValueError:
                shown = str(path)
            outputs[name] = {"path": shown, "sha256": self.sha256s.get(name),
                             "bytes": self.sizes.get(name)}
        return {
            "spec": str(self.spec_path),
            "slug": self.slug,
            "status": self.status,
            "outputs": outputs,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "warnings": self.warnings,
            "error": self.error,
            "error_kind": self.error_kind,
            **({"traceback": self.traceback} if self.traceback else {}),
            "cache_key": self.cache_key,
            "reason": self.reason,
            "worker": self.worker,
        }


def _utc(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass
class RunResult:
    """Every spec of a run, in the order given, and how the run went."""

    briefs: list[BriefResult]
    out_dir: Path
    started: dt.datetime
    finished: dt.datetime | None = None
    executor: str = "local"
    jobs: int | None = None
    interrupted: bool = False
    total: int | None = None  # specs in the run; more than len(briefs) when interrupted
    manifest_error: str | None = None  # why output/manifest.json could not be written

    @property
    def manifest_path(self) -> Path:
        return self.out_dir / MANIFEST

    @property
    def counts(self) -> dict[str, int]:
        counts = {"total": self.total if self.total is not None else len(self.briefs),
                  "rendered": 0, "cached": 0, "failed": 0}
        for brief in self.briefs:
            counts[brief.status] += 1
        counts["pending"] = counts["total"] - len(self.briefs)
        return counts

    @property
    def failed(self) -> list[BriefResult]:
        return [b for b in self.briefs if b.status == "failed"]

    @property
    def ok(self) -> bool:
        return (not self.interrupted and not self.failed and self.counts["pending"] == 0
                and self.manifest_error is None)

    @property
    def exit_code(self) -> int:
        """0 all done; 2 when every failure is bad input (a spec that does not load or
        validate: the code the same spec gets alone); 1 when any render failed; 130
        interrupted."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.ok:
            return EXIT_OK
        failed = [b for b in self.briefs if b.status == "failed"]
        if failed and all(b.error_kind == "spec" for b in failed):
            return EXIT_BAD_INPUT
        return EXIT_FAILED_RUN

    def to_json(self) -> dict[str, Any]:
        status = ("interrupted" if self.interrupted
                  else "running" if self.finished is None else "complete")
        return {
            "briefgen_version": __version__,
            "run": {
                "status": status,
                "started": _utc(self.started),
                "finished": _utc(self.finished),
                "seconds": None if self.finished is None
                else round((self.finished - self.started).total_seconds(), 3),
                "executor": self.executor,
                "jobs": self.jobs,
                "out_dir": str(self.out_dir),
            },
            "counts": self.counts,
            "ok": self.ok,
            **({"manifest_error": self.manifest_error} if self.manifest_error else {}),
            "briefs": [b.to_json(self.out_dir) for b in self.briefs],
        }


class ManifestWriter:
    """Keeps `output/manifest.json` equal to what has finished, without rewriting it per brief."""

    def __init__(self, writer: OutputWriter, min_interval: float = MIN_INTERVAL) -> None:
        self.writer = writer
        self.min_interval = min_interval
        self._last = float("-inf")

    def update(self, run: RunResult, *, force: bool = False) -> Path | None:
        now = time.monotonic()
        if not force and now - self._last < self.min_interval:
            return None
        self._last = now
        data = json.dumps(run.to_json(), indent=2, ensure_ascii=False) + "\n"
        try:
            # A spec's file name that is not UTF-8 reaches here as lone surrogates: written as
            # the JSON escape `\udcff`, which any JSON reader takes, not failing the manifest.
            path = self.writer.write(MANIFEST, data.encode("utf-8", "backslashreplace"))
        except OutputError as exc:
            run.manifest_error = str(exc)
            return None
        run.manifest_error = None  # the last write is the one that counts
        return path


def previous_slugs(out_dir: Path) -> dict[Path, str]:
    """Each spec of the last run in `out_dir` (resolved) and the folder its brief went to, as
    its manifest says; nothing when there is none. Lets a run find a cached brief without
    loading its spec (`briefgen.build.cache.proven_hit`)."""
    try:
        briefs = json.loads((out_dir / MANIFEST).read_bytes())["briefs"]
        return {Path(str(b["spec"])).resolve(): str(b["slug"]) for b in briefs
                if isinstance(b.get("slug"), str) and b["slug"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
