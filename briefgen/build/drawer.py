"""A forked process that imports matplotlib while `briefgen render SPEC` starts, then draws.

A cold single render otherwise imports matplotlib (~0.35 s) only after loading the spec and
making the page, then draws the charts (~0.13 s), while the printer (`briefgen.pdf.printer`)
waits for them to paint the page: the parent was the critical path. Forked at the same moment
as the printer (`briefgen.cli.early`), this process imports matplotlib and registers the fonts
while the parent imports typer and pydantic and loads the spec:

    parent:  load spec, derive ─┬─ make the page ──────────────┬─ hand the charts to the printer
    drawer:  import matplotlib ─┴─ draw the charts (spec sent) ─┘
    printer: import WeasyPrint ──── lay the page out ───────────── paint

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


_early: ForkedDrawer | None = None


def start_early(inherited: Iterable[Connection] = ()) -> None:
    """Fork the drawer now (`briefgen.cli.early` calls this where it forks the printer early);
    nothing where matplotlib is imported already or fork is missing. `inherited`: as for
    `ForkedDrawer`."""
    global _early
    import multiprocessing

    if (_early is not None or "matplotlib" in sys.modules
            or "fork" not in multiprocessing.get_all_start_methods()):
        return
    with contextlib.suppress(Exception):  # no drawer: the charts are drawn in-process
        _early = ForkedDrawer(inherited)


def take_early() -> ForkedDrawer | None:
    """The drawer `start_early` forked, handed over once (None if there is none)."""
    global _early
    drawer, _early = _early, None
    return drawer


def discard_early() -> None:
    """End the drawer `start_early` forked when the command does not draw here."""
    drawer = take_early()
    if drawer is not None:
        drawer.close()


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
