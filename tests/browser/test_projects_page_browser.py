"""The Projects page in a real browser: the demo's sites drawn by verdict, then an uploaded list."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 90_000


@pytest.mark.browser
@pytest.mark.slow
def test_the_map_draws_every_site_and_an_upload_replaces_them(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1200})
    page.goto(f"{streamlit_server}/projects", wait_until="domcontentloaded")
    try:
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator("path.zgc-project-site")).to_have_count(11, timeout=TIMEOUT_MS)
        expect(frame.locator("path.zgc-catalogue-zone")).to_have_count(3)
        prohibited = frame.locator('path.zgc-project-site[fill="#d7191c"]')
        expect(prohibited).to_have_count(2)

        # The register: the screened demo projects registered, then drawn by stage on the second map.
        page.get_by_role("button", name="将上方筛查通过的 11 个项目登记到台账").click()
        expect(page.get_by_text("已登记 11 个项目。")).to_be_visible(timeout=TIMEOUT_MS)
        register = page.frame_locator(MAP_IFRAME).nth(1)
        expect(register.locator("path.zgc-project-site")).to_have_count(11, timeout=TIMEOUT_MS)
        expect(register.locator('path.zgc-project-site[fill="#bdbdbd"]')).to_have_count(11)  # none signed yet

        upload = tmp_path / "两个项目.csv"
        upload.write_text(
            "项目名称,行业代码,经度,纬度\n甲,6513,116.30,40.04\n乙,7010,116.41,39.95\n丙,6513,121.47,31.23\n",
            encoding="utf-8",
        )
        page.locator('input[type="file"]').first.set_input_files(str(upload))
        expect(frame.locator("path.zgc-project-site")).to_have_count(2, timeout=TIMEOUT_MS)
        expect(page.get_by_text("未能筛查的行（1）")).to_be_visible(timeout=TIMEOUT_MS)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert external_requests == [], ", ".join(external_requests)
    finally:
        page.screenshot(path=str(artifacts_dir / "projects_page.png"), full_page=True)
