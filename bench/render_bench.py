"""Cold single render: `briefgen render specs/baba.yaml` against the naive pipeline, as processes.

Each run is a fresh process writing a fresh folder; A (briefgen) and B (naive) alternate so both
see the same machine load. Prints both medians, their ratio and the outputs' sizes, and checks
the targets: ratio <= 0.70, PDF <= 150 KB, chart text selectable in the PDF.

    python bench/render_bench.py [--runs 7] [--spec specs/baba.yaml] [--naive-charts svg|png]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.70
TARGET_PDF_KB = 150


def bench_env() -> dict[str, str]:
    """The environment every timed process gets: UTC, Agg, a fixed date, and bytecode caching
    on (`PYTHONDONTWRITEBYTECODE` dropped): an installed briefgen has its .pyc files, as the
    libraries it is compared with have theirs; without them an editable install compiles ~100
    modules in every process (measured: +0.05-0.1 s CPU of a cold render, most of a cache hit's
    time)."""
    env = {**os.environ, "TZ": "UTC", "MPLBACKEND": "Agg",
           "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1756684800")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the process and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def briefgen_command(spec: Path, out: Path) -> list[str]:
    script = Path(sys.executable).with_name("briefgen")
    entry = [str(script)] if script.exists() else [
        sys.executable, "-c", "from briefgen.cli.main import main; main()"]
    return [*entry, "render", str(spec), "--out", str(out)]


def naive_command(spec: Path, out: Path, charts: str) -> list[str]:
    return [sys.executable, str(ROOT / "bench" / "naive_pipeline.py"), str(spec), "--out",
            str(out), "--charts", charts]


def pdf_facts(pdf: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:
        return f"{pdf.stat().st_size / 1024:.0f} KB"
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    return f"{pdf.stat().st_size / 1024:.0f} KB, {len(reader.pages)} pages"


def chart_titles_selectable(pdf: Path, spec: Path) -> bool:
    from pypdf import PdfReader

    from briefgen.charts.draw import draw_charts
    from briefgen.derive import derive
    from briefgen.spec.load import load_spec

    loaded = load_spec(spec)
    text = " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    titles = [chart.title for chart in draw_charts(loaded.spec, derive(loaded.spec))]
    return bool(titles) and all(title in text for title in titles)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "baba.yaml")
    parser.add_argument("--naive-charts", choices=["svg", "png"], default="svg")
    args = parser.parse_args()
    env = bench_env()
    work = Path(tempfile.mkdtemp(prefix="briefgen-bench-"))
    ours: list[tuple[float, float]] = []
    naive: list[tuple[float, float]] = []
    try:
        # One untimed run each: .pyc files, matplotlib's font cache, the OS page cache.
        run(briefgen_command(args.spec, work / "warm-a"), env)
        run(naive_command(args.spec, work / "warm-b", args.naive_charts), env)
        for index in range(args.runs):
            pair = [("a", ours, briefgen_command(args.spec, work / f"a{index}")),
                    ("b", naive, naive_command(args.spec, work / f"b{index}",
                                               args.naive_charts))]
            if index % 2:  # alternate which goes first
                pair.reverse()
            for _, times, command in pair:
                times.append(run(command, env))
        ours_pdf = next((work / "a0").rglob("brief.pdf"))
        ours_html = ours_pdf.with_name("brief.html")
        naive_pdf = next((work / "b0").rglob("brief.pdf"))
        a, b = statistics.median(t for t, _ in ours), statistics.median(t for t, _ in naive)
        a_cpu = statistics.median(c for _, c in ours)
        b_cpu = statistics.median(c for _, c in naive)
        ratio = a / b
        size_kb = ours_pdf.stat().st_size / 1024
        selectable = chart_titles_selectable(ours_pdf, args.spec)
        print(f"cold single render, median of {args.runs} runs each, alternating, "
              f"{os.cpu_count()} CPUs")
        print(f"  load average    : {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
              "(wall times mean little when other work shares the CPUs)")
        print(f"  briefgen render : {a:.2f} s wall, {a_cpu:.2f} s CPU  "
              f"(runs: {', '.join(f'{t:.2f}' for t, _ in ours)})")
        print(f"  naive pipeline  : {b:.2f} s wall, {b_cpu:.2f} s CPU  "
              f"(runs: {', '.join(f'{t:.2f}' for t, _ in naive)}; {args.naive_charts} charts)")
        print(f"  ratio           : {ratio:.2f} wall (target <= {TARGET_RATIO:.2f}), "
              f"{a_cpu / b_cpu:.2f} CPU")
        print(f"  briefgen PDF    : {pdf_facts(ours_pdf)}  (target <= {TARGET_PDF_KB} KB); "
              f"chart text selectable: {'yes' if selectable else 'NO'}")
        print(f"  briefgen HTML   : {ours_html.stat().st_size / 1024:.0f} KB")
        print(f"  naive PDF       : {pdf_facts(naive_pdf)}")
        ok = ratio <= TARGET_RATIO and size_kb <= TARGET_PDF_KB and selectable
        print("targets met" if ok else "TARGETS MISSED")
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
