"""The fast path for large plot layers: read, repair, reproject, place in parks and sum per park.

A district-wide inventory can hold a million plot outlines. GeoPandas' general machinery
(per-call CRS checks, index alignment, ``sjoin``'s frame merge) costs more than the geometry
work itself at that size, so these functions work on shapely arrays with one vectorised call
per step and no Python loop over geometries. ``benchmarks/bench_stock.py`` measures them
against the plain GeoPandas pipeline; :mod:`zgc_geo.stock.metrics` uses them for the analysis.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from zgc_geo.crs import ANALYSIS_CRS, require_crs, require_projected, require_same_crs
from zgc_geo.errors import LayerError
from zgc_geo.placement import Placed, first_parks
from zgc_geo.polygons import polygonal_parts
from zgc_geo.projection import project_geometries

#: Label of plots that lie in no park, in :func:`park_sums` and the park summary.
OUTSIDE: Final = "(outside all parks)"
_POLYGON: Final = 3


def read_plots(path: str | Path, layer: str | int | None = None) -> gpd.GeoDataFrame:
    """Read a plot layer through GDAL's Arrow stream, geometries parsed batch by batch.

    The Arrow path hands each batch's geometries over as one WKB buffer that shapely parses
    in a single call (the row-by-row OGR path is several times slower). Attributes are read
    by pyogrio's own Arrow reader, which converts dates and JSON fields; geometries are read
    in a second stream without attributes, so the WKB of only one batch is in memory at a
    time instead of the whole layer's (about 250 MB for a million plots).

    Parameters
    ----------
    path
        Any vector file GDAL reads (GeoPackage, Shapefile, GeoJSON, FlatGeobuf …).
    layer
        Layer name or index for multi-layer files; the first layer when None.

    Raises
    ------
    LayerError
        The layer has no geometry column.
    """
    attributes = pyogrio.read_dataframe(path, layer=layer, read_geometry=False, use_arrow=True)
    with pyogrio.raw.open_arrow(path, layer=layer, columns=[], use_pyarrow=True) as (meta, reader):
        if not meta["geometry_type"]:
            raise LayerError(f"{path}: layer {layer or 0!r} has no geometry; plots must be polygons.")
        name = meta["geometry_name"] or "wkb_geometry"
        parts = [shapely.from_wkb(batch.column(name).to_numpy(zero_copy_only=False)) for batch in reader]
    geoms = np.concatenate(parts) if parts else np.empty(0, dtype=object)
    geometry = gpd.GeoSeries(geoms, index=attributes.index, crs=meta["crs"], name="geometry")
    return gpd.GeoDataFrame(attributes, geometry=geometry)


def repair_polygons(geoms: np.ndarray) -> np.ndarray:
    """Valid (Multi)Polygons: ``make_valid`` only where invalid, keeping the polygonal parts.

    Validity is checked once for all geometries; the (usually few) invalid ones are
    repaired in one call, so a clean layer costs one ``is_valid`` pass. Missing geometries
    stay missing; the input array is not modified.
    """
    geoms = np.asarray(geoms, dtype=object)
    invalid = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if not invalid.any():
        return geoms.copy()
    out = geoms.copy()
    # "structure" treats each ring as an area (a bowtie becomes its two triangles, overlapping
    # parts are unioned); it is ~4x faster than "linework" and drops collapsed slivers.
    repaired = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    out[invalid] = polygonal_parts(repaired)
    return out


def to_metric(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame with its geometry in EPSG:4548 (metres), attributes shared, not copied.

    A frame already in EPSG:4548 is returned as is. Raises :class:`~zgc_geo.errors.CRSError`
    when the frame has no CRS: a guessed CRS shifts plots by kilometres.
    """
    crs = require_crs(frame, "plot layer")
    if crs.equals(ANALYSIS_CRS):
        return frame
    geometry = gpd.GeoSeries(
        project_geometries(frame.geometry.to_numpy(), crs), index=frame.index, crs=ANALYSIS_CRS
    )
    return frame.set_geometry(geometry.rename(frame.geometry.name))


def _geometry_array(layer: gpd.GeoDataFrame | gpd.GeoSeries | np.ndarray, what: str) -> np.ndarray:
    if isinstance(layer, gpd.GeoDataFrame | gpd.GeoSeries):
        require_projected(layer, what)
        series = layer.geometry if isinstance(layer, gpd.GeoDataFrame) else layer
        return series.to_numpy()
    return np.asarray(layer, dtype=object)


def assign_parks(
    plots_metric: gpd.GeoDataFrame | gpd.GeoSeries | np.ndarray,
    parks_metric: gpd.GeoDataFrame,
    *,
    id_field: str = "park_id",
    placed: Placed | None = None,
) -> np.ndarray:
    """The park id of every plot, None for plots in no park, in one bulk spatial-index query
    (``placed``: answers already found for some plots, see :func:`~zgc_geo.placement.first_parks`).

    A plot belongs to the park holding its representative point (``point_on_surface``,
    always inside the outline, unlike a centroid for an L-shaped plot). Where parks
    overlap, the first park of the parks layer wins. Both layers must be in metres
    (EPSG:4548); geometry arrays are taken as already being in it.
    """
    geoms = _geometry_array(plots_metric, "plot layer")
    require_projected(parks_metric, "parks layer")
    if isinstance(plots_metric, gpd.GeoDataFrame | gpd.GeoSeries):
        require_same_crs(plots_metric, parks_metric, "plot layer", "parks layer")
    return first_parks(
        geoms, parks_metric.geometry.to_numpy(), parks_metric[id_field].to_numpy(dtype=object), placed=placed
    )


def park_sums(park_ids: np.ndarray | pd.Series, values: Mapping[str, np.ndarray | pd.Series]) -> pd.DataFrame:
    """Plot count and the sum of each value per park; plots in no park under :data:`OUTSIDE`.

    Sums skip missing values (a plot with unknown floor area adds nothing), as pandas'
    ``groupby().sum()`` does, but with one ``factorize`` and one ``bincount`` per column.
    Rows are sorted by park id, the outside row last.
    """
    codes, uniques = pd.factorize(np.asarray(park_ids, dtype=object), use_na_sentinel=True)
    size = len(uniques) + 1  # the last code is "outside all parks" (missing park id)
    codes = np.where(codes < 0, size - 1, codes)
    columns: dict[str, np.ndarray] = {"plots": np.bincount(codes, minlength=size)}
    for name, value in values.items():
        weights = np.nan_to_num(np.asarray(value, dtype=float), nan=0.0)
        columns[name] = np.bincount(codes, weights=weights, minlength=size)
    labels = pd.Index([*np.asarray(uniques, dtype=object), OUTSIDE], dtype=object, name="park_id")
    table = pd.DataFrame(columns, index=labels)
    if not columns["plots"][-1]:
        table = table.iloc[:-1]
    order = sorted(table.index, key=lambda park: (park == OUTSIDE, str(park)))
    return table.loc[order]
