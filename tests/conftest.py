"""Shared fixtures: the shipped plan, and a writable copy of the data root for breaking things."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zgc_geo.manifest import DATA_DIR_ENV
from zgc_geo.plan_data import PlanData, plan_from_catalogue

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def plan() -> PlanData:
    """The shipped plan layers (loaded once; tests must not modify them)."""
    return plan_from_catalogue()


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of parks.geojson + layers/, made the active data root via the env var."""
    root = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "layers", root / "layers")
    shutil.copy2(REPO_ROOT / "parks.geojson", root / "parks.geojson")
    monkeypatch.setenv(DATA_DIR_ENV, str(root))
    return root
