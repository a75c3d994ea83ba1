"""A forked process that imports matplotlib while a single render makes its page, then draws.

A cold `briefgen render SPEC` otherwise imports matplotlib (~0.35 s) only after making the page
(Jinja imported, the page rendered), then draws the charts (~0.13 s), while the printer
(`briefgen.pdf.printer`) waits for them to paint the page: this process was the critical path.
Forked as the one brief starts (`briefgen.build.batch`), after the spec was read (so pydantic,
YAML and the spec model are not imported twice), the drawer imports matplotlib and registers
the fonts while the parent derives and makes the page:

    parent:  derive ─┬─ import Jinja, make the page ──────────┬─ hand the charts to the printer
    drawer:  fork ───┴─ import matplotlib ─ draw (spec sent) ──┘
    printer: (imported WeasyPrint) ─ lay the page out ───────────── paint

The spec, its derived figures and the brand travel by pickle (~12 KB); the charts and
matplotlib's warnings come back. The charts are the bytes `pipeline.draw_charts` makes in
process (the same code runs here). One drawing per process: it serves the one brief of the
command and ends.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import TYPE_CHECKING, Any, cast

from briefgen.errors import RenderError
from briefgen.lifeline import close_inherited, die_with_parent

if TYPE_CHECKING:
    from collections.abc import Iterable
    from multiprocessing.connection import Connection

    from briefgen.brand.model import Brand
    from briefgen.charts.draw import Chart
    from briefgen.derive import Derived
    from briefgen.spec.load import LoadedSpec

DrawnCharts = tuple[list["Chart"], list[str]]  # the charts, and warnings in briefgen's words


class ForkedDrawer:
    """A forked child that imported matplotlib and draws one brief's charts when asked."""

    def __init__(self, inherited: Iterable[Connection] = ()) -> None:
        """`inherited`: this process's ends of other children's pipes, closed in the child."""
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(target=_child,
                                         args=(child_conn, os.getpid(),
                                               [self._conn, *inherited]),
                                         daemon=True, name="briefgen-charts")
        self._process.start()
        child_conn.close()
        self._asked = False

    @classmethod
    def start(cls, inherited: Iterable[Connection] = ()) -> ForkedDrawer | None:
        """A drawer, or None where one gains nothing (matplotlib imported already) or fork is
        missing: the caller then draws in-process. `inherited`: as for the constructor."""
        import multiprocessing

        if "matplotlib" in sys.modules or "fork" not in multiprocessing.get_all_start_methods():
            return None
        try:
            return cls(inherited)
        except OSError:
            return None  # no process to be had: drawn in-process

    def submit(self, loaded: LoadedSpec, derived: Derived, brand: Brand) -> None:
        """Start drawing (the answer is read by `result`)."""
        if self._asked:
            raise RuntimeError("one drawing per process")
        self._asked = True
        try:
            self._conn.send((loaded, derived, brand))
        except OSError as exc:
            raise RenderError("the chart process stopped unexpectedly") from exc

    def result(self) -> DrawnCharts:
        try:
            status, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise RenderError("the chart process stopped unexpectedly") from exc
        if status == "error":
            raise value
        return cast(DrawnCharts, value)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.send(None)  # not asked (a cache hit, a bad spec): end without drawing
        self._conn.close()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _child(conn: Connection, parent_pid: int, parent_ends: list[Connection]) -> None:
    die_with_parent(parent_pid)
    close_inherited(parent_ends)
    # As the printer: the parent's objects stay out of collections, and none runs while
    # importing and drawing (a one-shot process; measured in the printer: ~0.1 s).
    gc.freeze()
    gc.disable()
    from briefgen.build.pipeline import draw_charts
    from briefgen.charts.style import warm_up

    warm_up()  # matplotlib, its SVG backend and the bundled fonts: the point of this process
    try:
        request = conn.recv()
    except EOFError:
        return
    if request is None:
        return
    loaded, derived, brand = request
    result: tuple[str, Any]
    try:
        warnings: list[str] = []
        result = ("ok", (draw_charts(loaded, derived, brand, warnings), warnings))
    except Exception as exc:  # handed to the parent, which raises it
        result = ("error", exc)
    try:
        conn.send(result)
    except Exception:  # an exception that does not pickle: keep its words
        error = result[1]
        conn.send(("error", RenderError(f"{type(error).__name__}: {error}")))
