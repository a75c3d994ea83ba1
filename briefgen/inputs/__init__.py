"""Inputs, the first stage: YAML read with the file, line and column of every key and value, and
the one loader and one wording of errors that every kind of file (spec, brand, delivery config,
schedules) goes through.

Public: `load_located`, `LocatedDocument`; `load_model`, `FileKind`, `Validated`. Each is
imported when first asked for (`briefgen.lazy`)."""

from briefgen.lazy import public_names

__all__ = ["FileKind", "LocatedDocument", "Validated", "load_located", "load_model"]
__getattr__ = public_names(__name__, {
    "FileKind": "loader",
    "Validated": "loader",
    "load_model": "loader",
    "LocatedDocument": "located",
    "load_located": "located",
})
