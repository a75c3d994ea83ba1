"""Build: one spec or many through one pipeline, cache, manifest, progress and one writer."""
