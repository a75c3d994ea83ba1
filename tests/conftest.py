"""Shared fixtures. What varies between machines is pinned here so outputs are reproducible."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Pinned before anything imports matplotlib or reads the clock.
os.environ["TZ"] = "UTC"
os.environ.setdefault("SOURCE_DATE_EPOCH", "1756684800")  # 2025-09-01T00:00:00Z
os.environ["MPLBACKEND"] = "Agg"

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
SAMPLE = SPECS / "baba.yaml"
SAMPLE_Q3 = SPECS / "baba-2025q3.yaml"


from tests.helpers import provenance_guard  # noqa: E402

provenance_guard.install()


@pytest.fixture(autouse=True)
def _every_number_explained(request: pytest.FixtureRequest) -> None:
    """See tests/helpers/provenance_guard.py."""
    provenance_guard.allowed = request.node.get_closest_marker("unexplained_numbers") is not None


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    """A throwaway copy of specs/ that a test may edit freely."""
    target = tmp_path / "specs"
    shutil.copytree(SPECS, target)
    return target
