"""The overview map draws in a real browser with every asset served by our own server."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import folium
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from zgc_geo.mapping.web_assets import inline_assets_html

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
PARK_COUNT = 16
MIN_FEATURE_PARKS = 50
TIMEOUT_MS = 60_000


def _step(what: str, action: Callable[[], object], page: Page, blocked: list[str]) -> None:
    """Run a wait; on failure say what was awaited, what Streamlit showed and what was blocked.

    A map that never draws is most often a script blocked on its way to a CDN,
    so the blocked requests belong in the failure message, not just a timeout.
    """
    try:
        action()
    except (AssertionError, PlaywrightError) as exc:
        errors = page.locator('[data-testid="stException"]').all_inner_texts()
        raise AssertionError(
            f"{what} failed: {exc}\n"
            f"Streamlit exceptions on the page: {errors or 'none'}\n"
            f"blocked non-local requests: {blocked or 'none'}"
        ) from exc


@pytest.mark.browser
@pytest.mark.slow
def test_overview_map_draws_offline(
    page: Page,
    streamlit_server: str,
    external_requests: list[str],
    artifacts_dir: Path,
    record_property: pytest.RecordProperty,
) -> None:
    started = time.monotonic()
    page.goto(streamlit_server, wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_IFRAME).first
    # Leaflet puts a path's className option on the SVG <path> itself.
    parks = frame.locator(".leaflet-container path.zgc-park")
    feature_parks = frame.locator(".leaflet-container path.zgc-feature-park")
    try:
        _step(
            "waiting for the streamlit-folium iframe",
            lambda: page.locator(MAP_IFRAME).first.wait_for(state="attached", timeout=TIMEOUT_MS),
            page,
            external_requests,
        )
        _step(
            "waiting for the Leaflet container",
            lambda: frame.locator(".leaflet-container").first.wait_for(timeout=TIMEOUT_MS),
            page,
            external_requests,
        )
        _step(
            f"waiting for {PARK_COUNT} path.zgc-park",
            lambda: expect(parks).to_have_count(PARK_COUNT, timeout=TIMEOUT_MS),
            page,
            external_requests,
        )
        _step(
            f"waiting for at least {MIN_FEATURE_PARKS} path.zgc-feature-park",
            # The 50th existing means at least 50 exist.
            lambda: feature_parks.nth(MIN_FEATURE_PARKS - 1).wait_for(state="attached", timeout=TIMEOUT_MS),
            page,
            external_requests,
        )
        load_seconds = time.monotonic() - started
        record_property("page_load_seconds", round(load_seconds, 2))
        print(f"overview map drawn {load_seconds:.2f} s after navigation")

        _step(
            "looking for the LayerControl",
            lambda: expect(frame.locator(".leaflet-control-layers").first).to_be_attached(),
            page,
            external_requests,
        )
        legends = frame.locator(".zgc-legend").count() + page.locator(".zgc-legend").count()
        assert legends >= 1, "no element with class zgc-legend in the map or the page"

        # Let the script run finish so late errors and late requests are seen too.
        _step(
            "waiting for the Streamlit script run to finish",
            lambda: page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
                state="attached", timeout=TIMEOUT_MS
            ),
            page,
            external_requests,
        )
        # Not reaching "idle" is fine; the checks below still hold.
        with contextlib.suppress(PlaywrightError):
            page.wait_for_load_state("networkidle", timeout=10_000)
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, f"Streamlit shows an exception: {exceptions.all_inner_texts()}"
        assert external_requests == [], (
            "the page tried to reach hosts other than this machine (all blocked): "
            + ", ".join(external_requests)
        )
        assert parks.count() == PARK_COUNT
    finally:
        page.screenshot(path=str(artifacts_dir / "overview.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_exported_map_draws_from_disk_offline(
    page: Page, external_requests: list[str], tmp_path: Path
) -> None:
    m = folium.Map(location=[39.98, 116.31], zoom_start=12, tiles=None)
    for i in range(3):
        lon, lat = 116.28 + i * 0.03, 39.97
        ring = [[lon, lat], [lon + 0.02, lat], [lon + 0.02, lat + 0.02], [lon, lat]]
        folium.GeoJson(
            {"type": "Polygon", "coordinates": [ring]},
            name=f"园区 {i}",
            style_function=lambda _feature: {"className": "zgc-park"},
        ).add_to(m)
    folium.Marker([39.99, 116.30]).add_to(m)  # default icon: must come from a data URI
    folium.LayerControl(collapsed=True).add_to(m)
    exported = tmp_path / "map.html"
    exported.write_text(inline_assets_html(m), encoding="utf-8")

    page.goto(exported.as_uri())
    expect(page.locator(".leaflet-container path.zgc-park")).to_have_count(3, timeout=TIMEOUT_MS)
    icon = page.locator("img.leaflet-marker-icon").first
    expect(icon).to_be_visible(timeout=TIMEOUT_MS)
    assert (icon.get_attribute("src") or "").startswith("data:image/png")
    assert icon.evaluate("img => img.naturalWidth") > 0, "the default marker image did not load"
    toggle_image = page.locator(".leaflet-control-layers-toggle").evaluate(
        "el => getComputedStyle(el).backgroundImage"
    )
    assert toggle_image.startswith('url("data:image/png'), toggle_image
    assert external_requests == [], ", ".join(external_requests)
