"""Every page test gets a private workspace: pages open (and verify) it on every run."""

from __future__ import annotations

from pathlib import Path

import pytest

from zgc_geo.settings import WORKSPACE_ENV


@pytest.fixture(autouse=True)
def private_workspace_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A GeoPackage in the test's folder unless the test names another: never the repo's workspace.gpkg."""
    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "private-workspace.gpkg"))
