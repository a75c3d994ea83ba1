"""Live preview: a localhost server that re-renders the note on every save.

Public: `Preview`. Each is
imported when first asked for (`briefgen.lazy`)."""

from briefgen.lazy import public_names

__all__ = ["Preview"]
__getattr__ = public_names(__name__, {
    "Preview": "watch",
})
