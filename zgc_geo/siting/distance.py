"""Distance rasters: metres from every cell centre to the nearest feature, capped, in bounded memory.

A distance factor only matters up to its far threshold (beyond 8 km from a feature park the
standardised score is 0 however far it is), so distances are *capped* at ``max_distance_m``, and
the cap is what makes them cheap:

* **Points** (feature parks, stations) are measured exactly, point by point: each point lowers
  the squared distances in the (2R+1)² window of cells within the cap around it (R = cap / cell
  size). 76 points at 10 m with an 8 km cap take ~0.3 s, where a transform of the whole grid takes
  tens of seconds; the distance is to the point itself, not to the centre of its cell.
* **Lines and polygons** are rasterised (every touched cell, polygons filled, so inside is 0) and
  run through SciPy's exact Euclidean distance transform tile by tile. A tile only needs the
  features within the cap, so each is padded by a halo of R cells and the result is *identical*
  to a transform of the whole grid (below the cap). Small tiles stay in the CPU cache (the
  transform of one 36 M-cell array runs at ~38 ns/cell, of 1,400² tiles at ~10 ns/cell), tiles
  run in threads (SciPy releases the GIL), and tiles with no feature within the cap are filled
  with the cap without a transform.

:func:`distance_to_exact` is the plain full-grid transform, kept as the reference the tests compare
against (``benchmarks/bench_siting.py`` times the same plain pipeline as its "plain" baseline).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, Literal

import numpy as np
import shapely
from rasterio.windows import Window
from scipy.ndimage import distance_transform_edt

from zgc_geo.errors import SitingError
from zgc_geo.siting.grid import Grid, metric_geometries

Method = Literal["auto", "edt", "points"]
METHODS: Final = ("auto", "edt", "points")

#: Points are measured one window at a time while the window work (points × (2R+1)² cells at
#: ~1.5 ns each) stays below this many times the grid's cells (the tiled transform costs 20–60 ns
#: per cell, halo included); beyond it, thousands of points, the transform is faster.
POINTS_VS_EDT: Final = 8.0
_POINT_TYPES: Final = (int(shapely.GeometryType.POINT), int(shapely.GeometryType.MULTIPOINT))


def distance_to(
    grid: Grid,
    geoms_metric: Any,
    *,
    max_distance_m: float,
    method: Method = "auto",
    workers: int | None = None,
    tile: int | None = None,
) -> np.ndarray:
    """Metres from each cell centre to the nearest feature, capped at ``max_distance_m`` (float32).

    Parameters
    ----------
    grid
        The grid to fill; features outside it still count when within the cap.
    geoms_metric
        Points, lines or polygons in EPSG:4548 (GeoSeries/GeoDataFrame, array or one geometry).
        Cells inside a polygon are 0.
    max_distance_m
        The cap: cells farther from every feature get exactly this value. Use the factor's far
        threshold; memory and time grow with it.
    method
        ``"points"`` (exact distance to each point, points only), ``"edt"`` (rasterise + tiled exact
        transform: distances between cell centres, so within half a cell diagonal of the true
        distance), or ``"auto"``: points when all features are points and few enough (see
        :data:`POINTS_VS_EDT`), else the transform.
    workers
        Threads (default: up to 4, one per available core). Pass 1 when the caller is itself
        running grids in parallel.
    tile
        Core tile size of the transform in cells (default from the halo, see :func:`edt_tile`).

    Returns
    -------
    numpy.ndarray
        float32, shape ``grid.shape``.
    """
    cap = _check_cap(max_distance_m)
    if method not in METHODS:
        raise SitingError(f"distance method {method!r} is not one of {', '.join(METHODS)}.")
    geoms = metric_geometries(geoms_metric, "distance layer")
    out = np.empty(grid.shape, dtype=np.float32)
    if len(geoms) == 0:
        out.fill(cap)
        return out
    chosen = choose_method(grid, geoms, cap) if method == "auto" else method
    if chosen == "points":
        if not np.isin(shapely.get_type_id(geoms), _POINT_TYPES).all():
            raise SitingError(
                "method='points' needs point features only; use method='edt' for lines or polygons."
            )
        _points(grid, shapely.get_coordinates(geoms), cap, out, _workers(workers))
    else:
        _edt_tiles(grid, geoms, cap, out, workers=_workers(workers), tile=tile)
    return out


def distance_to_exact(grid: Grid, geoms_metric: Any, *, max_distance_m: float) -> np.ndarray:
    """The reference: one exact transform of the whole (halo-padded) grid, as float32 capped metres.

    Rasterises like :func:`distance_to`'s ``"edt"`` method and runs
    :func:`scipy.ndimage.distance_transform_edt` once; memory is ~40 bytes per cell, so this is
    for tests and comparisons, not for all of Beijing at 10 m.
    """
    cap = _check_cap(max_distance_m)
    geoms = metric_geometries(geoms_metric, "distance layer")
    halo = math.ceil(cap / grid.resolution_m)
    burnt = grid.padded(halo).burn(geoms, all_touched=True)
    if not burnt.any():
        return np.full(grid.shape, cap, dtype=np.float32)
    full = distance_transform_edt(~burnt, sampling=grid.resolution_m)
    core = full[halo : halo + grid.height, halo : halo + grid.width]
    return np.minimum(core, cap).astype(np.float32)


def choose_method(grid: Grid, geoms: np.ndarray, max_distance_m: float) -> Literal["edt", "points"]:
    """``"points"`` for point features whose windows cost less than the grid's transform, else ``"edt"``."""
    if not np.isin(shapely.get_type_id(geoms), _POINT_TYPES).all():
        return "edt"
    points = len(np.unique(shapely.get_coordinates(geoms), axis=0))
    span = 2 * math.ceil(max_distance_m / grid.resolution_m) + 1
    window = min(span, grid.height) * min(span, grid.width)
    return "points" if points * window <= POINTS_VS_EDT * grid.cells else "edt"


