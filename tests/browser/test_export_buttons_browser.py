"""The overview's export panel in a real browser: prepare an HTML map, then an A4 PDF, and download both."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.streamlit_widgets import choose, save_download, wait_idle
from zgc_geo.i18n import translate

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 120_000
KEY = "overview_export"  # the map_export_panel key of the overview page


def _choose(page: Page, key: str, option: str) -> None:
    choose(page, page.locator(f".st-key-{key}").get_by_role("combobox"), option)


def _download(page: Page, button: Locator, tmp_path: Path) -> bytes:
    return save_download(page, button, tmp_path).read_bytes()


@pytest.mark.browser
@pytest.mark.slow
def test_html_then_pdf_export_download(
    page: Page, streamlit_server: str, external_requests: list[str], artifacts_dir: Path, tmp_path: Path
) -> None:
    page.goto(streamlit_server, wait_until="domcontentloaded")
    try:
        expect(page.frame_locator(MAP_IFRAME).first.locator("path.zgc-park").first).to_be_attached(
            timeout=TIMEOUT_MS
        )
        wait_idle(page)
        panel = page.locator(f".st-key-{KEY}_panel")
        panel.get_by_text(translate("export.expander", "zh")).click()
        expect(panel.locator(f".st-key-{KEY}_fmt")).to_be_visible()
        download = page.locator(f".st-key-{KEY}_dl").get_by_role("button")

        _choose(page, f"{KEY}_fmt", translate("export.format_html", "zh"))
        page.locator(f".st-key-{KEY}_go").get_by_role("button").click()
        expect(download).to_contain_text(
            re.compile(r"zgc-geo_overview_\S+_\d{4}-\d\d-\d\d\.html"), timeout=TIMEOUT_MS
        )
        html = _download(page, download, tmp_path)
        assert html.startswith(b"<!DOCTYPE html>"), html[:80]
        legend_title = json.dumps(translate("map.legend.feature_parks_by_cluster", "zh"))[1:-1]
        assert legend_title.encode() in html  # the page is in Chinese, so is the map (legend JSON-escaped)

        _choose(page, f"{KEY}_fmt", "PDF")
        # The HTML file is no longer offered once the format says PDF: prepare again.
        expect(download).to_have_count(0, timeout=TIMEOUT_MS)
        expect(panel.get_by_text(translate("export.stale", "zh"))).to_be_visible()
        _choose(page, f"{KEY}_paper", "A4")
        page.locator(f".st-key-{KEY}_go").get_by_role("button").click()
        expect(download).to_contain_text(re.compile(r"zgc-geo_overview_\S+\.pdf"), timeout=TIMEOUT_MS)
        pdf = _download(page, download, tmp_path)
        assert pdf.startswith(b"%PDF"), pdf[:20]

        assert external_requests == [], ", ".join(external_requests)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    finally:
        page.screenshot(path=str(artifacts_dir / "export_buttons.png"), full_page=True)
