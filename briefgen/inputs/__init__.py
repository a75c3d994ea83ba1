"""Inputs, the first stage: YAML read with the file, line and column of every key and value, and
the one loader and one wording of errors that every kind of file (spec, brand, delivery config,
schedules) goes through.

Public: `load_located`, `LocatedDocument`; `load_model`, `FileKind`, `Validated`."""

from briefgen.inputs.loader import FileKind, Validated, load_model
from briefgen.inputs.located import LocatedDocument, load_located

__all__ = ["FileKind", "LocatedDocument", "Validated", "load_located", "load_model"]
