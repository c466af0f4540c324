"""Coverage: a click on a matrix cell and a what-if click on the map both update the map; BTH draws.

Also (#13 items 5, 15): the coverage map labels its parks without overlaps, its gaps look like
their legend swatch, the matrix's last column shows in a 1600 px window, and every map carries a
distance tool that measures WGS84 geodesic distances offline without adding what-if sites.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Frame, Page, expect
from pyproj import Geod

from zgc_geo.i18n import translate
from zgc_geo.mapping.coverage_map import build_coverage_map
from zgc_geo.mapping.map_controls import add_presentation_css
from zgc_geo.mapping.overview_map import build_overview_map
from zgc_geo.mapping.print_layout import PrintSpec, print_html
from zgc_geo.mapping.web_assets import inline_assets_html
from zgc_geo.plan_data import plan_from_catalogue
from zgc_geo.ui.coverage_panel import CELL_PX, PARK_PX, ROW_PX

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 90_000
YANQING_ROW = 15  # the 16th park in the shipped order
FRONTIER_IT_COLUMN = 0  # the first cluster column


@pytest.mark.browser
@pytest.mark.slow
def test_matrix_click_and_what_if_update_the_map(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.goto(f"{streamlit_server}/coverage", wait_until="domcontentloaded")
    try:
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator("path.zgc-feature-park").first).to_be_attached(timeout=TIMEOUT_MS)
        expect(frame.locator("path.zgc-cell-place")).to_have_count(0)

        # The matrix is a canvas grid with fixed row and column sizes: click the 延庆园 × 前沿信息 cell.
        grid = page.locator('[data-testid="stDataFrame"]').first
        box = grid.bounding_box()
        assert box is not None
        x = box["x"] + PARK_PX + CELL_PX * FRONTIER_IT_COLUMN + CELL_PX / 2
        y = box["y"] + ROW_PX * (YANQING_ROW + 1) + ROW_PX / 2
        page.mouse.click(x, y)
        expect(page.get_by_text(re.compile("延庆园 × 前沿信息"))).to_be_visible(timeout=TIMEOUT_MS)
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator("path.zgc-cell-place")).to_have_count(1, timeout=TIMEOUT_MS)

        # What-if: click the map far from any frontier-IT feature park; a proposed site appears and
        # the coverage table switches to before/after columns.
        expect(frame.locator("path.zgc-proposed-site")).to_have_count(0)
        container = frame.locator(".leaflet-container").first
        container.click(position={"x": 120, "y": 120})
        expect(frame.locator("path.zgc-proposed-site")).to_have_count(1, timeout=TIMEOUT_MS)
        with_site = translate("coverage.table_with_sites", "zh", count=1)
        expect(page.get_by_text(re.compile(re.escape(with_site)))).to_be_visible(timeout=TIMEOUT_MS)
        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "coverage_page.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_bth_map_draws_zones_and_distance_links(
    page: Page, streamlit_server: str, external_requests: list[str]
) -> None:
    page.goto(f"{streamlit_server}/bth", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_IFRAME).first
    # Six zones; the Yanqing–Zhangjiakou MultiPoint draws two markers.
    expect(frame.locator("path.zgc-coop-zone")).to_have_count(6 + 1, timeout=TIMEOUT_MS)
    expect(frame.locator("path.zgc-bth-link")).to_have_count(6)
    expect(frame.locator("path.zgc-core-point")).to_have_count(1)
    assert external_requests == [], ", ".join(external_requests)


def _map_frame(page: Page) -> Frame:
    """The folium component's frame (the first map on the page), once its map has drawn."""
    frame = page.frame_locator(MAP_IFRAME).first
    expect(frame.locator(".leaflet-container").first).to_be_attached(timeout=TIMEOUT_MS)
    for candidate in page.frames:
        if "streamlit_folium" in candidate.url:
            return candidate
    raise AssertionError("no map frame")


#: The Leaflet map of the frame: folium names it map_<id> on window.
MAP_JS = "Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k])[0]"


