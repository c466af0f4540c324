"""Exports print what is on screen; a click after moving the map is never lost; presentation mode
applies at once, fits the window and survives a reload (#13 items 1, 2, 3, 4, 14) — in real Chromium."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import FrameLocator, Locator, Page, expect

from tests.browser.streamlit_widgets import choose, save_download, wait_idle
from tests.export_checks import poppler
from zgc_geo.export.printing import EXTENT_NOTE, SCALE_NOTE
from zgc_geo.i18n import translate
from zgc_geo.mapping.stock_map import PRIORITY_BANDS

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 120_000
KEY = "stock_export"  # the stock page's map_export_panel key
SIDEBAR = '[data-testid="stSidebar"]'

Extent = tuple[float, float, float, float]  # south, west, north, east


def _stock(page: Page, base_url: str, query: str = "lang=en") -> FrameLocator:
    page.goto(f"{base_url}/stock?{query}", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_IFRAME).first
    expect(frame.locator("path.zgc-stock-plot").first).to_be_attached(timeout=TIMEOUT_MS)
    wait_idle(page)
    return frame


def _view(frame: FrameLocator) -> Extent:
    """The extent of the map on screen, from Leaflet itself."""
    south, west, north, east = frame.locator(".leaflet-container").first.evaluate(
        "() => { const b = window.map.getBounds();"
        " return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }"
    )
    return float(south), float(west), float(north), float(east)


def _zoom_in(page: Page, frame: FrameLocator) -> None:
    """Click the map's + once and wait until the map has zoomed and the page has taken the new view."""
    container = frame.locator(".leaflet-container").first
    before = container.evaluate("() => window.map.getZoom()")
    frame.locator(".leaflet-control-zoom-in").click()
    page.wait_for_function(
        "([sel, z]) => { const f = document.querySelector(sel); const m = f && f.contentWindow.map;"
        " return m && m.getZoom() >= z + 1; }",
        arg=[MAP_IFRAME, before],
        timeout=TIMEOUT_MS,
    )
    page.wait_for_timeout(500)  # the component reports the view (250 ms), the page reruns …
    wait_idle(page)  # … and has finished


def _open_panel(page: Page, lang: str = "en") -> Locator:
    panel = page.locator(f".st-key-{KEY}_panel")
    panel.get_by_text(translate("export.expander", lang)).click()
    expect(panel.locator(f".st-key-{KEY}_fmt")).to_be_visible()
    return panel


def _choose(page: Page, key: str, option: str) -> None:
    choose(page, page.locator(f".st-key-{key}").get_by_role("combobox"), option)


def _prepare_and_download(page: Page, suffix: str, tmp_path: Path) -> bytes:
    page.locator(f".st-key-{KEY}_go").get_by_role("button").click()
    button = page.locator(f".st-key-{KEY}_dl").get_by_role("button")
    expect(button).to_contain_text(re.compile(rf"zgc-geo_stock_\S+{re.escape(suffix)}"), timeout=TIMEOUT_MS)
    return save_download(page, button, tmp_path).read_bytes()


def _png_extent(png: bytes) -> tuple[Extent, int]:
    notes = Image.open(io.BytesIO(png)).text  # type: ignore[attr-defined]
    south, west, north, east = (float(v) for v in notes[EXTENT_NOTE].split(","))
    return (south, west, north, east), int(notes[SCALE_NOTE].removeprefix("1:"))


def _contains(outer: Extent, inner: Extent, slack: float = 1e-4) -> bool:
    return (
        outer[0] <= inner[0] + slack
        and outer[1] <= inner[1] + slack
        and outer[2] >= inner[2] - slack
        and outer[3] >= inner[3] - slack
    )


def _tightness(printed: Extent, view: Extent) -> float:
    """How much more than the view the sheet shows along its tighter axis (1.0 = exactly the view)."""
    return min(
        (printed[2] - printed[0]) / (view[2] - view[0]), (printed[3] - printed[1]) / (view[3] - view[1])
    )


