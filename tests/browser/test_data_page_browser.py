"""Upload a zipped GBK shapefile on the Data page and read its Chinese names off the Leaflet map."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.fixture_files import write_gbk_plot_zip

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
