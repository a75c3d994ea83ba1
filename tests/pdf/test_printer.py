"""The forked PDF printer: same bytes as in-process, errors come back, an abandoned job ends.

Run in a fresh process: forking this test process (threads, WeasyPrint already imported) would
test something the CLI never does.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    import time
    from pathlib import Path
    from briefgen.errors import RenderError
    from briefgen.pdf.printer import ForkedPrinter, in_process
    from briefgen.note.html import ChartView

    view = ChartView("a", "A chart", "Bars", "Source: us", 2.0, 1.0)
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 144 72">'
           '<rect width="100" height="40" fill="#123456"/><text x="4" y="60">Chart words</text>'
           '</svg>')
    page = f"<p>Before</p>{view.as_image()}<p>After</p>"
    options = dict(base_dir=Path.cwd(), allowed_roots=[], variant=None)

    printer = ForkedPrinter.start()
    assert printer is not None, "fork should be available here"
    job = printer.submit(page, **options)
    job.charts_drawn({"briefgen-chart:a": svg})
    forked = job.result()[0]
    here = in_process(page, **options)
    here.charts_drawn({"briefgen-chart:a": svg})
    assert forked == here.result()[0], "forked and in-process PDFs differ"
    assert b"%PDF" in forked[:8]

    job = printer.submit('<img src="http://127.0.0.1:9/x.png">', **options)
    job.charts_drawn({})
    try:
        job.result()
    except RenderError as exc:
        assert "refused to fetch" in str(exc), exc
    else:
        raise AssertionError("a refused URL must fail the PDF")

    printer.submit(page, **options)  # charts never come: the parent failed while drawing
    start = time.monotonic()
    printer.close()
    assert time.monotonic() - start < 5, "closing an abandoned job must not wait for it"
    assert not printer._process.is_alive()
    print("ok")
''')


def test_forked_printer_matches_in_process_and_fails_cleanly() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
