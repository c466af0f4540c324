"""The whole analysis on hand-made plots: known answers, never a modified input, clear refusals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.errors import LayerError, RulesError
from zgc_geo.export.worded import worded_cell
from zgc_geo.plan_data import PlanData
from zgc_geo.stock import FarRule, PlotRatioScenario, analyse_stock, explain_suggestions
from zgc_geo.stock.bulk import OUTSIDE
from zgc_geo.stock.summary import TOTAL

from . import layer, small_plan, square


@pytest.fixture
def plan2(plan: PlanData) -> PlanData:
    return small_plan(plan)


def inventory() -> gpd.GeoDataFrame:
    """Two idle plots in 海淀园, a commercial one in 昌平园 and a collective one outside all parks."""
    return layer(
        {
            "plot_id": ["h1", "h2", "c1", "x1"],
            "land_use_class": ["industrial_m1", "industrial", "commercial_business", "industrial"],
            "far_current": [0.8, 1.0, 1.0, 0.2],
            "far_permitted": [2.0, 1.2, 3.0, 1.0],
            "floor_area_m2": [8_000.0, 90_000.0, 2_500.0, 2_000.0],
            "idle_since": pd.array([2015, 2022, None, 2019], dtype="Int64"),
            "land_rights": ["state", "state", "state", "collective"],
            "owner": ["甲公司", "乙公司", "丙公司", "某村"],
            "status": ["闲置", "", "在营", ""],
            "output_per_mu_wan": [100.0, 20.0, 900.0, np.nan],
            "tax_per_mu_wan": [5.0, 1.0, 80.0, np.nan],
        },
        [square(0, 0), square(1_000, 0, 300), square(0, 24_000, 50), square(50_000, 0)],
    )


def test_known_answers_end_to_end(plan2: PlanData) -> None:
    scenario = PlotRatioScenario("set2", FarRule("set_far", 2.0))
    result = analyse_stock(inventory(), plan2, scenario=scenario, reference_year=2025)
    plots = result.plots.set_index("plot_id")
    assert plots.loc["h1", "area_mu"] == pytest.approx(15, rel=1e-6)
    assert plots.loc["h1", "extra_floor_area_m2"] == pytest.approx(12_000, rel=1e-6)
    assert plots.loc["h1", "years_idle"] == 10
    assert plots.loc["h1", "dist_it_m"] == pytest.approx(1_000, abs=0.01)
    assert np.isnan(plots.loc["c1", "far_target"])
    assert plots["located_park_id"].tolist()[:3] == ["haidian", "haidian", "changping"]
    assert not plots.loc["x1", "inside_park"]
    assert worded_cell(plots.loc["x1", "efficiency_reason"], "en") == "No per-mu indicators"
    assert plots.loc["h1", "inefficiency_kind"] == "underused"
    assert plots.loc["x1", "suggested_modes"][0] == "collective_joint"
    assert "self_development" in plots.loc["h1", "suggested_modes"]
    assert sorted(plots["priority_rank"]) == [1, 2, 3, 4]
    summary = result.summary.set_index("park_id")
    assert summary.loc[TOTAL, "plots"] == 4
    assert summary.loc["haidian", "idle_plots"] == 2
    assert summary.loc[OUTSIDE, "plots"] == 1
    assert summary.loc[TOTAL, "extra_floor_area_m2"] == pytest.approx(plots["extra_floor_area_m2"].sum())
    first = explain_suggestions(result.plots.iloc[3])[0]
    assert (first.plot_id, first.rule_id) == ("x1", "collective_joint_development")


def test_the_input_is_never_modified(plan2: PlanData) -> None:
    frame = inventory()
    before = frame.copy()
    analyse_stock(frame, plan2, reference_year=2025)
    pd.testing.assert_frame_equal(frame, before)


def test_only_ids_and_outlines_are_required(plan2: PlanData) -> None:
    frame = gpd.GeoDataFrame({"plot_id": ["a"]}, geometry=[square(0, 0)], crs=ANALYSIS_CRS)
    result = analyse_stock(frame, plan2, reference_year=2025)
    plot = result.plots.iloc[0]
    assert plot["area_m2"] == pytest.approx(10_000)
    assert pd.isna(plot["efficiency_class"])
    assert pd.isna(plot["inefficiency_kind"])
    reason = worded_cell(plot["inefficiency_reason"], "en")
    assert "not checked: Approved but not supplied (no Reported status in the inventory)" in reason
    assert "未检查：批而未供（清单中无清单现状）" in worded_cell(plot["inefficiency_reason"], "zh")
    assert "Land-use class unknown" in worded_cell(plot["scenario_note"], "en")
    assert plot["suggested_modes"] == []


def test_refusals_list_every_problem(plan2: PlanData) -> None:
    frame = gpd.GeoDataFrame({"plot_id": ["a", "a", None]}, geometry=[square(0, 0)] * 3)
    with pytest.raises(LayerError) as error:
        analyse_stock(frame, plan2)
    message = str(error.value)
    assert "no coordinate reference system" in message or "has no CRS" in message
    assert "1 plot(s) have no plot_id" in message
    assert "plot_id values used twice: a" in message
    with pytest.raises(LayerError, match="column 'plot_id' is missing"):
        analyse_stock(gpd.GeoDataFrame(geometry=[square(0, 0)], crs=ANALYSIS_CRS), plan2)


def test_parameters_record_the_run(plan2: PlanData) -> None:
    result = analyse_stock(inventory(), plan2, weights={"years_idle": 50})
    english = result.parameters.map(lambda v: worded_cell(v, "en"))  # as an English export words it
    parameters = english.set_index("key")
    assert parameters.loc["Reference year", "value"] == str(dt.date.today().year)
    assert (
        parameters.loc["Stock rules file", "value"] == "stock_rules.toml"
    )  # no server folder, in any format
    assert parameters.loc["current_permitted (all industrial plots)", "value"] == "Permitted FAR +0 %"
    assert parameters.loc["Weight: Years idle", "value"] == "50"
    assert parameters.loc["Suggestion rule (collective_joint_development)", "value"] == (
        "Collective land: own or joint development"
    )
    assert set(english["group"]) == {
        "Run", "FAR scenario", "Land efficiency", "Inefficient land", "Priority", "Redevelopment",
    }  # fmt: skip
    chinese = result.parameters.map(lambda v: worded_cell(v, "zh")).set_index("key")
    assert chinese.loc["权重：闲置年数", "value"] == "50"


def test_other_rule_files_are_used_and_checked(plan2: PlanData, tmp_path: Path) -> None:
    rules = {
        "modes": {"acquisition": {"zh": "收购", "en": "Acquisition"}},
        "rules": [
            {
                "id": "any_idle",
                "mode": "acquisition",
                "section": "§五(二)2",
                "text_zh": "闲置",
                "text_en": "idle",
                "conditions": [{"field": "is_idle", "op": "==", "value": True}],
            }
        ],
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules), encoding="utf-8")
    result = analyse_stock(inventory(), plan2, reference_year=2025, rules_path=path)
    assert result.plots["suggestion_rules"].tolist() == [["any_idle"], ["any_idle"], [], ["any_idle"]]
    rules["rules"][0]["conditions"][0]["field"] = "idle"
    path.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(RulesError, match="rule 'any_idle': field 'idle' is not a plot column"):
        analyse_stock(inventory(), plan2, reference_year=2025, rules_path=path)


def test_unknown_override_park_is_refused(plan2: PlanData) -> None:
    scenario = PlotRatioScenario("s", FarRule("set_far", 2.0), {"chaoyang": FarRule("set_far", 3.0)})
    with pytest.raises(RulesError, match="unknown park"):
        analyse_stock(inventory(), plan2, scenario=scenario)


def test_the_shipped_plan_and_rules(plan: PlanData) -> None:
    haidian = plan.parks.to_crs(ANALYSIS_CRS).set_index("park_id").geometry["haidian"].representative_point()
    frame = gpd.GeoDataFrame(
        {"plot_id": ["a"], "land_use_class": ["industrial"], "far_current": [0.5], "far_permitted": [1.5]},
        geometry=[haidian.buffer(40, cap_style="square")],
        crs=ANALYSIS_CRS,
    ).to_crs(4326)
    result = analyse_stock(frame, plan, reference_year=2025)
    plot = result.plots.iloc[0]
    assert plot["located_park_id"] == "haidian"
    assert {f"dist_{c}_m" for c in plan.clusters["cluster_id"]} <= set(result.plots.columns)
    assert plot["far_headroom"] == pytest.approx(1.0)
    assert len(result.summary) == len(plan.parks) + 2
