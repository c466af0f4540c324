"""Spatial reach of a cluster's feature parks: how much of each park (and of its idle plots) lies near one.

A cluster's feature parks (§五(一)) are where its firms, labs and services concentrate; land
within a few kilometres of one can share them. For a radius (default 3 km) the *reach* of a
cluster is the union of discs around its feature parks, built in EPSG:4548 (metres). Each
park's covered share is the area of the park inside that reach; with an idle-plot inventory
(§五(二)2 存量空间盘活利用) the plots whose representative point lies in reach are counted
too. A proposed site can be added to see how far a new feature park would close the gaps.

The feature-park points are zgc-geo estimates graded by ``location_accuracy`` (some place
only the host park), so shares are indicative at the scale of a kilometre, not survey results.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, TypeAlias, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from zgc_geo.coverage.matrix import check_ids
from zgc_geo.crs import ANALYSIS_CRS, M2_PER_HA, M2_PER_KM2, STORAGE_CRS, require_crs
from zgc_geo.errors import OptionError
from zgc_geo.plan_data import PlanData, park_cluster_roles
from zgc_geo.stock import bulk

DEFAULT_RADIUS_M: Final = 3000.0
#: Segments per quarter circle of a buffer: 128-gons, whose area is within 0.04 % of π r²
#: (shapely's default of 8 per quarter is 0.6 % short, enough to blur a what-if change).
QUAD_SEGS: Final = 32
#: Row label of plots that lie in no park (see :data:`zgc_geo.stock.bulk.OUTSIDE`).
OUTSIDE: Final = bulk.OUTSIDE
PLOT_COLUMNS: Final = (
    "plots",
    "plots_covered",
    "plots_covered_share",
    "plot_area_ha",
    "plot_area_covered_ha",
)
#: Columns compared by :func:`what_if`.
WHAT_IF_MEASURES: Final = ("covered_km2", "covered_share", "plots_covered", "plot_area_covered_ha")

#: Proposed sites: a GeoSeries/GeoDataFrame with a CRS, shapely points in lon/lat, or (lon, lat) pairs.
Sites: TypeAlias = gpd.GeoSeries | gpd.GeoDataFrame | Iterable[shapely.Point | tuple[float, float]]


@dataclass(frozen=True)
class PlotPoints:
    """An inventory reduced to what coverage needs, so several clusters reuse one preparation.

    ``park_ids`` follows ``zgc-geo stock``: the inventory's own ``park_id`` where it names a
    park of the plan, else the park holding the plot's representative point (None outside all).
    """

    park_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    area_m2: np.ndarray


def reach(
    plan: PlanData, cluster_id: str, radius_m: float, extra_sites: Sites | None = None
) -> shapely.Geometry:
    """The union of ``radius_m`` discs around the cluster's feature parks and any proposed sites.

    In EPSG:4548 (metres); an empty geometry when the cluster has no feature park and no
    site is given. ``extra_sites`` are lon/lat points (see :data:`Sites`).
    """
    check_ids(plan, cluster_id=cluster_id)
    radius = check_radius(radius_m)
    points = np.concatenate([_cluster_points(plan, cluster_id), site_points(extra_sites)])
    return shapely.union_all(shapely.buffer(points, radius, quad_segs=QUAD_SEGS))


def park_coverage(
    plan: PlanData,
    cluster_id: str,
    radius_m: float = DEFAULT_RADIUS_M,
    *,
    plots: gpd.GeoDataFrame | PlotPoints | None = None,
    extra_sites: Sites | None = None,
) -> pd.DataFrame:
    """Per park (shipped order): how much of it lies within ``radius_m`` of the cluster's feature parks.

    Columns: ``park_id``, ``park_name_zh``, ``role`` (core / focus / "" for this cluster,
    §五(一)), ``park_area_km2``, ``covered_km2``, ``covered_share``; with ``plots`` (an
    inventory with ``plot_id`` and polygon geometry, any declared CRS) also ``plots``,
    ``plots_covered`` (representative point within reach), ``plots_covered_share``,
    ``plot_area_ha`` and ``plot_area_covered_ha`` (area of the covered plots), plus a row
    :data:`OUTSIDE` for plots in no park when there are any.
    """
    check_ids(plan, cluster_id=cluster_id)
    points = plot_points(plan, plots) if isinstance(plots, gpd.GeoDataFrame) else plots
    geom = reach(plan, cluster_id, radius_m, extra_sites)
    table = _coverage_rows(plan, geom, points)
    roles = park_cluster_roles(plan)
    roles = roles[roles["cluster_id"] == cluster_id].set_index("park_id")["role"]
    table.insert(2, "role", table["park_id"].map(roles).fillna(""))
    return table


def coverage_table(
    plan: PlanData, radius_m: float = DEFAULT_RADIUS_M, plots: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """:func:`park_coverage` for every cluster, long (cluster × park), for the CLI and XLSX.

    Adds ``cluster_id``, ``cluster_short_zh``, ``radius_km`` and ``section`` (the cluster's
    §五(一)n, where its feature parks are listed). The inventory is prepared once.
    """
    radius = check_radius(radius_m)
    points = plot_points(plan, plots) if plots is not None else None
    tables = []
    for cluster in plan.clusters.itertuples(index=False):
        table = park_coverage(plan, cluster.cluster_id, radius, plots=points)
        table.insert(0, "cluster_id", cluster.cluster_id)
        table.insert(1, "cluster_short_zh", cluster.short_zh)
        table.insert(2, "radius_km", radius / 1000.0)
        table["section"] = cluster.section
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def uncovered(
    plan: PlanData,
    cluster_id: str,
    radius_m: float,
    extra_sites: Sites | None = None,
    park_ids: Sequence[str] | None = None,
    *,
    area: shapely.Geometry | None = None,
) -> gpd.GeoDataFrame:
    """Each park's area out of the cluster's reach, as polygons in EPSG:4326 for a map.

    ``park_ids`` defaults to the cluster's core/focus parks (§五(一)), the parks the plan
    builds it on. ``area``: that reach (:func:`reach` of the same arguments, EPSG:4548) when the
    caller has it already, so the union of discs is not made twice. Columns: ``park_id``,
    ``park_name_zh``, ``role``, ``uncovered_km2``,
    ``uncovered_share``. Parks wholly within reach have no row (nothing to draw).
    """
    check_ids(plan, cluster_id=cluster_id)
    roles = park_cluster_roles(plan)
    roles = roles[roles["cluster_id"] == cluster_id].set_index("park_id")["role"]
    chosen = list(roles.index) if park_ids is None else list(park_ids)
    for park_id in chosen:
        check_ids(plan, park_id=park_id)
    parks = plan.parks[plan.parks["park_id"].isin(chosen)]
    geoms = parks.geometry.to_crs(ANALYSIS_CRS).to_numpy()
    if area is None:
        area = reach(plan, cluster_id, radius_m, extra_sites)
    rest = shapely.difference(geoms, area)
    left = shapely.area(rest)
    frame = gpd.GeoDataFrame(
        {
            "park_id": parks["park_id"].to_numpy(),
            "park_name_zh": parks["name_zh"].to_numpy(),
            "role": parks["park_id"].map(roles).fillna("").to_numpy(),
            "uncovered_km2": left / M2_PER_KM2,
            "uncovered_share": left / shapely.area(geoms),
        },
        geometry=rest,
        crs=ANALYSIS_CRS,
    )
    return frame[~shapely.is_empty(rest)].to_crs(STORAGE_CRS).reset_index(drop=True)


def what_if(
    plan: PlanData,
    cluster_id: str,
    radius_m: float,
    site_lonlat: tuple[float, float] | Sites,
    plots: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Coverage per park before and after adding a proposed site (or several) to the cluster.

    For each of ``covered_km2``, ``covered_share`` and, with ``plots``, ``plots_covered`` and
    ``plot_area_covered_ha``: ``<measure>_before``, ``<measure>_after`` and ``<measure>_change``.
    ``site_lonlat`` is one (lon, lat) pair in WGS84 or anything :data:`Sites` accepts.
    """
    points = plot_points(plan, plots) if plots is not None else None
    before = park_coverage(plan, cluster_id, radius_m, plots=points)
    after = park_coverage(plan, cluster_id, radius_m, plots=points, extra_sites=site_lonlat)
    table = before[["park_id", "park_name_zh", "role"]].copy()
    for measure in (m for m in WHAT_IF_MEASURES if m in before.columns):
        table[f"{measure}_before"] = before[measure]
        table[f"{measure}_after"] = after[measure]
        table[f"{measure}_change"] = after[measure] - before[measure]
    return table


