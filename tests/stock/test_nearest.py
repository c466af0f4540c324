"""Nearest feature distances found from a point per plot equal those measured from the whole outlines.

:func:`nearest_distances` finds candidates from each plot's bounding-box centre and measures the
outline only to those; the plain way is ``STRtree.query_nearest`` from the outlines. Both must give
the same numbers, exactly, on plots built to trap a point-based shortcut.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from zgc_geo.plan_data import PlanData
from zgc_geo.stock import metrics
from zgc_geo.stock.metrics import cluster_distances, metric_geometries, nearest_distances

from . import X0, Y0, layer, point, small_plan, square


def plain_nearest(geoms: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Nearest distances measured from the whole outlines (the implementation before the fast one)."""
    distance = np.full(len(geoms), np.nan)
    if len(features):
        (rows, _), found = shapely.STRtree(features).query_nearest(
            geoms, return_distance=True, all_matches=False
        )
        distance[rows] = found
    return distance


def strip(x: float, y: float, dx: float, dy: float, width: float = 2.0) -> Polygon:
    """A long thin plot from (x, y) to (x + dx, y + dy), ``width`` metres wide."""
    return LineString([(X0 + x, Y0 + y), (X0 + x + dx, Y0 + y + dy)]).buffer(width / 2, cap_style="flat")


def donut(x: float, y: float) -> Polygon:
    """A 300 m square plot with a 100 m square hole in its middle."""
    outer = square(x, y, 300).exterior.coords
    return Polygon(outer, [square(x + 100, y + 100, 100).exterior.coords])


TRAPS = np.array(
    [
        square(0, 0),  # the feature at (100, 50) lies on its eastern edge: 0
        square(200, 0),  # a feature inside it: 0
        donut(600, 0),  # a feature in its hole: 50 m to the hole's edge, not 0
        strip(0, 1_000, 10_000, 10_000),  # centre far from both ends; a feature 30 m off the far tip
        strip(-3_000, 500, 6_000, 0, width=1.0),  # thin and level; features equidistant from its centre
        MultiPolygon([square(-2_000, -2_000, 10), square(2_000, 3_000, 10)]),  # parts far apart
        square(5_000, 5_000, 0.5),  # tiny
        None,
        Polygon(),
        square(150, 1_000_000),  # very far from everything
        # Its centre lies between its parts: the feature nearest the centre (10 m) is ~1 km from the
        # outline, the one 1.5 km from the centre only 500 m (found only by searching 2 radii further).
        MultiPolygon([square(50_000, -50_000, 1), square(52_000, -50_000, 1)]),
    ],
    dtype=object,
)
FEATURES = np.array(
    [
        point(100, 50), point(250, 50), point(750, 150), point(10_020, 11_020), point(-3_000, 700),
        point(3_000, 700), point(6_000, 9_000), point(2_005, 3_020), point(51_000.5, -49_989.5),
        point(52_501, -49_999.5),
    ],
    dtype=object,
)  # fmt: skip


def test_the_traps_give_the_distances_from_the_outlines() -> None:
    fast = nearest_distances(TRAPS, FEATURES)
    np.testing.assert_array_equal(fast, plain_nearest(TRAPS, FEATURES))
    assert fast[0] == 0 and fast[1] == 0
    assert fast[2] == pytest.approx(50)
    assert np.isnan(fast[7]) and np.isnan(fast[8])
    # The strip's centre is ~7 km from the tip's feature; the outline is ~21 m from it.
    centre = shapely.centroid(TRAPS[3])
    assert shapely.distance(centre, FEATURES[3]) > 5_000 and fast[3] < 30
    assert fast[10] == pytest.approx(500)


def test_random_plots_and_features_give_the_same_distances(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(14)
    corners = rng.uniform(-20_000, 20_000, (3_000, 2))
    sizes = rng.uniform(1, 2_000, (3_000, 2))
    low = corners + np.array([X0, Y0])
    high = low + sizes
    plots = shapely.box(low[:, 0], low[:, 1], high[:, 0], high[:, 1])
    plots[::50] = [
        strip(*xy, *d) for xy, d in zip(corners[::50], rng.uniform(-9_000, 9_000, (60, 2)), strict=True)
    ]
    spots = rng.uniform(-20_000, 20_000, (40, 2))
    features = shapely.points(X0 + spots[:, 0], Y0 + spots[:, 1])
    features[:5] = shapely.centroid(plots[:5])  # features inside plots
    monkeypatch.setattr(metrics, "_MATRIX_CELLS", 4_096)  # many blocks of plots
    np.testing.assert_array_equal(nearest_distances(plots, features), plain_nearest(plots, features))


def test_no_features_or_no_usable_ones_give_nan() -> None:
    for features in (np.array([], dtype=object), np.array([None, Point()], dtype=object)):
        assert np.isnan(nearest_distances(TRAPS, features)).all()
    assert nearest_distances(np.array([], dtype=object), FEATURES).shape == (0,)


def test_features_that_are_not_points_are_measured_from_the_outlines() -> None:
    features = np.array(
        [box(X0 + 120, Y0, X0 + 130, Y0 + 10), LineString([(X0, Y0 - 50), (X0 + 50, Y0 - 50)])]
    )
    np.testing.assert_array_equal(nearest_distances(TRAPS, features), plain_nearest(TRAPS, features))


def test_invalid_outlines_are_repaired_before_they_are_measured(plan: PlanData) -> None:
    bowtie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    plots = layer({"plot_id": ["bowtie", "plain", "none"]}, [bowtie, square(300, 0), None])
    geoms = metric_geometries(plots)
    plan2 = small_plan(plan)
    features = metric_geometries(plan2.feature_parks)
    np.testing.assert_array_equal(nearest_distances(geoms, features), plain_nearest(geoms, features))


def test_each_cluster_gets_its_own_column_and_one_without_features_nan(plan: PlanData) -> None:
    plan2 = small_plan(plan)
    clusters = pd.concat([plan2.clusters, pd.DataFrame({"cluster_id": ["none"], "core_park_ids": [[]]})])
    plan3 = dataclasses.replace(plan2, clusters=clusters.reset_index(drop=True))
    geoms = metric_geometries(layer({"plot_id": list("abc")}, [square(0, 0), square(0, 24_000, 50), None]))
    distances = cluster_distances(geoms, plan3)
    assert list(distances.columns) == ["dist_it_m", "dist_bio_m", "dist_none_m"]
    features = metric_geometries(plan3.feature_parks)
    for column, members in (("dist_it_m", [0]), ("dist_bio_m", [1])):
        np.testing.assert_array_equal(distances[column], plain_nearest(geoms, features[members]))
    assert distances["dist_none_m"].isna().all()
    assert distances["dist_it_m"].iloc[0] == pytest.approx(1_000)
