"""One walk-through per kind of user, end to end in Chinese, as each would do it in a real browser.

A land planner reviews an idle plot and exports the results; a park manager reads a cluster's coverage
and runs a siting; an official prepares the overview for a meeting and prints it. Each step leaves a
screenshot in a folder the test prints, so a reviewer can look at what each user saw.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from tests.browser.streamlit_widgets import choose, expect_toast, save_download, wait_idle, wait_settled
from zgc_geo.i18n import translate
from zgc_geo.workspace import REVIEW_STATUSES

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 120_000
PLOT_ID = "demo-chaoyang-002"
#: A snake_case code as a whole token (a plot id such as demo-daxing_yizhuang-026 is an id, not a code).
SNAKE_CASE = re.compile(r"(?<![\w-])[a-z]+_[a-z0-9_]+(?![\w-])")


class Walk:
    """Numbered screenshots of one user's walk, in ``folder``."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.count = 0

    def shot(self, what: str, focus: Locator | None = None) -> None:
        """Screenshot the window once the page has settled (a rerun, such as the one after recording a
        decision, may still be replacing ``focus``); Streamlit scrolls inside its own container, so bring
        ``focus`` into view."""
        wait_settled(self.page, 500)
        if focus is not None:
            focus.scroll_into_view_if_needed()
        self.count += 1
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}_{what}.png"), full_page=True)

    def no_errors(self) -> None:
        wait_idle(self.page)
        assert self.page.locator('[data-testid="stException"]').count() == 0
        assert self.page.locator('[data-testid="stAlertContentError"]').count() == 0


@pytest.fixture
def walk(
    request: pytest.FixtureRequest, page: Page, artifacts_dir: Path, capsys: pytest.CaptureFixture[str]
) -> Iterator[Walk]:
    role = request.node.name.removeprefix("test_").split("_")[0]
    folder = artifacts_dir / "walkthroughs" / role
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    page.set_viewport_size({"width": 1600, "height": 1000})
    with capsys.disabled():
        print(f"\n[{role}] screenshots: {folder}")
    yield Walk(page, folder)


def _map(page: Page) -> FrameLocator:
    return page.frame_locator(MAP_IFRAME).first


def _visible_text_has_no_codes(page: Page) -> None:
    """No snake_case id stands alone in what the page shows.

    An id may follow its name as secondary detail: in brackets, or after the words that label it
    (规则编号 …, the rules file's reference). Material icon ligatures (keyboard_arrow_down) are
    glyphs, not text a person reads.
    """
    text = page.locator('[data-testid="stMain"]').inner_text()
    icons = set(page.locator('[data-testid="stIconMaterial"]').all_inner_texts())
    labelled = set(re.findall(r"(?:[（(]|规则编号\s*)([a-z0-9_]+)", text))
    shown = {code for code in SNAKE_CASE.findall(text) if code not in icons | labelled}
    assert not shown, f"codes shown to people: {sorted(shown)}"


@pytest.mark.browser
@pytest.mark.slow
def test_planner_reviews_a_plot_and_exports(
    walk: Walk, page: Page, streamlit_server: str, external_requests: list[str]
) -> None:
    """The land planner: open the stock, find a plot, record a decision, export the reviewed table."""
    page.goto(f"{streamlit_server}/stock", wait_until="domcontentloaded")
    frame = _map(page)
    expect(frame.locator("path.zgc-stock-plot")).to_have_count(300, timeout=TIMEOUT_MS)
    walk.no_errors()
    walk.shot("stock_page")

    search = page.get_by_label(translate("stock.search", "zh"))
    search.fill("朝阳园 闲置厂房 2号")  # the planner knows the plot by its name, not its id
    search.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(PLOT_ID))).to_be_visible(timeout=TIMEOUT_MS)
    expect(frame.locator("path.zgc-stock-highlight")).to_have_count(1, timeout=TIMEOUT_MS)
    _visible_text_has_no_codes(page)
    walk.shot("plot_record", page.get_by_role("heading", name=re.compile(PLOT_ID)))

    form = page.locator('[data-testid="stForm"]').first
    choose(page, form.get_by_role("combobox").first, REVIEW_STATUSES["recommended"].zh)
    form.locator("textarea").fill("走查：建议容积率调整，不改变用途")
    form.get_by_role("button", name=translate("stock.record", "zh")).click()
    expect_toast(
        page, translate("stock.recorded", "zh", plot=PLOT_ID, status=REVIEW_STATUSES["recommended"].zh)
    )
    walk.shot("decision_recorded", form)
    expect(form.locator("textarea")).to_have_value("", timeout=TIMEOUT_MS)

    choose(
        page,
        page.locator(".st-key-export_format").get_by_role("combobox"),
        translate("stock.format_xlsx", "zh"),
    )
    page.locator(".st-key-stock_data_export_go").get_by_role("button").click()
    button = page.locator(".st-key-stock_data_export_dl").get_by_role("button")
    expect(button).to_be_visible(timeout=TIMEOUT_MS)
    exported = save_download(page, button, walk.folder)
    workbook = openpyxl.load_workbook(exported, read_only=True)
    assert "字段说明" in workbook.sheetnames, workbook.sheetnames
    plots_sheet = workbook[workbook.sheetnames[0]]
    headers = [c.value for c in next(plots_sheet.iter_rows(max_row=1))]
    assert all(re.search(r"[\u4e00-\u9fff]", str(h)) for h in headers if h), headers
    walk.shot("exported", button)
    walk.no_errors()
    assert external_requests == [], ", ".join(external_requests)


