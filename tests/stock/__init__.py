"""Helpers for the land-stock tests: plots drawn in metres around a point in 海淀, and a small plan.

Every fixture is drawn in EPSG:4548 metres so expected answers can be worked out by hand
(a 100 m × 100 m plot is 1 ha = 15 亩), then stored in EPSG:4326 as real inventories are.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, Polygon, box

from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.plan_data import PlanData

#: A point in 海淀 in EPSG:4548 metres; fixtures are drawn around it.
X0, Y0 = 440_000.0, 4_430_000.0


def square(x: float, y: float, size: float = 100.0) -> Polygon:
    """A square plot ``size`` metres wide, its lower-left corner ``x``, ``y`` metres from the origin."""
    return box(X0 + x, Y0 + y, X0 + x + size, Y0 + y + size)


def point(x: float, y: float) -> Point:
    return Point(X0 + x, Y0 + y)


def layer(columns: dict[str, list], geoms: list, crs: object = 4326) -> gpd.GeoDataFrame:
    """A layer in ``crs`` (default EPSG:4326) from geometries drawn in metres."""
    frame = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(geoms, crs=ANALYSIS_CRS))
    return frame.to_crs(crs)


def small_plan(base: PlanData) -> PlanData:
    """Two parks and two clusters with one feature park each, replacing those of the shipped plan.

    海淀园 is a 10 km square around the origin, 昌平园 a 10 km square 20 km north. Cluster
    ``it`` (core park 海淀) has its feature park 1 km east of the plot ``square(0, 0)``;
    cluster ``bio`` (core park 昌平) has its feature park in 昌平园.
    """
    parks = layer(
        {
            "park_id": ["haidian", "changping"],
            "name_zh": ["海淀园", "昌平园"],
            "name_en": ["Haidian Park", "Changping Park"],
        },
        [square(-5_000, -5_000, 10_000), square(-5_000, 20_000, 10_000)],
    )
    clusters = pd.DataFrame({"cluster_id": ["it", "bio"], "core_park_ids": [["haidian"], ["changping"]]})
    features = layer(
        {"place_id": ["f_it", "f_bio"], "cluster_ids": [["it"], ["bio"]]},
        [point(1_100, 50), point(0, 25_000)],
    )
    return dataclasses.replace(base, parks=parks, clusters=clusters, feature_parks=features)
