"""The Monitoring page under AppTest: values from the workspace, statuses, the chart, the park league."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.ui.page_runs import run_page
from zgc_geo.workspace import open_workspace

#: Known in advance (see tests/monitoring/test_targets.py): in 2018 one ahead, one behind within 10 %, one
#: lower-is-better and behind; per-park values for the league.
VALUES = pd.DataFrame(
    [
        ("new_tech_firms", 2018, 3.4, None), ("modern_services_revenue_share", 2018, 66.0, None),
        ("staff_per_100m_yuan_revenue", 2016, 30.0, None), ("staff_per_100m_yuan_revenue", 2018, 40.0, None),
        ("new_tech_firms", 2018, 1.2, "haidian"), ("new_tech_firms", 2018, 0.4, "changping"),
    ],
    columns=["indicator_id", "year", "value", "park_id"],
).assign(source="test")  # fmt: skip


_YEAR = "评估年份"


@pytest.fixture(autouse=True)
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", str(tmp_path / "ws.gpkg"))
    monkeypatch.setenv("ZGC_GEO_USER", "规划员")  # the workspace's creator, so its admin
    return tmp_path / "ws.gpkg"


def test_without_values_the_page_shows_the_shipped_public_figures_and_says_how_to_add_more() -> None:
    at = run_page("monitoring")
    assert at.title[0].value == "规划监测：目标进度与分园排名"
    assert any("还没有实际值" in i.value and "3 个公开数据" in i.value for i in at.info)
    assert next(s for s in at.selectbox if s.label == _YEAR).value == 2017  # the latest public figure's year
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["正常"] == "1" and metrics["无数据"] == "17"  # 330 international standards by 2017


def test_stored_values_give_the_known_statuses_and_the_league(workspace: Path) -> None:
    run_page("monitoring")  # creates the workspace as its admin
    assert open_workspace(workspace).record_actuals(VALUES, user="规划员") == len(VALUES)
    at = run_page("monitoring")
    assert next(s for s in at.selectbox if s.label == _YEAR).value == 2018
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["正常"] == "1" and metrics["有风险"] == "1" and metrics["滞后"] == "1"
    progress = at.dataframe[0].value
    status = dict(zip(progress["指标编号"], progress["进度"], strict=True))
    assert status["new_tech_firms"] == "正常" and status["staff_per_100m_yuan_revenue"] == "滞后"
    at.selectbox(key="league_measure").set_value("indicator:new_tech_firms").run()
    assert not at.exception, at.exception
    league = at.dataframe[-1].value
    assert list(league["分园"][:2]) == ["海淀园", "昌平园"] and list(league["名次"][:2]) == [1, 2]
    assert league["名次"].isna().sum() == 14  # parks without a value are not ranked


def test_english_words_and_a_year_after_the_plan(workspace: Path) -> None:
    run_page("monitoring")
    open_workspace(workspace).record_actuals(VALUES.assign(year=2023), user="规划员")
    at = run_page("monitoring", lang="en")
    assert next(s for s in at.selectbox if s.label == "Year").value == 2023
    assert any("past the plan's horizon" in c.value for c in at.caption)
    assert "On track" in set(at.dataframe[0].value["status"])
