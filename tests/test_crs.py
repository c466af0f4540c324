"""Areas and distances are measured in metres, never in degrees."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
from shapely.geometry import Point, box

from zgc_geo.crs import ANALYSIS_CRS, M2_PER_MU, area_km2, area_m2, area_mu, distance_m, require_projected
from zgc_geo.errors import CRSError


def test_area_of_a_metric_square_is_exact() -> None:
    square = gpd.GeoSeries([box(500_000, 4_400_000, 501_000, 4_401_000)], crs=ANALYSIS_CRS)
    assert area_m2(square).iloc[0] == pytest.approx(1_000_000)
    assert area_km2(square).iloc[0] == pytest.approx(1.0)
    assert area_mu(square).iloc[0] == pytest.approx(1_500)


def test_geographic_input_is_reprojected_before_measuring() -> None:
    # 0.01° × 0.01° at Zhongguancun: ~853 m × ~1,111 m, not 0.0001 "square degrees".
    cell = gpd.GeoSeries([box(116.30, 39.98, 116.31, 39.99)], crs=4326)
    assert area_m2(cell).iloc[0] == pytest.approx(853 * 1_111, rel=0.01)


def test_one_mu_is_two_thirds_of_a_thousand_square_metres() -> None:
    assert pytest.approx(666.6667, rel=1e-6) == M2_PER_MU


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:4490"])
def test_require_projected_refuses_degrees(crs: str) -> None:
    with pytest.raises(CRSError, match=r"geographic CRS .* areas and distances in degrees are meaningless"):
        require_projected(gpd.GeoSeries([Point(116.3, 39.9)], crs=crs))


def test_missing_crs_is_refused_with_advice() -> None:
    with pytest.raises(CRSError, match=r"has no coordinate reference system; set it explicitly"):
        area_m2(gpd.GeoSeries([box(0, 0, 1, 1)]))


def test_distance_refuses_mixed_crs() -> None:
    a = gpd.GeoSeries([Point(116.3, 39.9)], crs=4326)
    b = gpd.GeoSeries([Point(440_000, 4_420_000)], crs=ANALYSIS_CRS)
    with pytest.raises(CRSError, match=r"left layer is in EPSG:4326 but right layer is in EPSG:4548"):
        distance_m(a, b)


def test_distance_between_geographic_points_is_in_metres() -> None:
    a = gpd.GeoSeries([Point(116.30, 39.90)], crs=4326)
    b = gpd.GeoSeries([Point(116.30, 39.91)], crs=4326)
    assert distance_m(a, b)[0] == pytest.approx(1_110, rel=0.01)


@pytest.mark.parametrize(
    ("epsg", "area_percent"),
    [(4548, (0.0, 0.046)), (32650, (-0.080, -0.034)), (3857, (67.66, 75.89))],
)
def test_the_area_errors_stated_for_beijing_are_right(epsg: int, area_percent: tuple[float, float]) -> None:
    # The comment of ANALYSIS_CRS quotes these figures: the projection's areal scale over Beijing's box.
    lons, lats = np.meshgrid(np.linspace(115.42, 117.51, 30), np.linspace(39.44, 41.06, 30))
    factors = pyproj.Proj(pyproj.CRS.from_epsg(epsg)).get_factors(lons.ravel(), lats.ravel())
    error = (np.asarray(factors.areal_scale) - 1) * 100
    assert error.min() == pytest.approx(area_percent[0], abs=0.005 + abs(area_percent[0]) * 0.001)
    assert error.max() == pytest.approx(area_percent[1], abs=0.005 + abs(area_percent[1]) * 0.001)