def check_radius(radius_m: float) -> float:
    """The radius as a float; raise :class:`OptionError` unless it is a finite number above 0."""
    try:
        radius = float(radius_m)
    except (TypeError, ValueError):
        raise OptionError(f"radius {radius_m!r} is not a number; give metres above 0, e.g. 3000") from None
    if not math.isfinite(radius) or radius <= 0:
        raise OptionError(f"radius must be above 0 (got {radius_m!r}); e.g. 3000 m (3 km)")
    return radius


def plot_points(plan: PlanData, plots: gpd.GeoDataFrame) -> PlotPoints:
    """Representative points (EPSG:4548), areas and parks of an inventory, all plots at once."""
    crs = require_crs(plots, "plot inventory")
    geoms = bulk.repair_polygons(plots.geometry.to_numpy())
    if not crs.equals(ANALYSIS_CRS):
        geoms = bulk.project_geometries(geoms, crs)
    located = bulk.assign_parks(geoms, bulk.to_metric(plan.parks))
    if "park_id" in plots.columns:
        given = plots["park_id"]
        known = given.isin(set(plan.parks["park_id"])).to_numpy()
        located = np.where(known, given.to_numpy(dtype=object), located)
    points = shapely.point_on_surface(geoms)
    return PlotPoints(located, shapely.get_x(points), shapely.get_y(points), shapely.area(geoms))


