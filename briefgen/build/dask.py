"""Beyond one machine: the same per-spec render submitted to a Dask distributed cluster.

Workers need no shared file system: each task carries its spec, data files and the user's template
folders as bytes, renders in a temporary folder and returns the files as bytes; the caller's one
`OutputWriter` writes them. Scheduling, retries after a lost worker and the transport are Dask's;
nothing here queues or manages workers.

A Dask worker cannot interrupt a running task, so `timeout` is enforced inside the task: a render
that outlives it is reported as timed out and left to finish in its thread. A task whose worker
process dies is rescheduled by Dask and, after `distributed.scheduler.allowed-failures` deaths,
reported as that spec's crash.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union, cast

from briefgen.build.worker import (
    RenderFailure,
    RenderFn,
    read_bundle,
    read_templates,
    render_bundle,
)

if TYPE_CHECKING:
    from distributed import Client

    from briefgen.build.options import RenderOptions
    from briefgen.build.worker import RenderOutput

TICK_SECONDS = 0.2
# A scheduler address ("tcp://host:8786"), or a client to use as it is.
DaskAddress = Union[str, "Client"]

INSTALL_HINT = ("install it with: pip install 'briefgen[dask]' "
                "(or: pipx inject briefgen 'dask[distributed]')")


def require_dask() -> None:
    """Dask is an extra (~38 MB a local run never needs): say how to get it, before any work."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        from briefgen.errors import InputError

        raise InputError(f"--dask needs Dask, which is not installed; {INSTALL_HINT}")


def describe(address: DaskAddress) -> str:
    return f"Dask cluster {address}" if isinstance(address, str) else "a Dask cluster"


def run_on_dask(
    address: DaskAddress,
    items: Iterable[tuple[Hashable, Path, list[Path]]],
    options: RenderOptions,
    *,
    render: RenderFn | None = None,
    timeout: float | None = None,
    on_tick: Callable[[], None] | None = None,
) -> Iterator[tuple[Hashable, RenderOutput | RenderFailure]]:
    """Yield `(key, RenderOutput | RenderFailure)` per `(key, spec, data files)` as each finishes.

    `address` is a scheduler address (`tcp://host:8786`), or a `distributed.Client` or cluster
    object to use as it is.
    """
    require_dask()
    from distributed import Client, wait

    own_client = not isinstance(address, Client)
    client: Any = Client(address) if own_client else address  # type: ignore[no-untyped-call]
    futures: dict[Any, Hashable] = {}
    try:
        # By value in every task (templates are small), not scattered: scattered data dies with
        # the worker holding it, and a task that needs it could then never be computed again.
        templates = read_templates(options.template_dirs)
        run = uuid.uuid4().hex[:8]
        for key, spec_path, data_files in items:
            bundle = read_bundle(spec_path, data_files)
            future = client.submit(
                render_bundle, bundle, templates, options, render, timeout,
                key=f"briefgen-{run}-{key}", pure=False, retries=0,
            )
            futures[future] = key
        pending = set(futures)
        while pending:
            try:
                done, not_done = wait(  # type: ignore[no-untyped-call]
                    list(pending), timeout=TICK_SECONDS, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done, not_done = set(), pending
            for future in done:
                yield futures[future], _outcome(future)
                future.release()
            pending = set(not_done)
            if on_tick is not None:
                on_tick()
    finally:
        unfinished = [f for f in futures if not f.done()]
        if unfinished:
            client.cancel(unfinished)
        if own_client:
            client.close()


def _outcome(future: Any) -> RenderOutput | RenderFailure:
    """The task's result; an error, a lost worker or a cancelled task as that spec's failure.

    A finished result can still be lost with its worker: `result()` then waits while Dask
    computes it again elsewhere.
    """
    from distributed.scheduler import KilledWorker

    try:
        return cast("RenderOutput | RenderFailure", future.result())
    except KilledWorker as exc:
        return RenderFailure(f"the Dask worker running it died: {exc}", "crash")
    except Exception as exc:  # CancelledError included: the run goes on without this spec
        return RenderFailure(f"on a Dask worker: {type(exc).__name__}: {exc}", "internal")
