"""A child process that dies with its parent: render workers and the forked PDF printer.

Without this, a `briefgen render` killed with SIGKILL left its workers running for ever (seen:
8 of 10 trials, ~135 MB each, blocked writing a result nobody would read). Two things kept them:

* **Nobody tells a child.** On Linux, `prctl(PR_SET_PDEATHSIG)` asks the kernel to signal the
  child when its parent dies; elsewhere there is no such call and the pipe must do.
* **The pipe never broke.** A forked child inherits every file descriptor of its parent,
  including the parent's own end of the child's pipe and the parent's ends of the pipes to the
  workers forked before it. While any of those stays open somewhere, the child never reads EOF
  and its writes block instead of failing. So a child closes the parent's ends it inherited
  (`close_inherited`); then a dead parent is an EOF or a broken pipe at the next read or write.

The signal is SIGTERM, turned into `SystemExit` so the child's `finally` blocks run (the PDF
engine's temporary font folders are removed there); an alarm kills the child outright if that
clean-up itself hangs. Note that the kernel sends the signal when the *thread* that forked the
child ends: a pool must be used from the thread that made it (briefgen's are).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Iterable
from multiprocessing.connection import Connection
from types import FrameType

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
CLEAN_UP_SECONDS = 10  # after the parent died: then SIGALRM ends the child, whatever it does


def _on_parent_death(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends it at once
    signal.alarm(CLEAN_UP_SECONDS)
    raise SystemExit(128 + signum)


def die_with_parent(parent_pid: int) -> None:
    """Call first thing in the child. `parent_pid` is `os.getpid()` taken before the fork:
    a parent that died between the fork and this call is noticed here."""
    signal.signal(signal.SIGTERM, _on_parent_death)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # then the pipe is the only watch
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent_pid:  # orphaned already: re-parented to init or a subreaper
        raise SystemExit(0)


def close_inherited(connections: Iterable[Connection]) -> None:
    """Close, in a forked child, the parent's ends of pipes it inherited (see the docstring)."""
    for connection in connections:
        with contextlib.suppress(OSError):
            connection.close()
