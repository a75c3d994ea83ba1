"""Build: one spec or many through one pipeline, the content-hash cache, the manifest, progress,
a pool of warm workers (or Dask) and the one writer of `output/`.

Public: `build`, `plan`, `RenderOptions`. They are imported when first asked for, not with the
package: a cache hit imports `build.cache` alone, and must not pay for the batch machinery."""

from briefgen.lazy import public_names

__all__ = ["RenderOptions", "build", "plan"]
__getattr__ = public_names(__name__, {
    "build": "batch",
    "plan": "batch",
    "RenderOptions": "options",
})
