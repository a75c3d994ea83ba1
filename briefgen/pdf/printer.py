"""Where a note's PDF is made: here, or in a forked process that imported WeasyPrint early.

A cold `briefgen render` would otherwise import WeasyPrint (~0.45 s) and matplotlib (~0.4 s)
one after the other, then lay out the page, then paint it. With `ForkedPrinter`, started before
anything heavy is imported:

    parent: load spec, render the page ─┬─ import matplotlib, draw charts ─┬─ finish the HTML file
    child:  import WeasyPrint, warm up ─┴─ lay the page out ───────────────┴─ paint (reads charts)

The page names each chart by URL with its size (`note.html.ChartView`), so the child lays it out
before the charts exist and reads them only to paint them. The bytes are the same either way:
`in_process` follows the same steps in one process.

Every job is used in this order: `submit` (the PDF's HTML), `charts_drawn`, `result`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol, cast

from briefgen.errors import RenderError
from briefgen.lifeline import close_inherited, die_with_parent
from briefgen.pdf.libraries import import_weasyprint
from briefgen.pdf.weasy import PdfResult, html_to_pdf, release_fonts


class PdfJob(Protocol):
    def charts_drawn(self, charts: Mapping[str, str]) -> None: ...
    def result(self) -> PdfResult: ...


class Submit(Protocol):
    def __call__(self, html: str, *, base_dir: Path, allowed_roots: list[Path],
                 variant: str | None) -> PdfJob: ...


class InProcessJob:
    """Makes the PDF when the result is asked for, in this process."""

    def __init__(self, html: str, **options: Any) -> None:
        self._html, self._options = html, options
        self._charts: Mapping[str, str] = {}

    def charts_drawn(self, charts: Mapping[str, str]) -> None:
        self._charts = charts

    def result(self) -> PdfResult:
        return html_to_pdf(self._html, charts=self._charts, **self._options)


def in_process(html: str, **options: Any) -> PdfJob:
    return InProcessJob(html, **options)


class ForkedPrinter:
    """A forked child that makes the PDFs of this process, one at a time."""

    def __init__(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(target=_child,
                                         args=(child_conn, os.getpid(), self._conn),
                                         daemon=True, name="briefgen-pdf")
        self._process.start()
        child_conn.close()
        self._busy = False

    @classmethod
    def start(cls) -> ForkedPrinter | None:
        """A printer, or None where one gains nothing (WeasyPrint already imported) or fork is
        missing (Windows; macOS' default start method): the caller then prints in-process.

        The printer `start_early` forked for this command, if any, is handed over first."""
        global _early
        if _early is not None:
            printer, _early = _early, None
            return printer
        import multiprocessing

        if "weasyprint" in sys.modules or "fork" not in multiprocessing.get_all_start_methods():
            return None
        return cls()

    @property
    def connection(self) -> Connection:
        """This process's end of the pipe: a process forked later closes it
        (`briefgen.lifeline.close_inherited`), or the printer would not see its one end close."""
        return self._conn

    def submit(self, html: str, **options: Any) -> PdfJob:
        if self._busy:
            raise RuntimeError("one PDF at a time")
        self._busy = True
        self._conn.send(("pdf", html, options))
        return _ForkedJob(self)

    def _receive(self) -> PdfResult:
        try:
            status, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise RenderError("the PDF process stopped unexpectedly") from exc
        finally:
            self._busy = False
        if status == "error":
            raise value
        return cast(PdfResult, value)

    def close(self) -> None:
        if self._busy:  # abandoned mid-job (the parent failed): nothing worth waiting for
            self._process.kill()
        else:
            with contextlib.suppress(OSError):
                self._conn.send(None)
        self._conn.close()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


_early: ForkedPrinter | None = None
# Flags of `briefgen render` that render in a pool or on Dask, render nothing, or may leave the
# PDF out: no printer is forked for those.
_NOT_SINGLE = ("--jobs", "-j", "--timeout", "--dask", "--dry-run", "--format", "-f")


def start_early(argv: list[str]) -> None:
    """Fork the printer for `briefgen render SPEC` as the console script starts, before the CLI
    imports typer and the commands (~0.08 s sooner: the child's WeasyPrint import is the critical
    path). Only for the installed `briefgen` script, only for `render` without pool or format
    flags; `ForkedPrinter.start` hands it over, and `discard_early` ends it when the command does
    not render exactly one brief here (several specs, a folder, a glob, a cache hit)."""
    global _early
    if (_early is not None or len(argv) < 3 or Path(argv[0]).name != "briefgen"
            or argv[1] != "render"
            or any(arg.split("=", 1)[0] in _NOT_SINGLE for arg in argv[2:])):
        return
    with contextlib.suppress(Exception):  # no early printer: `render` starts one as before
        _early = ForkedPrinter.start()
    # A one-shot process that renders one brief and exits: the collector would only walk the
    # objects of matplotlib's, pydantic's and Jinja's imports again and again (measured: charts
    # ready ~0.1 s sooner). `render` freezes them at exit, so none are walked then either.
    if _early is not None:
        gc.disable()


def discard_early() -> None:
    """End the printer `start_early` forked, when the command does not need it (and collect
    garbage again: a batch's workers are forked from this process)."""
    global _early
    if _early is not None:
        printer, _early = _early, None
        printer.close()
        gc.enable()


class _ForkedJob:
    def __init__(self, printer: ForkedPrinter) -> None:
        self._printer = printer

    def charts_drawn(self, charts: Mapping[str, str]) -> None:
        self._printer._conn.send(("charts", dict(charts)))

    def result(self) -> PdfResult:
        return self._printer._receive()


class _Closed(Exception):
    """The parent went away."""


def _child(conn: Any, parent_pid: int, parent_end: Connection) -> None:
    # Ends with the parent, even when it is killed (see `briefgen.lifeline`).
    die_with_parent(parent_pid)
    close_inherited([parent_end])
    # The point of this process: import WeasyPrint while the parent loads and draws. (Laying out
    # a warm-up page here would only delay the real one: this process is the critical path.)
    # No garbage collection while importing and printing: WeasyPrint's import and layout make
    # hundreds of thousands of objects and the collector would walk them again and again for
    # almost nothing to free (measured: ~0.1 s of the cold render). `gc.freeze` first keeps
    # the parent's objects, shared copy-on-write, out of any later collection.
    gc.freeze()
    gc.disable()
    import_weasyprint()
    try:
        _serve(conn)
    finally:
        release_fonts()  # this process ends with os._exit: no atexit handlers


def _serve(conn: Any) -> None:
    first = True
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        if not first:  # a long-lived printer: the previous document's garbage, once
            gc.collect()
        first = False
        _, html, options = request
        charts: dict[str, str] | None = None

        def wait_for_charts() -> dict[str, str]:
            try:
                message = conn.recv()
            except EOFError as exc:
                raise _Closed from exc
            if not (isinstance(message, tuple) and message[0] == "charts"):
                raise _Closed
            return cast(dict[str, str], message[1])

        def chart(url: str) -> str | None:
            nonlocal charts
            if charts is None:
                charts = wait_for_charts()
            return charts.get(url)

        try:
            result: tuple[str, Any] = ("ok", html_to_pdf(html, charts=chart, **options))
        except _Closed:
            return
        except Exception as exc:  # handed to the parent, which raises it
            result = ("error", exc)
        try:
            if charts is None:  # a page without charts: the parent sends them all the same
                wait_for_charts()
            _send(conn, result)
        except _Closed:
            return


def _send(conn: Any, result: tuple[str, Any]) -> None:
    try:
        conn.send(result)
    except Exception:  # an exception that does not pickle: keep its words
        error = result[1]
        conn.send(("error", RenderError(f"{type(error).__name__}: {error}")))
