"""Helpers for the coverage tests: a tiny plan drawn in metres whose coverage is known in closed form.

Two 10 km × 10 km parks 10 km apart; cluster ``c1`` has one feature park at the centre of
park 甲 (``pa``), cluster ``c2`` one on the west edge of park 乙 (``pb``). A disc of radius r
around the first lies wholly inside 甲 for r ≤ 5 km (covered share π r² / 100 km²); the
second covers exactly half a disc of 乙 (share π r² / 2 / 100 km²). Everything is drawn in
EPSG:4548 and stored in EPSG:4326 like the shipped layers.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, Polygon, box

from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.plan_data import PlanData

#: The layout's origin in EPSG:4548 metres (in 海淀).
X0, Y0 = 440_000.0, 4_430_000.0
PARK_SIDE_M = 10_000.0
PARK_AREA_KM2 = 100.0
#: Feature parks: c1 at the centre of 甲, c2 on the west edge of 乙.
F1 = (5_000.0, 5_000.0)
F2 = (20_000.0, 5_000.0)


def rect(x: float, y: float, size: float) -> Polygon:
    """A square ``size`` metres wide, lower-left corner ``x``, ``y`` metres from the origin."""
    return box(X0 + x, Y0 + y, X0 + x + size, Y0 + y + size)


def at(x: float, y: float) -> Point:
    return Point(X0 + x, Y0 + y)


def layer(columns: dict[str, list], geoms: list, crs: object = 4326) -> gpd.GeoDataFrame:
    """A layer in ``crs`` (default EPSG:4326) from geometries drawn in metres."""
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(geoms, crs=ANALYSIS_CRS)).to_crs(crs)


def lonlat(x: float, y: float) -> tuple[float, float]:
    """The WGS84 lon/lat of a layout point, for proposed sites."""
    point = gpd.GeoSeries([at(x, y)], crs=ANALYSIS_CRS).to_crs(4326).iloc[0]
    return (point.x, point.y)


def tiny_plan(base: PlanData) -> PlanData:
    """Two parks, two clusters, two feature parks and one centre, replacing those of ``base``."""
    parks = layer(
        {
            "park_id": ["pa", "pb"],
            "name_zh": ["甲园", "乙园"],
            "name_en": ["Park A", "Park B"],
            "lead_industries": [["新能源汽车"], ["健康医疗等现代服务业", "太空采矿"]],
        },
        [rect(0, 0, PARK_SIDE_M), rect(20_000, 0, PARK_SIDE_M)],
    )
    clusters = pd.DataFrame(
        {
            "cluster_id": ["c1", "c2"],
            "name_zh": ["甲集群", "乙集群"],
            "name_en": ["Cluster one", "Cluster two"],
            "short_zh": ["甲", "乙"],
            "short_en": ["One", "Two"],
            "core_park_ids": [["pa"], ["pb"]],
            "core_wording_zh": ["以……为核心", "以……为重点"],
            "key_industries": [["新能源汽车"], ["生物医药"]],
            "section": ["§五(一)1", "§五(一)2"],
        }
    )
    features = layer(
        {
            "place_id": ["f1", "f2"],
            "name_zh": ["甲特色园", "乙特色园"],
            "name_en": ["Feature one", "Feature two"],
            "cluster_ids": [["c1"], ["c2"]],
            "park_id": ["pa", "pb"],
            "inside_park": ["yes", "no"],
            "location_accuracy": ["site", "site"],
            "section": ["§五(一)1", "§五(一)2"],
        },
        [at(*F1), at(*F2)],
    )
    centres = pd.DataFrame(
        {"centre_id": ["k1"], "name_zh": ["甲中心"], "cluster_id": ["c1"], "section": ["§五(一)1"]}
    )
    return dataclasses.replace(
        base, parks=parks, clusters=clusters, feature_parks=features, innovation_centres=centres
    )


def tiny_plots() -> gpd.GeoDataFrame:
    """1 ha plots: two in 甲 (one 0.55 km from f1, one 5.2 km away but 1.05 km from (8, 8) km),
    one in 乙 1.05 km from f2, and one between the parks."""
    return layer(
        {"plot_id": ["p1", "p2", "p3", "p4"]},
        [
            rect(5_500, 5_000, 100),
            rect(8_900, 8_400, 100),
            rect(21_000, 5_000, 100),
            rect(15_000, 5_000, 100),
        ],
    )
