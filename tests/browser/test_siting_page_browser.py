"""Run a siting on the Siting page: the suitability overlay and the ranked candidates draw offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 120_000


@pytest.mark.browser
@pytest.mark.slow
def test_suitability_overlay_and_ranked_candidates_draw(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path
) -> None:
    page.goto(f"{streamlit_server}/siting", wait_until="domcontentloaded")
    try:
        page.locator(".st-key-site_run button").click(timeout=TIMEOUT_MS)
        frame = page.frame_locator(MAP_IFRAME).first
        overlay = frame.locator("img.leaflet-image-layer")
        expect(overlay).to_have_count(1, timeout=TIMEOUT_MS)
        assert (overlay.get_attribute("src") or "").startswith("data:image/png;base64,")
        assert overlay.evaluate("img => img.naturalWidth") > 100, "the suitability image did not decode"
        expect(frame.locator("path.zgc-site-candidate")).to_have_count(300, timeout=TIMEOUT_MS)
        labels = frame.locator(".zgc-rank-label")
        expect(labels).to_have_count(10, timeout=TIMEOUT_MS)
        assert labels.first.inner_text().strip() == "1"
        # The robustness verdict, worded by zgc_geo.siting in the page's language (Chinese by default).
        expect(page.get_by_text(re.compile(r"权重 ±\d+% 变动下"))).to_be_visible(timeout=TIMEOUT_MS)
        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "siting_page.png"), full_page=True)
