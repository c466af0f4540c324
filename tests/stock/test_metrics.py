"""Per-plot measures: areas from outlines in metres, parks, cluster distances, idleness, FAR headroom."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from zgc_geo.export.worded import worded_cell
from zgc_geo.plan_data import PlanData
from zgc_geo.stock.metrics import plot_metrics
from zgc_geo.stock.scenario import FarRule, PlotRatioScenario

from . import layer, small_plan, square

SET_2 = PlotRatioScenario("set2", FarRule("set_far", 2.0))


@pytest.fixture
def plan2(plan: PlanData) -> PlanData:
    return small_plan(plan)


def plots(**columns: list) -> gpd.GeoDataFrame:
    """Plot 0: 1 ha in 海淀园 by the `it` feature park; 1: 1 ha in no park; 2: 0.25 ha in 昌平园."""
    return layer(
        {
            "plot_id": ["in", "out", "cp"],
            "land_use_class": ["industrial", "industrial", "commercial_business"],
        }
        | columns,
        [square(0, 0), square(50_000, 0), square(0, 24_000, 50)],
    )


def test_areas_in_square_metres_hectares_and_mu(plan2: PlanData) -> None:
    result = plot_metrics(plots(), plan2, scenario=SET_2, reference_year=2025)
    assert result["area_m2"].iloc[0] == pytest.approx(10_000, rel=1e-6)
    assert result["area_ha"].iloc[0] == pytest.approx(1.0, rel=1e-6)
    assert result["area_mu"].iloc[0] == pytest.approx(15.0, rel=1e-6)
    assert result["area_mu"].iloc[2] == pytest.approx(3.75, rel=1e-6)


def test_area_comes_from_the_outline_not_the_inventory(plan2: PlanData) -> None:
    result = plot_metrics(plots(area_m2=[1.0, 2.0, 3.0]), plan2, scenario=SET_2, reference_year=2025)
    assert result["area_m2"].iloc[0] == pytest.approx(10_000, rel=1e-6)


def test_park_located_inside_and_outside(plan2: PlanData) -> None:
    result = plot_metrics(plots(), plan2, scenario=SET_2, reference_year=2025)
    assert result["located_park_id"].tolist()[:1] == ["haidian"]
    assert pd.isna(result["located_park_id"].iloc[1])
    assert result["located_park_id"].iloc[2] == "changping"
    assert result["inside_park"].tolist() == [True, False, True]


def test_a_stated_park_wins_over_the_schematic_outline(plan2: PlanData) -> None:
    result = plot_metrics(plots(park_id=[None, "haidian", None]), plan2, scenario=SET_2, reference_year=2025)
    assert result["analysis_park_id"].tolist() == ["haidian", "haidian", "changping"]
    assert not result["inside_park"].iloc[1]


def test_distance_to_the_nearest_feature_park_of_each_cluster(plan2: PlanData) -> None:
    result = plot_metrics(plots(), plan2, scenario=SET_2, reference_year=2025)
    # The `it` feature park lies 1 km east of plot 0's eastern edge, level with its middle.
    assert result["dist_it_m"].iloc[0] == pytest.approx(1000, abs=0.01)
    assert result["dist_bio_m"].iloc[0] == pytest.approx(25_000 - 100, abs=0.01)  # from the top-left corner
    # Each plot's own clusters: 海淀园 leads `it`, 昌平园 leads `bio`; outside all parks → any cluster.
    expected = [result["dist_it_m"].iloc[0], min(result["dist_it_m"].iloc[1], result["dist_bio_m"].iloc[1])]
    expected.append(result["dist_bio_m"].iloc[2])
    assert result["dist_cluster_feature_m"].tolist() == pytest.approx(expected)


def test_years_idle_and_idle_flag(plan2: PlanData) -> None:
    frame = plots(idle_since=pd.array([2015, None, 2030], dtype="Int64"), status=["", "闲置", None])
    result = plot_metrics(frame, plan2, scenario=SET_2, reference_year=2025)
    assert result["years_idle"].iloc[0] == 10
    assert result["years_idle"].iloc[1:].isna().all()  # unknown, and not idle yet in 2025
    assert result["is_idle"].tolist() == [True, True, False]


def test_far_headroom_and_extra_floor_area(plan2: PlanData) -> None:
    frame = plots(far_current=[0.8, 2.5, 0.5], far_permitted=[1.0, 3.0, 1.0])
    result = plot_metrics(frame, plan2, scenario=SET_2, reference_year=2025)
    assert result["far_target"].iloc[0] == 2.0
    assert result["far_headroom"].iloc[0] == pytest.approx(1.2)
    assert result["extra_floor_area_m2"].iloc[0] == pytest.approx(12_000, rel=1e-6)
    assert result["far_headroom"].iloc[1] == 0  # already above the target: no negative headroom
    assert np.isnan(result["far_target"].iloc[2])  # commercial land: use unchanged, no target
    assert np.isnan(result["extra_floor_area_m2"].iloc[2])
    assert worded_cell(result["scenario_note"].iloc[2], "en").startswith("Not industrial land")


def test_per_park_override_uses_the_analysis_park(plan2: PlanData) -> None:
    scenario = PlotRatioScenario("s", FarRule("set_far", 2.0), {"haidian": FarRule("increase_pct", 50, 2.5)})
    frame = plots(
        far_current=[0.8, 0.8, 0.5], far_permitted=[2.0, 2.0, 1.0], land_use_class=["industrial"] * 3
    )
    result = plot_metrics(frame, plan2, scenario=scenario, reference_year=2025)
    assert result["far_target"].tolist() == [2.5, 2.0, 2.0]


def test_input_is_not_modified(plan2: PlanData) -> None:
    frame = plots(far_current=[0.8, 2.5, 0.5])
    before = frame.copy()
    plot_metrics(frame, plan2, scenario=SET_2, reference_year=2025)
    pd.testing.assert_frame_equal(frame, before)
