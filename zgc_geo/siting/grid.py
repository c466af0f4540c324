"""The one raster grid every suitability factor lives on: EPSG:4548, square cells, snapped origin.

Factors from different sources (distances, park membership, a user's DEM) can only be combined
cell by cell when they share one grid, so every siting raster is made on a :class:`Grid` built
here. The origin is snapped to a multiple of the resolution, so two grids of the same resolution
(a park study area and all of Beijing, say) line up cell for cell and can be compared directly.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from pyproj import CRS
from rasterio.features import rasterize
from rasterio.windows import Window

from zgc_geo.crs import ANALYSIS_CRS, to_analysis_crs
from zgc_geo.errors import CRSError, SitingError
from zgc_geo.plan_data import PlanData

#: Finer than this the positional accuracy of the plan's outlines (tens of metres) is far coarser
#: than the cells, so the extra cells cost memory and time without adding information.
MIN_RESOLUTION_M: Final = 5.0
#: 400 M cells is all of Beijing at 10 m with a margin; one float32 layer of it is 1.6 GB.
MAX_CELLS: Final = 400_000_000
#: Default study-area buffer per kind: the parks get a 3 km margin so sites just outside a park
#: are scored too; Beijing's administrative boundary is the limit of the city's own planning.
DEFAULT_BUFFER_M: Final = {"parks": 3000.0, "beijing": 0.0}

StudyKind = Literal["parks", "beijing"]
_RASTERIZE_LOCK: Final = threading.Lock()


@dataclass(frozen=True)
class Grid:
    """A north-up grid of square cells in a metric CRS.

    Parameters
    ----------
    crs
        The grid's CRS; EPSG:4548 (CGCS2000 GK CM 117E) for every grid zgc-geo makes.
    transform
        Affine transform of the top-left corner (``Affine(res, 0, west, 0, -res, north)``).
    width, height
        Columns and rows.
    resolution_m
        Cell size in metres (equal to ``transform.a``).
    """

    crs: CRS
    transform: Affine
    width: int
    height: int
    resolution_m: float

    def __post_init__(self) -> None:
        t, res = self.transform, float(self.resolution_m)
        if not (t.b == 0 and t.d == 0 and math.isclose(t.a, res) and math.isclose(-t.e, res)):
            raise SitingError(
                f"grid transform {tuple(t)[:6]} is not north-up with square {res:g} m cells; "
                "build grids with grid_for()."
            )
        check_resolution(res)
        if self.width < 1 or self.height < 1:
            raise SitingError(
                f"grid of {self.width} × {self.height} cells is empty; the study area has no extent."
            )
        # The cell limit is checked where grids are made (grid_for), not here: a halo-padded
        # window of a grid at the limit is legitimately a little larger.

    # ------------------------------------------------------------------ geometry
    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns), the shape of every array on this grid."""
        return (self.height, self.width)

    @property
    def cells(self) -> int:
        return self.width * self.height

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in metres."""
        west, north = self.transform.c, self.transform.f
        return (west, north - self.height * self.resolution_m, west + self.width * self.resolution_m, north)

    def cell_centres(self, window: Window | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Centre x of each column and centre y of each row of ``window`` (default: whole grid).

        The grid is north-up, so centres are separable: two 1-D arrays broadcast to the 2-D
        centres (``x[None, :]``, ``y[:, None]``) without ever materialising width × height pairs.
        """
        window = window or Window(0, 0, self.width, self.height)
        res, west, north = self.resolution_m, self.transform.c, self.transform.f
        cols = np.arange(window.col_off, window.col_off + window.width, dtype=np.float64)
        rows = np.arange(window.row_off, window.row_off + window.height, dtype=np.float64)
        return west + (cols + 0.5) * res, north - (rows + 0.5) * res

    def rowcol(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column (int64, possibly outside the grid) of the cells holding points (x, y)."""
        res, west, north = self.resolution_m, self.transform.c, self.transform.f
        rows = np.floor((north - np.asarray(y, dtype=np.float64)) / res).astype(np.int64)
        cols = np.floor((np.asarray(x, dtype=np.float64) - west) / res).astype(np.int64)
        return rows, cols

    # ------------------------------------------------------------------ windows
    def windows(self, block: int) -> Iterator[Window]:
        """Windows of at most ``block`` × ``block`` cells covering the grid, row by row."""
        if block < 1:
            raise SitingError(f"block size {block} must be at least 1 cell.")
        for row in range(0, self.height, block):
            for col in range(0, self.width, block):
                yield Window(col, row, min(block, self.width - col), min(block, self.height - row))

    def window_grid(self, window: Window) -> Grid:
        """The grid of the cells in ``window``; the window may reach beyond this grid (padding)."""
        col, row = int(window.col_off), int(window.row_off)
        transform = self.transform @ Affine.translation(col, row)
        return Grid(self.crs, transform, int(window.width), int(window.height), self.resolution_m)

    def padded(self, cells: int) -> Grid:
        """This grid grown by ``cells`` on every side (a halo for neighbourhood operations)."""
        return self.window_grid(Window(-cells, -cells, self.width + 2 * cells, self.height + 2 * cells))

    def burn(self, geoms: Any, *, all_touched: bool = False) -> np.ndarray:
        """Boolean array, True in cells the geometries cover (GDAL's rasteriser).

        With ``all_touched=False`` a cell counts when its centre is inside a polygon (the rule
        for membership and zonal statistics); with True every cell a geometry touches counts
        (the rule for distances, where a thin line must not fall between cell centres).
        """
        geoms = np.asarray(geoms, dtype=object)
        if len(geoms) == 0:
            return np.zeros(self.shape, dtype=bool)
        return self.rasterize(((g, 1) for g in geoms), dtype="uint8", all_touched=all_touched).view(bool)

    def rasterize(
        self, shapes: Iterable[tuple[Any, int]], *, dtype: str, all_touched: bool = False
    ) -> np.ndarray:
        """``rasterio.features.rasterize`` of (geometry, value) pairs onto this grid, fill 0.

        Calls are serialised: rasterio silences a warning of its in-memory dataset with
        ``warnings.catch_warnings``, which is not thread-safe, so two concurrent calls can leak
        that warning (and turn it into an error under pytest). The rasteriser holds the GIL for
        most of its work anyway.
        """
        with _RASTERIZE_LOCK:
            return rasterize(
                shapes,
                out_shape=self.shape,
                transform=self.transform,
                fill=0,
                all_touched=all_touched,
                dtype=dtype,
            )


def check_resolution(resolution_m: float) -> None:
    """Raise unless the resolution is finite and at least :data:`MIN_RESOLUTION_M`."""
    if not (math.isfinite(resolution_m) and resolution_m >= MIN_RESOLUTION_M):
        raise SitingError(
            f"resolution {resolution_m:g} m is below the minimum of {MIN_RESOLUTION_M:g} m; "
            "use 10 m or coarser (the plan's outlines are not more accurate than that)."
        )


def check_cells(width: int, height: int, resolution_m: float) -> None:
    """Raise if a grid of width × height cells exceeds :data:`MAX_CELLS`, with the numbers."""
    if width * height > MAX_CELLS:
        raise SitingError(
            f"a {resolution_m:g} m grid over this area has {width:,} × {height:,} = "
            f"{width * height:,} cells, "
            f"more than the limit of {MAX_CELLS:,}; choose a coarser resolution or a smaller study area."
        )


def require_metric_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries, what: str = "layer") -> None:
    """Raise unless the frame is in EPSG:4548 (or has no CRS, i.e. the caller vouches for it)."""
    if frame.crs is not None and not CRS.from_user_input(frame.crs).equals(ANALYSIS_CRS):
        raise CRSError(
            f"{what} is in {CRS.from_user_input(frame.crs).to_string()}; siting grids are in EPSG:4548: "
            "reproject it with to_analysis_crs() first."
        )


def metric_geometries(geoms: Any, what: str = "layer") -> np.ndarray:
    """Shapely geometries in EPSG:4548 as an object array, missing and empty ones dropped.

    Accepts a GeoSeries / GeoDataFrame (its CRS must be EPSG:4548: reprojection is always the
    caller's explicit step), a single geometry, or any sequence of shapely geometries (taken to
    be in EPSG:4548 already).
    """
    if isinstance(geoms, gpd.GeoDataFrame | gpd.GeoSeries):
        require_metric_crs(geoms, what)
        array = np.asarray(geoms.geometry.to_numpy(), dtype=object)
    elif isinstance(geoms, shapely.Geometry):
        array = np.array([geoms], dtype=object)
    elif isinstance(geoms, str | os.PathLike):
        raise SitingError(
            f"{what} is a file name ({geoms}); read it first (zgc_geo.importing) and pass its geometries "
            "in EPSG:4548."
        )
    else:
        array = np.asarray(list(geoms), dtype=object).ravel()
    try:
        keep = ~(shapely.is_missing(array) | shapely.is_empty(array))
    except TypeError:
        raise SitingError(f"{what} must hold shapely geometries only (points, lines, polygons).") from None
    return array[keep]


def grid_for(geoms_metric: Any, resolution_m: float, buffer_m: float = 0.0) -> Grid:
    """The grid covering the geometries' bounds plus ``buffer_m``, origin snapped to the resolution.

    The edges are moved outwards to multiples of ``resolution_m`` so that grids of one
    resolution share their cell edges wherever they overlap.

    Raises
    ------
    SitingError
        No geometry, a resolution below 5 m, or more than :data:`MAX_CELLS` cells.
    """
    check_resolution(resolution_m)
    geoms = metric_geometries(geoms_metric, "study area")
    if len(geoms) == 0:
        raise SitingError("the study area has no geometry; a grid needs at least one non-empty geometry.")
    west, south, east, north = shapely.total_bounds(geoms)
    res = float(resolution_m)
    west = math.floor((west - buffer_m) / res) * res
    south = math.floor((south - buffer_m) / res) * res
    east = math.ceil((east + buffer_m) / res) * res
    north = math.ceil((north + buffer_m) / res) * res
    width, height = max(1, round((east - west) / res)), max(1, round((north - south) / res))
    check_cells(width, height, res)
    return Grid(ANALYSIS_CRS, Affine(res, 0.0, west, 0.0, -res, north), width, height, res)


def study_area(plan: PlanData, kind: StudyKind = "parks", buffer_m: float | None = None) -> shapely.Geometry:
    """The study area in EPSG:4548: the 16 parks plus a buffer, or all of Beijing.

    Parameters
    ----------
    kind
        ``"parks"``: the union of the 16 parks (default buffer 3 km, see :data:`DEFAULT_BUFFER_M`);
        ``"beijing"``: the union of Beijing's 16 districts (default buffer 0).
    buffer_m
        Margin in metres; None for the kind's default.
    """
    if kind not in DEFAULT_BUFFER_M:
        raise SitingError(f"study area {kind!r} is not one of {', '.join(DEFAULT_BUFFER_M)}.")
    buffer = DEFAULT_BUFFER_M[kind] if buffer_m is None else float(buffer_m)
    if not (math.isfinite(buffer) and buffer >= 0):
        raise SitingError(f"study-area buffer {buffer_m!r} m must be a finite number ≥ 0.")
    layer = plan.parks if kind == "parks" else plan.districts
    area = shapely.union_all(to_analysis_crs(layer).geometry.to_numpy())
    if kind == "beijing":
        area = _fill_slivers(area)
    return shapely.buffer(area, buffer, quad_segs=8) if buffer > 0 else area


def study_grid(
    plan: PlanData, kind: StudyKind = "parks", resolution_m: float = 30.0, buffer_m: float | None = None
) -> tuple[Grid, np.ndarray]:
    """The grid over :func:`study_area` and a boolean mask of the cells whose centre is inside it."""
    area = study_area(plan, kind, buffer_m)
    grid = grid_for(area, resolution_m)
    return grid, grid.burn(np.array([area], dtype=object))


#: Holes smaller than this in the union of Beijing's districts are gaps between district outlines
#: (digitising slivers), not places outside the city.
_SLIVER_M2: Final = 1e6


def _fill_slivers(area: shapely.Geometry) -> shapely.Geometry:
    parts = shapely.get_parts(area)
    filled = []
    for part in parts:
        holes = [ring for ring in part.interiors if shapely.area(shapely.Polygon(ring)) >= _SLIVER_M2]
        filled.append(shapely.Polygon(part.exterior, holes))
    return shapely.union_all(filled)
