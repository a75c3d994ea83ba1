"""Lazy public names for a stage's `__init__`: each is imported from its module when first asked
for, so importing one module of a stage (as a cache hit or `validate` does) costs only that module,
not every module the stage's public surface names."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def public_names(package: str, homes: dict[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` that finds each name of `homes` (name -> module in `package`)."""

    def attribute(name: str) -> object:
        if name in homes:
            return getattr(importlib.import_module(f"{package}.{homes[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return attribute
