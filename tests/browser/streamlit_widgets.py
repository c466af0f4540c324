"""Driving Streamlit widgets from Playwright without racing the page's reruns."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

TIMEOUT_MS = 120_000


def wait_idle(page: Page) -> None:
    """Wait until Streamlit has finished running the script (its widgets are then stable)."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        state="attached", timeout=TIMEOUT_MS
    )


def wait_settled(page: Page, quiet_ms: int = 1_500) -> None:
    """Wait until the script has stayed idle for ``quiet_ms``: a map that moves to a new selection reports
    its view and reruns the page once more, and a button clicked in between can be dropped by Streamlit
    (a rerun request that arrives while another is being served replaces it)."""
    page.evaluate("window.__zgcIdleSince = null")  # a stale mark would miss a rerun nobody watched
    page.wait_for_function(
        """(quietMs) => {
            const app = document.querySelector('[data-testid="stApp"]');
            const idle = app !== null && app.dataset.testScriptState === "notRunning";
            const now = performance.now();
            if (!idle) { window.__zgcIdleSince = null; return false; }
            if (window.__zgcIdleSince == null) { window.__zgcIdleSince = now; }
            return now - window.__zgcIdleSince >= quietMs;
        }""",
        arg=quiet_ms,
        polling=100,
        timeout=TIMEOUT_MS,
    )


def choose(page: Page, box: Locator, option: str) -> None:
    """Pick ``option`` (its shown text) in the selectbox ``box`` (its combobox element)."""
    wait_idle(page)
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):  # a click while the page re-renders may not open the list
        box.click()
        try:
            choice.wait_for(timeout=5_000)
            break
        except PlaywrightError:
            page.keyboard.press("Escape")
    choice.click()
    expect(box).to_have_value(option)


def expect_toast(page: Page, text: str, timeout_ms: float = 90_000) -> None:
    """A Streamlit toast saying ``text`` is on screen, where the user is looking (in the viewport)."""
    toast = page.get_by_test_id("stToastText").filter(has_text=text)
    expect(toast).to_be_visible(timeout=timeout_ms)
    expect(toast).to_be_in_viewport()


def save_download(page: Page, button: Locator, folder: Path) -> Path:
    """Click the download ``button`` and save what the browser receives in ``folder``, under its own name."""
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        button.click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target
