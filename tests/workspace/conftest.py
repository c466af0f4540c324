"""Fixtures of the workspace tests that several modules share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgis_server import PostgisDatabase
from tests.workspace.test_rights import ADMIN, HAIDIAN_EDITOR, VIEWER, park_plots
from zgc_geo.workspace import open_workspace


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def address(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A workspace with the park plots, a 海淀 editor and a viewer; the app connects as the app role."""
    if request.param == "gpkg":
        url = str(tmp_path / "workspace.gpkg")
        open_workspace(url).init()
    else:
        database: PostgisDatabase = request.getfixturevalue("postgis_db")
        open_workspace(database.admin_url).init()
        url = database.app_url
    store = open_workspace(url)
    store.save_inventory("parks", park_plots(), title="分园地块", source="test", user=ADMIN)
    store.grant(HAIDIAN_EDITOR, "editor", ("haidian",), by=ADMIN)
    store.grant(VIEWER, "viewer", by=ADMIN)
    yield url