@pytest.mark.browser
@pytest.mark.slow
def test_a_png_export_prints_the_zoomed_in_view_and_a_pdf_the_full_extent(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path, tmp_path: Path
) -> None:
    try:
        frame = _stock(page, streamlit_server)
        start = _view(frame)
        for _ in range(2):  # zoom in twice, as the issue says
            _zoom_in(page, frame)
        view = _view(frame)
        assert view[2] - view[0] < (start[2] - start[0]) / 3  # really zoomed in

        panel = _open_panel(page)
        expect(panel.get_by_text(translate("export.extent_full", "en"))).to_be_visible()
        _choose(page, f"{KEY}_fmt", "PNG")
        png = _prepare_and_download(page, ".png", tmp_path)
        printed, scale = _png_extent(png)
        assert _contains(printed, view), (printed, view)  # everything on screen is on the sheet …
        # … at the screen's scale, rounded up to the next sheet scale (steps are at most 4/3 apart).
        assert _tightness(printed, view) <= 4 / 3 + 1e-3, (printed, view)

        # The full extent, as a PDF: the whole of the parks, with park names, plots and the scale.
        panel.get_by_text(translate("export.extent_full", "en")).click()
        _choose(page, f"{KEY}_fmt", "PDF")
        pdf_path = tmp_path / "full.pdf"
        pdf_path.write_bytes(_prepare_and_download(page, ".pdf", tmp_path))
        text = poppler("pdftotext", str(pdf_path), "-")
        full_scale = int(re.search(r"Scale 1:([\d ]+)", text).group(1).replace(" ", ""))  # type: ignore[union-attr]
        assert full_scale >= 3 * scale  # two zoom levels out (4x), give or take the rounding
        for park in ("Haidian", "Yanqing", "Pinggu", "Fangshan"):  # the park names, from far apart
            assert re.search(rf"{park}\s+Park", text), park
        poppler("pdftoppm", "-r", "100", "-png", "-singlefile", str(pdf_path), str(tmp_path / "sheet"))
        pixels = np.asarray(Image.open(tmp_path / "sheet.png").convert("RGB")).reshape(-1, 3).astype(int)
        plot_colours = [np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)]) for _, c in PRIORITY_BANDS[2:]]
        dots = sum(int((np.abs(pixels - rgb).sum(axis=1) < 30).sum()) for rgb in plot_colours)
        assert dots >= 200, dots  # the plots are visible dots, not specks

        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "export_view.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_the_first_click_after_panning_the_map_makes_the_file(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path, tmp_path: Path
) -> None:
    try:
        frame = _stock(page, streamlit_server)
        _open_panel(page)
        _choose(page, f"{KEY}_fmt", translate("export.format_html", "en"))
        wait_idle(page)
        box = page.locator(MAP_IFRAME).first.bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 250, y + 120, steps=12)
        page.mouse.up()
        page.wait_for_timeout(400)  # the map reports its move (250 ms) and the page reruns: click now
        page.locator(f".st-key-{KEY}_go").get_by_role("button").click()  # once
        button = page.locator(f".st-key-{KEY}_dl").get_by_role("button")
        expect(button).to_contain_text(re.compile(r"zgc-geo_stock_\S+\.html"), timeout=30_000)
        wait_idle(page)
        view = _view(frame)
        with page.expect_download(timeout=TIMEOUT_MS) as info:
            button.click()
        html = Path(info.value.path()).read_text(encoding="utf-8")
        fit = re.findall(r"fitBounds\(\s*\[\[([-\d.e]+), ([-\d.e]+)\], \[([-\d.e]+), ([-\d.e]+)\]\]", html)
        assert fit, "the HTML opens on no extent"
        opened = tuple(float(v) for v in fit[-1])  # the last fit wins: the view after the pan
        assert opened == pytest.approx(view, abs=1e-6), (opened, view)
        assert external_requests == [], ", ".join(external_requests)
    finally:
        page.screenshot(path=str(artifacts_dir / "export_after_pan.png"), full_page=True)


def _map_fits(page: Page, frame: FrameLocator, height: int) -> None:
    """The map and its whole legend are on screen at once, scrolled to, in a window ``height`` px high."""
    iframe = page.locator(MAP_IFRAME).first
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    assert box is not None and box["height"] <= height, box
    page.evaluate("(y) => window.scrollBy(0, y)", box["y"])  # map at the top of the window
    box = iframe.bounding_box()
    assert box is not None and box["y"] >= -1 and box["y"] + box["height"] <= height + 1, box
    legend = frame.locator(".zgc-legend").first
    inner = legend.bounding_box()  # in the page's coordinates (Playwright adds the frame's offset)
    container = frame.locator(".leaflet-container").first.bounding_box()
    assert inner is not None and container is not None
    assert container["height"] == pytest.approx(box["height"], abs=2)  # the map fills its frame
    scroll_height = legend.evaluate("el => el.scrollHeight - el.clientHeight")
    assert inner["y"] >= box["y"] and inner["y"] + inner["height"] <= box["y"] + box["height"], (inner, box)
    assert scroll_height <= 0, "the legend is cut"


