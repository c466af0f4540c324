"""The one place that moves WGS84 overlays onto a GCJ-02 basemap (Amap), and map clicks back.

Every layer zgc-geo stores and analyses is WGS84. Amap tiles are drawn in GCJ-02, which
sits 490–580 m east and 100–220 m north of WGS84 around Beijing, so on an Amap basemap each
overlay is shifted *for display only*: vectors vertex by vertex (:func:`to_display`), points
(:func:`point_to_display`), and raster images pixel by pixel (:func:`grid_to_display`).
Anything read back from such a map — a click, the view bounds — is in GCJ-02 and must go
through :func:`point_from_display` / :func:`box_from_display` before analysis.

Why rasters are warped rather than given shifted bounds: Leaflet stretches an image
linearly between two corners, so shifting only the south-west and north-east corners
(:func:`bounds_to_display`) leaves the rest of the image wherever the stretch puts it. The
GCJ-02 offset is not a translation — it carries sine terms with a 1/3° (≈ 28 km) period — so
that residual (measured by :func:`corner_residual_m`) is about 19 m over a 20 km park
extent and about 82 m over all of Beijing (115.4–117.5° E, 39.4–41.1° N): above the 30 m
this tool accepts. :func:`grid_to_display` therefore resamples the display image onto a
GCJ-02 grid, leaving under a metre plus the nearest-neighbour half pixel.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Final, TypeVar

import geopandas as gpd
import numpy as np
from affine import Affine
from pyproj import Transformer

from zgc_geo.datums import convert_geodataframe, gcj02_to_wgs84, normalize_datum, wgs84_to_gcj02
from zgc_geo.errors import DatumError
from zgc_geo.plan_data import PlanData

WGS84: Final = "wgs84"
GCJ02: Final = "gcj02"
#: All of Beijing municipality, [[south, west], [north, east]]: the largest siting study area.
BEIJING_BOUNDS: Final = ((39.4, 115.4), (41.1, 117.5))
#: Corner-wise bounds are fine below this residual (metres); above it images are warped.
CORNER_RESIDUAL_LIMIT_M: Final = 30.0
#: Measured :func:`corner_residual_m` over :data:`BEIJING_BOUNDS` is 81.6 m; the bound we document.
BEIJING_CORNER_RESIDUAL_M: Final = 90.0
#: Destination pixels between exactly transformed nodes in :func:`grid_to_display`; the
#: offset is interpolated bilinearly in between (error well under a metre at this spacing).
WARP_NODE_STEP: Final = 8

_TO_MERCATOR: Final = Transformer.from_crs(4326, 3857, always_xy=True)
_TO_LONLAT: Final = Transformer.from_crs(3857, 4326, always_xy=True)

Frame = TypeVar("Frame", gpd.GeoDataFrame, gpd.GeoSeries)
Converter = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def display_datum(datum: str) -> str:
    """``"wgs84"`` or ``"gcj02"`` for any accepted spelling; BD-09 and unknown names raise.

    Raises
    ------
    DatumError
        For BD-09 (no Baidu basemap is offered) or an unknown name.
    """
    name = normalize_datum(datum)
    if name == "bd09":
        raise DatumError(
            "BD-09 is not a display datum here: no Baidu basemap is offered; use wgs84 or gcj02."
        )
    return name


def to_display(frame: Frame, datum: str) -> Frame:
    """``frame`` as it must be drawn on a ``datum`` basemap (WGS84 lon/lat in, degrees out).

    Identity (the same object) for WGS84; for GCJ-02 a shifted copy, every vertex moved by
    :func:`zgc_geo.datums.convert_geodataframe`. A GeoSeries comes back as a GeoSeries.
    """
    if display_datum(datum) == WGS84:
        return frame
    if isinstance(frame, gpd.GeoSeries):
        shifted = convert_geodataframe(gpd.GeoDataFrame(geometry=frame), WGS84, GCJ02).geometry
        return shifted.rename(frame.name)
    return convert_geodataframe(frame, WGS84, GCJ02)


def plan_to_display(plan: PlanData, datum: str) -> PlanData:
    """The plan with every GeoDataFrame field passed through :func:`to_display`."""
    if display_datum(datum) == WGS84:
        return plan
    shifted = {
        f.name: to_display(value, datum)
        for f in dataclasses.fields(plan)
        if isinstance(value := getattr(plan, f.name), gpd.GeoDataFrame)
    }
    return dataclasses.replace(plan, **shifted)


def point_to_display(lat: float, lon: float, datum: str) -> tuple[float, float]:
    """A WGS84 point as ``(lat, lon)`` on a ``datum`` basemap."""
    if display_datum(datum) == WGS84:
        return float(lat), float(lon)
    x, y = wgs84_to_gcj02(lon, lat)
    return float(y), float(x)


def point_from_display(lat: float, lon: float, datum: str) -> tuple[float, float]:
    """A point read off a ``datum`` basemap (a click) as WGS84 ``(lat, lon)``, for analysis.

    The GCJ-02 inverse is iterated to ~0.1 mm, so a round trip through
    :func:`point_to_display` returns the same point.
    """
    if display_datum(datum) == WGS84:
        return float(lat), float(lon)
    x, y = gcj02_to_wgs84(lon, lat)
    return float(y), float(x)


def bounds_to_display(bounds: list[list[float]], datum: str) -> list[list[float]]:
    """``[[south, west], [north, east]]`` with both corners shifted: fine for ``fit_bounds``.

    Not exact for an image stretched between the corners (see :func:`corner_residual_m`).
    """
    (s, w), (n, e) = bounds
    (s2, w2), (n2, e2) = point_to_display(s, w, datum), point_to_display(n, e, datum)
    return [[s2, w2], [n2, e2]]


def box_from_display(box: tuple[float, float, float, float], datum: str) -> tuple[float, float, float, float]:
    """A ``(minx, miny, maxx, maxy)`` lon/lat box read off a ``datum`` map (the view) in WGS84."""
    minx, miny, maxx, maxy = box
    s, w = point_from_display(miny, minx, datum)
    n, e = point_from_display(maxy, maxx, datum)
    return w, s, e, n


def corner_residual_m(bounds: list[list[float]], datum: str, samples: int = 101) -> float:
    """Worst misplacement (metres) of an image over ``bounds`` drawn with :func:`bounds_to_display`.

    Each of ``samples`` × ``samples`` points is placed where Leaflet's linear stretch (in Web
    Mercator) between the two shifted corners puts it, and compared with its true position.
    """
    (s, w), (n, e) = bounds
    lon, lat = np.meshgrid(np.linspace(w, e, samples), np.linspace(s, n, samples))
    x, y = _TO_MERCATOR.transform(lon, lat)
    (x0, x1), (y0, y1) = _TO_MERCATOR.transform([w, e], [s, n])
    (s2, w2), (n2, e2) = bounds_to_display(bounds, datum)
    (sx0, sx1), (sy0, sy1) = _TO_MERCATOR.transform([w2, e2], [s2, n2])
    stretched_x = sx0 + (x - x0) / (x1 - x0) * (sx1 - sx0)
    stretched_y = sy0 + (y - y0) / (y1 - y0) * (sy1 - sy0)
    true_lon, true_lat = (lon, lat) if display_datum(datum) == WGS84 else wgs84_to_gcj02(lon, lat)
    true_x, true_y = _TO_MERCATOR.transform(true_lon, true_lat)
    scale = np.cos(np.radians(lat))  # Web Mercator metres -> ground metres
    return float(np.max(np.hypot(stretched_x - true_x, stretched_y - true_y) * scale))


def grid_to_display(values: np.ndarray, transform: Affine, datum: str) -> tuple[np.ndarray, Affine]:
    """Resample a north-up EPSG:3857 image so each pixel lands where ``datum`` puts it.

    Identity for WGS84. For GCJ-02 the result is a new EPSG:3857 grid of the same pixel size
    covering the shifted footprint; each destination pixel takes (nearest neighbour, no
    invented values) the source pixel at its exact GCJ-02 → WGS84 inverse. The inverse is
    computed on nodes every :data:`WARP_NODE_STEP` pixels and interpolated in between.
    Pixels outside the source are NaN (or 0 for integer arrays).
    """
    if display_datum(datum) == WGS84:
        return values, transform
    height, width = values.shape[:2]
    px, py = transform.a, -transform.e
    # The shifted footprint: every edge sampled, as the outline is no longer a rectangle.
    t = np.linspace(0.0, 1.0, 129)
    cols = np.concatenate([t * width, np.full_like(t, width), t * width, np.zeros_like(t)])
    rows = np.concatenate([np.zeros_like(t), t * height, np.full_like(t, height), t * height])
    gx, gy = _shift_mercator(transform.c + cols * px, transform.f - rows * py, wgs84_to_gcj02)
    west, north = float(gx.min()), float(gy.max())
    dst_width = math.ceil((float(gx.max()) - west) / px)
    dst_height = math.ceil((north - float(gy.min())) / py)
    dst_transform = Affine(px, 0.0, west, 0.0, -py, north)

    node_cols = _nodes(dst_width)
    node_rows = _nodes(dst_height)
    nx, ny = np.meshgrid(west + node_cols * px, north - node_rows * py)
    sx, sy = _shift_mercator(nx, ny, gcj02_to_wgs84)
    all_cols = np.arange(dst_width) + 0.5
    all_rows = np.arange(dst_height) + 0.5
    off_x = _bilinear(sx - nx, node_rows, node_cols, all_rows, all_cols)
    off_y = _bilinear(sy - ny, node_rows, node_cols, all_rows, all_cols)
    src_x = west + all_cols[None, :] * px + off_x
    src_y = north - all_rows[:, None] * py + off_y
    src_col = np.floor((src_x - transform.c) / px).astype(np.int64)
    src_row = np.floor((transform.f - src_y) / py).astype(np.int64)
    inside = (src_col >= 0) & (src_col < width) & (src_row >= 0) & (src_row < height)
    fill = np.nan if np.issubdtype(values.dtype, np.floating) else 0
    out = np.full((dst_height, dst_width, *values.shape[2:]), fill, dtype=values.dtype)
    out[inside] = values[src_row[inside], src_col[inside]]
    return out, dst_transform


def _shift_mercator(x: np.ndarray, y: np.ndarray, convert: Converter) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _TO_LONLAT.transform(x, y)
    out_x, out_y = _TO_MERCATOR.transform(*convert(lon, lat))
    return np.asarray(out_x, np.float64), np.asarray(out_y, np.float64)


def _nodes(size: int) -> np.ndarray:
    """Pixel-centre coordinates of the exactly transformed nodes, always including both ends."""
    return np.unique(np.concatenate([np.arange(0, size, WARP_NODE_STEP), [size - 1]])) + 0.5


def _weights(at: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left-node index and fraction towards the next node for each of ``at`` (linear interpolation)."""
    if len(nodes) == 1:
        return np.zeros(len(at), np.int64), np.zeros(len(at))
    left = np.clip(np.searchsorted(nodes, at, side="right") - 1, 0, len(nodes) - 2)
    frac = np.clip((at - nodes[left]) / (nodes[left + 1] - nodes[left]), 0.0, 1.0)
    return left, frac


def _bilinear(
    grid: np.ndarray, rows: np.ndarray, cols: np.ndarray, at_rows: np.ndarray, at_cols: np.ndarray
) -> np.ndarray:
    """``grid`` (given at ``rows`` × ``cols``) interpolated to ``at_rows`` × ``at_cols``."""
    c, tc = _weights(at_cols, cols)
    r, tr = _weights(at_rows, rows)
    right = np.minimum(c + 1, grid.shape[1] - 1)
    along = grid[:, c] * (1.0 - tc) + grid[:, right] * tc
    below = np.minimum(r + 1, grid.shape[0] - 1)
    return along[r, :] * (1.0 - tr)[:, None] + along[below, :] * tr[:, None]
