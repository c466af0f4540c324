"""The stock page in a real browser on a PostGIS workspace, and the red banner over a damaged GeoPackage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.app_server import app_server
from tests.browser.streamlit_widgets import wait_idle
from tests.postgis_server import PostgisDatabase
from tests.ui.workspaces import seed_elsewhere, tamper_gpkg
from zgc_geo.i18n import translate
from zgc_geo.settings import USER_ENV
from zgc_geo.workspace import open_workspace

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
SIDEBAR = '[data-testid="stSidebar"]'
TIMEOUT_MS = 90_000
ADMIN = "browser-admin"


@pytest.fixture
def postgis_app(
    postgis_db: PostgisDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, PostgisDatabase]]:
    """The app serving a PostGIS workspace (initialised by its superuser, used as the app role)."""
    monkeypatch.setenv(USER_ENV, ADMIN)
    open_workspace(postgis_db.admin_url).init()
    with app_server(postgis_db.app_url, ADMIN, tmp_path) as url:
        yield url, postgis_db


@pytest.fixture
def damaged_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """The app serving a GeoPackage workspace whose first audit row was changed outside zgc-geo."""
    path = tmp_path / "workspace.gpkg"
    monkeypatch.setenv(USER_ENV, ADMIN)
    seed_elsewhere(path, ADMIN)
    tamper_gpkg(path)
    with app_server(path, ADMIN, tmp_path) as url:
        yield url, path


@pytest.mark.browser
@pytest.mark.slow
def test_the_stock_map_draws_from_postgis_and_the_sidebar_says_so(
    page: Page,
    postgis_app: tuple[str, PostgisDatabase],
    external_requests: list[str],
    artifacts_dir: Path,
) -> None:
    base_url, database = postgis_app
    try:
        page.goto(f"{base_url}/stock", wait_until="domcontentloaded")
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator("path.zgc-stock-plot")).to_have_count(300, timeout=TIMEOUT_MS)
        sidebar = page.locator(SIDEBAR)
        address = f"postgresql://zgc_app@127.0.0.1:{database.port}/{database.name}"
        expect(sidebar).to_contain_text(f"工作区：PostGIS 数据库 · {address}", timeout=TIMEOUT_MS)
        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "stock_page_postgis.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_the_red_banner_shows_over_a_damaged_workspace_until_acknowledged(
    page: Page, damaged_app: tuple[str, Path], external_requests: list[str], artifacts_dir: Path
) -> None:
    base_url, path = damaged_app
    try:
        page.goto(f"{base_url}/stock", wait_until="domcontentloaded")
        banner = page.locator('[data-testid="stAlertContentError"]').first
        expect(banner).to_contain_text(translate("integrity.broken", "zh", count=1), timeout=TIMEOUT_MS)
        # The finding in the page's language, as written: the Markdown escapes must not show.
        expect(banner).to_contain_text("审计记录第 1 行（导入，mallory，")
        expect(banner).to_contain_text(translate("integrity.refused", "zh"))
        page.screenshot(path=str(artifacts_dir / "integrity_banner.png"), full_page=True)

        wait_idle(page)
        page.get_by_text(translate("integrity.acknowledge_heading", "zh"), exact=True).click()
        page.get_by_label(translate("integrity.note", "zh")).fill("浏览器测试：已核实")
        page.get_by_role("button", name=translate("integrity.acknowledge", "zh")).click()
        done = translate("integrity.acknowledged_now", "zh", count=1)
        expect(page.get_by_text(done)).to_be_visible(timeout=TIMEOUT_MS)
        expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
        expect(page.get_by_text("此工作区曾在 zgc-geo 之外被改动", exact=False)).to_be_visible()
        log = open_workspace(path).audit_log()
        assert (log.iloc[-1]["action"], log.iloc[-1]["user"]) == ("acknowledge", ADMIN)
        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "integrity_banner_acknowledged.png"), full_page=True)
