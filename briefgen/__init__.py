"""briefgen: a YAML file per company quarter in, a research note (HTML + PDF) out.

The library API that the CLI, cron, Airflow or a notebook call the same way. Heavy modules
(matplotlib, WeasyPrint) are imported only when something is drawn or printed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from briefgen.version import __version__

if TYPE_CHECKING:
    from briefgen.spec.load import load_spec

__all__ = ["__version__", "build", "load_spec", "plan"]


def __getattr__(name: str) -> Any:
    # Lazy so that `import briefgen` (and `briefgen validate`) stays fast.
    if name == "load_spec":
        from briefgen.spec.load import load_spec

        return load_spec
    if name in ("build", "plan"):
        from briefgen.build import batch

        return getattr(batch, name)
    raise AttributeError(name)
