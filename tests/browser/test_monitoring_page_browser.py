"""The Monitoring page in a real browser: an uploaded actuals file judged, the park league drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.monitoring.test_targets import ACTUALS

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 90_000


@pytest.mark.browser
@pytest.mark.slow
def test_an_upload_is_judged_and_the_league_map_draws_every_park(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.goto(f"{streamlit_server}/monitoring", wait_until="domcontentloaded")
    try:
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator("path.zgc-league-park")).to_have_count(16, timeout=TIMEOUT_MS)
        upload = tmp_path / "实际值.csv"
        upload.write_text(ACTUALS, encoding="utf-8")
        page.locator('input[type="file"]').first.set_input_files(str(upload))
        expect(page.get_by_text("2018 年目标进度")).to_be_visible(timeout=TIMEOUT_MS)
        expect(page.get_by_role("button", name="把文件中的 8 个值保存到工作区")).to_be_visible(
            timeout=TIMEOUT_MS
        )
        assert page.locator('[data-testid="stException"]').count() == 0
        assert external_requests == [], ", ".join(external_requests)
    finally:
        page.screenshot(path=str(artifacts_dir / "monitoring_page.png"), full_page=True)
