"""The local pool: results come back, and a hang, a crash or an exception costs one task only."""

from __future__ import annotations

import faulthandler
import os
import re
import signal
import time
from pathlib import Path

import pytest

from briefgen.build.pool import LocalPool
from briefgen.build.worker import RenderFailure


def task(argument: str) -> str:
    """Misbehaves as told by its argument, else echoes it with the worker's pid."""
    if argument == "hang":
        time.sleep(600)
    if argument == "exit":
        os._exit(7)
    if argument == "segv":
        faulthandler.disable()  # pytest's, inherited by the fork: keep its dump out of the log
        os.kill(os.getpid(), signal.SIGSEGV)
    if argument == "raise":
        raise ValueError("bad value")
    if argument.startswith("mark:"):  # leaves a file to say that it has started
        Path(argument[5:]).touch()
    return f"{argument}@{os.getpid()}"


def run(arguments: list[str], jobs: int = 2, timeout: float | None = None) -> dict[int, object]:
    with LocalPool(jobs, task, timeout=timeout) as pool:
        return dict(pool.run(enumerate(arguments)))  # type: ignore[arg-type]


def test_every_task_comes_back_once_from_warm_workers() -> None:
    results = run([f"t{i}" for i in range(12)], jobs=2)
    assert sorted(results) == list(range(12))
    assert all(str(results[i]).startswith(f"t{i}@") for i in range(12))
    pids = {str(r).split("@")[1] for r in results.values()}
    assert len(pids) <= 2  # two workers rendered all twelve: nothing started per task


def test_a_crash_is_that_task_failure_and_the_pool_goes_on() -> None:
    results = run(["a", "exit", "b", "segv", "c", "d"], jobs=2)
    done = re.fullmatch(r"a@(\d+)", str(results[0]))
    assert done is not None and int(done[1]) != os.getpid()  # rendered by a worker
    exited, killed = results[1], results[3]
    assert isinstance(exited, RenderFailure) and exited.kind == "crash"
    assert "exited with code 7" in exited.error
    assert isinstance(killed, RenderFailure) and "SIGSEGV" in killed.error
    assert all(str(results[i]).startswith(name) for i, name in [(2, "b"), (4, "c"), (5, "d")])


def test_a_hang_is_stopped_after_the_timeout_and_others_finish() -> None:
    start = time.monotonic()
    results = run(["hang", "a", "b", "c"], jobs=2, timeout=1.0)
    assert time.monotonic() - start < 10
    hung = results[0]
    assert isinstance(hung, RenderFailure) and hung.kind == "timeout"
    assert "timed out after 1 s" in hung.error
    assert [str(results[i])[0] for i in (1, 2, 3)] == ["a", "b", "c"]


def test_an_exception_in_the_task_is_reported_with_its_traceback() -> None:
    results = run(["raise", "a"], jobs=1)
    failure = results[0]
    assert isinstance(failure, RenderFailure) and failure.kind == "internal"
    assert "ValueError: bad value" in failure.error
    assert failure.detail is not None and "Traceback" in failure.detail
    assert str(results[1]).startswith("a@")


def test_a_worker_that_cannot_start_reports_why_with_each_task() -> None:
    def broken() -> None:
        raise RuntimeError("no fonts")

    with LocalPool(1, task, initializer=broken) as pool:
        results = dict(pool.run([(0, "a"), (1, "b")]))
    assert all(isinstance(r, RenderFailure) and "no fonts" in r.error for r in results.values())


def test_close_stops_every_worker() -> None:
    pool = LocalPool(2, task)
    dict(pool.run([(0, "a"), (1, "b")]))
    processes = [w.process for w in pool.workers]
    pool.close()
    assert processes and not any(p.is_alive() for p in processes)


def test_jobs_must_be_positive() -> None:
    with pytest.raises(ValueError):
        LocalPool(0, task)


def test_workers_are_replaced_after_max_tasks() -> None:
    with LocalPool(1, task, max_tasks=2) as pool:
        results = dict(pool.run((i, f"t{i}") for i in range(5)))
        assert pool.started == 3
    pids = [str(results[i]).split("@")[1] for i in range(5)]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]


def test_a_worker_has_its_next_task_before_the_caller_handles_a_result(tmp_path: Path) -> None:
    # The caller writes each brief (and the manifest) while the worker renders the next one:
    # the second task starts while the caller still holds the first result.
    marks = [tmp_path / f"started-{i}" for i in range(3)]
    with LocalPool(1, task) as pool:
        results = pool.run(enumerate(f"mark:{mark}" for mark in marks))
        first = next(results)
        assert first[0] == 0
        deadline = time.monotonic() + 30
        while not marks[1].exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert marks[1].exists(), "the worker sat idle while the caller held a result"
        assert [key for key, _ in results] == [1, 2]
