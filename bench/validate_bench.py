"""How long `briefgen validate` takes on a folder of 100 specs, start-up included.

    python bench/validate_bench.py [--count 100] [--runs 5] [--per-process]

Writes `--count` variants of the two sample specs to a temporary folder, then times as whole
processes (median of `--runs`):

* `briefgen validate FOLDER`: the figure the target is about (< 2 s for 100 specs on 2 cores);
* a naive baseline in one process: import pydantic, PyYAML and the model, `yaml.safe_load`
  and `Spec.model_validate` each file (no positions, no CSV, no cross-field checks);
* start-up: `briefgen validate` of one spec, and `briefgen --help`;
* with `--per-process`, once: one `briefgen validate` process per spec, the way a shell loop or
  a pre-commit hook without batching would do it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [ROOT / "specs" / "baba.yaml", ROOT / "specs" / "baba-2025q3.yaml"]
TARGET_SECONDS = 2.0

NAIVE = """
import sys, pathlib, yaml
from briefgen.spec.model import Spec
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.yaml")):
    Spec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
"""


def briefgen_command() -> list[str]:
    script = Path(sys.executable).with_name("briefgen")
    found = str(script) if script.exists() else shutil.which("briefgen")
    if not found:
        sys.exit("briefgen is not installed in this environment (pip install -e .)")
    return [found]


def write_variants(folder: Path, count: int) -> None:
    """`count` valid specs that differ in title, summary and figures, and the CSV they share."""
    shutil.copy(ROOT / "specs" / "baba-cloud-revenue.csv", folder)
    texts = [sample.read_text(encoding="utf-8") for sample in SAMPLES]
    for index in range(count):
        text = texts[index % len(texts)]
        text = text.replace('\nbrief:\n  title: "', f'\nbrief:\n  title: "Variant {index}: ', 1)
        text = text.replace("  slug: baba-2025q3\n", f"  slug: variant-{index}\n", 1)
        text = text.replace("move: 13", f"move: {13 + index % 7}", 1)
        (folder / f"variant-{index:03d}.yaml").write_text(text, encoding="utf-8")


def timed(command: Sequence[str], *, cwd: Path, expect: int = 0) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != expect:
        output = (done.stdout + done.stderr)[:2000]
        sys.exit(f"{' '.join(command)} exited {done.returncode}:\n{output}")
    return elapsed


def median_of(runs: int, command: Sequence[str], *, cwd: Path) -> float:
    timed(command, cwd=cwd)  # warm the OS file cache and .pyc files; not counted
    return statistics.median(timed(command, cwd=cwd) for _ in range(runs))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100, help="specs to generate")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--per-process", action="store_true",
                        help="also time one process per spec (slow)")
    args = parser.parse_args(argv)
    briefgen = briefgen_command()

    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp:
        folder = Path(tmp)
        write_variants(folder, args.count)
        batch = median_of(args.runs, [*briefgen, "validate", str(folder)], cwd=ROOT)
        naive = median_of(args.runs, [sys.executable, "-c", NAIVE, str(folder)], cwd=ROOT)
        one = median_of(args.runs, [*briefgen, "validate", str(SAMPLES[0])], cwd=ROOT)
        help_ = median_of(args.runs, [*briefgen, "--help"], cwd=ROOT)
        per_process = None
        if args.per_process:
            specs = sorted(folder.glob("*.yaml"))
            per_process = sum(
                timed([*briefgen, "validate", str(spec)], cwd=ROOT) for spec in specs
            )

    print(f"specs: {args.count}, runs: {args.runs} (median), python {sys.version.split()[0]}")
    print(f"briefgen validate FOLDER          {batch:7.3f} s  "
          f"({batch / args.count * 1000:.1f} ms per spec, start-up included)")
    print(f"naive safe_load + model_validate  {naive:7.3f} s  "
          f"(briefgen / naive = {batch / naive:.2f}x)")
    print(f"start-up: validate one spec       {one:7.3f} s")
    print(f"start-up: briefgen --help         {help_:7.3f} s")
    if per_process is not None:
        print(f"one process per spec              {per_process:7.3f} s  "
              f"(briefgen batch is {per_process / batch:.1f}x faster)")
    met = batch < TARGET_SECONDS * args.count / 100
    print(f"target: {args.count} specs in < {TARGET_SECONDS * args.count / 100:.1f} s: "
          f"{'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
