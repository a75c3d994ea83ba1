"""The spec: the validated model of a company quarter, CSV histories, cross-field checks, the
company's previous note, finding spec files, and the JSON Schema.

Public: `Spec`, `load_spec`, `LoadedSpec`, `find_specs`, each imported when first asked for
(`briefgen.lazy`): finding spec files, as a cache hit does, must not import pydantic."""

from briefgen.lazy import public_names

__all__ = ["LoadedSpec", "Spec", "find_specs", "load_spec"]
__getattr__ = public_names(__name__, {
    "find_specs": "find",
    "LoadedSpec": "load",
    "load_spec": "load",
    "Spec": "model",
})
