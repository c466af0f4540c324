"""Run a siting on the Siting page: the suitability overlay and the ranked candidates draw offline."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest
from playwright.sync_api import Page, expect

from tests.browser.streamlit_widgets import save_download
from tests.siting.tied_plots import write_tied_plots

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 120_000


@pytest.mark.browser
@pytest.mark.slow
def test_suitability_overlay_and_ranked_candidates_draw(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path, tmp_path: Path
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
        # The downloads are made when clicked (Streamlit's deferred download): the ranking as a GeoPackage.
        button = page.get_by_role("button", name=re.compile(r"\.gpkg"))
        saved = save_download(page, button, tmp_path)
        ranked = gpd.read_file(saved, layer=saved.stem)
        assert len(ranked) == 300 and ranked.crs.to_epsg() == 4326
        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "siting_page.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_tied_plots_are_said_to_tie_and_the_chart_tells_them_apart(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path, tmp_path: Path
) -> None:
    """#13 item 16 as a planner sees it: 14 plots score 100 — one shared rank, the reason, distinct bars."""
    page.goto(f"{streamlit_server}/siting", wait_until="domcontentloaded")
    try:
        page.get_by_text("上传地块", exact=True).click(timeout=TIMEOUT_MS)
        uploader = page.locator(".st-key-site_upload input[type='file']")
        uploader.set_input_files(str(write_tied_plots(tmp_path)), timeout=TIMEOUT_MS)
        page.locator(".st-key-site_run button").click(timeout=TIMEOUT_MS)
        statement = page.get_by_text(
            re.compile(r"^14 个地块得分相同（100\.0 分），并列第 1 名，按得分无法区分")
        )
        expect(statement).to_be_visible(timeout=TIMEOUT_MS)
        expect(page.get_by_text("得分相同、无法区分的地块", exact=True)).to_be_visible()
        expect(
            page.get_by_text(re.compile("调整距前沿信息特色园区距离、距中关村园区距离的阈值"))
        ).to_be_visible()
        verdict = page.get_by_text(re.compile(r"^14 个候选得分相同，并列第 1 名，超过前 10 名的名额"))
        expect(verdict).to_be_visible()
        assert page.get_by_text(re.compile("前 10 名保持不变|在 100% 的运行中保持第一")).count() == 0
        # The robustness chart's plot labels, as drawn: all 15 distinct, each with its plot id, none cut.
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.scroll_into_view_if_needed(timeout=TIMEOUT_MS)
        labels = chart.locator("svg g.role-axis-label text").filter(has_text="BJ-000")
        expect(labels).to_have_count(15, timeout=TIMEOUT_MS)
        shown = [text.strip() for text in labels.evaluate_all("els => els.map(e => e.textContent)")]
        chart.screenshot(path=str(artifacts_dir / "siting_ties_chart.png"))
        assert len(set(shown)) == 15, shown
        assert all(not text.endswith("…") for text in shown), shown
        assert shown[0] == "海淀区闲置工业地块101号 (BJ-000101)", shown
        assert sorted(text[-10:-1] for text in shown) == [f"BJ-000{k}" for k in range(101, 116)], shown
        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "siting_page_ties.png"), full_page=True)
