"""Spatial coverage on a tiny layout with closed-form answers: whole and half discs, plots, what-if."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
import shapely

from tests.coverage import F1, PARK_AREA_KM2, at, lonlat, tiny_plan, tiny_plots
from zgc_geo.coverage.spatial import (
    OUTSIDE,
    coverage_table,
    park_coverage,
    reach,
    site_points,
    uncovered,
    what_if,
)
from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.errors import CRSError, OptionError
from zgc_geo.plan_data import PlanData

#: Buffers are 128-gons: their area is within 0.04 % of π r².
REL = 1e-3


@pytest.fixture(scope="module")
def tiny(plan: PlanData) -> PlanData:
    return tiny_plan(plan)


def disc_km2(radius_m: float) -> float:
    return math.pi * (radius_m / 1000) ** 2


def test_a_disc_wholly_inside_a_park_covers_pi_r2_over_its_area(tiny: PlanData) -> None:
    table = park_coverage(tiny, "c1", 3000).set_index("park_id")
    assert table.loc["pa", "park_area_km2"] == pytest.approx(PARK_AREA_KM2, rel=1e-9)
    assert table.loc["pa", "covered_km2"] == pytest.approx(disc_km2(3000), rel=REL)
    assert table.loc["pa", "covered_share"] == pytest.approx(disc_km2(3000) / PARK_AREA_KM2, rel=REL)
    assert table.loc["pb", "covered_km2"] == 0  # 乙 is 15 km from f1
    assert (table.loc["pa", "role"], table.loc["pb", "role"]) == ("core", "")


def test_a_site_on_the_edge_covers_half_a_disc(tiny: PlanData) -> None:
    table = park_coverage(tiny, "c2", 4000).set_index("park_id")
    assert table.loc["pb", "covered_share"] == pytest.approx(disc_km2(4000) / 2 / PARK_AREA_KM2, rel=REL)
    assert table.loc["pb", "role"] == "focus"
    assert table.loc["pa", "covered_share"] == 0


def test_a_radius_reaching_past_the_corners_covers_the_whole_park(tiny: PlanData) -> None:
    # corners are 5√2 ≈ 7.07 km from the centre
    assert park_coverage(tiny, "c1", 7100).set_index("park_id").loc["pa", "covered_share"] == pytest.approx(1)
    assert park_coverage(tiny, "c1", 7000).set_index("park_id").loc["pa", "covered_share"] < 1


def test_reach_is_the_union_of_discs_in_metres(tiny: PlanData) -> None:
    alone = reach(tiny, "c1", 2000)
    assert shapely.area(alone) / 1e6 == pytest.approx(disc_km2(2000), rel=REL)
    # a second site 1 km away overlaps: the union is less than two discs
    both = reach(tiny, "c1", 2000, extra_sites=[lonlat(F1[0] + 1000, F1[1])])
    lens = 2 * 2000**2 * math.acos(1000 / 4000) - 1000 / 2 * math.sqrt(4 * 2000**2 - 1000**2)
    assert shapely.area(both) == pytest.approx(2 * math.pi * 2000**2 - lens, rel=REL)
    as_series = reach(
        tiny, "c1", 2000, extra_sites=gpd.GeoSeries([at(F1[0] + 1000, F1[1])], crs=ANALYSIS_CRS)
    )
    assert shapely.area(as_series) == pytest.approx(shapely.area(both), rel=1e-9)


def test_plots_are_counted_by_their_representative_point(tiny: PlanData) -> None:
    table = park_coverage(tiny, "c1", 3000, plots=tiny_plots()).set_index("park_id")
    pa = table.loc["pa"]
    assert (pa["plots"], pa["plots_covered"]) == (2, 1)
    assert pa["plots_covered_share"] == pytest.approx(0.5)
    assert pa["plot_area_ha"] == pytest.approx(2.0, rel=1e-6)
    assert pa["plot_area_covered_ha"] == pytest.approx(1.0, rel=1e-6)
    assert (table.loc["pb", "plots"], table.loc["pb", "plots_covered"]) == (1, 0)
    assert table.loc[OUTSIDE, "plots"] == 1
    assert math.isnan(table.loc[OUTSIDE, "covered_share"])
    c2 = park_coverage(tiny, "c2", 3000, plots=tiny_plots()).set_index("park_id")
    assert c2.loc["pb", "plots_covered"] == 1  # 1.05 km from f2


def test_an_inventory_park_id_overrides_the_located_park(tiny: PlanData) -> None:
    plots = tiny_plots().assign(park_id=["pb", None, "not_a_park", None])
    table = park_coverage(tiny, "c1", 3000, plots=plots).set_index("park_id")
    assert (table.loc["pa", "plots"], table.loc["pb", "plots"]) == (1, 2)
    assert table.loc["pb", "plots_covered"] == 1  # p1 is near f1 wherever it is filed


def test_what_if_adds_a_disjoint_disc(tiny: PlanData) -> None:
    # (8, 8) km is 4.24 km from f1: with r = 2 km the discs are disjoint and both inside 甲
    change = what_if(tiny, "c1", 2000, lonlat(8000, 8000), plots=tiny_plots()).set_index("park_id")
    pa = change.loc["pa"]
    assert pa["covered_share_before"] == pytest.approx(disc_km2(2000) / PARK_AREA_KM2, rel=REL)
    assert pa["covered_share_after"] == pytest.approx(2 * disc_km2(2000) / PARK_AREA_KM2, rel=REL)
    assert pa["covered_share_change"] == pytest.approx(disc_km2(2000) / PARK_AREA_KM2, rel=REL)
    assert pa["covered_km2_change"] == pytest.approx(disc_km2(2000), rel=REL)
    assert (pa["plots_covered_before"], pa["plots_covered_after"], pa["plots_covered_change"]) == (1, 2, 1)
    assert change.loc["pb", "covered_share_change"] == 0


def test_uncovered_is_the_rest_of_the_core_parks(tiny: PlanData) -> None:
    rest = uncovered(tiny, "c1", 3000)
    assert rest.crs.to_epsg() == 4326
    assert rest["park_id"].tolist() == ["pa"]  # the cluster's core park only, by default
    assert rest.loc[0, "uncovered_km2"] == pytest.approx(PARK_AREA_KM2 - disc_km2(3000), rel=REL)
    drawn = rest.to_crs(ANALYSIS_CRS).area.iloc[0] / 1e6
    assert drawn == pytest.approx(PARK_AREA_KM2 - disc_km2(3000), rel=REL)
    both = uncovered(tiny, "c1", 3000, park_ids=["pa", "pb"]).set_index("park_id")
    assert both.loc["pb", "uncovered_share"] == pytest.approx(1)
    closed = uncovered(tiny, "c1", 3000, extra_sites=[lonlat(8000, 8000)])
    assert closed.loc[0, "uncovered_km2"] < rest.loc[0, "uncovered_km2"]
    assert uncovered(tiny, "c1", 7100).empty  # nothing left to draw


def test_coverage_table_is_long_over_clusters(tiny: PlanData) -> None:
    table = coverage_table(tiny, 3000, plots=tiny_plots())
    assert table["cluster_id"].unique().tolist() == ["c1", "c2"]
    assert set(table["section"]) == {"§五(一)1", "§五(一)2"}
    assert (table["radius_km"] == 3).all()
    assert {"plots_covered", "plot_area_covered_ha"} <= set(table.columns)


def test_shipped_plan_coverage_is_plausible(plan: PlanData) -> None:
    table = coverage_table(plan, 3000)
    assert len(table) == 16 * 6
    assert table["covered_share"].between(0, 1 + 1e-9).all()
    frontier = table[table["cluster_id"] == "frontier_it"].set_index("park_id")
    assert frontier.loc["haidian", "covered_share"] > 0.5  # six feature parks of §五(一)1 in 海淀
    assert frontier.loc["chaoyang", "covered_share"] == 0  # none in 朝阳: see the findings


@pytest.mark.parametrize("radius", [0, -5, float("nan"), float("inf"), "abc"])
def test_bad_radius_is_refused(tiny: PlanData, radius: object) -> None:
    with pytest.raises(OptionError, match="radius"):
        park_coverage(tiny, "c1", radius)  # type: ignore[arg-type]


def test_bad_inputs_name_the_fix(tiny: PlanData) -> None:
    with pytest.raises(OptionError, match="unknown cluster 'c9'; valid: c1, c2"):
        reach(tiny, "c9", 1000)
    with pytest.raises(OptionError, match="not lon/lat"):
        site_points([(440_000.0, 4_430_000.0)])
    with pytest.raises(OptionError, match="not a \\(lon, lat\\) pair"):
        site_points([("a", "b")])
    with pytest.raises(CRSError):
        site_points(gpd.GeoSeries([at(0, 0)]))
    with pytest.raises(OptionError, match="unknown park 'pz'"):
        uncovered(tiny, "c1", 1000, park_ids=["pz"])
