"""The stock and siting pages' XLSX downloads are in the page's language (#13 item 8), under AppTest."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from tests.workbooks import misworded_cells
from zgc_geo.i18n import translate
from zgc_geo.ui import siting_panel
from zgc_geo.ui.i18n import LANG_KEY

PAGES = Path(__file__).resolve().parents[2] / "zgc_geo" / "ui" / "pages"
PAGE = str(PAGES / "stock.py")


@pytest.fixture
def workspace_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ws.gpkg"
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", str(path))
    monkeypatch.setenv("ZGC_GEO_USER", "planner-a")
    return path


def downloaded_workbook(lang: str) -> openpyxl.Workbook:
    """The stock page in ``lang``: choose XLSX, prepare the export, open what the download offers."""
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state[LANG_KEY] = lang
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="export_format").set_value("xlsx")
    at.button(key="stock_data_export_go").click()
    at.run()
    assert not at.exception, at.exception
    name, data = at.session_state["stock_export"]
    assert name.endswith(".xlsx")
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "sheets", "headers"),
    [
        ("zh", ["要素", "分园汇总", "参数", "字段说明"], {"地块编号", "分园", "优先得分", "新增建筑面积"}),
        ("en", ["Features", "Per-park summary", "Parameters", "Fields"], {"Plot ID", "Priority score"}),
    ],
)
def test_the_xlsx_download_is_in_the_page_language(
    workspace_file: Path, lang: str, sheets: list[str], headers: set[str]
) -> None:
    book = downloaded_workbook(lang)
    assert book.sheetnames == sheets
    shown = [c.value for c in book.worksheets[0][1]]
    assert headers <= set(shown)
    assert "plot_id" not in shown  # the canonical name is on the fields sheet only
    fields = [row[2] for row in book.worksheets[-1].iter_rows(min_row=2, values_only=True)]
    assert "plot_id" in fields and "priority_score" in fields
    assert misworded_cells(book, lang) == []  # parameters, reasons and notes too (#13 items 7, 8)


@pytest.mark.slow
def test_the_siting_xlsx_is_in_chinese(workspace_file: Path) -> None:
    """The ranked candidates the siting page offers as .xlsx: a workbook headed in the page's language."""
    at = AppTest.from_file(str(PAGES / "siting.py"), default_timeout=300)
    at.session_state[LANG_KEY] = "zh"
    at.run()
    at.button(key="site_run").click().run()
    assert not at.exception, at.exception
    labels = [button.label for button in at.get("download_button")]
    assert translate("siting.download_ranked", "zh", suffix=".xlsx") in labels
    # The file is made when the button is clicked (a deferred download): made here as the click would.
    _, _, holder = at.session_state["site_result"]
    book = openpyxl.load_workbook(io.BytesIO(siting_panel._export_file(holder(), "ranked.xlsx", "zh")))
    assert book.sheetnames[0] == "要素" and book.sheetnames[-1] == "字段说明"
    assert {"地块编号", "适宜性得分", "排名"} <= {c.value for c in book.worksheets[0][1]}


@pytest.mark.slow
@pytest.mark.usefixtures("workspace_file")
def test_preparing_the_stock_export_says_it_is_working_and_when_it_is_done() -> None:
    """A workbook takes seconds (#13 item 14): a status box says so, then says the file is ready."""
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.run()
    at.selectbox(key="export_format").set_value("xlsx")
    at.button(key="stock_data_export_go").click()
    at.run()
    assert not at.exception, at.exception
    (status,) = at.status
    assert status.label == translate("export.done", "zh") and status.state == "complete"
    at.run()  # the next run shows only the download, not a second status box
    assert not at.status
