"""Every performance target of briefgen as a ratio measured in one run, with PASS or FAIL.

`make bench` runs this. Absolute times differ ~1.8x between machines and with load, so each
target compares two things timed in the same run, alternating, and prints the median ratio, the
spread of the per-pair ratios (min-max) and the load average before and after. Run it twice.

    python bench/targets.py [--runs 5] [--batch-count 40] [--batch-repeats 2] [--cached-count 100]
                            [--memory-count 1000] [--quick]

The memory target renders 1,000 briefs on 2 workers that are never replaced (~5 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import batch_bench  # noqa: E402
import preview_bench  # noqa: E402
import render_bench  # noqa: E402

FIXTURE = ROOT / "bench" / "fixtures" / "note-2026-12-03"
SPEC = ROOT / "specs" / "baba.yaml"


@dataclass
class Target:
    name: str
    ratios: list[float]  # one per pair, in run order
    limit: float
    detail: str = ""
    floor: bool = False  # not a target: the measured floor under one (printed as FLOOR)

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    def line(self) -> str:
        verdict = ("FLOOR" if self.floor else "PASS" if self.median <= self.limit else "FAIL")
        spread = f"{min(self.ratios):.2f}-{max(self.ratios):.2f}"
        return (f"{verdict:<5} {self.name:<46} {self.median:6.2f}  (<= {self.limit:.2f}; spread "
                f"{spread}, n={len(self.ratios)}){'  ' + self.detail if self.detail else ''}")


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def env() -> dict[str, str]:
    return render_bench.bench_env()


# The floor pins numpy's BLAS threads and turns the garbage collector off, as briefgen does
# (`briefgen.cli.main`, `pdf.printer.start_early`): savings any way of making the note has, so
# not ones the floor may leave to the target.
ENGINES = """
import gc, json, os, sys
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
gc.disable()  # as briefgen's processes do for a single render (measured: -0.12 s CPU here)
from pathlib import Path
note = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
import matplotlib
matplotlib.use("Agg")
import matplotlib.backends.backend_svg, matplotlib.figure
from briefgen.pdf.libraries import import_weasyprint
import_weasyprint()
from briefgen.pdf.weasy import html_to_pdf
html_to_pdf(note["html"], base_dir=Path(note["base"]), variant=note["variant"],
            allowed_roots=[Path(p) for p in note["roots"]], charts=note["charts"])
"""


def engines_command(work: Path) -> list[str]:
    """A process that does only what no way of making this note can skip: import matplotlib
    (figure and SVG backend) and WeasyPrint (libraries found as briefgen finds them) and print
    today's note, its HTML and charts made beforehand. No CLI, no spec read or validated, no
    chart drawn, no page made: a floor under the cold render's CPU."""
    note = work / "engines-note.json"
    if not note.exists():
        code = (f"import sys, json; sys.path.insert(0, {str(ROOT / 'bench')!r})\n"
                "from make_note_fixture import current_note\n"
                "from briefgen.build.pipeline import RenderOptions, allowed_roots\n"
                "note = current_note()\n"
                "note['roots'] = [str(p) for p in allowed_roots(RenderOptions())]\n"
                f"note['base'] = {str(SPEC.parent)!r}\n"
                "print(json.dumps(note))")
        done = subprocess.run([sys.executable, "-c", code], env=env(), capture_output=True,
                              text=True, check=True)
        note.write_text(done.stdout.splitlines()[-1], encoding="utf-8")
    return [sys.executable, "-c", ENGINES, str(note)]


