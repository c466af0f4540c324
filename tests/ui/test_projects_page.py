"""The Projects page under AppTest: the demo list screened, filters, a project's record, both languages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.page_runs import run_page
from zgc_geo.workspace import open_workspace
from zgc_geo.workspace.projects import STAGES


@pytest.fixture(autouse=True)
def private_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", str(tmp_path / "ws.gpkg"))


def test_the_demo_list_is_screened_with_the_partial_catalogue_flagged() -> None:
    at = run_page("projects")
    assert at.title[0].value == "新增用地项目筛查"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"禁止": "2", "限制": "2", "允许": "7", "有错误的行": "0"}
    assert any("只含公开报道引用的 2018 年版 14 条规则" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert len(table) == 11 and "结论" in table.columns
    assert set(table["结论"]) == {"禁止", "限制", "允许"}


def test_filters_keep_the_chosen_verdicts_and_parks() -> None:
    at = run_page("projects")
    at.multiselect(key="proj_f_verdict").set_value(["prohibited"]).run()
    assert not at.exception, at.exception
    assert list(at.dataframe[0].value["结论"]) == ["禁止", "禁止"]
    at.multiselect(key="proj_f_verdict").set_value([]).run()
    at.multiselect(key="proj_f_park").set_value(["fangshan"]).run()
    assert len(at.dataframe[0].value) == 2


def test_a_clicked_project_shows_its_record_with_the_matched_rule() -> None:
    at = run_page("projects")
    at.session_state["proj_table"] = {"selection": {"rows": [3], "columns": []}}
    at.run()
    assert not at.exception, at.exception
    assert any(s.value == "项目详情" for s in at.subheader)
    assert any("东城区住宅类项目" in t.value for t in at.text)


def test_english_labels_and_words() -> None:
    at = run_page("projects", lang="en")
    assert at.title[0].value == "New land-using projects: screening"
    table = at.dataframe[0].value
    assert "Verdict" in table.columns and set(table["Verdict"]) == {"prohibited", "restricted", "allowed"}
    assert "another cluster" in set(table["Fit with the park's clusters"])


def _registered() -> AppTest:
    """The page with the demo list's screened projects added to the register."""
    at = run_page("projects")
    next(b for b in at.button if b.key == "register_add").click()
    at.run()
    assert not at.exception, at.exception
    return at


def _register_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "企业" in d.value.columns and "阶段" in d.value.columns)


def test_the_register_takes_the_screened_projects_and_records_their_life_cycle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZGC_GEO_USER", "规划员")  # makes the workspace, so its admin
    at = run_page("projects")
    assert any(i.value.startswith("台账中还没有项目") for i in at.info)
    next(b for b in at.button if b.key == "register_add").click()
    at.run()
    assert not at.exception, at.exception
    assert any(s.value == "已登记 11 个项目。" for s in at.success)
    table = _register_table(at)
    assert len(table) == 11 and set(table["阶段"]) == {"未签约"}
    store = open_workspace(tmp_path / "ws.gpkg")
    first = store.projects()[0]
    at.session_state["register_table"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert any(m.value == "**全生命周期**" for m in at.markdown)
    next(s for s in at.selectbox if s.label == "阶段").set_value("signed")
    next(t for t in at.text_input if t.label == "实际日期").input("2026-03-01")
    next(b for b in at.button if b.label == "保存日期").click()
    at.run()
    assert not at.exception, at.exception
    assert store.project(first.project_id).stage == "signed"
    assert (store.audit_log()["action"] == "stage").sum() == 1
    assert "签约" in set(_register_table(at)["阶段"])


def test_a_projects_details_are_edited_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZGC_GEO_USER", "规划员")
    at = _registered()
    store = open_workspace(tmp_path / "ws.gpkg")
    first = store.projects()[0]
    at.session_state["register_table"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    at.text_input(key=f"register_park_id_{first.project_id}").input("haidain")
    next(b for b in at.button if b.label == "保存项目信息").click()
    at.run()
    assert any("haidain" in e.value and "未保存" in e.value for e in at.error)
    at.text_input(key=f"register_park_id_{first.project_id}").input("haidian")
    at.text_input(key=f"register_jobs_{first.project_id}").input("1200")
    next(b for b in at.button if b.label == "保存项目信息").click()
    at.run()
    assert not at.exception, at.exception
    changed = store.project(first.project_id)
    assert changed.park_id == "haidian" and changed.number("jobs") == 1200.0


def test_a_viewer_sees_the_register_but_no_button_or_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZGC_GEO_USER", "规划员")
    _registered()
    open_workspace(tmp_path / "ws.gpkg").grant("访客", "viewer", by="规划员")
    monkeypatch.setenv("ZGC_GEO_USER", "访客")
    seen = run_page("projects")
    assert not any(b.key == "register_add" for b in seen.button)
    seen.session_state["register_table"] = {"selection": {"rows": [0], "columns": []}}
    seen.run()
    assert any(m.value == "**全生命周期**" for m in seen.markdown)
    assert not any(b.label in ("保存日期", "保存意见", "保存项目信息") for b in seen.button)


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The page's workspace on either backend, made by 规划员 (its admin); the page uses the app's address."""
    monkeypatch.setenv("ZGC_GEO_USER", "规划员")
    if request.param == "gpkg":
        address = str(tmp_path / "ws.gpkg")
    else:
        database = request.getfixturevalue("postgis_db")
        open_workspace(database.admin_url).init()
        address = database.app_url
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", address)
    return address


def _submit(at: AppTest, button: str, **fields: str) -> AppTest:
    """Fill a record form's widgets by label and press its button."""
    for label, value in fields.items():
        widget = next(w for w in [*at.selectbox, *at.text_input] if w.label == label)
        widget.set_value(value) if hasattr(widget, "options") else widget.input(value)
    next(b for b in at.button if b.label == button).click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def test_the_page_takes_a_project_from_signing_to_full_production_with_its_opinions(backend: str) -> None:
    at = _registered()
    store = open_workspace(backend)
    project = store.projects()[0].project_id
    at.session_state["register_table"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    for department in (
        "development_reform",
        "economy_it",
        "planning_resources",
        "ecology_environment",
        "park_committee",
    ):
        opinion = "approve_with_conditions" if department == "ecology_environment" else "approve"
        next(s for s in at.selectbox if s.label == "部门").set_value(department)
        next(s for s in at.selectbox if s.label == "意见").set_value(opinion)
        next(t for t in at.text_input if t.label == "附加条件").input(
            "环评批复后开工" if opinion != "approve" else ""
        )
        next(b for b in at.button if b.label == "保存意见").click()
        at.run()
        assert not at.exception, at.exception
    dates = ["2026-01-15", "2026-04-01", "2026-09-01", "2027-12-01", "2028-03-01", "2029-06-30"]
    for stage, day in zip(STAGES, dates, strict=True):
        _submit(at, "保存日期", 阶段=stage, 实际日期=day)
    record = store.project(project)
    assert record.stage == "full_production" and len(record.reviews) == 5
    assert record.reviews["ecology_environment"].conditions == "环评批复后开工"
    assert record.stages["construction_started"].actual == "2026-09-01"
    log = store.audit_log("#projects", project)
    assert list(log["action"]).count("review") == 5 and list(log["action"]).count("stage") == 6
    assert store.verify().intact
    assert "达产" in set(_register_table(at)["阶段"])


def test_projects_already_in_the_register_are_not_added_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZGC_GEO_USER", "规划员")
    at = _registered()
    assert not any(b.key == "register_add" for b in at.button)  # all eleven are in
    assert len(open_workspace(tmp_path / "ws.gpkg").projects()) == 11
