"""The spec: the validated model of a company quarter, CSV histories, cross-field checks, the
company's previous note, finding spec files, and the JSON Schema.

Public: `Spec`, `load_spec`, `LoadedSpec`, `find_specs`."""

from briefgen.spec.find import find_specs
from briefgen.spec.load import LoadedSpec, load_spec
from briefgen.spec.model import Spec

__all__ = ["LoadedSpec", "Spec", "find_specs", "load_spec"]
