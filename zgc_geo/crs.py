"""CRS discipline: exchange in WGS84, measure in CGCS2000 Gauss-Krüger CM 117E, refuse degrees."""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

import zgc_geo.transformers  # noqa: F401 - makes every to_crs set its transformers up once per process
from zgc_geo.errors import CRSError

#: Storage and exchange CRS for every layer zgc-geo reads or writes.
STORAGE_CRS: Final = CRS.from_epsg(4326)

#: Metric CRS for areas and distances: CGCS2000 / 3-degree Gauss-Kruger CM 117E,
#: without the zone prefix. Across Beijing (115.4–117.5°E, 39.4–41.1°N) it overstates areas by
#: 0 to +0.046 % (lengths by at most +0.023 %). UTM 50N understates them by 0.03–0.08 %, about
#: as far off the other way; Web Mercator overstates lengths by 29–33 % and so areas by 68–76 %:
#: never measure in it (tests/test_crs.py recomputes these figures).
ANALYSIS_CRS: Final = CRS.from_epsg(4548)

M2_PER_KM2: Final = 1_000_000.0
M2_PER_HA: Final = 10_000.0
#: One Chinese mu (亩) is exactly 10,000/15 m² (666.67 m²).
M2_PER_MU: Final = 10_000.0 / 15.0


def require_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, what: str = "layer") -> CRS:
    """Return the frame's CRS, or raise if it has none.

    Nothing may enter analysis without a CRS: a guess here silently shifts data by
    hundreds of kilometres.
    """
    if gdf.crs is None:
        raise CRSError(
            f"{what} has no coordinate reference system; set it explicitly "
            "(e.g. EPSG:4326 for lon/lat, EPSG:4548 for CGCS2000 GK CM 117E metres)."
        )
    return CRS.from_user_input(gdf.crs)


def require_projected(gdf: gpd.GeoDataFrame | gpd.GeoSeries, what: str = "layer") -> None:
    """Raise unless the frame is in a projected CRS whose unit is the metre.

    Areas and distances computed in degrees are wrong by a latitude-dependent
    factor; this guard makes such a computation impossible rather than subtle.
    """
    crs = require_crs(gdf, what)
    if not crs.is_projected:
        raise CRSError(
            f"{what} is in a geographic CRS ({crs.to_string()}); areas and distances "
            "in degrees are meaningless. Reproject with to_analysis_crs() first."
        )
    units = {axis.unit_name for axis in crs.axis_info}
    if units - {"metre"}:
        raise CRSError(
            f"{what} is in {crs.to_string()} with units {sorted(units)}; "
            "zgc-geo measures in metres (EPSG:4548)."
        )


def require_same_crs(
    left: gpd.GeoDataFrame | gpd.GeoSeries,
    right: gpd.GeoDataFrame | gpd.GeoSeries,
    left_name: str = "left layer",
    right_name: str = "right layer",
) -> None:
    """Raise if two layers are not in the same CRS: reprojection is always explicit."""
    left_crs, right_crs = require_crs(left, left_name), require_crs(right, right_name)
    if not left_crs.equals(right_crs):
        raise CRSError(
            f"{left_name} is in {left_crs.to_string()} but {right_name} is in "
            f"{right_crs.to_string()}; reproject one of them before combining."
        )


def to_analysis_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Reproject to the metric analysis CRS (EPSG:4548), checking a CRS is set."""
    require_crs(gdf)
    return gdf.to_crs(ANALYSIS_CRS)


def to_storage_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Reproject to WGS84 (EPSG:4326) for storage, exchange and web maps."""
    require_crs(gdf)
    return gdf.to_crs(STORAGE_CRS)


def area_m2(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Planar area in m² of every geometry, measured in the analysis CRS.

    Geographic input is reprojected to EPSG:4548 first; any other projected CRS
    must be metric (it is used as is, since the caller chose it deliberately).
    """
    series = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    crs = require_crs(series)
    if crs.is_geographic:
        series = series.to_crs(ANALYSIS_CRS)
    require_projected(series)
    return pd.Series(series.area.to_numpy(dtype=float), index=series.index, name="area_m2")


def area_km2(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area in km² (see :func:`area_m2`)."""
    return (area_m2(gdf) / M2_PER_KM2).rename("area_km2")


def area_mu(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area in mu (亩), the unit Chinese land inventories report."""
    return (area_m2(gdf) / M2_PER_MU).rename("area_mu")


def distance_m(left: gpd.GeoSeries | gpd.GeoDataFrame, right: gpd.GeoSeries | gpd.GeoDataFrame) -> np.ndarray:
    """Element-wise planar distance in metres between two aligned layers.

    Both are brought to EPSG:4548 when geographic; differing CRSs are refused
    rather than silently reconciled.
    """
    require_same_crs(left, right)
    lseries = left.geometry if isinstance(left, gpd.GeoDataFrame) else left
    rseries = right.geometry if isinstance(right, gpd.GeoDataFrame) else right
    if require_crs(lseries).is_geographic:
        lseries, rseries = lseries.to_crs(ANALYSIS_CRS), rseries.to_crs(ANALYSIS_CRS)
    require_projected(lseries)
    return lseries.distance(rseries, align=False).to_numpy(dtype=float)