def site_points(sites: tuple[float, float] | Sites | None) -> np.ndarray:
    """Proposed sites as shapely points in EPSG:4548.

    A GeoSeries/GeoDataFrame is reprojected from its own CRS (it must have one); anything
    else is read as WGS84 lon/lat: one (lon, lat) pair, pairs, or shapely points.
    """
    if sites is None:
        return np.empty(0, dtype=object)
    if isinstance(sites, gpd.GeoSeries | gpd.GeoDataFrame):
        require_crs(sites, "proposed sites")
        return np.asarray(sites.geometry.to_crs(ANALYSIS_CRS).to_numpy(), dtype=object)
    items = [sites] if _is_pair(sites) else list(sites)
    lonlat = np.array(
        [(item.x, item.y) if isinstance(item, shapely.Point) else _pair(item) for item in items],
        dtype=float,
    ).reshape(-1, 2)
    bad = ~((np.abs(lonlat[:, 0]) <= 180) & (np.abs(lonlat[:, 1]) <= 90))
    if bad.any():
        raise OptionError(
            f"proposed site {tuple(lonlat[bad][0])} is not lon/lat in degrees (WGS84, EPSG:4326), "
            "e.g. (116.31, 39.98)"
        )
    transformer = Transformer.from_crs(STORAGE_CRS, ANALYSIS_CRS, always_xy=True)
    x, y = transformer.transform(lonlat[:, 0], lonlat[:, 1])
    return np.asarray(shapely.points(x, y), dtype=object).reshape(-1)


def _is_pair(value: object) -> bool:
    return (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )


def _pair(item: object) -> tuple[float, float]:
    if not _is_pair(item):
        raise OptionError(f"proposed site {item!r} is not a (lon, lat) pair or a point")
    pair = cast(Sequence[float], item)
    return float(pair[0]), float(pair[1])


def _cluster_points(plan: PlanData, cluster_id: str) -> np.ndarray:
    places = plan.feature_parks
    members = places[places["cluster_ids"].map(lambda ids: cluster_id in ids)]
    return np.asarray(members.geometry.to_crs(ANALYSIS_CRS).to_numpy(), dtype=object)


def _coverage_rows(plan: PlanData, geom: shapely.Geometry, points: PlotPoints | None) -> pd.DataFrame:
    """Covered area per park from one vectorised intersection; plot counts from one point test."""
    parks = plan.parks
    geoms = parks.geometry.to_crs(ANALYSIS_CRS).to_numpy()
    area = shapely.area(geoms)
    covered = shapely.area(shapely.intersection(geoms, geom))
    table = pd.DataFrame(
        {
            "park_id": parks["park_id"].to_numpy(dtype=object),
            "park_name_zh": parks["name_zh"].to_numpy(dtype=object),
            "park_area_km2": area / M2_PER_KM2,
            "covered_km2": covered / M2_PER_KM2,
            "covered_share": covered / area,
        }
    )
    if points is None:
        return table
    shapely.prepare(geom)
    inside = shapely.contains_xy(geom, points.x, points.y)
    sums = bulk.park_sums(
        points.park_ids,
        {
            "plots_covered": inside.astype(float),
            "plot_area_ha": points.area_m2 / M2_PER_HA,
            "plot_area_covered_ha": np.where(inside, points.area_m2, 0.0) / M2_PER_HA,
        },
    )
    order = [*table["park_id"], *([OUTSIDE] if OUTSIDE in sums.index else [])]
    sums = sums.reindex(order).fillna(0.0)
    table = table.set_index("park_id").reindex(order).reset_index()
    table.loc[table["park_id"] == OUTSIDE, "park_name_zh"] = "（不在任何分园内）"
    table["plots"] = sums["plots"].to_numpy(dtype=int)
    table["plots_covered"] = sums["plots_covered"].to_numpy(dtype=int)
    table["plots_covered_share"] = table["plots_covered"] / table["plots"].where(table["plots"] > 0)
    table["plot_area_ha"] = sums["plot_area_ha"].to_numpy()
    table["plot_area_covered_ha"] = sums["plot_area_covered_ha"].to_numpy()
    return table
