"""The Data page in Chromium: GBK names on the map; a swapped-axes file fixed on the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.streamlit_widgets import wait_idle
from tests.fixture_files import write_gbk_plot_zip
from tests.importing.corpus import swapped_plots_geojson

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 90_000


@pytest.mark.browser
@pytest.mark.slow
def test_gbk_zip_upload_draws_plots_with_chinese_names(
    page: Page,
    streamlit_server: str,
    external_requests: list[str],
    artifacts_dir: Path,
    tmp_path: Path,
) -> None:
    archive = write_gbk_plot_zip(tmp_path)  # GBK DBF, no .cpg; .prj says CGCS2000 zone 39
    page.goto(f"{streamlit_server}/data", wait_until="domcontentloaded")
    try:
        page.locator('input[type="file"]').first.set_input_files(str(archive))
        expect(page.get_by_text("可用：bureau_plots.zip", exact=False).first).to_be_visible(
            timeout=TIMEOUT_MS
        )
        frame = page.frame_locator(MAP_IFRAME).first
        plots = frame.locator(".leaflet-container path.zgc-import-feature")
        expect(plots).to_have_count(16, timeout=TIMEOUT_MS)
        # Leaflet opens a tooltip on the path's mouseover; read what it shows.
        plots.nth(0).dispatch_event("mouseover")
        tooltip = frame.locator(".leaflet-tooltip").first
        expect(tooltip).to_contain_text("闲置厂房", timeout=TIMEOUT_MS)
        text = tooltip.inner_text()
        assert "园闲置厂房" in text, text  # e.g. 东城园闲置厂房: decoded as GBK, not mojibake
        assert "P0" in text and "industrial_m1" in text, text
        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "data_page.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_swapped_axes_upload_shows_one_cause_in_chinese_and_the_swap_fix_works(
    page: Page,
    streamlit_server: str,
    external_requests: list[str],
    artifacts_dir: Path,
    tmp_path: Path,
) -> None:
    geojson = swapped_plots_geojson(tmp_path)  # 24 plot outlines written latitude first
    page.goto(f"{streamlit_server}/data", wait_until="domcontentloaded")
    try:
        page.locator('input[type="file"]').first.set_input_files(str(geojson))
        verdict = f"不可用：{geojson.name}：0 个要素；1 个错误，0 个警告"
        expect(page.get_by_text(verdict, exact=False).first).to_be_visible(timeout=TIMEOUT_MS)
        wait_idle(page)
        cause = page.get_by_text("经度和纬度写反了", exact=False)
        expect(cause).to_have_count(1)  # the one cause, once, in Chinese
        expect(cause).to_contain_text("24 个要素位于京津冀之外")
        body = page.locator("section.main, [data-testid='stMain']").first.inner_text()
        assert "--crs" not in body and "--" not in body.replace("——", ""), body
        assert "zero area" not in body and "面积为（近乎）零" not in body, body
        wait_idle(page)
        page.get_by_role("button", name="交换经纬度", exact=True).click()
        usable = f"可用：{geojson.name}：24 个要素；0 个错误，0 个警告"
        expect(page.get_by_text(usable, exact=False).first).to_be_visible(timeout=TIMEOUT_MS)
        expect(page.get_by_role("button", name="交换经纬度", exact=True)).to_have_count(0)
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator(".leaflet-container path.zgc-import-feature")).to_have_count(
            24, timeout=TIMEOUT_MS
        )
        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "data_page_swapped_axes.png"), full_page=True)
