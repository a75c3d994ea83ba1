"""A patch of a library's internals (briefgen.pdf's svgtext, fontfeatures) taken off for a
while, so a test can compare what the library does on its own with what the patch does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import pytest


class Patching(Protocol):
    def install(self) -> object: ...
    def uninstall(self) -> None: ...


@contextmanager
def unpatched(module: Patching) -> Iterator[None]:
    """Inside: `module`'s patch is off, and the code under test cannot put it back."""
    module.uninstall()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "install", lambda: False)
        yield
    module.install()
