"""Batch throughput, cache speed and worker memory, against a naive loop timed in the same run.

    python bench/batch_bench.py                 # 100 variants of specs/baba.yaml
    python bench/batch_bench.py --count 1000    # also shows whether worker memory stays flat

Generates COUNT variants of the sample spec (own slug, slightly different figures), then times, as
whole processes: the naive loop (`bench/naive_loop.py`) on the first `--naive-count` of them,
`briefgen.build` with 1 worker and with 2 workers (`--force`), and a fully cached re-run. Times are
printed as ratios to the naive loop's time per brief, because absolute times differ between
machines. Worker memory is each worker's peak RSS (VmHWM), read after every brief it renders:
the bench reports the largest at brief 100 and at the last brief.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "specs" / "baba.yaml"
MIB = 1024 * 1024


def make_variants(folder: Path, count: int) -> list[Path]:
    import yaml

    base = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE.parent / "baba-cloud-revenue.csv", folder)
    paths = []
    for index in range(count):
        spec = json.loads(json.dumps(base, default=str))  # a deep copy; dates become text
        spec["brief"]["slug"] = f"bench-{index:04}"
        spec["segments"][1]["revenue"]["value"] = 247652 + index  # group revenue: a new figure
        spec["market_reaction"][0]["move"] = 10 + index % 7  # and a different chart bar
        path = folder / f"bench-{index:04}.yaml"
        path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), "utf-8")
        paths.append(path)
    return paths


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0,):
        sys.exit(f"{' '.join(command[:4])}… failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, done.stdout


def driver(jobs: int, out_dir: str, specs_dir: str, force: bool, recycle: bool = True) -> None:
    """Runs in its own process: one `build()`, then one JSON line about it. Without `recycle`,
    no worker is replaced, however many briefs it renders (for the memory target)."""
    from briefgen.build import batch
    from briefgen.build.batch import build

    if not recycle:
        batch.BRIEFS_PER_WORKER = 10**9
    from briefgen.build.manifest import BriefResult
    from briefgen.build.progress import Progress

    class Memory(Progress):
        def __init__(self) -> None:
            self.done = 0
            self.peak: dict[str, int] = {}
            self.at_100: int | None = None
            self.finished: list[float] = []  # when each brief came back, from the start

        def brief_done(self, brief: BriefResult) -> None:
            self.done += 1
            self.finished.append(time.perf_counter() - start)
            if brief.worker and brief.peak_rss:
                self.peak[brief.worker] = brief.peak_rss
            if self.done == 100:
                self.at_100 = max(self.peak.values(), default=0)

    start = time.perf_counter()
    memory = Memory()
    result = build([specs_dir], out_dir=Path(out_dir), jobs=jobs, force=force, progress=memory)
    stages: dict[str, float] = {}
    rendered = [b for b in result.briefs if b.status == "rendered"]
    for brief in rendered:
        for stage, seconds in brief.timings.items():
            stages[stage] = stages.get(stage, 0.0) + seconds / len(rendered)
    reasons: dict[str, int] = {}
    for brief in result.briefs:
        if brief.status != "cached":
            reasons[brief.reason or brief.status] = reasons.get(brief.reason or brief.status, 0) + 1
    print(json.dumps({
        "counts": result.counts,
        "reasons": reasons,
        "errors": sorted({b.error or "" for b in result.failed})[:3],
        "workers": len(memory.peak),
        "peak_rss_at_100": memory.at_100,
        "peak_rss_at_end": max(memory.peak.values(), default=None),
        "children_maxrss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        "parent_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "stages": stages,
        "finished": memory.finished,
    }))


def warm_rate(finished: list[float], jobs: int) -> tuple[float, float]:
    """Seconds per brief once every worker is warm, and the start-up before that.

    Warm: from the moment the `jobs`-th brief came back (each worker has imported, warmed up
    and printed one) to the last, over the briefs in between; the start-up (the driver's
    imports, forking the workers, their warm-up and first brief) is the time before. WeasyPrint
    alone (`floor_driver`) is timed warm too, after its imports and a first note."""
    if len(finished) <= jobs:
        raise SystemExit(f"too few briefs ({len(finished)}) for a warm rate with {jobs} workers")
    return (finished[-1] - finished[jobs - 1]) / (len(finished) - jobs), finished[jobs - 1]


def floor_driver(spec: str, runs: int) -> None:
    """Runs in its own process: WeasyPrint alone on one variant's note, warm, `runs` times, called
    exactly as briefgen calls it (same HTML, charts, fonts and fetcher); then one JSON line.

    This is the floor under any brief that WeasyPrint prints: no charts drawn, no spec read, no
    file written. A target below it cannot be met by anything briefgen does around WeasyPrint."""
    import gc

    from briefgen.build import pipeline
    from briefgen.pdf.weasy import PdfResult, html_to_pdf
    from briefgen.spec.load import load_spec

    seen: dict[str, Any] = {}

    class Capture:  # a `printer.Submit` that keeps what it was asked to print
        def __init__(self, html: str, **options: Any) -> None:
            seen.update(html=html, options=options)

        def charts_drawn(self, charts: dict[str, str]) -> None:
            seen["charts"] = dict(charts)

        def result(self) -> PdfResult:
            return html_to_pdf(seen["html"], charts=seen["charts"], **seen["options"])

    pipeline.warm_up()
    pipeline.render_loaded(load_spec(Path(spec)), printer=Capture)
    gc.freeze()  # as a pool worker does after its warm-up
    # The whole loop, not a median: side by side, the processes' loops overlap in time.
    start = time.perf_counter()
    for _ in range(runs):
        html_to_pdf(seen["html"], charts=seen["charts"], **seen["options"])
    print(json.dumps({"loop": time.perf_counter() - start}))


def weasyprint_floor(spec: Path, runs: int, processes: int) -> float:
    """Seconds per brief for WeasyPrint alone, with `processes` printing side by side."""
    command = [sys.executable, __file__, "--floor", str(spec), str(runs)]
    children = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
                for _ in range(processes)]
    loops = []
    for child in children:
        out, _ = child.communicate()
        if child.returncode:
            sys.exit(f"the WeasyPrint floor run failed ({child.returncode})")
        loops.append(json.loads(out.strip().splitlines()[-1])["loop"])
    return max(loops) / (runs * processes)


def run_build(jobs: int, out_dir: Path, specs_dir: Path, force: bool,
              recycle: bool = True) -> tuple[float, Any]:
    seconds, stdout = timed([sys.executable, __file__, "--driver", str(jobs), str(out_dir),
                             str(specs_dir), "--force" if force else "--no-force",
                             "--recycle" if recycle else "--no-recycle"])
    data = json.loads(stdout.strip().splitlines()[-1])
    if data["counts"]["failed"]:
        print(f"    {data['counts']['failed']} briefs failed: {data['errors']}")
    return seconds, data


def mib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MIB:.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100, help="specs to generate (default 100)")
    parser.add_argument("--naive-count", type=int, default=None,
                        help="specs for the naive loop (default: min(count, 100))")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts")
    parser.add_argument("--floor-runs", type=int, default=20,
                        help="PDFs per process when timing WeasyPrint alone (default 20)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    naive_count = args.naive_count or min(args.count, 100)

    work = Path(tempfile.mkdtemp(prefix="briefgen-bench-"))
    try:
        specs = make_variants(work / "specs", args.count)
        print(f"{args.count} specs in {work / 'specs'}", flush=True)

        naive_seconds, stdout = timed([sys.executable, str(ROOT / "bench" / "naive_loop.py"),
                                       str(work / "naive"), *map(str, specs[:naive_count])])
        naive = json.loads(stdout)
        per_naive = naive_seconds / naive_count
        print(f"naive loop: {per_naive:.3f} s/brief ({naive_count} briefs in "
              f"{naive_seconds:.1f} s, imports {naive['imports']:.2f} s, warm "
              f"{naive['per_brief_warm']:.3f} s/brief)", flush=True)

        last: tuple[Path, Any] | None = None
        targets = {1: 0.35, 2: 0.20}
        for jobs in args.jobs:
            out_dir = work / f"out-{jobs}"
            seconds, data = run_build(jobs, out_dir, work / "specs", force=True)
            per = seconds / args.count
            target = f" (target ≤ {targets[jobs]:.2f}×)" if jobs in targets else ""
            stages = ", ".join(f"{k} {v:.3f}" for k, v in data["stages"].items())
            print(f"briefgen, {jobs} worker(s): {per:.3f} s/brief = {per / per_naive:.2f}× naive"
                  f"{target}; {seconds:.1f} s in all", flush=True)
            print(f"    per brief in the worker: {stages}")
            print(f"    peak RSS per worker: {mib(data['peak_rss_at_100'])} at brief "
                  f"{min(100, args.count)}, {mib(data['peak_rss_at_end'])} at brief {args.count} "
                  f"(target ≤ 200 MiB, flat); largest finished child "
                  f"{mib(data['children_maxrss'])}; parent {mib(data['parent_maxrss'])}",
                  flush=True)
            last = (out_dir, data)

        # What WeasyPrint alone takes for this note, in the same run: the floor under the targets.
        for processes in sorted({1, 2} & set(args.jobs)):
            floor = weasyprint_floor(specs[0], args.floor_runs, processes)
            verdict = ("below it: out of reach while WeasyPrint prints the note"
                       if targets[processes] < floor / per_naive else "above it")
            at_once = "1 process" if processes == 1 else f"{processes} processes at once"
            print(f"WeasyPrint alone, {at_once}: {floor:.3f} s/brief = "
                  f"{floor / per_naive:.2f}× naive (layout and PDF of the same note, warm, "
                  f"{args.floor_runs} PDFs each); the {processes}-worker target "
                  f"{targets[processes]:.2f}× is {verdict}", flush=True)

        if last is not None:
            seconds, data = run_build(max(args.jobs), last[0], work / "specs", force=False)
            cached = data["counts"]["cached"]
            print(f"cached re-run: {seconds:.2f} s wall for {cached} of {args.count} cached "
                  f"(target < 2 s for 100)")
            if data["reasons"]:
                print(f"    not cached because: {data['reasons']}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    # As the `briefgen` command does (briefgen.cli.main): numpy's BLAS on one thread, in the
    # driver, its workers and WeasyPrint alone alike.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if len(sys.argv) > 1 and sys.argv[1] == "--floor":
        floor_driver(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--driver":
        driver(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5] == "--force",
               sys.argv[6:7] != ["--no-recycle"])
    else:
        main()
