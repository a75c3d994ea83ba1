"""A patch of a PDF library's internals (cffi, pydyf, WeasyPrint), applied once per process.

Each patch in this package is written against the release of the library that pyproject pins or
allows. Its `apply` first checks that what it replaces is what it was written for; when it is
not, it changes nothing and answers False, and the library works as it always did, without the
patch's saving. `install()` is called wherever the patched code is about to run, so it is cheap
once applied, and `installed()` tells the tests (which fail when a patch no longer applies).
"""

from __future__ import annotations

from collections.abc import Callable


class Patch:
    """`apply` patches a library and says whether it did; applied at most once. A patch the
    tests take off to compare with the library's own code also has a `restore`, which puts that
    code back."""

    def __init__(self, apply: Callable[[], bool],
                 restore: Callable[[], None] | None = None) -> None:
        self._apply = apply
        self._restore = restore
        self._applied = False

    def install(self) -> bool:
        """Apply the patch unless it is applied already; True when it is."""
        if not self._applied:
            self._applied = self._apply()
        return self._applied

    def installed(self) -> bool:
        return self._applied

    def uninstall(self) -> None:
        """Put the library's own code back, if the patch is applied; the next `install` applies
        it again."""
        if not self._applied:
            return
        if self._restore is None:
            raise TypeError("this patch has no restore: it cannot be taken off")
        self._restore()
        self._applied = False
