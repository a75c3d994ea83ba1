"""No orphans: kill -9 a real `briefgen render` mid-run and no process it started survives.

A batch's workers and a single render's forked PDF printer must end with their parent
(`briefgen.lifeline`): before, 8 of 10 killed batches left their workers running for ever.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from briefgen.lifeline import die_with_parent
from tests.conftest import SAMPLE, SPECS

BRIEFGEN = Path(sys.executable).with_name("briefgen")  # the console script: it forks early
GRACE_SECONDS = 5.0


def gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE  # dead, waiting for init to reap it
    except psutil.NoSuchProcess:
        return True


def kill_and_watch(command: list[str], ready: Callable[[list[psutil.Process]], bool],
                   cwd: Path) -> tuple[float, list[int]]:
    """Start `command`, wait for `ready(descendants)`, SIGKILL it; return how long its
    descendants took to end, and the pids of any still alive after GRACE_SECONDS."""
    parent = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    descendants: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            descendants = psutil.Process(parent.pid).children(recursive=True)
            if ready(descendants):
                break
            assert parent.poll() is None, "the command ended before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the command never reached the point to kill it at")
        os.kill(parent.pid, signal.SIGKILL)
        killed = time.monotonic()
        parent.wait(10)
        while time.monotonic() - killed < GRACE_SECONDS and not all(map(gone, descendants)):
            time.sleep(0.05)
        took = time.monotonic() - killed
        return took, [p.pid for p in descendants if not gone(p)]
    finally:
        parent.kill()
        for process in descendants:  # never leave one behind, even when the test fails
            if not gone(process):
                process.kill()


@pytest.mark.e2e
def test_killing_a_batch_ends_its_workers(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    text = SAMPLE.read_text(encoding="utf-8")
    for n in range(8):
        (specs / f"co-{n}.yaml").write_text(
            text.replace("\nbrief:\n", f"\nbrief:\n  slug: co-{n}\n", 1), encoding="utf-8")
    out = tmp_path / "output"

    def mid_run(descendants: list[psutil.Process]) -> bool:
        return len(descendants) >= 2 and any(out.glob("*/brief.pdf"))

    took, alive = kill_and_watch([str(BRIEFGEN), "render", str(specs), "--out", str(out),
                                  "--jobs", "2"], mid_run, tmp_path)
    print(f"batch: workers gone {took:.2f}s after kill -9 of the parent")
    assert alive == [], f"still running {GRACE_SECONDS}s after kill -9: {alive}"


@pytest.mark.e2e
def test_killing_a_single_render_ends_its_printer(tmp_path: Path) -> None:
    started = time.monotonic()

    def printer_forked(descendants: list[psutil.Process]) -> bool:
        return len(descendants) >= 1 and time.monotonic() - started > 0.5

    took, alive = kill_and_watch([str(BRIEFGEN), "render", str(SAMPLE), "--out",
                                  str(tmp_path / "output")], printer_forked, tmp_path)
    print(f"single render: printer gone {took:.2f}s after kill -9 of the parent")
    assert alive == [], f"still running {GRACE_SECONDS}s after kill -9: {alive}"


def orphan_at_birth(parent_pid: int) -> None:
    die_with_parent(parent_pid)  # the parent it was forked by is gone: must not go on
    os._exit(7)


def test_a_child_whose_parent_died_before_it_looked_exits_at_once() -> None:
    import multiprocessing

    # The same check with a pid that is not this child's parent: what a child sees when its
    # parent died between the fork and `die_with_parent` (it was re-parented).
    child = multiprocessing.get_context("fork").Process(target=orphan_at_birth, args=(1,))
    child.start()
    child.join(10)
    assert child.exitcode == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_the_parent_death_signal_is_set() -> None:
    import multiprocessing

    def report(queue: multiprocessing.Queue[int]) -> None:
        import ctypes

        die_with_parent(os.getppid())
        libc = ctypes.CDLL(None, use_errno=True)
        value = ctypes.c_int()
        libc.prctl(2, ctypes.byref(value), 0, 0, 0)  # PR_GET_PDEATHSIG
        queue.put(value.value)

    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[int] = context.Queue()
    child = context.Process(target=report, args=(queue,))
    child.start()
    assert queue.get(timeout=10) == signal.SIGTERM
    child.join(10)