def single_renders(work: Path, runs: int) -> list[Target]:
    """Cold `briefgen render SPEC` against the naive pipeline (wall, CPU); a cache hit (the same
    command again) against that cold render; the engines alone against the naive pipeline (CPU),
    the floor under the CPU target."""
    environment = env()
    render_bench.run(render_bench.briefgen_command(SPEC, work / "warm-a"), environment)
    render_bench.run(render_bench.naive_command(SPEC, work / "warm-b", "svg"), environment)
    engines = engines_command(work)
    render_bench.run(engines, environment)
    cold_wall, cold_cpu, hit, floor = [], [], [], []
    for index in range(runs):
        ours = render_bench.briefgen_command(SPEC, work / f"a{index}")
        naive = render_bench.naive_command(SPEC, work / f"b{index}", "svg")
        if index % 2:
            b_wall, b_cpu = render_bench.run(naive, environment)
            a_wall, a_cpu = render_bench.run(ours, environment)
        else:
            a_wall, a_cpu = render_bench.run(ours, environment)
            b_wall, b_cpu = render_bench.run(naive, environment)
        h_wall, _ = render_bench.run(ours, environment)  # the same command: all cached
        _, e_cpu = render_bench.run(engines, environment)
        cold_wall.append(a_wall / b_wall)
        cold_cpu.append(a_cpu / b_cpu)
        hit.append(h_wall / a_wall)
        floor.append(e_cpu / b_cpu)
    return [
        Target("cold single render / naive, wall", cold_wall, 0.60),
        Target("cold single render / naive, CPU", cold_cpu, 0.85),
        Target("engines alone / naive, CPU", floor, 0.85, floor=True,
               detail="import matplotlib and WeasyPrint, print the note: no CLI, spec, "
               "charts or page; above 0.85 the CPU target is out of reach"),
        Target("cache hit / cold single render, wall", hit, 0.15),
    ]


def fully_cached(work: Path, count: int) -> Target:
    """`briefgen render DIR` of `count` specs, every one cached: seconds (target < 1 s)."""
    specs = batch_bench.make_variants(work / "cached-specs", count)
    command = [*preview_bench.briefgen(), "render", str(specs[0].parent), "--out",
               str(work / "cached-out"), "--format", "html"]  # HTML only: quicker to set up
    subprocess.run(command, env=env(), capture_output=True, check=True)
    seconds = []
    for _ in range(3):
        start = time.perf_counter()
        done = subprocess.run(command, env=env(), capture_output=True, text=True, check=True)
        seconds.append(time.perf_counter() - start)
        if f"0 rendered, {count} cached" not in done.stderr:
            sys.exit(f"not all cached: {done.stderr[-500:]}")
    return Target(f"fully cached render of {count} specs, seconds", seconds, 1.0)


def note_cost(runs: int) -> list[Target]:
    """WeasyPrint's time on today's sample note against the fixture of 2026-12-03, in one
    process, alternating, same PDF variant; the pages compared pixel by pixel. Beside it, the
    floor: today's note unstyled (`make_note_fixture.unstyled`) against the same fixture."""
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import targets; " \
           f"targets.note_cost_driver({runs})"
    done = subprocess.run([sys.executable, "-c", code], env=env(), capture_output=True,
                          text=True, check=True)
    data = json.loads(done.stdout.splitlines()[-1])
    detail = (f"{statistics.median(data['now']):.3f} s now vs "
              f"{statistics.median(data['fixture']):.3f} s (CPU); pages differ in "
              f"{data['pixels_differ']:.4%} of pixels (limit 0.5%)")
    pages = data["pages"]
    floor_detail = (f"the same words, charts, running header and footer and tagged elements, "
                    f"no other style: {pages['unstyled']} pages against the note's "
                    f"{pages['now']}")
    return [Target("WeasyPrint on the note / on the 12-03 note", data["ratios"], 0.75, detail),
            Target("the note unstyled / the 12-03 note", data["unstyled_ratios"], 0.75,
                   floor_detail, floor=True)]


