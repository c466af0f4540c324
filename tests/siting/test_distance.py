"""Capped distance rasters: the tiled transform and the point path against the exact references."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from zgc_geo.errors import SitingError
from zgc_geo.siting.distance import choose_method, distance_to, distance_to_exact
from zgc_geo.siting.grid import Grid, grid_for

X0, Y0 = 441_000.0, 4_419_990.0  # multiples of 10 and 30 m: grid edges fall on them


def _grid(resolution: float, cells: int = 300) -> Grid:
    side = resolution * cells
    return grid_for(shapely.box(X0, Y0, X0 + side, Y0 + side), resolution)


def _layers(resolution: float) -> dict[str, list[shapely.Geometry]]:
    side = resolution * 300
    at = [(0.1, 0.2), (0.7, 0.8), (0.5, 0.33)]
    triangle = [(0.6, 0.1), (0.9, 0.2), (0.7, 0.4)]
    return {
        # The last point is outside the grid, but within the cap of its western edge.
        "points": [shapely.Point(X0 + side * f, Y0 + side * g) for f, g in [*at, (-0.05, 0.5)]],
        "lines": [shapely.LineString([(X0, Y0 + 0.1 * side), (X0 + 0.9 * side, Y0 + 0.6 * side)])],
        "polygons": [
            shapely.Polygon([(X0 + side * f, Y0 + side * g) for f, g in triangle]),
            shapely.box(X0 + 0.1 * side, Y0 + 0.7 * side, X0 + 0.3 * side, Y0 + 0.9 * side),
        ],
    }


def _true_distance(grid: Grid, geoms: list[shapely.Geometry], cap: float) -> np.ndarray:
    xs, ys = grid.cell_centres()
    centres = shapely.points(*np.meshgrid(xs, ys))
    union = shapely.union_all(geoms)
    return np.minimum(shapely.distance(centres, union), cap)


@pytest.mark.parametrize("resolution", [30.0, 10.0])
@pytest.mark.parametrize("kind", ["points", "lines", "polygons"])
def test_tiled_transform_equals_the_exact_transform(resolution: float, kind: str) -> None:
    grid = _grid(resolution)
    cap = 60 * resolution  # halo of 60 cells, tiles of 64: every tile leans on its neighbours
    geoms = _layers(resolution)[kind]
    exact = distance_to_exact(grid, geoms, max_distance_m=cap)
    tiled = distance_to(grid, geoms, max_distance_m=cap, method="edt", tile=64, workers=2)
    assert tiled.dtype == np.float32 and tiled.shape == grid.shape
    assert np.abs(tiled - exact).max() <= 0.5 * resolution
    assert np.abs(tiled - exact).max() <= 1e-3 * cap  # in fact the same transform, to float rounding


@pytest.mark.parametrize("resolution", [30.0, 10.0])
@pytest.mark.parametrize("kind", ["points", "lines", "polygons"])
def test_rasterised_distance_is_within_half_a_cell_diagonal_of_truth(resolution: float, kind: str) -> None:
    grid = _grid(resolution, cells=120)
    cap = 40 * resolution
    geoms = _layers(resolution * 120 / 300)[kind]
    truth = _true_distance(grid, geoms, cap)
    got = distance_to(grid, geoms, max_distance_m=cap, method="edt", tile=50)
    assert np.abs(got - truth).max() <= resolution * math.sqrt(2) / 2 + 1e-3


@pytest.mark.parametrize("resolution", [30.0, 10.0])
def test_point_path_is_exact_and_within_half_a_cell_diagonal_of_the_transform(resolution: float) -> None:
    grid = _grid(resolution)
    cap = 60 * resolution
    geoms = _layers(resolution)["points"]
    got = distance_to(grid, geoms, max_distance_m=cap, method="points", workers=3)
    np.testing.assert_allclose(got, _true_distance(grid, geoms, cap), atol=1e-2)
    exact = distance_to_exact(grid, geoms, max_distance_m=cap)
    assert np.abs(got - exact).max() <= resolution * math.sqrt(2) / 2 + 1e-3


@pytest.mark.parametrize("method", ["edt", "points"])
def test_cap_is_respected(method: str) -> None:
    grid = _grid(30.0, cells=100)
    point = [shapely.Point(X0 + 15.0, Y0 + 15.0)]  # a cell centre
    got = distance_to(grid, point, max_distance_m=500.0, method=method)  # type: ignore[arg-type]
    assert got.max() == pytest.approx(500.0)
    assert (got <= 500.0).all()
    # The bottom-left cell holds the point: 0 for the transform, the exact 0 m for the point path.
    assert got[-1, 0] == 0.0


def test_inside_a_polygon_is_zero() -> None:
    grid = _grid(10.0, cells=50)
    square = shapely.box(X0 + 100, Y0 + 100, X0 + 400, Y0 + 400)
    got = distance_to(grid, [square], max_distance_m=300.0)
    assert got[15:35, 15:35].max() == 0.0
    assert got[0, 0] > 0.0


def test_no_features_gives_the_cap_everywhere() -> None:
    grid = _grid(30.0, cells=20)
    far = [shapely.Point(X0 + 1e6, Y0)]
    for method in ("edt", "points"):
        assert (distance_to(grid, far, max_distance_m=300.0, method=method) == 300.0).all()  # type: ignore[arg-type]
    assert (distance_to(grid, [], max_distance_m=300.0) == 300.0).all()
    assert (distance_to_exact(grid, far, max_distance_m=300.0) == 300.0).all()


def test_auto_picks_points_for_few_points_and_the_transform_otherwise() -> None:
    grid = _grid(30.0)
    layers = _layers(30.0)
    assert choose_method(grid, np.array(layers["points"]), 1800.0) == "points"
    assert choose_method(grid, np.array(layers["lines"]), 1800.0) == "edt"
    many = shapely.points(np.random.default_rng(1).uniform(X0, X0 + 9000.0, (5000, 2)))
    assert choose_method(grid, many, 1800.0) == "edt"


def test_bad_arguments_are_refused() -> None:
    grid = _grid(30.0, cells=10)
    with pytest.raises(SitingError, match="positive number of metres"):
        distance_to(grid, [], max_distance_m=0.0)
    with pytest.raises(SitingError, match="auto, edt, points"):
        distance_to(grid, [], max_distance_m=10.0, method="kd")  # type: ignore[arg-type]
    with pytest.raises(SitingError, match="point features only"):
        distance_to(grid, _layers(30.0)["lines"], max_distance_m=10.0, method="points")
