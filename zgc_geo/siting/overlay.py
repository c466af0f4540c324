"""Weighted overlay: standardised factors × weights → suitability 0–100, constraints, GeoTIFF output.

Suitability = 100 · Σ wᵢ·sᵢ with the weights normalised to sum to 1 and every sᵢ in [0, 1]
(:mod:`zgc_geo.siting.standardise`). A cell is **NaN** (no score) where it is constrained
(an exclusion or protected-area polygon), outside the study area, or where any factor has no data.
Renormalising the weights over the factors a cell does have would make its score mean something
different from its neighbours', so a missing factor value leaves the cell unscored rather than
scored on fewer criteria.

:func:`suitability_geotiff` runs the whole model block by block (factors → standardise → overlay →
write) in threads, so all of Beijing at 10 m (320 M cells) never holds more than a few blocks.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

import numpy as np
import rasterio
import shapely
from rasterio.enums import Resampling
from rasterio.windows import Window

from zgc_geo.errors import SitingError
from zgc_geo.siting.distance import Method, edt_tile
from zgc_geo.siting.factors import FactorSpec, check_geotiff, factor_array
from zgc_geo.siting.grid import Grid, metric_geometries
from zgc_geo.siting.ranking import normalise_weights
from zgc_geo.siting.standardise import standardise

#: GeoTIFF internal tile size; streamed blocks are multiples of it so every write fills whole tiles.
TIFF_TILE: Final = 512
#: Rows per step in :func:`weighted_overlay`: temporaries stay at a few rows × width, not a grid.
_OVERLAY_ROWS: Final = 1024
_OVERVIEWS: Final = (2, 4, 8, 16, 32)


def weighted_overlay(
    standardised: Mapping[str, np.ndarray],
    weights: Mapping[str, float],
    constraint: np.ndarray | None = None,
    *,
    inside: np.ndarray | None = None,
) -> np.ndarray:
    """Suitability 0–100 (float32) from standardised factors, computed in blocks of rows.

    Parameters
    ----------
    standardised
        Factor id → array in [0, 1] (NaN = no data), all of one shape.
    weights
        Factor id → weight ≥ 0; normalised to sum to 1. Every factor needs a weight and every
        weight a factor, else :class:`SitingError` names the odd ones out.
    constraint
        True where a cell is excluded (see :func:`constraint_mask`): NaN there.
    inside
        True inside the study area (see :func:`~zgc_geo.siting.grid.study_grid`): NaN outside.
    """
    ids = list(standardised)
    if not ids:
        raise SitingError("no factors to overlay; give at least one standardised factor.")
    normalised = normalise_weights(weights, ids)
    shape = np.shape(standardised[ids[0]])
    for name, array in [*standardised.items(), ("constraint", constraint), ("inside", inside)]:
        if array is not None and np.shape(array) != shape:
            raise SitingError(f"{name} has shape {np.shape(array)}, the other factors {shape}: use one grid.")
    out = np.empty(shape, dtype=np.float32)
    for start in range(0, shape[0], _OVERLAY_ROWS):
        rows = slice(start, start + _OVERLAY_ROWS)
        _combine(
            [(standardised[i][rows], float(normalised[i])) for i in ids],
            out[rows],
            None if constraint is None else constraint[rows],
            None if inside is None else inside[rows],
        )
    return out


def constraint_mask(grid: Grid, exclusion_polygons_metric: Any, *, all_touched: bool = False) -> np.ndarray:
    """True in cells excluded by any polygon (exclusions drawn by the user, protected areas …).

    A cell is excluded when its centre is inside a polygon; ``all_touched=True`` excludes every
    cell a polygon touches, the cautious choice for a protected area that must not be built on.
    """
    return grid.burn(metric_geometries(exclusion_polygons_metric, "exclusion layer"), all_touched=all_touched)


def write_suitability_geotiff(
    path: str | Path, grid: Grid, array: np.ndarray, *, overviews: bool = False
) -> Path:
    """Write a suitability array as a tiled (512 × 512), DEFLATE-compressed float32 GeoTIFF, nodata NaN.

    Predictor 3 (floating point) makes smooth float surfaces compress several times better. The
    file is written next to ``path`` under a temporary name and moved into place only when
    complete, so a reader never sees half a raster. ``overviews`` adds averaged overviews for
    fast display at small scales.
    """
    if np.shape(array) != grid.shape:
        raise SitingError(f"array of shape {np.shape(array)} does not fit the {grid.shape} grid.")
    with _atomic_geotiff(Path(path), grid, overviews) as dst:
        for window in grid.windows(4 * TIFF_TILE):
            rows, cols = _slices(window)
            dst.write(np.asarray(array[rows, cols], dtype=np.float32), 1, window=window)
    return Path(path)


def suitability_geotiff(
    path: str | Path,
    grid: Grid,
    layers: Sequence[tuple[FactorSpec, Any]],
    weights: Mapping[str, float],
    *,
    study_area: shapely.Geometry | None = None,
    exclusions: Any = None,
    workers: int | None = None,
    block: int | None = None,
    distance_method: Method = "auto",
    overviews: bool = False,
    timings: dict[str, float] | None = None,
) -> Path:
    """The whole model streamed block by block into a GeoTIFF: factors, standardise, overlay, write.

    Each block of the grid gets its factors (distance transforms see features up to the factor's
    cap beyond the block, so results equal a whole-grid run), standardised by its spec, overlaid
    with the normalised weights and written; blocks run in threads and at most two per thread are
    in memory at once. Blocks outside ``study_area`` are not computed (NaN in the file).

    Parameters
    ----------
    layers
        (spec, source) pairs; sources as for :func:`~zgc_geo.siting.factors.factor_array`.
    weights
        Factor id → weight, one per layer (normalised to sum to 1).
    study_area
        Polygon in EPSG:4548; cells whose centre is outside are NaN. None: the whole grid.
    exclusions
        Constraint polygons in EPSG:4548 (user exclusions, protected areas): NaN inside.
    workers, block
        Threads (default: up to 4, one per core) and block size in cells (default: the distance
        transform's best tile for the largest distance cap, see :func:`~zgc_geo.siting.distance.edt_tile`).
    distance_method
        Passed to :func:`~zgc_geo.siting.distance.distance_to` (``"edt"`` forces the transform for
        point layers too, for comparisons).
    timings
        When given, seconds spent per step (``factor:<id>``, ``standardise``, ``overlay``, ``mask``,
        ``write``) are added to it; steps of parallel blocks add up, so they can exceed wall time.
    """
    ids = [spec.id for spec, _ in layers]
    if not ids:
        raise SitingError("no factors to overlay; give at least one (spec, source) layer.")
    if len(set(ids)) != len(ids):
        raise SitingError(f"factor ids must be unique; got {', '.join(ids)}.")
    normalised = normalise_weights(weights, ids)
    plan = _BlockPlan(
        grid,
        layers=layers,
        study_area=study_area,
        exclusions=exclusions,
        weights={i: float(normalised[i]) for i in ids},
        method=distance_method,
        timings=timings,
    )
    halo = max(
        [math.ceil(s.max_distance_m / grid.resolution_m) for s, _ in layers if s.kind == "distance"] or [0]
    )
    block = block or (edt_tile(halo) if halo else 4 * TIFF_TILE)
    threads = max(
        1, workers or min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
    )
    with _atomic_geotiff(Path(path), grid, overviews) as dst, ThreadPoolExecutor(threads) as pool:
        pending: deque[tuple[Window, Future[np.ndarray | None]]] = deque()
        try:
            for window in grid.windows(block):
                pending.append((window, pool.submit(plan.block, window)))
                while len(pending) > 2 * threads or (pending and pending[0][1].done()):
                    plan.write(dst, *pending.popleft())
            while pending:
                plan.write(dst, *pending.popleft())
        except BaseException:
            for _, future in pending:  # a failed block (or Ctrl-C) stops the run, not just the block
                future.cancel()
            raise
    return Path(path)


class _BlockPlan:
    """What every block needs, prepared once: geometry indexes, weights, the timing ledger."""

    def __init__(
        self,
        grid: Grid,
        *,
        layers: Sequence[tuple[FactorSpec, Any]],
        study_area: shapely.Geometry | None,
        exclusions: Any,
        weights: dict[str, float],
        method: Method,
        timings: dict[str, float] | None,
    ) -> None:
        self.grid, self.layers, self.weights, self.timings = grid, list(layers), weights, timings
        self.method = method
        self.area = study_area
        if study_area is not None:
            shapely.prepare(study_area)
        self.exclusions = metric_geometries(exclusions if exclusions is not None else [], "exclusion layer")
        self.exclusion_tree = shapely.STRtree(self.exclusions)
        self.sources: dict[str, Any] = {}
        for spec, source in self.layers:
            if spec.kind == "raster":
                check_geotiff(Path(source))  # once, here: the importer's check is not thread-safe
                self.sources[spec.id] = source
            else:
                geoms = metric_geometries(source, f"factor {spec.id}")
                self.sources[spec.id] = (geoms, shapely.STRtree(geoms))
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _timed(self, step: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        if self.timings is not None:
            with self._lock:
                self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - start

    def block(self, window: Window) -> np.ndarray | None:
        sub = self.grid.window_grid(window)
        box = shapely.box(*sub.bounds)
        with self._timed("mask"):
            if self.area is not None and not self.area.intersects(box):
                return None
            inside = None if self.area is None or self.area.contains(box) else sub.burn([self.area])
            hits = self.exclusions[self.exclusion_tree.query(box)]
            excluded = constraint_mask(sub, hits) if len(hits) else None
        scored = []
        for spec, _ in self.layers:
            with self._timed(f"factor:{spec.id}"):
                raw = factor_array(
                    spec, sub, self._source(spec, box), workers=1, method=self.method, checked=True
                )
            with self._timed("standardise"):
                scored.append(
                    (standardise(raw, spec.direction, spec.lower, spec.upper, out=raw), self.weights[spec.id])
                )
        with self._timed("overlay"):
            out = np.empty(sub.shape, dtype=np.float32)
            _combine(scored, out, excluded, inside, scale_in_place=True)
        return out

    def _source(self, spec: FactorSpec, box: shapely.Geometry) -> Any:
        if spec.kind == "raster":
            return self.sources[spec.id]
        geoms, tree = self.sources[spec.id]
        reach = (
            shapely.buffer(box, spec.max_distance_m, join_style="mitre") if spec.kind == "distance" else box
        )
        return geoms[tree.query(reach)]

    def write(self, dst: Any, window: Window, future: Future[np.ndarray | None]) -> None:
        array = future.result()
        if array is not None:  # a skipped block stays unwritten: GDAL fills it with nodata (NaN)
            with self._timed("write"):
                dst.write(array, 1, window=window)


def _combine(
    scored: Sequence[tuple[np.ndarray, float]],
    out: np.ndarray,
    excluded: np.ndarray | None,
    inside: np.ndarray | None,
    *,
    scale_in_place: bool = False,
) -> None:
    """out = 100 · Σ w·s, NaN where excluded, outside or any s is NaN (in place, float32).

    With ``scale_in_place`` the factor arrays are scaled in place (they are the block's own
    buffers); otherwise one scratch buffer of ``out``'s size is reused for every factor.
    """
    scratch = None if scale_in_place else np.empty_like(out)
    for i, (values, weight) in enumerate(scored):
        target = out if i == 0 else (values if scratch is None else scratch)
        np.multiply(values, np.float32(100.0 * weight), out=target, casting="unsafe")
        if i:
            out += target
    np.clip(out, np.float32(0.0), np.float32(100.0), out=out)  # float noise only: Σw = 1, s ∈ [0, 1]
    if excluded is not None:
        np.copyto(out, np.float32(np.nan), where=excluded)
    if inside is not None:
        np.copyto(out, np.float32(np.nan), where=~inside)


def _slices(window: Window) -> tuple[slice, slice]:
    r, c = int(window.row_off), int(window.col_off)
    return slice(r, r + int(window.height)), slice(c, c + int(window.width))


@contextlib.contextmanager
def _atomic_geotiff(path: Path, grid: Grid, overviews: bool) -> Iterator[Any]:
    """An open GeoTIFF writer on a temporary file, moved to ``path`` only when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    profile = {
        "driver": "GTiff",
        "width": grid.width,
        "height": grid.height,
        "count": 1,
        "dtype": "float32",
        "crs": grid.crs.to_wkt(),
        "transform": grid.transform,
        "nodata": float("nan"),
        "tiled": True,
        "blockxsize": TIFF_TILE,
        "blockysize": TIFF_TILE,
        "compress": "deflate",
        "predictor": 3,
        "bigtiff": "IF_SAFER",
        "num_threads": "ALL_CPUS",
    }
    try:
        with rasterio.open(temp, "w", **profile) as dst:
            yield dst
            if overviews:
                dst.build_overviews([f for f in _OVERVIEWS if min(grid.shape) // f >= 1], Resampling.average)
                dst.update_tags(ns="rio_overview", resampling="average")
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)
