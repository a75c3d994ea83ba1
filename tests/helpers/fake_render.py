"""A stand-in for the render workers call: bytes made from the spec; hangs or sleeps on demand."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import SAMPLE, SPECS


@dataclass
class Fake:
    slug: str
    files: dict[str, bytes]
    timings: dict[str, float] = field(default_factory=lambda: {"charts": 0.0})
    warnings: list[str] = field(default_factory=list)


def fake_render(spec_path: Path, options: Any) -> Fake:
    """Bytes derived from the spec; hangs or sleeps when the file name says so."""
    from briefgen.spec.load import load_spec

    name = Path(spec_path).stem
    if "hang" in name:
        time.sleep(float(os.environ.get("BRIEFGEN_TEST_HANG", "600")))
    if "slow" in name:
        time.sleep(0.3)
    loaded = load_spec(spec_path)
    data = Path(spec_path).read_bytes()
    return Fake(loaded.slug, {"brief.html": b"<html>" + data, "brief.pdf": b"%PDF" + data})


def write_specs(folder: Path, *slugs: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SPECS / "baba-cloud-revenue.csv", folder)
    text = SAMPLE.read_text(encoding="utf-8")
    for slug in slugs:
        (folder / f"{slug}.yaml").write_text(
            text.replace("\nbrief:\n", f"\nbrief:\n  slug: {slug}\n", 1), encoding="utf-8")
    return folder
