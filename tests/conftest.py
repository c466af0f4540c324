"""Shared fixtures: the shipped plan, a writable copy of the data root for breaking things, a real private
PostgreSQL + PostGIS server (tests/postgis_server.py) and Debian's nginx (tests/nginx_server.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import nginx_server
from tests.postgis_server import INSTALL_HINT, PostgisDatabase, PostgisServer, PostgisUnavailableError
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests using the PostGIS server carry the ``postgis`` marker (``-m "not postgis"`` leaves them out)."""
    for item in items:
        if "postgis_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgis)


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[PostgisServer]:
    """One private PostgreSQL + PostGIS cluster for the whole run, started when a test first asks for it.

    Without PostgreSQL or PostGIS the tests skip, saying how to install them; under CI (``$CI`` set) they
    fail instead, so a CI machine without the server cannot pass by skipping."""
    missing = ""
    try:
        server = PostgisServer()
    except PostgisUnavailableError as error:
        missing = str(error)
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI needs PostgreSQL + PostGIS, but {missing}. {INSTALL_HINT}", pytrace=False)
    if missing:
        pytest.skip(f"{INSTALL_HINT}. Missing: {missing}")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgis_db(postgis_server: PostgisServer) -> Iterator[PostgisDatabase]:
    """A fresh database with PostGIS for this test alone (``admin_url``, ``app_url``, ``other_url``);
    dropped afterwards, even if the test left sessions open."""
    database = postgis_server.new_database()
    try:
        yield database
    finally:
        postgis_server.drop_database(database)


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    """Debian's nginx; skips without it, but fails under CI (``$CI`` set), which must not pass by skipping."""
    try:
        return nginx_server.find_nginx()
    except nginx_server.NginxUnavailableError as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs nginx, but {error}. {nginx_server.INSTALL_HINT}", pytrace=False)
        pytest.skip(f"{nginx_server.INSTALL_HINT}. Missing: {error}")
