"""Preview turnaround: from saving a spec to the updated page being served by a warm
`briefgen preview`, against a cold `briefgen render SPEC` as a whole process, in the same run.

The preview runs as its own process (`briefgen preview --port 0 --no-open`), as a desk would run
it; this script saves an edited spec (a new headline each time), long-polls `/__version` until the
server publishes a new version, fetches `/` and checks the new headline is in it. One edit warms
the server up first and is not counted. Prints both medians and their ratio; target <= 0.25.

    python bench/preview_bench.py [--edits 7] [--cold-runs 5] [--spec specs/baba.yaml]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.25


def briefgen() -> list[str]:
    script = Path(sys.executable).with_name("briefgen")
    return [str(script)] if script.exists() else [
        sys.executable, "-c", "from briefgen.cli.main import main; main()"]


def fetch(url: str, timeout: float = 60) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return bytes(response.read())


def version(base: str, since: int | None = None) -> int:
    query = "" if since is None else f"?since={since}"
    return int(json.loads(fetch(f"{base}__version{query}"))["version"])


def start_preview(spec: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([*briefgen(), "preview", str(spec), "--port", "0", "--no-open"],
                               cwd=spec.parent, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()  # "previewing X at http://127.0.0.1:PORT/ (Ctrl-C to stop)"
    if " at http" not in line:
        process.kill()
        sys.exit(f"briefgen preview did not start: {line!r}")
    return process, line.split(" at ", 1)[1].split()[0]


def timed_edit(spec: Path, base: str, text: str, old: str, marker: str) -> float:
    before = version(base)
    start = time.perf_counter()
    spec.write_text(text.replace(old, marker, 1), encoding="utf-8")
    deadline = start + 60
    while time.perf_counter() < deadline:
        if version(base, since=before) != before:
            page = fetch(base)
            elapsed = time.perf_counter() - start
            if marker.encode() not in page:
                sys.exit(f"the page served after the edit lacks {marker!r}")
            return elapsed
    sys.exit("the preview did not publish the edit within 60 s")


def cold_render(spec: Path, out: Path, env: dict[str, str]) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run([*briefgen(), "render", str(spec), "--out", str(out)],
                          cwd=spec.parent, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"briefgen render failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "baba.yaml")
    args = parser.parse_args()
    env = {**os.environ, "MPLBACKEND": "Agg", "TZ": "UTC"}
    with tempfile.TemporaryDirectory(prefix="briefgen-preview-bench-") as temp:
        folder = Path(temp) / "specs"
        shutil.copytree(args.spec.resolve().parent, folder)
        spec = folder / args.spec.name
        text = spec.read_text(encoding="utf-8")
        old = text.split("title:", 1)[1].split("\n", 1)[0].strip().strip('"')
        process, base = start_preview(spec, env)
        try:
            version(base)  # up: the first render is done before the URL is printed and served
            timed_edit(spec, base, text, old, f"{old} (warm-up)")
            warm = [timed_edit(spec, base, text, old, f"{old} (edit {i})")
                    for i in range(args.edits)]
        finally:
            process.terminate()
            process.wait(timeout=10)
        spec.write_text(text, encoding="utf-8")
        cold = [cold_render(spec, Path(temp) / "out", env) for _ in range(args.cold_runs)]
    warm_median, cold_median = statistics.median(warm), statistics.median(cold)
    ratio = warm_median / cold_median
    print(f"preview, save to updated page served (median of {len(warm)} edits): "
          f"{warm_median * 1000:.0f} ms  [{', '.join(f'{t * 1000:.0f}' for t in warm)}]")
    print(f"cold `briefgen render` as a process (median of {len(cold)}):          "
          f"{cold_median * 1000:.0f} ms  [{', '.join(f'{t * 1000:.0f}' for t in cold)}]")
    print(f"ratio: {ratio:.3f}x  (target <= {TARGET_RATIO}x: "
          f"{'met' if ratio <= TARGET_RATIO else 'MISSED'})")
    sys.exit(0 if ratio <= TARGET_RATIO else 1)


if __name__ == "__main__":
    main()