def edt_tile(halo: int) -> int:
    """Core tile size for a halo of ``halo`` cells.

    A tile of T cells plus its halo costs c(P)·(P/T)² per core cell (P = T + 2·halo): small tiles
    waste work on their halo, large ones leave the CPU cache (c grows from ~6 ns at P = 400 to ~38 ns
    at P = 4,096). Measured on the 2-core development VM over all of Beijing, about five halos is
    best: 1,000–1,500 cells for 30 m with an 8 km cap (halo 267: 0.43 s against 1.0 s with 600-cell
    and 0.76 s with 3,000-cell tiles) and 10 m with 3 km, 4,000 for 10 m with 8 km (halo 800: 4.9 s
    against 6.4 s with 2,000-cell and 7.6 s with 5,000-cell tiles).
    """
    return int(min(4096, max(1024, math.ceil(5 * halo / 512) * 512)))  # whole GeoTIFF tiles


# --------------------------------------------------------------------------------------------- points
def _points(grid: Grid, coords: np.ndarray, cap: float, out: np.ndarray, workers: int) -> None:
    """Squared distances lowered point by point within each point's window; rows split into bands."""
    coords = np.unique(coords, axis=0)
    halo = math.ceil(cap / grid.resolution_m)
    xs, ys = grid.cell_centres()
    rows, cols = grid.rowcol(coords[:, 0], coords[:, 1])
    r0, r1 = np.clip(rows - halo, 0, grid.height), np.clip(rows + halo + 1, 0, grid.height)
    c0, c1 = np.clip(cols - halo, 0, grid.width), np.clip(cols + halo + 1, 0, grid.width)
    live = np.flatnonzero((r1 > r0) & (c1 > c0))
    cap2 = np.float32(cap * cap)

    def band(lo: int, hi: int) -> None:
        target = out[lo:hi]
        target.fill(cap2)
        for i in live[(r0[live] < hi) & (r1[live] > lo)]:
            a, b = max(int(r0[i]), lo), min(int(r1[i]), hi)
            dy2 = np.square(ys[a:b] - coords[i, 1]).astype(np.float32)
            dx2 = np.square(xs[c0[i] : c1[i]] - coords[i, 0]).astype(np.float32)
            view = out[a:b, c0[i] : c1[i]]
            np.minimum(view, np.add.outer(dy2, dx2), out=view)
        np.sqrt(target, out=target)
        np.minimum(target, np.float32(cap), out=target)

    # Row bands never share a cell, so threads need no lock; several bands per thread balance
    # point sets clustered in one part of the grid.
    step = max(64, -(-grid.height // (4 * workers)))
    _run_parallel(band, [(lo, min(lo + step, grid.height)) for lo in range(0, grid.height, step)], workers)


# --------------------------------------------------------------------------------------------- transform
def _edt_tiles(
    grid: Grid, geoms: np.ndarray, cap: float, out: np.ndarray, *, workers: int, tile: int | None
) -> None:
    """Rasterise once over the grid plus halo, then transform halo-padded tiles in threads."""
    halo = math.ceil(cap / grid.resolution_m)
    burnt = grid.padded(halo).burn(geoms, all_touched=True)
    res = grid.resolution_m

    def one(window: Window) -> None:
        r, c, h, w = int(window.row_off), int(window.col_off), int(window.height), int(window.width)
        # In burnt's coordinates the padded tile starts at (r, c): the halo offset cancels.
        block = burnt[r : r + h + 2 * halo, c : c + w + 2 * halo]
        _edt_block(block, halo, res, cap, out[r : r + h, c : c + w])

    _run_parallel(one, [(w,) for w in grid.windows(tile or edt_tile(halo))], workers)


def _edt_block(block: np.ndarray, halo: int, res: float, cap: float, target: np.ndarray) -> None:
    """Capped distances of the core of one halo-padded tile of burnt features into ``target``."""
    h, w = target.shape
    if not block.any():
        target.fill(cap)
        return
    if block[halo : halo + h, halo : halo + w].all():
        target.fill(0.0)
        return
    # Only the feature transform (int32 indices of each cell's nearest feature): SciPy's own
    # distances would be a float64 copy of the whole padded tile.
    indices = np.empty((2, *block.shape), dtype=np.int32)
    distance_transform_edt(~block, return_distances=False, return_indices=True, indices=indices)
    dy = indices[0, halo : halo + h, halo : halo + w] - np.arange(halo, halo + h, dtype=np.int32)[:, None]
    dx = indices[1, halo : halo + h, halo : halo + w] - np.arange(halo, halo + w, dtype=np.int32)[None, :]
    del indices
    np.multiply(dy, dy, out=dy)
    np.multiply(dx, dx, out=dx)
    np.add(dy, dx, out=dy)  # squared cells; ≤ 2·(tile + 2·halo)², far inside int32
    np.sqrt(dy, out=target, dtype=np.float32)
    np.multiply(target, np.float32(res), out=target)
    np.minimum(target, np.float32(cap), out=target)


# --------------------------------------------------------------------------------------------- helpers
def _check_cap(max_distance_m: float) -> float:
    cap = float(max_distance_m)
    if not (math.isfinite(cap) and cap > 0):
        raise SitingError(
            f"max_distance_m = {max_distance_m!r}: the distance cap must be a positive number of metres "
            "(the factor's far threshold)."
        )
    return cap


def _workers(workers: int | None) -> int:
    if workers is not None:
        return max(1, int(workers))
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(4, available))


def _run_parallel(func: Callable[..., None], jobs: Iterable[tuple[Any, ...]], workers: int) -> None:
    jobs = list(jobs)
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            func(*job)
        return
    with ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(func, *job) for job in jobs]:
            future.result()
