"""Click a plot, record a decision, reload: the decision and its audit entry are still there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from tests.browser.streamlit_widgets import choose, expect_toast
from zgc_geo.i18n import translate
from zgc_geo.workspace import REVIEW_STATUSES

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 90_000
PLOT_ID = "demo-haidian-001"


def _open_stock_page(page: Page, base_url: str) -> FrameLocator:
    page.goto(f"{base_url}/stock", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_IFRAME).first
    expect(frame.locator("path.zgc-stock-plot")).to_have_count(300, timeout=TIMEOUT_MS)
    return frame


def _click_plot(page: Page, frame: FrameLocator, plot_id: str) -> None:
    """Click the polygon of ``plot_id``: a real DOM click on its SVG path, found through Leaflet.

    streamlit-folium keeps the map as ``window.map``; the click goes to the path element, as a
    user's click on the polygon does, whatever its size at the current zoom.
    """
    found = frame.locator(".leaflet-container").first.evaluate(
        """(_element, plotId) => {
            let path = null;
            const visit = layer => {
                const props = layer.feature && layer.feature.properties;
                if (props && props.plot_id === plotId && layer._path) { path = layer._path; }
                if (layer.eachLayer) { layer.eachLayer(visit); }
            };
            window.map.eachLayer(visit);
            if (path) { path.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true})); }
            return path !== null;
        }""",
        plot_id,
    )
    assert found, f"no polygon for {plot_id} on the map"
    expect(page.get_by_role("heading", name=re.compile(plot_id))).to_be_visible(timeout=TIMEOUT_MS)


@pytest.mark.browser
@pytest.mark.slow
def test_decision_survives_a_reload_with_its_audit_entry(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path
) -> None:
    try:
        frame = _open_stock_page(page, streamlit_server)
        frame.locator(".leaflet-container").first.evaluate("el => { el.dataset.zgcMark = 'kept'; }")
        _click_plot(page, frame, PLOT_ID)
        # The rerun updated the plots layer in place: same Leaflet container, so no flicker.
        expect(frame.locator(".leaflet-container[data-zgc-mark='kept']")).to_have_count(1)

        form = page.locator('[data-testid="stForm"]').first
        status = form.get_by_role("combobox").first
        expect(status).to_have_value(REVIEW_STATUSES["unreviewed"].zh)  # the page is in Chinese by default
        choose(page, status, REVIEW_STATUSES["recommended"].zh)
        form.locator("textarea").fill("浏览器测试：拟容积率调整")
        form.get_by_role("button", name=translate("stock.record", "zh")).click()
        recorded = translate("stock.recorded", "zh", plot=PLOT_ID, status=REVIEW_STATUSES["recommended"].zh)
        expect_toast(page, recorded, TIMEOUT_MS)

        page.reload(wait_until="domcontentloaded")
        frame = _open_stock_page(page, streamlit_server)
        _click_plot(page, frame, PLOT_ID)
        form = page.locator('[data-testid="stForm"]').first
        expect(form.get_by_role("combobox").first).to_have_value(
            REVIEW_STATUSES["recommended"].zh, timeout=TIMEOUT_MS
        )
        audit = page.locator('[data-testid="stTable"]').first
        expect(audit).to_contain_text(
            REVIEW_STATUSES["recommended"].zh, timeout=TIMEOUT_MS
        )  # named, not coded
        expect(audit).not_to_contain_text("review_status")
        expect(audit).not_to_contain_text(re.compile(r"\dT\d\d:\d\d"))  # Beijing time, not ISO UTC
        expect(audit).to_contain_text("browser-test")
        expect(audit).to_contain_text("浏览器测试：拟容积率调整")
        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "stock_page.png"), full_page=True)
