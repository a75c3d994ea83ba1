"""Build: one spec or many through one pipeline, the content-hash cache, the manifest, progress,
a pool of warm workers (or Dask) and the one writer of `output/`.

Public: `build`, `plan`, `RenderOptions`."""

from briefgen.build.batch import build, plan
from briefgen.build.options import RenderOptions

__all__ = ["RenderOptions", "build", "plan"]
