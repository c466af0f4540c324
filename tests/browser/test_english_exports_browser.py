"""An official on each page: switch the sidebar to English, then download an A3 PDF of the map.

The sheet must be an A3 landscape page with every font embedded, the page's legend and the
footer in English, and no Chinese from the interface (only data may carry Chinese names).
The coverage page's HTML export, in English, must then draw from disk with the network cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Final, NamedTuple

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.streamlit_widgets import choose, save_download, wait_idle
from tests.export_checks import only_local_files, poppler
from tests.fixture_files import write_gbk_plot_zip
from zgc_geo.i18n import translate

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 120_000
RETRY_AFTER_MS = 30_000
A3_LANDSCAPE_PT = (1191, 842)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _nothing(page: Page, tmp_path: Path) -> None:
    """The page's map is there from the start."""


def _run_siting(page: Page, tmp_path: Path) -> None:
    page.locator(".st-key-site_run button").click(timeout=TIMEOUT_MS)
    expect(page.frame_locator(MAP_IFRAME).first.locator("img.leaflet-image-layer")).to_have_count(
        1, timeout=TIMEOUT_MS
    )


def _upload_plots(page: Page, tmp_path: Path) -> None:
    page.locator('input[type="file"]').first.set_input_files(str(write_gbk_plot_zip(tmp_path)))
    expect(page.frame_locator(MAP_IFRAME).first.locator("path.zgc-import-feature")).to_have_count(
        16, timeout=TIMEOUT_MS
    )


class MapPage(NamedTuple):
    path: str  # after the server's address
    key: str  # the page's map_export_panel key
    prepare: Callable[[Page, Path], None]  # what puts the map on the page
    legend_key: str  # a legend text the sheet must show, in English


PAGES: Final = [
    MapPage("", "overview_export", _nothing, "map.legend.feature_parks_by_cluster"),
    MapPage("stock", "stock_export", _nothing, "map.legend.priority_score"),
    MapPage("siting", "siting_export", _run_siting, "map.legend.suitability"),
    MapPage("coverage", "coverage_export", _nothing, "map.legend.gap"),
    MapPage("bth", "bth_export", _nothing, "map.legend.bth"),
    MapPage("data", "data_export", _upload_plots, "map.legend.preview"),
]


def _switch_to_english(page: Page) -> None:
    wait_idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text(
        "English", exact=True
    ).click()  # the control names each language in itself
    expect(page.locator("h1").first).not_to_contain_text(CJK, timeout=TIMEOUT_MS)
    wait_idle(page)


def _wait_map_settled(page: Page) -> None:
    """Wait until the map has drawn and sent its view back, as a person exports what they see.

    st_folium reports the map's centre and zoom once Leaflet has fitted it, which reruns the
    page. The export is made in the button's callback, so that rerun cannot drop it (see
    :func:`zgc_geo.ui.map_export.map_export_panel`); waiting checks that the map drew first.
    """
    frame = page.frame_locator(MAP_IFRAME).first
    expect(frame.locator(".leaflet-container path").first).to_be_attached(timeout=TIMEOUT_MS)
    for _ in range(2):
        page.wait_for_timeout(1_000)
        wait_idle(page)


def _export(page: Page, key: str, fmt: str, tmp_path: Path, paper: str = "A3") -> Path:
    """Open the page's export panel, pick ``fmt`` (and ``paper``), prepare, and download the file."""
    _wait_map_settled(page)
    panel = page.locator(f".st-key-{key}_panel")
    if not page.locator(f".st-key-{key}_fmt").is_visible():
        panel.get_by_text(translate("export.expander", "en")).click()
    choose(page, page.locator(f".st-key-{key}_fmt").get_by_role("combobox"), fmt)
    if fmt == "PDF":
        choose(page, page.locator(f".st-key-{key}_paper").get_by_role("combobox"), paper)
    wait_idle(page)
    prepare = page.locator(f".st-key-{key}_go").get_by_role("button")
    download: Locator = page.locator(f".st-key-{key}_dl").get_by_role("button")
    suffix = ".pdf" if fmt == "PDF" else ".html"
    prepare.click()
    try:
        expect(download).to_contain_text(suffix, timeout=RETRY_AFTER_MS)
    except AssertionError:
        # Once in about ten full-suite runs on a loaded machine the click never reached the
        # server (the app idle, no file, no error). A person clicks again; so does this test,
        # once. The export itself cannot be lost once the click arrives: it runs in the
        # button's callback (see zgc_geo.ui.map_export).
        wait_idle(page)
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        prepare.click()
        expect(download).to_contain_text(suffix, timeout=TIMEOUT_MS)
    return save_download(page, download, tmp_path)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("case", PAGES, ids=[p.key for p in PAGES])
def test_an_english_a3_pdf_from_the_page(
    page: Page,
    streamlit_server: str,
    external_requests: list[str],
    tmp_path: Path,
    *,
    artifacts_dir: Path,
    case: MapPage,
) -> None:
    page.goto(f"{streamlit_server}/{case.path}", wait_until="domcontentloaded")
    try:
        _switch_to_english(page)
        case.prepare(page, tmp_path)
        wait_idle(page)
        pdf = _export(page, case.key, "PDF", tmp_path)
        assert pdf.read_bytes().startswith(b"%PDF")
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", poppler("pdfinfo", str(pdf)))
        assert size and (round(float(size[1])), round(float(size[2]))) == A3_LANDSCAPE_PT, size
        fonts = poppler("pdffonts", str(pdf)).splitlines()[2:]
        assert fonts and all(line.split()[-5] == "yes" for line in fonts), "a font is not embedded"
        text = poppler("pdftotext", str(pdf), "-")
        assert translate(case.legend_key, "en") in text
        assert translate("print.date", "en") in text and translate("print.schematic", "en") in text
        assert translate("print.date", "zh") not in text
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        assert external_requests == [], ", ".join(external_requests)
    finally:
        page.screenshot(path=str(artifacts_dir / f"english_{case.key}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_an_english_html_export_draws_with_the_network_cut(
    page: Page,
    browser: Browser,
    streamlit_server: str,
    external_requests: list[str],
    tmp_path: Path,
    *,
    artifacts_dir: Path,
) -> None:
    page.goto(f"{streamlit_server}/coverage", wait_until="domcontentloaded")
    try:
        _switch_to_english(page)
        html = _export(page, "coverage_export", translate("export.format_html", "en"), tmp_path)
    finally:
        page.screenshot(path=str(artifacts_dir / "english_coverage_html.png"), full_page=True)
    assert external_requests == [], ", ".join(external_requests)

    # Another computer on an intranet: the file alone, every request that leaves it refused.
    refused: list[str] = []
    errors: list[str] = []

    context = browser.new_context(viewport={"width": 1200, "height": 900}, service_workers="block")
    try:
        context.route("**/*", only_local_files(refused))
        offline = context.new_page()
        offline.on("pageerror", lambda error: errors.append(str(error)))
        offline.goto(html.as_uri(), wait_until="load")
        expect(offline.locator("path.zgc-park").first).to_be_attached(timeout=30_000)
        expect(offline.locator(".zgc-legend")).to_contain_text(translate("map.legend.gap", "en"))
        expect(offline.locator(".leaflet-control-layers")).to_have_count(1)
    finally:
        context.close()
    assert refused == [] and errors == [], (refused, errors)
