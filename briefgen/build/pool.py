"""A local process pool for rendering: warm workers, one spec at a time each, failures contained.

`concurrent.futures.ProcessPoolExecutor` cannot stop a running task and marks the whole pool broken
when one worker dies; `multiprocessing.Pool` loses the task of a worker that dies. Rendering needs
the opposite: a spec that hangs or kills its process is that spec's failure and nothing more. So
each worker here is a `multiprocessing.Process` with its own pipe and at most one task in flight;
the parent waits on all pipes and process sentinels at once (`multiprocessing.connection.wait`),
and so always knows which spec a dead or overdue worker was holding. That worker is killed,
reported against its spec and replaced, and the other workers carry on.

Workers are forked on Linux: after the parent has imported matplotlib and WeasyPrint once, a new
or replacement worker starts warm in milliseconds. Elsewhere they are spawned and import once, in
the initializer. A worker renders many specs; Ctrl-C goes to the parent, which stops the workers.
A worker also ends when the parent dies, even by SIGKILL (`briefgen.lifeline`).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any

from briefgen.build.worker import RenderFailure
from briefgen.lifeline import close_inherited, die_with_parent

Task = Callable[[Any], Any]
TICK_SECONDS = 0.2  # how often the caller's `on_tick` runs while renders are in flight


def start_method() -> str:
    """fork on Linux (warm workers for free), spawn elsewhere (fork is unsafe on macOS)."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _serve(conn: Connection, task: Task, initializer: Callable[[], None] | None,
           parent_pid: int, inherited: list[Connection]) -> None:
    """A worker: run `task` on each argument received, send back each result, until told to
    stop or the parent dies."""
    try:
        die_with_parent(parent_pid)
        close_inherited(inherited)
        _serve_tasks(conn, task, initializer)
    finally:
        # A worker ends with os._exit, which runs no atexit handler: WeasyPrint's font folders.
        pdf = sys.modules.get("briefgen.pdf.weasy")
        if pdf is not None:
            pdf.release_fonts()


