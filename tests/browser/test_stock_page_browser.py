"""Click a plot, record a decision, reload: the decision and its audit entry are still there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from tests.browser.streamlit_widgets import choose, expect_toast, wait_idle
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


VIEWPORT = {"width": 1600, "height": 1000}
#: Leaflet's view and the bounds of one plot's polygon, read from the map the user sees.
VIEW_JS = """(_element, plotId) => {
    const b = window.map.getBounds();
    let plot = null;
    const visit = layer => {
        const props = layer.feature && layer.feature.properties;
        if (props && props.plot_id === plotId && layer.getBounds && !plot) { plot = layer.getBounds(); }
        if (layer.eachLayer) { layer.eachLayer(visit); }
    };
    window.map.eachLayer(visit);
    const box = x => x && [x.getWest(), x.getSouth(), x.getEast(), x.getNorth()];
    return {view: box(b), plot: box(plot)};
}"""


def _view(frame: FrameLocator, plot_id: str) -> dict[str, list[float] | None]:
    return frame.locator(".leaflet-container").first.evaluate(VIEW_JS, plot_id)


def _area(box: list[float]) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _search(page: Page, text: str) -> None:
    box = page.get_by_label(translate("stock.search", "zh"))
    box.fill(text)
    box.press("Enter")


@pytest.mark.browser
@pytest.mark.slow
def test_the_map_is_above_the_fold_and_a_search_zooms_to_the_plot(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path
) -> None:
    plot_id = "demo-haidian-026"
    page.set_viewport_size(VIEWPORT)
    try:
        frame = _open_stock_page(page, streamlit_server)
        wait_idle(page)
        iframe = page.locator(MAP_IFRAME).first
        box = iframe.bounding_box()
        assert box is not None
        # No scrolling needed: the map starts in the first screen, with most of it on screen.
        assert page.evaluate("window.scrollY") == 0
        print(f"map iframe top at {box['y']:.0f} px of a {VIEWPORT['height']} px viewport")
        assert box["y"] + 400 < VIEWPORT["height"], box
        before = _view(frame, plot_id)
        assert before["plot"] is not None

        _search(page, "海淀园 闲置厂房 26号")
        expect(page.get_by_role("heading", name=re.compile(plot_id))).to_be_visible(timeout=TIMEOUT_MS)
        highlight = frame.locator("path.zgc-stock-highlight")
        expect(highlight).to_have_count(1, timeout=TIMEOUT_MS)

        def zoomed() -> bool:
            now = _view(frame, plot_id)
            view, plot = now["view"], now["plot"]
            assert view is not None and plot is not None
            inside = view[0] <= plot[0] and view[1] <= plot[1] and plot[2] <= view[2] and plot[3] <= view[3]
            return inside and _area(view) < _area(before["view"]) / 100

        deadline = 60
        while not zoomed() and deadline:
            page.wait_for_timeout(500)
            deadline -= 1
        assert zoomed(), (before, _view(frame, plot_id))
        # The highlight is drawn where the plot is, on top of the plots layer.
        assert highlight.bounding_box() is not None

        # A plot clicked on the map afterwards is selected, and the search still in its box does not
        # take the selection back on the reruns that follow.
        other = "demo-haidian-001"
        _click_plot(page, frame, other)
        wait_idle(page)
        page.wait_for_timeout(2_000)
        wait_idle(page)
        expect(page.get_by_role("heading", name=re.compile(other))).to_be_visible()
        expect(page.get_by_role("heading", name=re.compile(plot_id))).to_have_count(0)
        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "stock_page_search.png"))


def _note(page: Page) -> Locator:
    return page.locator('[data-testid="stForm"]').first.locator("textarea")


def _expect_empty_note(page: Page) -> None:
    """Once the rerun is over (its stale elements gone), the one note box is empty."""
    wait_idle(page)
    expect(_note(page)).to_have_count(1, timeout=TIMEOUT_MS)
    expect(_note(page)).to_have_value("")


@pytest.mark.browser
@pytest.mark.slow
def test_recording_confirms_in_view_and_the_note_box_empties(
    page: Page, streamlit_server: str, artifacts_dir: Path
) -> None:
    plot_id = "demo-haidian-002"
    page.set_viewport_size(VIEWPORT)
    try:
        _click_plot(page, _open_stock_page(page, streamlit_server), plot_id)
        wait_idle(page)
        form = page.locator('[data-testid="stForm"]').first
        note = form.locator("textarea")
        note.fill("先行试点")
        form.get_by_role("button", name=translate("stock.record", "zh")).click()
        status = REVIEW_STATUSES["unreviewed"].zh
        expect_toast(page, translate("stock.recorded", "zh", plot=plot_id, status=status), TIMEOUT_MS)
        _expect_empty_note(page)

        _note(page).fill("还没提交的第二条意见")
        undo = page.get_by_role("button", name=translate("stock.undo", "zh"))
        undo.scroll_into_view_if_needed()
        undo.click()
        expect_toast(page, translate("stock.undone", "zh", plot=plot_id), TIMEOUT_MS)
        _expect_empty_note(page)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "stock_page_record.png"))
