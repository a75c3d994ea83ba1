"""WeasyPrint's C declarations come out of the cdef cache exactly as cffi parses them.

Each run is a new process (cffi keeps one parser per process): WeasyPrint imported and a
note's worth of types looked up, then everything cffi made of the declarations printed. Without
the cache, with it cold (it is written) and warm (it is read), the three must be the same."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.pdf.cdefs import CACHE_VARIABLE
from briefgen.privatedir import private_folder

ROOT = Path(__file__).resolve().parents[2]
# Types WeasyPrint names in calls while it prints a note (`ffi.new`, `ffi.cast`), and a few more.
DESCRIBE = """
import json, sys
from briefgen.pdf.libraries import import_weasyprint
from briefgen.pdf import cdefs
import_weasyprint()
from weasyprint.text.ffi import ffi
types = ["PangoRectangle *", "int *", "PangoLayoutIter *", "hb_blob_t *", "char[]",
         "PangoGlyphString *", "PangoFontDescription *", "FcPattern *", "double *"]
found = {}
for name in types:
    try:
        found[name] = [ffi.typeof(name).cname, ffi.typeof(name).kind]
    except Exception as exc:
        found[name] = [type(exc).__name__]
declarations = sorted((key, str(value[0])) for key, value in ffi._parser._declarations.items())
print(json.dumps({"installed": cdefs.installed(), "types": found,
                  "declarations": declarations}))
"""


def _describe(temp: Path, **env: str) -> dict[str, object]:
    environment = {**os.environ, "TMPDIR": str(temp), **env}
    done = subprocess.run([sys.executable, "-c", DESCRIBE], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120, check=True)
    return dict(json.loads(done.stdout.splitlines()[-1]))


def _entries(temp: Path) -> dict[str, bytes]:
    folder = temp / f"briefgen-cdefs-{os.getuid()}"
    return {p.name: p.read_bytes() for p in folder.glob("*.pickle")} if folder.exists() else {}


def test_cached_declarations_are_what_cffi_parses(tmp_path: Path) -> None:
    plain = _describe(tmp_path, **{CACHE_VARIABLE: "0"})
    assert plain["installed"] is False and _entries(tmp_path) == {}
    cold = _describe(tmp_path)
    written = _entries(tmp_path)
    warm = _describe(tmp_path)
    assert cold["installed"] is True and len(written) >= 5
    assert _entries(tmp_path) == written  # warm: every parse answered from the cache
    assert len(plain["declarations"]) > 200  # type: ignore[arg-type]
    assert plain == {**cold, "installed": False} == {**warm, "installed": False}


def test_a_damaged_entry_is_parsed_again(tmp_path: Path) -> None:
    expected = _describe(tmp_path)
    for path in (tmp_path / f"briefgen-cdefs-{os.getuid()}").glob("*.pickle"):
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert _describe(tmp_path) == expected
    assert all(len(data) > 100 for data in _entries(tmp_path).values())  # rewritten whole


def test_only_a_folder_this_user_alone_can_open_is_used(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    made = private_folder("x")
    assert made == tmp_path / f"x-{os.getuid()}"
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    assert private_folder("x") == made  # found again
    made.chmod(0o770)  # a group could write a pickle here
    assert private_folder("x") is None
    (tmp_path / f"y-{os.getuid()}").symlink_to(made)  # a link is not the folder
    made.chmod(0o700)
    assert private_folder("y") is None
    (tmp_path / f"z-{os.getuid()}").write_text("not a folder")
    assert private_folder("z") is None
