"""The language in the URL: ``?lang=en``, ``?lang=zh`` or the shown names give a page in one language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.streamlit_widgets import wait_idle
from zgc_geo.i18n import translate

TIMEOUT_MS = 90_000
SIDEBAR = '[data-testid="stSidebar"]'


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "lang"),
    [("en", "en"), ("EN", "en"), ("English", "en"), ("zh", "zh"), ("中文", "zh"), ("zh-CN", "zh")],
)
def test_the_url_language_switches_the_whole_page(
    page: Page, streamlit_server: str, external_requests: list[str], *, query: str, lang: str
) -> None:
    page.goto(f"{streamlit_server}/stock?lang={query}", wait_until="domcontentloaded")
    title = translate("stock.title", lang)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)
    sidebar = page.locator(SIDEBAR)
    expect(sidebar.get_by_text(translate("nav.stock", lang), exact=True)).to_be_visible()
    expect(sidebar.get_by_text(translate("sidebar.basemap", lang), exact=True)).to_be_visible()
    chosen = "English" if lang == "en" else "中文"
    expect(page).to_have_url(re.compile(rf"lang={'English' if lang == 'en' else '%E4%B8%AD%E6%96%87'}"))
    expect(sidebar.get_by_role("radio", name=chosen)).to_have_attribute("aria-checked", "true")
    page.reload(wait_until="domcontentloaded")  # and it survives a reload
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    assert external_requests == [], ", ".join(external_requests)


@pytest.mark.browser
@pytest.mark.slow
def test_switching_in_the_sidebar_updates_the_url_and_holds_across_pages(
    page: Page, streamlit_server: str, external_requests: list[str]
) -> None:
    page.goto(f"{streamlit_server}/stock?lang=en", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name=translate("stock.title", "en"), exact=True)).to_be_visible(
        timeout=TIMEOUT_MS
    )
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_role("radio", name="中文").click()
    expect(page.get_by_role("heading", name=translate("stock.title", "zh"), exact=True)).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(page).to_have_url(re.compile("lang=%E4%B8%AD%E6%96%87"))
    sidebar.get_by_text(translate("nav.siting", "zh"), exact=True).click()
    expect(page.get_by_role("heading", name=translate("siting.title", "zh"), exact=True)).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(sidebar.get_by_role("radio", name="中文")).to_have_attribute("aria-checked", "true")
    expect(page).to_have_url(re.compile("lang=%E4%B8%AD%E6%96%87"))
    assert external_requests == [], ", ".join(external_requests)
