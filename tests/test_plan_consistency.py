"""The plan data is internally consistent, and the check catches each kind of inconsistency."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

from zgc_geo.crs import area_km2
from zgc_geo.plan_consistency import check_plan_consistency
from zgc_geo.plan_data import PlanData


def test_shipped_plan_has_no_findings(plan: PlanData) -> None:
    assert [str(f) for f in check_plan_consistency(plan)] == []


def test_the_sixteen_parks_of_the_plan(plan: PlanData) -> None:
    names = set(plan.parks["name_zh"])
    assert names == {
        "东城园",
        "西城园",
        "朝阳园",
        "海淀园",
        "丰台园",
        "石景山园",
        "门头沟园",
        "房山园",
        "通州园",
        "顺义园",
        "大兴-亦庄园",
        "昌平园",
        "平谷园",
        "怀柔园",
        "密云园",
        "延庆园",
    }
    assert plan.parks.set_index("park_id").loc["haidian", "role"].startswith("示范区核心区")


def test_every_park_lies_inside_its_own_district(plan: PlanData) -> None:
    districts = plan.districts.set_index("name_zh").geometry
    for park in plan.parks.itertuples():
        assert districts[park.district_zh].contains(park.geometry), park.park_id


def test_drawn_areas_are_within_a_factor_of_two_of_approved_areas(plan: PlanData) -> None:
    parks = plan.parks.assign(drawn=area_km2(plan.parks).to_numpy())
    known = parks.dropna(subset=["planned_area_km2"])
    assert set(known["park_id"]) == {"fengtai", "pinggu", "shunyi"}  # the only sourced figures
    ratio = known["drawn"] / known["planned_area_km2"]
    assert ((ratio >= 0.5) & (ratio <= 2)).all(), ratio.to_dict()


def test_ten_innovation_centres_and_five_agglomerations(plan: PlanData) -> None:
    assert len(plan.innovation_centres) == 10
    assert plan.innovation_centres["cluster_id"].value_counts().to_dict() == {
        "modern_transport": 3,
        "frontier_it": 2,
        "bio_health": 2,
        "smart_mfg_materials": 2,
        "eco_energy": 1,
    }
    assert len(plan.service_agglomerations) == 5


def test_cooperation_zones_cover_four_plus_n_and_the_zero_emission_zone(plan: PlanData) -> None:
    zones = plan.cooperation_zones.set_index("zone_id")
    assert (zones["group"] == "4").sum() == 4
    assert (zones["group"] == "N").sum() >= 1
    assert zones.loc["yanqing_zhangjiakou_zero_emission", "section"] == "§四(三)4"
    # Polygons only where the extent is an administrative unit; otherwise points.
    polygonal = zones.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    assert (zones.loc[polygonal, "geometry_basis"] == "administrative").all()


def _with(plan: PlanData, **changes: object) -> PlanData:
    return dataclasses.replace(plan, **changes)


def test_unknown_park_in_a_cluster_is_an_error(plan: PlanData) -> None:
    clusters = plan.clusters.copy()
    clusters.at[0, "core_park_ids"] = ["haidian", "atlantis"]
    findings = check_plan_consistency(_with(plan, clusters=clusters))
    assert [str(f) for f in findings] == [
        "error: clusters 'frontier_it', field 'core_park_ids': names park 'atlantis', which does not exist; "
        "valid: " + ", ".join(sorted(plan.parks["park_id"]))
    ]


def test_feature_park_outside_its_park_must_be_flagged(plan: PlanData) -> None:
    places = plan.feature_parks.copy()
    first = places.index[places["inside_park"] == "yes"][0]
    places.loc[first, "geometry"] = Point(116.0, 41.0)  # far outside any park
    findings = check_plan_consistency(_with(plan, feature_parks=places))
    assert len(findings) == 1
    assert findings[0].field == "geometry"
    assert "lies outside its park" in findings[0].message
    assert "move the point or set inside_park = no" in findings[0].message


def test_park_leaving_its_district_is_an_error(plan: PlanData) -> None:
    parks = plan.parks.copy()
    i = parks.index[parks["park_id"] == "xicheng"][0]
    parks.loc[i, "geometry"] = shapely.affinity.translate(parks.loc[i, "geometry"], xoff=0.05)
    findings = [f for f in check_plan_consistency(_with(plan, parks=parks)) if f.layer == "parks"]
    assert findings and findings[0].feature_id == "xicheng"
    assert "m² lie outside its district 西城区" in findings[0].message


@pytest.mark.parametrize("factor", [0.3, 3.0])
def test_area_far_from_approved_is_an_error(plan: PlanData, factor: float) -> None:
    parks = plan.parks.copy()
    parks["planned_area_km2"] = parks["planned_area_km2"].astype(float)
    i = parks.index[parks["park_id"] == "fengtai"][0]
    parks.loc[i, "planned_area_km2"] = float(area_km2(parks.loc[[i]]).iloc[0]) / factor
    messages = [f.message for f in check_plan_consistency(_with(plan, parks=parks))]
    assert any("is not within a factor of 2 of the approved" in m for m in messages)


def test_cluster_without_places_is_a_warning(plan: PlanData) -> None:
    places = plan.feature_parks[[("eco_energy" not in ids) for ids in plan.feature_parks["cluster_ids"]]]
    findings = check_plan_consistency(_with(plan, feature_parks=gpd.GeoDataFrame(places)))
    assert [(f.severity, f.feature_id) for f in findings] == [("warning", "eco_energy")]


def test_findings_render_as_one_readable_line(plan: PlanData) -> None:
    centres = plan.innovation_centres.copy()
    centres.at[0, "cluster_id"] = "quantum"
    (finding,) = check_plan_consistency(_with(plan, innovation_centres=pd.DataFrame(centres)))
    assert str(finding).startswith(
        "error: innovation_centres 'big_data_ai', field 'cluster_id': names cluster 'quantum'"
    )
