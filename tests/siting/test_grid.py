"""The common siting grid: snapping, windows, cell centres, limits and the plan's study areas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from rasterio.windows import Window

from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.errors import CRSError, SitingError
from zgc_geo.plan_data import PlanData
from zgc_geo.siting.grid import MAX_CELLS, Grid, grid_for, metric_geometries, study_area, study_grid


def test_grid_for_snaps_the_origin_outwards_to_the_resolution() -> None:
    grid = grid_for(shapely.box(440_015.0, 4_420_007.0, 440_101.0, 4_420_089.0), 30.0)
    assert grid.transform == Affine(30.0, 0.0, 440_010.0, 0.0, -30.0, 4_420_110.0)
    assert grid.bounds == (440_010.0, 4_420_080.0 - 90.0, 440_130.0, 4_420_110.0)
    assert (grid.width, grid.height, grid.resolution_m) == (4, 4, 30.0)
    assert grid.crs.equals(ANALYSIS_CRS)


def test_buffer_grows_the_grid_on_every_side() -> None:
    grid = grid_for([shapely.Point(500_000.0, 4_400_000.0)], 10.0, buffer_m=100.0)
    assert grid.bounds == (499_900.0, 4_399_900.0, 500_100.0, 4_400_100.0)
    assert grid.shape == (20, 20)


def test_cell_centres_and_rowcol_agree() -> None:
    grid = grid_for(shapely.box(0.0, 0.0, 100.0, 60.0), 20.0)
    xs, ys = grid.cell_centres(Window(1, 2, 2, 1))
    assert xs.tolist() == [30.0, 50.0]
    assert ys.tolist() == [10.0]
    rows, cols = grid.rowcol(np.array([30.0, 0.1]), np.array([10.0, 59.9]))
    assert rows.tolist() == [2, 0] and cols.tolist() == [1, 0]


def test_windows_cover_the_grid_exactly_once() -> None:
    grid = grid_for(shapely.box(0.0, 0.0, 70 * 10.0, 45 * 10.0), 10.0)
    hits = np.zeros(grid.shape, dtype=int)
    for w in grid.windows(16):
        hits[w.row_off : w.row_off + w.height, w.col_off : w.col_off + w.width] += 1
    assert (hits == 1).all()


def test_window_grid_and_padding_keep_cells_aligned() -> None:
    grid = grid_for(shapely.box(0.0, 0.0, 100.0, 100.0), 10.0)
    sub = grid.window_grid(Window(3, 2, 4, 5))
    assert sub.bounds == (30.0, 30.0, 70.0, 80.0)
    padded = grid.padded(2)
    assert padded.shape == (14, 14) and padded.bounds == (-20.0, -20.0, 120.0, 120.0)


@pytest.mark.parametrize("resolution", [4.9, 0.0, -10.0, float("nan")])
def test_resolution_below_5_m_is_refused(resolution: float) -> None:
    with pytest.raises(SitingError, match="minimum of 5 m"):
        grid_for(shapely.box(0.0, 0.0, 1000.0, 1000.0), resolution)


def test_too_many_cells_is_refused_with_the_numbers() -> None:
    side = 5.0 * (int(MAX_CELLS**0.5) + 10)
    with pytest.raises(SitingError, match=r"cells, more than the limit of 400,000,000"):
        grid_for(shapely.box(0.0, 0.0, side, side), 5.0)


def test_grid_refuses_rotated_or_rectangular_cells() -> None:
    with pytest.raises(SitingError, match="north-up"):
        Grid(ANALYSIS_CRS, Affine(10.0, 0.0, 0.0, 0.0, -20.0, 0.0), 5, 5, 10.0)


def test_geographic_layer_is_refused() -> None:
    layer = gpd.GeoSeries([shapely.Point(116.3, 39.9)], crs=4326)
    with pytest.raises(CRSError, match="EPSG:4548"):
        metric_geometries(layer)


def test_study_area_parks_is_buffered_union(plan: PlanData) -> None:
    area = study_area(plan, "parks")
    bare = study_area(plan, "parks", buffer_m=0.0)
    assert area.contains(bare)
    assert area.area > bare.area + 1e8  # 3 km around 16 parks adds well over 100 km²


def test_study_grid_beijing_covers_the_city(plan: PlanData) -> None:
    grid, mask = study_grid(plan, "beijing", resolution_m=500.0)
    assert mask.shape == grid.shape and mask.dtype == bool
    km2 = mask.sum() * 0.25
    assert 16_000 < km2 < 16_800  # Beijing is ~16,410 km²
    assert grid.transform.c % 500.0 == 0 and grid.transform.f % 500.0 == 0


def test_unknown_study_area_kind(plan: PlanData) -> None:
    with pytest.raises(SitingError, match="parks, beijing"):
        study_area(plan, "hebei")  # type: ignore[arg-type]


def test_non_geometries_are_refused() -> None:
    with pytest.raises(SitingError, match="file name"):
        metric_geometries("stations.gpkg", "rail stations")
    with pytest.raises(SitingError, match="shapely geometries only"):
        metric_geometries([shapely.Point(0, 0), (1.0, 2.0)], "rail stations")
