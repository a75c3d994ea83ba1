"""The `briefgen` command: typer commands over the library, nothing else. Its entry point is
`briefgen.cli.main:main`; the commands live one group to a module (spec, render, send, schedule,
author). Only the standard library is imported here, so importing a command module stays cheap;
its one job is to print any uncaught library warning as briefgen's own line."""

import sys
import warnings
from typing import TextIO


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    """A library's Python warning that nothing captured (WeasyPrint's at import, say) is printed
    as one briefgen line, escaped, not as the library's source line and code."""
    from briefgen.errors import escape_text

    (file or sys.stderr).write(f"briefgen: warning: {escape_text(str(message))}\n")


# The command's process is briefgen's to speak for: installed before `main` forks its early PDF
# process, so that child prints the same way.
warnings.showwarning = _show_warning
