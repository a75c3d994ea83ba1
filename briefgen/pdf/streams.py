"""Each stream of a PDF serialized and compressed once as it is written, not twice.

briefgen's PDFs carry an /ID, a hash of their content, so that the same note gives the same bytes
(see `weasy.html_to_pdf`). pydyf 0.x makes that hash by serializing every object of the file a
second time after writing it, and serializing a stream compresses it again, at zlib level 9
(measured on the sample note: 0.027 s of WeasyPrint's 0.418). While `serialized_once()` is in
force, a stream's bytes are kept the first time they are asked for and handed out again: the
file is byte for byte the same (tests/pdf/test_streams.py), and nothing changes a stream between
the two passes (pydyf writes objects that are already complete).

A patch of `pydyf.Stream.data`, so: only where that is the plain property this was written
against, idempotent, and inactive outside `serialized_once()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from briefgen.pdf.patching import Patch

# id(stream) -> (the stream, kept so that its id is not reused while the memo lives; its bytes)
_KEPT: ContextVar[dict[int, tuple[object, bytes]] | None] = ContextVar("briefgen_pdf_streams",
                                                                      default=None)


def _apply() -> bool:
    import pydyf

    original = pydyf.Stream.__dict__.get("data")
    if not isinstance(original, property) or original.fget is None:
        return False  # another pydyf: it writes as it always did
    serialize = original.fget

    def data(self: object) -> bytes:
        kept = _KEPT.get()
        if kept is None:
            return bytes(serialize(self))
        found = kept.get(id(self))
        if found is None:
            found = kept[id(self)] = (self, bytes(serialize(self)))
        return found[1]

    pydyf.Stream.data = property(data)
    return True


_PATCH = Patch(_apply)
install, installed = _PATCH.install, _PATCH.installed


@contextmanager
def serialized_once() -> Iterator[None]:
    """Keep each stream's bytes for the PDF written inside this block."""
    install()
    token = _KEPT.set({})
    try:
        yield
    finally:
        _KEPT.reset(token)
