"""The `briefgen` process runs numpy's OpenBLAS on one thread: its parallelism is processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Import the CLI as the console script does, then numpy (as matplotlib would), and count the
# process's threads.
_COUNT_THREADS = """
import os, sys
sys.argv = ["briefgen", "--version"]
import briefgen.cli.main
import numpy
print(len(os.listdir("/proc/self/task")), os.environ["OPENBLAS_NUM_THREADS"])
"""


def _run(env: dict[str, str]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _COUNT_THREADS], env=env, capture_output=True,
                          text=True, check=True)
    return done.stdout.split()


@pytest.mark.skipif(not os.path.isdir("/proc/self/task") or (os.cpu_count() or 1) < 2,
                    reason="counts threads in /proc; OpenBLAS starts one per core")
def test_numpy_starts_no_threads_under_briefgen() -> None:
    env = {key: value for key, value in os.environ.items()
           if key not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    assert _run(env) == ["1", "1"]


def test_a_thread_count_the_user_set_is_kept() -> None:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2"}
    assert _run(env)[1] == "2"
