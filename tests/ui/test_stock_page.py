"""The stock page under AppTest: demo out of the box, record panel, decisions, conflicts, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from zgc_geo.i18n import translate
from zgc_geo.workspace import GeoPackageStore

PAGE = str(Path(__file__).resolve().parents[2] / "zgc_geo" / "ui" / "pages" / "stock.py")
PLOT = "demo-haidian-001"


@pytest.fixture
def workspace_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ws.gpkg"
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", str(path))
    monkeypatch.setenv("ZGC_GEO_USER", "planner-a")
    return path


def _page(selected: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if selected:
        at.session_state["stock_selected"] = selected
    return at.run()


def _plots_table(at: AppTest):
    return next(d.value for d in at.dataframe if "priority_rank" in d.value.columns)


def _record(at: AppTest, status: str, note: str) -> AppTest:
    next(s for s in at.selectbox if s.label == translate("stock.review_status", "zh")).set_value(status)
    at.text_area[0].input(note)
    next(b for b in at.button if b.label == translate("stock.record", "zh")).click()
    return at.run()


def test_demo_inventory_works_out_of_the_box(workspace_file: Path) -> None:
    at = _page()
    assert not at.exception, at.exception
    assert at.warning[0].value == translate("stock.synthetic_warning", "zh")
    assert at.selectbox(key="stock_inventory").value == "demo"
    assert at.info[0].value == translate("stock.click_hint", "zh")
    summary = at.dataframe[-1].value
    assert "海淀园" in set(summary["name_zh"])
    assert workspace_file.exists()


def test_recording_a_decision_is_stored_and_audited(workspace_file: Path) -> None:
    at = _record(_page(PLOT), "recommended", "容积率调整后自主开发")
    assert not at.exception and not at.error
    assert at.success[0].value == "已记录：demo-haidian-001 → 拟盘活"
    store = GeoPackageStore(workspace_file)
    decision = store.decision("demo", PLOT)
    assert (decision.review_status, decision.updated_by, decision.version) == ("recommended", "planner-a", 1)
    log = store.audit_log("demo", PLOT)
    assert set(log["field"]) == {"review_status", "note"}
    assert (log["note"] == "容积率调整后自主开发").all()


def test_a_stale_form_gets_a_clear_conflict_message(workspace_file: Path) -> None:
    at = _page(PLOT)  # the form holds version 0
    GeoPackageStore(workspace_file).grant("planner-b", "editor", ("haidian",), by="planner-a")
    GeoPackageStore(workspace_file).record_decision(
        "demo", PLOT, {"review_status": "deferred"}, expected_version=0, user="planner-b"
    )
    at = _record(at, "recommended", "mine")
    assert not at.exception
    assert at.error and "planner-b" in at.error[0].value
    assert GeoPackageStore(workspace_file).decision("demo", PLOT).review_status == "deferred"


def test_undo_reverts_my_last_decision(workspace_file: Path) -> None:
    at = _record(_page(PLOT), "not_suitable", "")
    at.button(key="stock_undo").click()
    at.run()
    assert not at.exception
    assert at.success[0].value == "已撤销：demo-haidian-001"
    assert GeoPackageStore(workspace_file).decision("demo", PLOT).review_status == "unreviewed"


def test_filters_narrow_the_table(workspace_file: Path) -> None:
    at = _page()
    before = len(_plots_table(at))
    at.multiselect(key="f_parks").set_value(["haidian"]).run()
    after = _plots_table(at)
    assert 0 < len(after) < before
    assert set(after["analysis_park_id"]) == {"haidian"}
