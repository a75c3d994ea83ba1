"""The `briefgen` command: typer commands over the library, nothing else."""

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
