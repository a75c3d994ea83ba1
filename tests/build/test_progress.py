"""The progress display: an honest rate, a line that fits, one final line after Ctrl-C.

The live display is driven in a pseudo-terminal (a real tty: rich draws as it does for a user),
and what reaches the terminal is read back and parsed."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from briefgen.build.progress import Rate
from briefgen.build.progressbar import RichProgress
from tests.conftest import ROOT

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_no_rate_until_two_briefs_then_from_the_start_of_the_run() -> None:
    clock = Clock()
    rate = Rate(clock)
    clock.now += 1.5
    rate.done()
    assert rate.per_second() is None and rate.eta(10) is None  # one brief says nothing
    clock.now += 0.01  # a second worker finishes at once: not "100/s"
    rate.done()
    assert rate.per_second() == pytest.approx(2 / 1.51)
    assert rate.eta(8) == pytest.approx(8 / (2 / 1.51))


def test_the_rate_follows_a_moving_window() -> None:
    clock = Clock()
    rate = Rate(clock)
    for _ in range(Rate.WINDOW):
        clock.now += 1.0  # 1 brief/s for a while
        rate.done()
    assert rate.per_second() == pytest.approx(1.0)
    for _ in range(Rate.WINDOW):
        clock.now += 0.25  # then 4 briefs/s: the window forgets the slow start
        rate.done()
    assert rate.per_second() == pytest.approx(4.0)


@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_live_line_fits_its_width_without_cutting_words(width: int) -> None:
    clock = Clock()
    view = RichProgress(force_terminal=True, width=width, clock=clock)
    view.total, view.completed, view.failed, view.cached = 1234, 300, 0, 12
    for _ in range(3):
        clock.now += 0.8
        view.rate.done()
    line = view.line(width).plain
    assert len(line) <= width
    assert "…" not in line and "300/1234" in line and "0 failed" in line
    if width >= 80:
        assert re.search(r"\d+\.\d\d/s", line) and "ETA " in line


def test_failed_is_red_only_when_there_are_failures() -> None:
    view = RichProgress(force_terminal=True, width=100, clock=Clock())
    view.total = 10

    def style_of_failed() -> str:
        line = view.line(100)
        [span] = [s for s in line.spans if "failed" in line.plain[s.start:s.end]]
        return str(span.style)

    assert "red" not in style_of_failed()
    view.failed = 1
    assert "red" in style_of_failed()


CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from briefgen.build.batch import build
    from briefgen.cli.report import reporter
    from tests.helpers.fake_render import fake_render, write_specs

    folder = Path(sys.argv[1])
    specs = write_specs(folder / "specs", *[f"slow-{{i:02d}}" for i in range(int(sys.argv[2]))])
    if sys.argv[3] == "broken":
        (specs / "zz-broken.yaml").write_text("brief: [unclosed\\n")
    print("ready", flush=True, file=sys.stderr)
    try:
        build([specs], out_dir=folder / "out", jobs=2, render=fake_render,
              progress=reporter(sys.stderr))
    except KeyboardInterrupt:
        sys.exit(130)
""")


def run_in_pty(tmp_path: Path, count: int, broken: bool, *, interrupt_after: float | None = None,
               columns: int = 60) -> tuple[str, int]:
    """Run a batch with its stderr on a pseudo-terminal `columns` wide; return what it drew."""
    master, slave = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "24", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(root=str(ROOT)), str(tmp_path), str(count),
         "broken" if broken else "ok"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    output = b""
    started = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if started is None and "━".encode() in output:  # the live line is up: rendering
            started = time.monotonic()
        if (interrupt_after is not None and started is not None
                and time.monotonic() - started > interrupt_after):
            child.send_signal(signal.SIGINT)
            interrupt_after = None
        if child.poll() is not None and not ready:
            break
    code = child.wait(timeout=60)
    os.close(master)
    return output.decode("utf-8", "replace"), code


def visible_lines(raw: str) -> list[str]:
    """What each redraw put on the terminal: split at cursor returns, escapes removed."""
    return [ANSI.sub("", part) for part in re.split(r"[\r\n]", raw) if ANSI.sub("", part).strip()]


@pytest.mark.e2e
def test_in_a_terminal_60_columns_wide(tmp_path: Path) -> None:
    raw, code = run_in_pty(tmp_path, 6, broken=True)
    assert code == 0  # build() reports; the exit code is the CLI's
    lines = visible_lines(raw)
    assert all(len(line) <= 60 for line in lines), [x for x in lines if len(x) > 60]
    assert not any("…" in line for line in lines)
    # "1 failed" is drawn in red on the live line once the broken spec has failed.
    assert re.search(r"\x1b\[[0-9;]*31m1 failed", raw)
    # The summary comes last (rich wraps its long path at a space, never mid-word).
    summary = " ".join(lines[next(i for i, x in enumerate(lines) if "rendered," in x):])
    assert summary.startswith("6 rendered, 0 cached, 1 failed of 7 in ")
    assert summary.endswith("manifest.json")
    # The live line is erased at the end: it is not left above the summary.
    last_bar = max(i for i, line in enumerate(lines) if "━" in line)
    assert all("━" not in line for line in lines[last_bar + 1:])


@pytest.mark.e2e
def test_ctrl_c_leaves_one_final_line(tmp_path: Path) -> None:
    raw, code = run_in_pty(tmp_path, 40, broken=False, interrupt_after=0.8, columns=200)
    assert code == 130
    tail = raw[raw.rfind("\x1b[2K") if "\x1b[2K" in raw else 0:]
    after = [line for line in visible_lines(tail) if "━" not in line]
    assert len(after) == 1, after
    assert re.fullmatch(r"\d+ rendered, 0 cached, 0 failed of 40 in [\d.]+ s; interrupted with "
                        r"\d+ not done; manifest: .*manifest\.json", after[0]), after
    assert "0 failed" in raw and not re.search(r"\x1b\[[0-9;]*31m0 failed", raw)