@pytest.mark.browser
@pytest.mark.slow
def test_presentation_mode_applies_at_once_fits_the_window_and_survives_a_reload(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path
) -> None:
    window_height = page.viewport_size["height"] if page.viewport_size else 0
    assert window_height == 1000
    try:
        frame = _stock(page, streamlit_server)
        expect(frame.locator(".leaflet-control-zoom")).to_be_visible()
        page.locator(SIDEBAR).get_by_text(translate("sidebar.presentation", "en"), exact=True).click()
        # At once, on the page where it was switched on: a fresh map, zoom buttons gone, big labels.
        expect(page).to_have_url(re.compile(r"[?&]present=1"), timeout=TIMEOUT_MS)
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator("path.zgc-stock-plot").first).to_be_attached(timeout=TIMEOUT_MS)
        expect(frame.locator(".leaflet-control-zoom")).to_be_hidden(timeout=TIMEOUT_MS)
        wait_idle(page)
        _map_fits(page, frame, window_height)
        page.screenshot(path=str(artifacts_dir / "presentation_on.png"))

        page.reload(wait_until="domcontentloaded")
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator("path.zgc-stock-plot").first).to_be_attached(timeout=TIMEOUT_MS)
        expect(frame.locator(".leaflet-control-zoom")).to_be_hidden(timeout=TIMEOUT_MS)
        wait_idle(page)
        expect(page.locator(SIDEBAR).get_by_role("switch")).to_be_checked()
        _map_fits(page, frame, window_height)
        expect(page.locator('header[data-testid="stHeader"]')).to_be_hidden()

        page.locator(SIDEBAR).get_by_text(translate("sidebar.presentation", "en"), exact=True).click()
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator(".leaflet-control-zoom")).to_be_visible(timeout=TIMEOUT_MS)
        expect(page).not_to_have_url(re.compile(r"present="))
        assert external_requests == [], ", ".join(external_requests)
    finally:
        page.screenshot(path=str(artifacts_dir / "presentation.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_a_layer_switched_off_on_screen_is_left_out_of_the_print(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path, tmp_path: Path
) -> None:
    key = "overview_export"
    page.goto(f"{streamlit_server}/?lang=en", wait_until="domcontentloaded")
    try:
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator("path.zgc-park").first).to_be_attached(timeout=TIMEOUT_MS)
        wait_idle(page)
        panel = page.locator(f".st-key-{key}_panel")
        panel.get_by_text(translate("export.expander", "en")).click()
        choose(page, page.locator(f".st-key-{key}_fmt").get_by_role("combobox"), "PDF")
        panel.get_by_text(translate("export.extent_full", "en")).click()

        def pdf_text() -> str:
            wait_idle(page)
            page.locator(f".st-key-{key}_go").get_by_role("button").click()
            button = page.locator(f".st-key-{key}_dl").get_by_role("button")
            expect(button).to_contain_text(re.compile(r"\.pdf"), timeout=TIMEOUT_MS)
            with page.expect_download(timeout=TIMEOUT_MS) as info:
                button.click()
            return poppler("pdftotext", str(info.value.path()), "-")

        assert re.search(r"Pinggu\s+Park", pdf_text())  # the park labels print …
        frame.locator(".leaflet-control-layers").hover()
        frame.locator(".leaflet-control-layers-overlays label").filter(
            has_text=translate("map.layer.park_labels", "en")
        ).locator("input").uncheck()
        page.mouse.move(5, 5)  # the layer list closes; the map reports its layers
        expect(page.locator(f".st-key-{key}_dl")).to_have_count(0, timeout=TIMEOUT_MS)  # file now stale
        text = pdf_text()
        assert not re.search(r"Pinggu\s+Park", text), text  # … until they are switched off on screen
        assert "Scale 1:" in text and translate("map.layer.park_labels", "en") not in text
        assert external_requests == [], ", ".join(external_requests)
    finally:
        page.screenshot(path=str(artifacts_dir / "export_layers.png"), full_page=True)