@pytest.mark.browser
@pytest.mark.slow
def test_coverage_map_labels_gaps_and_matrix_at_1600_px(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path
) -> None:
    page.set_viewport_size({"width": 1600, "height": 1200})
    page.goto(f"{streamlit_server}/coverage", wait_until="domcontentloaded")
    try:
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator("path.zgc-gap").first).to_be_attached(timeout=TIMEOUT_MS)
        expect(frame.locator(".zgc-label")).to_have_count(16, timeout=TIMEOUT_MS)
        map_frame = _map_frame(page)

        # Park labels: every park named, none overlapping another (text boxes as drawn).
        boxes = map_frame.evaluate(
            """() => [...document.querySelectorAll('.zgc-label b')].map(e => {
                const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom];
            })"""
        )
        names = {b[0] for b in boxes}
        assert {"海淀园", "石景山园", "门头沟园", "东城园", "西城园"} <= names
        overlaps = [
            (a[0], b[0])
            for i, a in enumerate(boxes)
            for b in boxes[i + 1 :]
            if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
        ]
        assert overlaps == []

        # The gap fill, where nothing covers it, has the colour of the legend's gap swatch.
        points = map_frame.evaluate(
            """(label) => {
                const fill = (() => {
                    for (const path of document.querySelectorAll('path.zgc-gap')) {
                        const r = path.getBoundingClientRect();
                        for (let y = r.top + 6; y < r.bottom - 6; y += 3) {
                            for (let x = r.left + 6; x < r.right - 6; x += 3) {
                                const around = [[0, 0], [5, 0], [-5, 0], [0, 5], [0, -5]];
                                const on = ([dx, dy]) => document.elementFromPoint(x + dx, y + dy) === path;
                                if (around.every(on)) {
                                    return [x, y];
                                }
                            }
                        }
                    }
                    return null;
                })();
                const row = [...document.querySelectorAll('.zgc-legend-row')]
                    .find(r => r.textContent.includes(label));
                const s = row.querySelector('.zgc-swatch').getBoundingClientRect();
                return {fill: fill, swatch: [s.left + s.width / 2, s.top + s.height / 2]};
            }""",
            translate("map.legend.gap", "zh"),
        )
        assert points["fill"] is not None, "no uncovered gap pixel found"
        shot = Image.open(io.BytesIO(page.locator(MAP_IFRAME).first.screenshot())).convert("RGB")
        fill = shot.getpixel(tuple(round(v) for v in points["fill"]))
        swatch = shot.getpixel(tuple(round(v) for v in points["swatch"]))
        assert all(abs(a - b) <= 12 for a, b in zip(fill, swatch, strict=True)), (fill, swatch)

        # The matrix fits: no horizontal scrolling, and the last cluster's cell answers a click.
        widths = page.evaluate(
            """() => { const s = document.querySelector('[data-testid=stDataFrame] .dvn-scroller');
                       return [s.scrollWidth, s.clientWidth]; }"""
        )
        assert widths[0] <= widths[1], f"the matrix scrolls sideways: {widths}"
        plan = plan_from_catalogue()
        last = plan.clusters.iloc[-1]
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()  # the map screenshot above scrolled the page
        box = grid.bounding_box()
        assert box is not None
        x = box["x"] + PARK_PX + CELL_PX * (len(plan.clusters) - 1) + CELL_PX / 2
        assert x < box["x"] + box["width"]
        haidian_row = list(plan.parks["park_id"]).index("haidian")
        page.mouse.click(x, box["y"] + ROW_PX * (haidian_row + 1) + ROW_PX / 2)
        expect(page.get_by_text(re.compile(f"海淀园 × {re.escape(last['short_zh'])}"))).to_be_visible(
            timeout=TIMEOUT_MS
        )
        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "coverage_page_1600.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_measure_tool_is_geodesic_offline_and_adds_no_site(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.goto(f"{streamlit_server}/coverage", wait_until="domcontentloaded")
    try:
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator("path.zgc-feature-park").first).to_be_attached(timeout=TIMEOUT_MS)
        start = frame.locator(f'a[title="{translate("map.measure.start", "zh")}"]')
        expect(start).to_have_count(1, timeout=TIMEOUT_MS)
        start.click()
        container = frame.locator(".leaflet-container").first
        a, b = (200, 420), (520, 260)
        container.click(position={"x": a[0], "y": a[1]})
        container.hover(position={"x": b[0], "y": b[1]})
        container.click(position={"x": b[0], "y": b[1]})
        total = frame.locator(".polyline-measure-tooltip-total").last
        expect(total).to_contain_text("km", timeout=TIMEOUT_MS)
        map_frame = _map_frame(page)
        measured = map_frame.evaluate(
            f"""([a, b]) => {{
                const map = {MAP_JS};
                const p = map.containerPointToLatLng(a), q = map.containerPointToLatLng(b);
                return {{p: [p.lat, p.lng], q: [q.lat, q.lng], d: p.distanceTo(q)}};
            }}""",
            [list(a), list(b)],
        )
        (lat1, lon1), (lat2, lon2) = measured["p"], measured["q"]
        expected = Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2]
        assert measured["d"] == pytest.approx(expected, abs=1e-3)  # WGS84, to the millimetre
        shown = re.search(r"([\d.]+)\s*km", total.inner_text().replace("\xa0", " "))
        assert shown is not None
        decimals = len(shown.group(1).split(".")[1]) if "." in shown.group(1) else 0
        assert float(shown.group(1)) == pytest.approx(expected / 1000, abs=0.51 * 10**-decimals)

        # Measuring clicked the map twice, yet no what-if site was added.
        page.wait_for_timeout(2000)
        expect(frame.locator("path.zgc-proposed-site")).to_have_count(0)
        frame.locator(f'a[title="{translate("map.measure.stop", "zh")}"]').click()
        # Switched off, a click adds a site again (the page's click handler came back).
        container.click(position={"x": 120, "y": 120})
        expect(frame.locator("path.zgc-proposed-site")).to_have_count(1, timeout=TIMEOUT_MS)
        assert external_requests == [], ", ".join(external_requests)
    finally:
        page.screenshot(path=str(artifacts_dir / "coverage_measure.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("path", ["", "stock", "siting", "coverage", "bth", "projects", "monitoring"])
def test_every_map_page_has_the_distance_tool(
    page: Page, streamlit_server: str, external_requests: list[str], path: str
) -> None:
    page.goto(f"{streamlit_server}/{path}", wait_until="domcontentloaded")
    if path == "siting":  # its map appears once the analysis has run
        run = page.get_by_role("button", name=translate("siting.run", "zh"))
        expect(run).to_be_visible(timeout=TIMEOUT_MS)
        run.click()
    frame = page.frame_locator(MAP_IFRAME).first
    expect(frame.locator(".zgc-measure")).to_have_count(1, timeout=TIMEOUT_MS * 2)
    expect(frame.locator(f'a[title="{translate("map.measure.start", "zh")}"]')).to_have_count(1)
    assert external_requests == [], ", ".join(external_requests)


@pytest.mark.browser
@pytest.mark.slow
def test_print_sheet_places_labels_and_hides_the_distance_tool(
    page: Page, external_requests: list[str], tmp_path: Path
) -> None:
    plan = plan_from_catalogue()
    sheet = tmp_path / "sheet.html"
    sheet.write_text(
        print_html(build_coverage_map(plan, "frontier_it"), PrintSpec(title="t")), encoding="utf-8"
    )
    page.goto(sheet.as_uri(), wait_until="load")
    expect(page.locator(".zgc-label")).to_have_count(16, timeout=TIMEOUT_MS)
    expect(page.locator(".zgc-measure")).to_have_count(1)
    expect(page.locator(".zgc-measure")).to_be_hidden()
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.zgc-label b')].map(e => {
            const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom];
        })"""
    )
    assert not [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]
    assert external_requests == [], ", ".join(external_requests)


#: Each label's text box as drawn (a Range over its contents, not its estimated icon box).
TEXT_BOXES_JS = """() => [...document.querySelectorAll('.zgc-label, .zgc-district-label')].map(e => {
    const range = document.createRange(); range.selectNodeContents(e);
    const r = range.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom];
})"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("presentation", [False, True])
def test_overview_labels_never_overlap_also_when_presented(
    page: Page, external_requests: list[str], tmp_path: Path, presentation: bool
) -> None:
    """The named pairs (#13 item 5) and every other label at the default zoom, in normal and large type."""
    plan = plan_from_catalogue()
    m = build_overview_map(plan)
    if presentation:
        add_presentation_css(m)
    sheet = tmp_path / "overview.html"
    sheet.write_text(inline_assets_html(m), encoding="utf-8")
    page.set_viewport_size({"width": 1000, "height": 640})
    page.goto(sheet.as_uri(), wait_until="load")
    expect(page.locator(".zgc-label").first).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_timeout(500)
    boxes = page.evaluate(TEXT_BOXES_JS)
    names = {b[0] for b in boxes}
    assert {"海淀园", "石景山园", "门头沟园", "东城园", "西城园"} <= names  # parks win
    assert not [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]
    assert external_requests == [], ", ".join(external_requests)