@pytest.mark.browser
@pytest.mark.slow
def test_manager_checks_coverage_and_sites_a_project(
    walk: Walk, page: Page, streamlit_server: str, external_requests: list[str]
) -> None:
    """The park manager: read the coverage matrix and map, then run a siting and read its ranking."""
    page.goto(f"{streamlit_server}/coverage", wait_until="domcontentloaded")
    frame = _map(page)
    expect(frame.locator("path.zgc-feature-park").first).to_be_attached(timeout=TIMEOUT_MS)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=TIMEOUT_MS)
    expect(frame.locator(".zgc-label")).to_have_count(16, timeout=TIMEOUT_MS)  # every park named
    walk.no_errors()
    _visible_text_has_no_codes(page)
    walk.shot("coverage_page")

    # What if a new place were opened far from the cluster's feature parks: the table compares.
    frame.locator(".leaflet-container").first.click(position={"x": 120, "y": 120})
    expect(frame.locator("path.zgc-proposed-site")).to_have_count(1, timeout=TIMEOUT_MS)
    with_site = translate("coverage.table_with_sites", "zh", count=1)
    expect(page.get_by_text(re.compile(re.escape(with_site)))).to_be_visible(timeout=TIMEOUT_MS)
    walk.no_errors()
    walk.shot("coverage_what_if", page.get_by_text(re.compile(re.escape(with_site))))

    page.goto(f"{streamlit_server}/siting", wait_until="domcontentloaded")
    page.locator(".st-key-site_run button").click(timeout=TIMEOUT_MS)
    frame = _map(page)
    expect(frame.locator("img.leaflet-image-layer")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(frame.locator(".zgc-rank-label").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile(r"权重 ±\d+% 变动下"))).to_be_visible(timeout=TIMEOUT_MS)
    # The demo's plots tie on the default cluster: the page says so instead of calling a tie-break robust.
    # Visible text only: the ranking table's hidden accessible copy has a column headed 并列 too.
    expect(page.get_by_text(re.compile("并列")).filter(visible=True).first).to_be_visible(timeout=TIMEOUT_MS)
    walk.no_errors()
    _visible_text_has_no_codes(page)
    walk.shot("siting_result", page.locator(MAP_IFRAME).first)
    assert external_requests == [], ", ".join(external_requests)


@pytest.mark.browser
@pytest.mark.slow
def test_official_prints_the_overview_for_a_meeting(
    walk: Walk, page: Page, streamlit_server: str, external_requests: list[str]
) -> None:
    """The official: open the overview, print an A4 PDF with Chinese labels, look at the BTH map."""
    page.goto(f"{streamlit_server}/?present=1", wait_until="domcontentloaded")  # a link kept for meetings
    frame = _map(page)
    expect(frame.locator("path.zgc-park")).to_have_count(16, timeout=TIMEOUT_MS)
    expect(frame.locator(".leaflet-control-zoom")).to_be_hidden(timeout=TIMEOUT_MS)
    # Scrolled to, the whole map and its legend fit the 1000-px window.
    page.locator(MAP_IFRAME).first.scroll_into_view_if_needed()
    box = page.locator(MAP_IFRAME).first.bounding_box()
    assert box is not None and box["height"] <= 1000, box
    expect(frame.locator(".zgc-legend").first).to_be_in_viewport()
    walk.no_errors()
    _visible_text_has_no_codes(page)
    walk.shot("overview_presented")

    key = "overview_export"
    panel = page.locator(f".st-key-{key}_panel")
    panel.get_by_text(translate("export.expander", "zh")).click()
    choose(page, page.locator(f".st-key-{key}_fmt").get_by_role("combobox"), "PDF")
    page.locator(f".st-key-{key}_go").get_by_role("button").click()
    button = page.locator(f".st-key-{key}_dl").get_by_role("button")
    expect(button).to_contain_text(re.compile(r"\.pdf"), timeout=TIMEOUT_MS)
    pdf = save_download(page, button, walk.folder)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"CJK|WenQuanYi|Noto", fonts), fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "海淀园" in text, text[:500]
    assert re.search(r"1\s*:\s*[\d\s,]{5,}", text), text[:500]  # a numeric scale beside the bar
    walk.shot("printed", button)

    page.goto(f"{streamlit_server}/bth", wait_until="domcontentloaded")
    expect(_map(page).locator(".leaflet-container path").first).to_be_attached(timeout=TIMEOUT_MS)
    walk.no_errors()
    walk.shot("bth")
    assert external_requests == [], ", ".join(external_requests)