# A second company's note: the stylesheets it shares with the sample note are the ones a warm
# worker that printed other notes has already parsed (see `note_cost_driver`).
OTHER_SPEC = ROOT / "tests" / "specs" / "gallery" / "miss-deceleration.yaml"
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def note_cost_driver(runs: int) -> None:
    """Print the sample note, the fixture and the sample note unstyled in turn (the order
    reversed every other round), CPU time each, garbage collected before each (as the forked
    printer does between notes).

    The PDF stage keeps parsed stylesheets by their text (`pdf.weasy`): printing one note again
    and again would find even its own page's rules parsed, which a batch of different notes
    never does. So before each print, every parsed sheet goes but those whose text another
    company's note has too (the note's shared stylesheet, the brand's rules): the fixture's one
    inline stylesheet, which holds its page's rules, is parsed every time, as it was, and so is
    the unstyled note's."""
    import gc
    import io

    from make_note_fixture import current_note, load_fixture, unstyled
    from pypdf import PdfReader

    from briefgen.build.pipeline import RenderOptions, allowed_roots
    from briefgen.pdf import weasy

    now = current_note()
    shared = set(_STYLE.findall(current_note(OTHER_SPEC)["html"]))
    notes = {"now": now, "fixture": {**load_fixture(FIXTURE.name), "variant": now["variant"]},
             "unstyled": {**now, "html": unstyled(now["html"])}}
    roots = allowed_roots(RenderOptions())

    def pdf(note: dict[str, object]) -> tuple[float, bytes]:
        for key in [key for key in weasy._SHEETS if key[0] not in shared]:
            del weasy._SHEETS[key]
        gc.collect()
        start = time.process_time()
        data, _ = weasy.html_to_pdf(str(note["html"]), base_dir=SPEC.parent,
                                    allowed_roots=roots, variant=note["variant"],  # type: ignore
                                    charts=note["charts"])  # type: ignore
        return time.process_time() - start, data

    printed = {name: pdf(note)[1] for name, note in notes.items()}  # warm
    times: dict[str, list[float]] = {name: [] for name in notes}
    for index in range(runs):
        for name in (list(notes) if index % 2 == 0 else list(reversed(notes))):
            seconds, printed[name] = pdf(notes[name])
            times[name].append(seconds)
    print(json.dumps({
        "now": times["now"], "fixture": times["fixture"],
        "ratios": [a / b for a, b in zip(times["now"], times["fixture"], strict=True)],
        "unstyled_ratios": [a / b for a, b in zip(times["unstyled"], times["fixture"],
                                                  strict=True)],
        "pages": {name: len(PdfReader(io.BytesIO(data)).pages) for name, data in printed.items()},
        "pixels_differ": pixels_differ(printed["now"], printed["fixture"])}))


def pixels_differ(first: bytes, second: bytes) -> float:
    """The share of pixels (all pages, 60 dpi, grey) that differ by more than 32 of 255."""
    from PIL import Image, ImageChops

    pages = []
    with tempfile.TemporaryDirectory() as temp:
        for name, data in (("a", first), ("b", second)):
            (Path(temp) / f"{name}.pdf").write_bytes(data)
            subprocess.run(["pdftoppm", "-r", "60", "-gray", "-png", f"{temp}/{name}.pdf",
                            f"{temp}/{name}"], check=True)
            pages.append(sorted(Path(temp).glob(f"{name}-*.png")))
        if len(pages[0]) != len(pages[1]):
            return 1.0
        differ = total = 0
        for a, b in zip(*pages, strict=True):
            left, right = Image.open(a).convert("L"), Image.open(b).convert("L")
            if left.size != right.size:
                return 1.0
            histogram = ImageChops.difference(left, right).histogram()
            differ += sum(histogram[33:])  # pixels more than 32 grey levels apart
            total += left.size[0] * left.size[1]
    return differ / total


def batch_and_memory(work: Path, count: int, floor_runs: int, repeats: int) -> list[Target]:
    """Warm batch per brief at 1 and 2 workers against WeasyPrint alone on the same note in as
    many processes, both warm (`batch_bench.warm_rate`), `repeats` times alternating, for a
    spread; the whole run per brief, start-up included, is printed beside it (medians). Each
    worker's peak RSS at brief 100 and at the last."""
    specs = batch_bench.make_variants(work / "batch-specs", count)
    found = []
    for jobs in (1, 2):
        ratios, per, floors, whole, start_up, rss = [], [], [], [], [], 0.0
        for repeat in range(repeats):
            seconds, data = batch_bench.run_build(jobs, work / f"batch-{jobs}-{repeat}",
                                                  specs[0].parent, force=True)
            floor = batch_bench.weasyprint_floor(specs[0], floor_runs, jobs)
            warm, started = batch_bench.warm_rate(data["finished"], jobs)
            ratios.append(warm / floor)
            per.append(warm)
            floors.append(floor)
            whole.append(seconds / count / floor)
            start_up.append(started)
            rss = max(rss, (data["peak_rss_at_100"] or 0) / 2**20,
                      (data["peak_rss_at_end"] or 0) / 2**20)
        median = statistics.median
        found.append(Target(
            f"warm batch, {jobs} worker(s) / WeasyPrint alone", ratios, 1.20,
            f"{median(per):.3f} vs {median(floors):.3f} s/brief; whole run {median(whole):.2f}x "
            f"with start-up {median(start_up):.2f} s; peak RSS {rss:.0f} MiB"))
    return found


