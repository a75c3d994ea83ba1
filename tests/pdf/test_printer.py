"""The forked PDF printer: same bytes as in-process, errors come back, an abandoned job ends.

Run in a fresh process: forking this test process (threads, WeasyPrint already imported) would
test something the CLI never does.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

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


EARLY = textwrap.dedent('''
    import sys
    from briefgen.pdf import printer
    from briefgen.cli.early import prepare_render

    argv = ["/usr/bin/briefgen", "render", sys.argv[1], "--out", sys.argv[2]]
    prepare_render(argv)
    early = printer._early
    if early is None:
        print("no printer")
    else:
        # The child imported WeasyPrint and prints: a page comes back as a PDF.
        job = early.submit("<p>early</p>", base_dir=__import__("pathlib").Path.cwd(),
                           allowed_roots=[], variant=None)
        job.charts_drawn({})
        assert job.result()[0].startswith(b"%PDF")
        printer.discard_early()
        assert printer._early is None
        print("forked")
''')


def test_the_early_printer_is_forked_for_a_cold_render_and_not_for_a_cache_hit(
    tmp_path: Path,
) -> None:
    from tests.helpers.golden import SAMPLES

    def early() -> str:
        done = subprocess.run([sys.executable, "-c", EARLY, str(SAMPLES["baba"]),
                               str(tmp_path)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert early() == "forked"  # nothing rendered yet
    from briefgen.build.batch import build
    from tests.helpers.fake_render import fake_render

    build([SAMPLES["baba"]], out_dir=tmp_path, render=fake_render)  # now cached
    assert early() == "no printer"
    (tmp_path / "baba" / "brief.pdf").write_bytes(b"%PDF-edited")
    assert early() == "forked"  # an output changed on disk: not a hit


@pytest.mark.parametrize("argv", [
    ["pytest", "render", "specs/baba.yaml"],  # not the console script
    ["briefgen", "validate", "specs/baba.yaml"],
    ["briefgen", "render", "specs/", "--jobs", "2"],
    ["briefgen", "render", "specs/baba.yaml", "--format=html"],
    ["briefgen", "render"],
])
def test_no_early_printer_unless_a_single_render(argv: list[str]) -> None:
    from briefgen.pdf import printer

    printer.start_early(argv)
    assert printer._early is None