def _serve_tasks(conn: Connection, task: Task,
                 initializer: Callable[[], None] | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    broken: str | None = None
    if initializer is not None:
        try:
            initializer()
        except Exception as exc:  # report it with every task instead of dying silently
            broken = f"worker could not start: {type(exc).__name__}: {exc}"
    # What the imports and the warm-up made lives as long as the worker: out of the collector's
    # reach, the full collections during each brief walk only that brief's objects (measured:
    # 0.69 -> 0.62 s per brief in a warm worker).
    gc.freeze()
    while True:
        try:
            argument = conn.recv()
        except (EOFError, OSError):
            return
        if argument is None:
            return
        if broken is not None:
            conn.send(RenderFailure(broken, "internal"))
            continue
        try:
            result = task(argument)
        except Exception as exc:
            result = RenderFailure(f"internal error: {type(exc).__name__}: {exc}", "internal",
                                   detail=traceback.format_exc())
        try:
            conn.send(result)
        except Exception as exc:  # e.g. a result that does not pickle
            conn.send(RenderFailure(f"could not return the result: {exc}", "internal"))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    key: Hashable | None = None
    deadline: float | None = None
    done: int = 0  # tasks finished, to retire the worker after `max_tasks`

    @property
    def busy(self) -> bool:
        return self.key is not None

    def release(self) -> Hashable:
        key, self.key, self.deadline = self.key, None, None
        return key


def _death(process: BaseProcess) -> str:
    process.join(1)
    code = process.exitcode
    if code is None:
        return "the worker process stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker process was killed by {name}"
    return f"the worker process exited with code {code}"


class LocalPool:
    """Run `task` over many arguments in `jobs` worker processes; see the module docstring."""

    def __init__(
        self,
        jobs: int,
        task: Task,
        *,
        timeout: float | None = None,
        initializer: Callable[[], None] | None = None,
        context: BaseContext | None = None,
        max_tasks: int | None = None,
    ) -> None:
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.jobs = jobs
        self.task = task
        self.timeout = timeout
        # A worker is replaced after this many tasks, so that whatever a render may leak is
        # returned to the system and memory stays bounded.
        self.max_tasks = max_tasks
        self.initializer = initializer
        self.context = context or multiprocessing.get_context(start_method())
        self.workers: list[_Worker] = []
        self.started = 0  # worker processes started, replacements included

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start_worker(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        # A forked worker holds copies of this end and of the other workers' ends; it closes
        # them, or it (and they) would never see the pipe break when this process dies.
        forked = self.context.get_start_method() == "fork"
        inherited = [parent_end, *(w.conn for w in self.workers)] if forked else []
        process = self.context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child_end, self.task, self.initializer, os.getpid(), inherited),
            daemon=True, name=f"briefgen-worker-{self.started}",
        )
        process.start()
        child_end.close()
        self.started += 1
        return _Worker(process, parent_end)

    def _replace(self, worker: _Worker, *, politely: bool = False) -> None:
        if politely:
            with contextlib.suppress(OSError):
                worker.conn.send(None)  # finish and exit
            worker.process.join(5)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self.workers[self.workers.index(worker)] = self._start_worker()

    def run(
        self,
        items: Iterable[tuple[Hashable, Any]],
        on_tick: Callable[[], None] | None = None,
    ) -> Iterator[tuple[Hashable, Any]]:
        """Yield `(key, result)` as each finishes; a crash or a timeout yields a `RenderFailure`."""
        pending = deque(items)
        while len(self.workers) < min(self.jobs, len(pending)):
            self.workers.append(self._start_worker())
        finished: list[tuple[Hashable, Any]] = []
        while True:
            for worker in list(self.workers):
                if worker.busy or not pending:
                    continue
                if not worker.process.is_alive():  # died while idle (e.g. the OOM killer)
                    self._replace(worker)
                    continue
                key, argument = pending.popleft()
                try:
                    worker.conn.send(argument)
                except OSError:
                    worker.key = key
                    yield worker.release(), RenderFailure(_death(worker.process), "crash")
                    self._replace(worker)
                    continue
                worker.key = key
                worker.deadline = None if self.timeout is None else time.monotonic() + self.timeout
            # Results are handed on only once their workers have their next spec: the caller
            # writes a brief while the worker renders the next one, instead of leaving it idle.
            yield from finished
            busy = [w for w in self.workers if w.busy]
            if not busy:
                if not pending:
                    return
                continue
            finished = list(self._wait(busy))
            if on_tick is not None:
                on_tick()

    def _wait(self, busy: list[_Worker]) -> Iterator[tuple[Hashable, Any]]:
        now = time.monotonic()
        deadlines = [w.deadline for w in busy if w.deadline is not None]
        wait_for = min([TICK_SECONDS, *(max(0.0, d - now) for d in deadlines)])
        handles: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        ready = set(multiprocessing.connection.wait(handles, timeout=wait_for))
        for worker in busy:
            if worker.conn in ready:
                try:
                    result = worker.conn.recv()
                except (EOFError, OSError):
                    yield worker.release(), RenderFailure(_death(worker.process), "crash")
                    self._replace(worker)
                    continue
                worker.done += 1
                key = worker.release()
                if self.max_tasks is not None and worker.done >= self.max_tasks:
                    self._replace(worker, politely=True)
                yield key, result
            elif worker.process.sentinel in ready:
                yield worker.release(), RenderFailure(_death(worker.process), "crash")
                self._replace(worker)
            elif worker.deadline is not None and time.monotonic() >= worker.deadline:
                worker.process.kill()
                assert self.timeout is not None
                failure = RenderFailure(f"timed out after {self.timeout:g} s; the worker was "
                                        "stopped", "timeout", timings={"total": self.timeout})
                yield worker.release(), failure
                self._replace(worker)

    def close(self) -> None:
        """Stop every worker: idle ones are asked to exit, busy ones (an interrupted run) killed."""
        for worker in self.workers:
            try:
                if worker.busy:
                    worker.process.kill()
                else:
                    worker.conn.send(None)
            except OSError:
                pass
        for worker in self.workers:
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)
            worker.conn.close()
        self.workers = []
