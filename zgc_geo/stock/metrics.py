"""Per-plot measures of the land stock: size, park, distance to the clusters, idleness and FAR headroom.

Everything is measured on the plot outlines in EPSG:4548 (metres), whatever the area columns of
the inventory say: the importer keeps reported areas for checking, but analysis trusts geometry.
Spatial work goes through :mod:`zgc_geo.stock.bulk` (bulk index queries, no per-row loops).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zgc_geo.cells import as_text
from zgc_geo.crs import ANALYSIS_CRS, M2_PER_HA, M2_PER_MU, require_crs
from zgc_geo.errors import RulesError
from zgc_geo.importing.land_use import load_vocabulary
from zgc_geo.placement import Placed
from zgc_geo.plan_data import PlanData
from zgc_geo.stock import bulk
from zgc_geo.stock.distinct import per_value
from zgc_geo.stock.scenario import (
    PlotRatioScenario,
    check_parks,
    far_targets,
    read_rules_file,
    stock_rules_path,
)
from zgc_geo.threads import workers


def load_idle_words(path: Path | None = None) -> tuple[str, ...]:
    """Status words that mark a plot idle without a year (``[idle] status_words``)."""
    path = path or stock_rules_path()
    words = read_rules_file(path).get("idle", {}).get("status_words")
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        raise RulesError(f'{path}: idle.status_words must be a list of texts, e.g. ["闲置", "空置"]')
    return tuple(words)


def metric_geometries(plots: gpd.GeoDataFrame, outlines: gpd.GeoSeries | None = None) -> np.ndarray:
    """The plot outlines repaired and in EPSG:4548, as a shapely array aligned with ``plots``.

    ``outlines``: the same outlines already repaired and projected by the import checks
    (:attr:`zgc_geo.importing.pipeline.ImportResult.outlines`), used as they are when they are in
    EPSG:4548 and on the same index, since the import's repair leaves only valid outlines and both
    projections run the same PROJ transformation (the stock command's output is the same, bit for bit).
    """
    if _outlines_fit(plots, outlines):
        assert outlines is not None  # as _outlines_fit says
        return outlines.to_numpy()
    crs = require_crs(plots, "plot layer")
    geoms = bulk.repair_polygons(plots.geometry.to_numpy())
    return geoms if crs.equals(ANALYSIS_CRS) else bulk.project_geometries(geoms, crs)


def _outlines_fit(plots: gpd.GeoDataFrame, outlines: gpd.GeoSeries | None) -> bool:
    """Whether the import's ``outlines`` are those of ``plots`` (EPSG:4548, the same index)."""
    return (
        outlines is not None
        and outlines.crs is not None
        and outlines.crs.equals(ANALYSIS_CRS)
        and outlines.index.equals(plots.index)
    )


def cluster_distances(geoms: np.ndarray, plan: PlanData) -> pd.DataFrame:
    """``dist_<cluster_id>_m``: metres from each plot to the nearest feature park of each cluster.

    0 when a feature park lies on the plot, NaN for a cluster without feature parks or a plot
    without geometry. Measured by :func:`nearest_distances`: exact, the nearest distance from
    the whole outline, found from a point per plot first.
    """
    features = plan.feature_parks
    points = bulk.project_geometries(features.geometry.to_numpy(), require_crs(features, "feature parks"))
    memberships = features["cluster_ids"].to_numpy()
    circles = _enclosing_circles(geoms)
    clusters = list(plan.clusters["cluster_id"])

    def distances(cluster: str) -> np.ndarray:
        members = np.array([cluster in ids for ids in memberships], dtype=bool)
        return nearest_distances(geoms, points[members], circles=circles)

    with ThreadPoolExecutor(workers()) as pool:  # GEOS and NumPy release the GIL: a cluster per core
        found = list(pool.map(distances, clusters))
    return pd.DataFrame({f"dist_{c}_m": d for c, d in zip(clusters, found, strict=True)})


#: Margin (metres) added to the candidate radius of :func:`nearest_distances`, far above float rounding
#: (coordinates of ~4·10⁶ m carry ~10⁻⁹ m of it): a candidate too many costs one distance, never accuracy.
_CANDIDATE_MARGIN_M = 1e-3
#: Plot × feature distances held at once by :func:`nearest_distances` (8 bytes each: 16 MB).
_MATRIX_CELLS = 1 << 21


def _enclosing_circles(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Centre x, y and radius of the circle around each geometry's bounding box, and which have one."""
    bounds = shapely.bounds(geoms)
    x, y = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    radius = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) / 2
    present = np.flatnonzero(np.isfinite(radius) & ~shapely.is_empty(geoms))
    return x, y, radius, present


def nearest_distances(
    geoms: np.ndarray,
    features: np.ndarray,
    *,
    circles: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Distance from each geometry to the nearest of ``features`` (both in metres); NaN without one.

    The rule: the nearest feature is first found from the centre c of each plot's bounding box,
    r being the half-diagonal of that box (no point of the plot is farther than r from c). As
    |d(plot, f) − d(c, f)| ≤ r for every feature f, only features with d(c, f) ≤ d(c, f₁) + 2r
    (f₁ nearest to c) can be nearest to the plot; the outline-to-feature distance is measured to
    those alone (usually f₁ only) and the least is the answer. The result is therefore the exact
    nearest distance from the whole outline (0 when a feature lies on or in it), the same GEOS
    measure as ``STRtree.query_nearest`` from the outlines, which costs several times more: its
    search measures polygons against many candidates, where here points are compared in NumPy.

    Features that are not all points are measured the direct way, with ``query_nearest``.
    ``circles`` are :func:`_enclosing_circles` of ``geoms``, when already at hand.
    """
    geoms = np.asarray(geoms, dtype=object)
    features = np.asarray(features, dtype=object)
    features = features[~shapely.is_missing(features) & ~shapely.is_empty(features)]
    distance = np.full(len(geoms), np.nan)
    if not len(features) or not len(geoms):
        return distance
    if not (shapely.get_type_id(features) == shapely.GeometryType.POINT).all():
        (plot_index, _), found = shapely.STRtree(features).query_nearest(
            geoms, return_distance=True, all_matches=False
        )
        distance[plot_index] = found
        return distance
    x, y, radius, present = circles if circles is not None else _enclosing_circles(geoms)
    fx, fy = shapely.get_x(features), shapely.get_y(features)
    step = max(1, _MATRIX_CELLS // len(features))
    for start in range(0, len(present), step):
        rows = present[start : start + step]
        squared = np.square(x[rows, None] - fx) + np.square(y[rows, None] - fy)  # from the centres
        reach = np.sqrt(squared.min(axis=1)) + 2 * radius[rows] + _CANDIDATE_MARGIN_M
        pair_row, pair_feature = np.nonzero(squared <= np.square(reach)[:, None])
        measured = shapely.distance(geoms[rows[pair_row]], features[pair_feature])
        # Pairs come row by row and every row has one (its nearest from the centre): least per row.
        firsts = np.flatnonzero(np.r_[True, pair_row[1:] != pair_row[:-1]])
        distance[rows] = np.minimum.reduceat(measured, firsts)
    return distance


def nearest_led_cluster(distances: pd.DataFrame, park_ids: pd.Series, plan: PlanData) -> np.ndarray:
    """Distance to the nearest feature park of the clusters the plot's park leads (§五(一)).

    A park leads a cluster when the plan names it as the cluster's core or focus park
    (``clusters.core_park_ids``). Plots outside every park, or in a park leading no
    cluster, take the nearest feature park of any cluster.
    """
    clusters = list(plan.clusters["cluster_id"])
    leads = {
        park: np.array([park in ids for ids in plan.clusters["core_park_ids"]], dtype=bool)
        for park in plan.parks["park_id"]
    }
    everything = np.ones(len(clusters), dtype=bool)
    codes, keys = pd.factorize(park_ids, use_na_sentinel=False)  # hashed: sorting 1M texts took 0.3 s
    rows = [leads[k] if isinstance(k, str) and k in leads and leads[k].any() else everything for k in keys]
    mask = np.array(rows, dtype=bool).reshape(len(keys), len(clusters))[codes]
    matrix = distances[[f"dist_{c}_m" for c in clusters]].to_numpy(dtype=float)
    nearest = np.min(matrix, axis=1, where=mask & ~np.isnan(matrix), initial=np.inf)
    return np.where(np.isinf(nearest), np.nan, nearest)


def _status_mentions(frame: pd.DataFrame, words: Sequence[str]) -> np.ndarray:
    """True where the status text contains one of ``words`` (case-insensitive)."""
    if "status" not in frame.columns or not words:
        return np.zeros(len(frame), dtype=bool)
    pattern = "|".join(re.escape(w.lower()) for w in words)
    mentions = per_value(frame["status"], lambda v: as_text(v).str.lower().str.contains(pattern, regex=True))
    return mentions.to_numpy(dtype=bool)


def plot_metrics(
    plots: gpd.GeoDataFrame,
    plan: PlanData,
    *,
    scenario: PlotRatioScenario,
    reference_year: int,
    idle_words: Sequence[str] | None = None,
    industrial_classes: Collection[str] | None = None,
    outlines: gpd.GeoSeries | None = None,
    placed: Placed | None = None,
) -> gpd.GeoDataFrame:
    """The plots with their measures added (``plots`` is not modified; ``outlines``: see
    :func:`metric_geometries`; ``placed``: the import's parks of plots naming none, see
    :class:`~zgc_geo.placement.Placed`, taken with those outlines only).

    Added columns: ``area_m2``, ``area_ha``, ``area_mu`` (from the outline in EPSG:4548);
    ``located_park_id`` (park holding the plot's representative point, NaN outside all) and
    ``inside_park``; ``analysis_park_id`` (the inventory's ``park_id`` where given, else the
    located one: parks.geojson outlines are schematic, a stated park is the better source);
    ``dist_<cluster_id>_m`` per cluster and ``dist_cluster_feature_m`` (see
    :func:`nearest_led_cluster`); ``years_idle`` (``reference_year − idle_since``, NaN when
    unknown or later than the reference year) and ``is_idle`` (a year, or a status word of
    ``[idle]``); ``far_target``, ``far_headroom`` (``far_target − far_current``, at least 0),
    ``extra_floor_area_m2`` (headroom × area) and ``scenario_note``.
    """
    check_parks(scenario, list(plan.parks["park_id"]))
    words = load_idle_words() if idle_words is None else idle_words
    classes = load_vocabulary().industrial if industrial_classes is None else industrial_classes
    index = plots.index
    geoms = metric_geometries(plots, outlines)
    # The cluster distances (GEOS and NumPy, which release the GIL) are measured on a second core while
    # this thread works out the parks, idle years and FAR targets, which need none of them.
    with ThreadPoolExecutor(1) as pool:
        measuring = pool.submit(cluster_distances, geoms, plan)
        area = shapely.area(geoms)
        placed = placed if _outlines_fit(plots, outlines) else None
        parks = bulk.to_metric(plan.parks)
        located = pd.Series(bulk.assign_parks(geoms, parks, placed=placed), index=index, dtype="str")
        given = plots["park_id"].astype("str") if "park_id" in plots.columns else None
        analysis_park = located if given is None else given.fillna(located)
        years = reference_year - _numeric(plots, "idle_since")
        years_idle = years.where(years >= 0)
        far_current = _numeric(plots, "far_current")
        target, note = far_targets(
            scenario,
            far_current=far_current,
            far_permitted=_numeric(plots, "far_permitted"),
            land_use_class=plots.get("land_use_class", pd.Series(np.nan, index=index)),
            park_id=analysis_park,
            industrial_classes=classes,
        )
        headroom = (target - far_current).clip(lower=0)
        is_idle = years_idle.notna().to_numpy() | _status_mentions(plots, words)
        distances = measuring.result().set_index(index)
    # Added in one step (one insert per column copies the frame), in the order the docstring gives.
    added: dict[str, pd.Series | np.ndarray] = {
        "area_m2": area,
        "area_ha": area / M2_PER_HA,
        "area_mu": area / M2_PER_MU,
        "located_park_id": located,
        "inside_park": located.notna().to_numpy(),
        "analysis_park_id": analysis_park,
        **{column: distances[column] for column in distances.columns},
        "dist_cluster_feature_m": nearest_led_cluster(distances, analysis_park, plan),
        "years_idle": years_idle,
        "is_idle": is_idle,
        "far_target": target,
        "far_headroom": headroom,
        "extra_floor_area_m2": headroom * area,
        "scenario_note": note,
    }
    return _with_columns(plots, added)


def _with_columns(frame: gpd.GeoDataFrame, columns: dict[str, pd.Series | np.ndarray]) -> gpd.GeoDataFrame:
    """A copy of ``frame`` with ``columns`` set as ``frame[name] = value`` one by one would set them.

    Columns already in ``frame`` are replaced where they stand, new ones follow in order; Series are
    aligned on the index.
    """
    out = frame.copy(deep=False)  # copy-on-write: a replaced column is replaced in ``out`` only
    old = [name for name in columns if name in out.columns]
    for name in old:
        out[name] = columns[name]
    new = {name: value for name, value in columns.items() if name not in out.columns}
    if not new:
        return out
    joined = pd.concat([out, pd.DataFrame(new, index=out.index)], axis=1)
    return gpd.GeoDataFrame(joined, geometry=out.geometry.name, crs=out.crs)


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)
