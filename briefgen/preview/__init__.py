"""Live preview: a localhost server that re-renders the note on every save."""
