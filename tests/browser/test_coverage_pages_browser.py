"""Coverage: a click on a matrix cell and a what-if click on the map both update the map; BTH draws."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from zgc_geo.i18n import translate
from zgc_geo.ui.coverage_panel import CELL_PX, PARK_PX, ROW_PX

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 90_000
YANQING_ROW = 15  # the 16th park in the shipped order
FRONTIER_IT_COLUMN = 0  # the first cluster column


@pytest.mark.browser
@pytest.mark.slow
def test_matrix_click_and_what_if_update_the_map(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.goto(f"{streamlit_server}/coverage", wait_until="domcontentloaded")
    try:
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator("path.zgc-feature-park").first).to_be_attached(timeout=TIMEOUT_MS)
        expect(frame.locator("path.zgc-cell-place")).to_have_count(0)

        # The matrix is a canvas grid with fixed row and column sizes: click the 延庆园 × 前沿信息 cell.
        grid = page.locator('[data-testid="stDataFrame"]').first
        box = grid.bounding_box()
        assert box is not None
        x = box["x"] + PARK_PX + CELL_PX * FRONTIER_IT_COLUMN + CELL_PX / 2
        y = box["y"] + ROW_PX * (YANQING_ROW + 1) + ROW_PX / 2
        page.mouse.click(x, y)
        expect(page.get_by_text(re.compile("延庆园 × 前沿信息"))).to_be_visible(timeout=TIMEOUT_MS)
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator("path.zgc-cell-place")).to_have_count(1, timeout=TIMEOUT_MS)

        # What-if: click the map far from any frontier-IT feature park; a proposed site appears and
        # the coverage table switches to before/after columns.
        expect(frame.locator("path.zgc-proposed-site")).to_have_count(0)
        container = frame.locator(".leaflet-container").first
        container.click(position={"x": 120, "y": 120})
        expect(frame.locator("path.zgc-proposed-site")).to_have_count(1, timeout=TIMEOUT_MS)
        with_site = translate("coverage.table_with_sites", "zh", count=1)
        expect(page.get_by_text(re.compile(re.escape(with_site)))).to_be_visible(timeout=TIMEOUT_MS)
        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "coverage_page.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_bth_map_draws_zones_and_distance_links(
    page: Page, streamlit_server: str, external_requests: list[str]
) -> None:
    page.goto(f"{streamlit_server}/bth", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_IFRAME).first
    # Six zones; the Yanqing–Zhangjiakou MultiPoint draws two markers.
    expect(frame.locator("path.zgc-coop-zone")).to_have_count(6 + 1, timeout=TIMEOUT_MS)
    expect(frame.locator("path.zgc-bth-link")).to_have_count(6)
    expect(frame.locator("path.zgc-core-point")).to_have_count(1)
    assert external_requests == [], ", ".join(external_requests)
