"""Live preview: a localhost server that re-renders the note on every save.

Public: `Preview`."""

from briefgen.preview.watch import Preview

__all__ = ["Preview"]
