"""Zonal means per plot on a tiny grid: known means, plots below a cell, excluded share, overlaps."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from zgc_geo.siting import zonal
from zgc_geo.siting.grid import grid_for
from zgc_geo.siting.zonal import zonal_means

X0, Y0 = 441_000.0, 4_419_990.0
GRID = grid_for(shapely.box(X0, Y0, X0 + 60.0, Y0 + 60.0), 10.0)  # 6 × 6 cells of 10 m
VALUES = np.arange(36, dtype=np.float32).reshape(6, 6)  # row 0 is the northern row


def _cells(row0: int, col0: int, rows: int, cols: int) -> shapely.Geometry:
    """A polygon holding exactly the centres of the given block of cells (a little inside its edges)."""
    west, north = X0 + col0 * 10.0 + 1.0, Y0 + 60.0 - row0 * 10.0 - 1.0
    return shapely.box(west, north - rows * 10.0 + 2.0, west + cols * 10.0 - 2.0, north)


def test_known_means() -> None:
    plots = [_cells(0, 0, 2, 2), _cells(3, 1, 1, 4), _cells(0, 5, 6, 1)]
    table = zonal_means(GRID, {"suit": VALUES, "twice": 2 * VALUES}, plots)
    assert table["suit"].tolist() == pytest.approx([(0 + 1 + 6 + 7) / 4, (19 + 20 + 21 + 22) / 4, 20.0])
    assert table["twice"].tolist() == pytest.approx([7.0, 41.0, 40.0])
    assert table["cell_count"].tolist() == [4, 4, 6]
    assert not table["sampled_at_point"].any()
    assert table["excluded_share"].isna().all() is False or True  # no valid mask: share is 0
    assert (table["excluded_share"] == 0).all()


def test_tiny_plot_is_sampled_at_its_point_on_surface() -> None:
    tiny = shapely.box(X0 + 21.0, Y0 + 31.0, X0 + 24.0, Y0 + 34.0)  # in cell row 2, col 2; no centre
    table = zonal_means(GRID, {"suit": VALUES}, [tiny, _cells(0, 0, 1, 1)])
    assert table.loc[0, "sampled_at_point"] and table.loc[0, "cell_count"] == 0
    assert table.loc[0, "suit"] == 14.0
    assert not table.loc[1, "sampled_at_point"]


def test_excluded_share_and_nan_cells() -> None:
    valid = np.ones((6, 6), dtype=bool)
    valid[0, 0] = valid[1, 1] = False
    suit = VALUES.copy()
    suit[~valid] = np.nan
    tiny_in_excluded = shapely.box(X0 + 1.0, Y0 + 51.0, X0 + 3.0, Y0 + 53.0)
    table = zonal_means(GRID, {"suit": suit}, [_cells(0, 0, 2, 2), tiny_in_excluded], valid=valid)
    assert table.loc[0, "excluded_share"] == pytest.approx(0.5)
    assert table.loc[0, "suit"] == pytest.approx((1 + 6) / 2)  # mean of the cells that have a score
    assert table.loc[1, "excluded_share"] == 1.0 and np.isnan(table.loc[1, "suit"])


def test_overlapping_plots_each_get_all_their_cells() -> None:
    big, inner, shifted = _cells(0, 0, 4, 4), _cells(1, 1, 2, 2), _cells(2, 2, 3, 3)
    table = zonal_means(GRID, {"suit": VALUES}, [big, inner, shifted])
    assert table["cell_count"].tolist() == [16, 4, 9]
    assert table.loc[1, "suit"] == pytest.approx((7 + 8 + 13 + 14) / 4)
    assert table.loc[2, "suit"] == pytest.approx(VALUES[2:5, 2:5].mean())
    assert table.loc[0, "suit"] == pytest.approx(VALUES[:4, :4].mean())


def test_adjacent_plots_share_an_edge_without_losing_cells() -> None:
    west = shapely.box(X0, Y0, X0 + 30.0, Y0 + 60.0)
    east = shapely.box(X0 + 30.0, Y0, X0 + 60.0, Y0 + 60.0)
    table = zonal_means(GRID, {"suit": VALUES}, [west, east])
    assert table["cell_count"].tolist() == [18, 18]


def test_geoseries_index_and_missing_geometries_are_kept() -> None:
    plots = gpd.GeoSeries([_cells(0, 0, 1, 1), None, shapely.box(X0 + 1e5, Y0, X0 + 1e5 + 50, Y0 + 50)],
                          index=["P1", "P2", "far"], crs=4548)  # fmt: skip
    table = zonal_means(GRID, {"suit": VALUES}, plots)
    assert table.index.tolist() == ["P1", "P2", "far"]
    assert table.loc["P1", "suit"] == 0.0
    assert np.isnan(table.loc["P2", "suit"]) and table.loc["P2", "cell_count"] == 0
    assert np.isnan(table.loc["far", "suit"]) and not table.loc["far", "sampled_at_point"]


def test_bands_of_rows_add_up_to_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    plots = [_cells(0, 0, 4, 4), _cells(1, 1, 2, 2), _cells(2, 2, 3, 3), _cells(0, 5, 6, 1)]
    valid = np.arange(36).reshape(6, 6) % 3 > 0
    whole = zonal_means(GRID, {"suit": VALUES}, plots, valid=valid)
    monkeypatch.setattr(zonal, "_BAND_ROWS", 2)
    banded = zonal_means(GRID, {"suit": VALUES}, plots, valid=valid)
    assert banded.equals(whole)
    assert banded["cell_count"].tolist() == [16, 4, 9, 6]