def memory(work: Path, count: int) -> list[Target]:
    """`count` briefs on 2 workers that are never replaced: each worker's peak RSS at the end
    (at most 200 MiB) and its growth from brief 100 to the last (flat: at most 3 MiB), which
    says whether replacing workers (`build.batch.BRIEFS_PER_WORKER`) is still needed."""
    specs = batch_bench.make_variants(work / "memory-specs", count)
    _, data = batch_bench.run_build(2, work / "memory", specs[0].parent, force=True,
                                    recycle=False)
    at_100, at_end = (data["peak_rss_at_100"] or 0) / 2**20, (data["peak_rss_at_end"] or 0) / 2**20
    detail = f"{at_100:.1f} MiB at brief 100, {at_end:.1f} MiB at brief {count}, no recycling"
    return [Target(f"worker peak RSS, MiB ({count} briefs)", [at_end], 200, detail),
            Target(f"worker RSS growth, brief 100 to {count}, MiB", [at_end - at_100], 3.0)]


def preview(work: Path, edits: int) -> Target:
    """Save-to-served in a warm `briefgen preview` against a cold render, alternating."""
    environment = env()
    folder = work / "preview"
    shutil.copytree(SPEC.parent, folder)
    spec = folder / SPEC.name
    text = spec.read_text(encoding="utf-8")
    old = text.split("title:", 1)[1].split("\n", 1)[0].strip().strip('"')
    process, base = preview_bench.start_preview(spec, environment)
    ratios = []
    try:
        preview_bench.version(base)
        preview_bench.timed_edit(spec, base, text, old, f"{old} (warm-up)")
        for index in range(edits):
            warm = preview_bench.timed_edit(spec, base, text, old, f"{old} (edit {index})")
            cold = preview_bench.cold_render(SPEC, work / "preview-out", environment)
            ratios.append(warm / cold)
    finally:
        process.terminate()
        process.wait(timeout=10)
    return Target("preview save-to-served / cold render", ratios, 0.15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch-count", type=int, default=40)
    parser.add_argument("--floor-runs", type=int, default=10)
    parser.add_argument("--batch-repeats", type=int, default=2)
    parser.add_argument("--cached-count", type=int, default=100)
    parser.add_argument("--memory-count", type=int, default=1000,
                        help="briefs for the memory target (0: skip it)")
    parser.add_argument("--quick", action="store_true", help="skip the batch and preview")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="briefgen-targets-"))
    print(f"briefgen targets, {os.cpu_count()} CPUs, load average at start: {load()}",
          flush=True)
    steps: list[Callable[[], list[Target]]] = [
        lambda: single_renders(work, args.runs),
        lambda: [fully_cached(work, args.cached_count)],
        lambda: note_cost(args.runs),
    ]
    if not args.quick:
        steps += [lambda: batch_and_memory(work, args.batch_count, args.floor_runs,
                                                   args.batch_repeats),
                  lambda: [preview(work, args.runs)]]
        if args.memory_count:
            steps.append(lambda: memory(work, args.memory_count))
    found: list[Target] = []
    try:
        for step in steps:
            for target in step():
                found.append(target)
                print(target.line(), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    targets = [t for t in found if not t.floor]
    print(f"load average at end: {load()}; {sum(t.median <= t.limit for t in targets)} of "
          f"{len(targets)} targets met")
    return 0 if all(t.median <= t.limit for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
