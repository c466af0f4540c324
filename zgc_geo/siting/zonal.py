"""Zonal statistics: the mean of each suitability raster over each candidate plot, fast.

Candidates are ranked by the mean score of their cells (:mod:`zgc_geo.siting.ranking`), so a
district inventory of 100k plots needs 100k means per raster. Rather than cutting the raster per
plot (what rasterstats and most tools do), the plot index is rasterised once (int32, 0 = no plot)
and every sum is one ``np.bincount`` over the covered cells: 100k plots on the 30 m grid of all of
Beijing take a few seconds (``benchmarks/bench_siting.py``).

Rules, stated so a planner can check a number by hand:

* a cell belongs to a plot when its **centre** is inside the plot (GDAL's default rule);
* means ignore NaN cells (constrained or no data); ``excluded_share`` says how much of the plot
  that was, counting cells where ``valid`` is False;
* a plot with no cell centre inside it (smaller than a cell, or a thin sliver) takes the values of
  the cell under its ``point_on_surface``; ``sampled_at_point`` marks those rows and their
  ``cell_count`` is 0;
* overlapping plots each get all their cells: plots whose interiors overlap are spread over
  extra rasterisation passes, so no plot loses cells to its neighbour.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rasterio.windows import Window

from zgc_geo.errors import SitingError
from zgc_geo.siting.grid import Grid, require_metric_crs

#: Rows per rasterisation band: the int32 label raster of a band of the 30 m Beijing grid is 24 MB.
_BAND_ROWS: Final = 1024
#: DE-9IM pattern "the interiors intersect": sharing an edge is not an overlap.
_INTERIORS_MEET: Final = "T********"


def zonal_means(
    grid: Grid,
    arrays: Mapping[str, np.ndarray],
    polygons_metric: Any,
    *,
    valid: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per polygon: the mean of each array over its cells, ``cell_count``, ``excluded_share``.

    Parameters
    ----------
    grid
        The grid all ``arrays`` are on.
    arrays
        Name → array of ``grid.shape`` (suitability, standardised factors …); one output column each.
    polygons_metric
        Polygons in EPSG:4548: a GeoSeries / GeoDataFrame (its index becomes the output's) or an
        array of shapely polygons. Missing geometries give a row of NaN.
    valid
        Boolean array of ``grid.shape``, False where a cell may not be used (constrained); None
        counts every cell as valid.

    Returns
    -------
    pandas.DataFrame
        One row per polygon, in input order: one column per array (mean of the non-NaN cells),
        ``cell_count`` (cells whose centre is inside), ``excluded_share`` (share of those cells
        where ``valid`` is False) and ``sampled_at_point`` (True where the values come from the
        cell under the polygon's point on surface because no cell centre is inside it).
    """
    geoms, index = _polygons(polygons_metric)
    for name, array in [*arrays.items(), ("valid", valid)]:
        if array is not None and np.shape(array) != grid.shape:
            raise SitingError(f"{name} has shape {np.shape(array)}, not the grid's {grid.shape}.")
    n = len(geoms)
    sums = {name: np.zeros(n) for name in arrays}
    finite = {name: np.zeros(n) for name in arrays}
    cells = np.zeros(n)
    excluded = np.zeros(n)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    for members, flat, label in _covered(grid, geoms, _passes(geoms, present)):
        owner = members[label]
        cells += np.bincount(owner, minlength=n)
        for name, array in arrays.items():
            values = np.ravel(array)[flat]
            ok = ~np.isnan(values)
            sums[name] += np.bincount(owner[ok], weights=values[ok], minlength=n)
            finite[name] += np.bincount(owner[ok], minlength=n)
        if valid is not None:
            excluded += np.bincount(owner, weights=~np.ravel(valid)[flat].astype(bool), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame({name: sums[name] / finite[name] for name in arrays}, index=index)
        table["cell_count"] = cells.astype(np.int64)
        table["excluded_share"] = np.where(cells > 0, excluded / cells, np.nan)
    table["sampled_at_point"] = False
    _sample_small(grid, arrays=arrays, valid=valid, geoms=geoms, small=present & (cells == 0), table=table)
    return table


def _polygons(polygons: Any) -> tuple[np.ndarray, pd.Index]:
    if isinstance(polygons, gpd.GeoDataFrame | gpd.GeoSeries):
        require_metric_crs(polygons, "candidate plots")
        return np.asarray(polygons.geometry.to_numpy(), dtype=object), polygons.index
    geoms = np.asarray(list(polygons) if not isinstance(polygons, np.ndarray) else polygons, dtype=object)
    return geoms.ravel(), pd.RangeIndex(geoms.size)


def _passes(geoms: np.ndarray, present: np.ndarray) -> list[np.ndarray]:
    """Groups of polygon positions with no overlapping interiors, for one rasterisation each.

    Most inventories have no overlaps and need one pass; plots that do overlap are coloured
    greedily (each takes the first pass none of its overlapping neighbours is in).
    """
    positions = np.flatnonzero(present)
    if len(positions) == 0:
        return []
    tree = shapely.STRtree(geoms[positions])
    left, right = tree.query(geoms[positions], predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if len(left):
        inner = shapely.relate_pattern(geoms[positions[left]], geoms[positions[right]], _INTERIORS_MEET)
        left, right = left[inner], right[inner]
    colour = np.zeros(len(positions), dtype=np.int64)
    if len(left):
        neighbours: dict[int, list[int]] = {}
        for a, b in zip(left.tolist(), right.tolist(), strict=True):
            neighbours.setdefault(a, []).append(b)
            neighbours.setdefault(b, []).append(a)
        for node in sorted(neighbours):
            taken = {int(colour[other]) for other in neighbours[node] if other < node}
            colour[node] = next(c for c in range(len(taken) + 1) if c not in taken)
    return [positions[colour == c] for c in range(int(colour.max()) + 1)]


def _window(grid: Grid, geoms: np.ndarray) -> Window | None:
    """The grid window covering the geometries' bounds (None when they miss the grid)."""
    west, south, east, north = shapely.total_bounds(geoms)
    (r0, r1), (c0, c1) = grid.rowcol(np.array([west, east]), np.array([north, south]))
    r0, c0 = max(int(r0), 0), max(int(c0), 0)
    r1, c1 = min(int(r1) + 1, grid.height), min(int(c1) + 1, grid.width)
    if r1 <= r0 or c1 <= c0:
        return None
    return Window(c0, r0, c1 - c0, r1 - r0)


def _covered(
    grid: Grid, geoms: np.ndarray, passes: list[np.ndarray]
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per pass and band of rows: the cells whose centre is in a polygon, and which polygon.

    Yields (members, flat, label): ``flat`` indexes the whole grid, ``label`` indexes
    ``members`` (positions in ``geoms``). Bands bound the label raster (and rasterio's two
    copies of it) to :data:`_BAND_ROWS` rows; a polygon crossing bands is burnt in each, and
    its sums simply add up.
    """
    for members in passes:
        window = _window(grid, geoms[members])
        if window is None:
            continue
        bounds = shapely.bounds(geoms[members])
        bottom, top = bounds[:, 1], bounds[:, 3]
        row_end = int(window.row_off + window.height)
        for row in range(int(window.row_off), row_end, _BAND_ROWS):
            band = Window(window.col_off, row, window.width, min(_BAND_ROWS, row_end - row))
            sub = grid.window_grid(band)
            _, south, _, north = sub.bounds
            chosen = np.flatnonzero((top >= south) & (bottom <= north))
            if len(chosen) == 0:
                continue
            shapes = zip(geoms[members[chosen]], range(1, len(chosen) + 1), strict=True)
            labels = sub.rasterize(shapes, dtype="int32")
            local = np.flatnonzero(labels)
            rows, cols = np.divmod(local, sub.width)
            flat = (rows + row) * grid.width + cols + int(band.col_off)
            yield members[chosen], flat, labels.ravel()[local] - 1


def _sample_small(
    grid: Grid,
    *,
    arrays: Mapping[str, np.ndarray],
    valid: np.ndarray | None,
    geoms: np.ndarray,
    small: np.ndarray,
    table: pd.DataFrame,
) -> None:
    """Fill rows of polygons without a cell centre from the cell under their point on surface."""
    where = np.flatnonzero(small)
    if len(where) == 0:
        return
    points = shapely.point_on_surface(geoms[where])
    rows, cols = grid.rowcol(shapely.get_x(points), shapely.get_y(points))
    on_grid = (rows >= 0) & (rows < grid.height) & (cols >= 0) & (cols < grid.width)
    where, rows, cols = where[on_grid], rows[on_grid], cols[on_grid]
    for name, array in arrays.items():
        table.iloc[where, table.columns.get_loc(name)] = np.asarray(array)[rows, cols]
    if valid is not None:
        table.iloc[where, table.columns.get_loc("excluded_share")] = (~np.asarray(valid)[rows, cols]).astype(
            float
        )
    table.iloc[where, table.columns.get_loc("sampled_at_point")] = True
