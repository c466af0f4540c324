"""Per-plot measures of the land stock: size, park, distance to the clusters, idleness and FAR headroom.

Everything is measured on the plot outlines in EPSG:4548 (metres), whatever the area columns of
the inventory say: the importer keeps reported areas for checking, but analysis trusts geometry.
Spatial work goes through :mod:`zgc_geo.stock.bulk` (bulk index queries, no per-row loops).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zgc_geo.crs import ANALYSIS_CRS, M2_PER_HA, M2_PER_MU, require_crs
from zgc_geo.errors import RulesError
from zgc_geo.importing.land_use import load_vocabulary
from zgc_geo.plan_data import PlanData
from zgc_geo.stock import bulk
from zgc_geo.stock.scenario import (
    PlotRatioScenario,
    check_parks,
    far_targets,
    read_rules_file,
    stock_rules_path,
)


def load_idle_words(path: Path | None = None) -> tuple[str, ...]:
    """Status words that mark a plot idle without a year (``[idle] status_words``)."""
    path = path or stock_rules_path()
    words = read_rules_file(path).get("idle", {}).get("status_words")
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        raise RulesError(f'{path}: idle.status_words must be a list of texts, e.g. ["闲置", "空置"]')
    return tuple(words)


def metric_geometries(plots: gpd.GeoDataFrame) -> np.ndarray:
    """The plot outlines repaired and in EPSG:4548, as a shapely array aligned with ``plots``."""
    crs = require_crs(plots, "plot layer")
    geoms = bulk.repair_polygons(plots.geometry.to_numpy())
    return geoms if crs.equals(ANALYSIS_CRS) else bulk.project_geometries(geoms, crs)


def cluster_distances(geoms: np.ndarray, plan: PlanData) -> pd.DataFrame:
    """``dist_<cluster_id>_m``: metres from each plot to the nearest feature park of each cluster.

    One ``STRtree.query_nearest`` per cluster over all plots; 0 when a feature park lies on
    the plot, NaN for a cluster without feature parks or a plot without geometry.
    """
    features = plan.feature_parks
    points = bulk.project_geometries(features.geometry.to_numpy(), require_crs(features, "feature parks"))
    memberships = features["cluster_ids"].to_numpy()
    columns: dict[str, np.ndarray] = {}
    for cluster in plan.clusters["cluster_id"]:
        members = np.array([cluster in ids for ids in memberships], dtype=bool)
        distance = np.full(len(geoms), np.nan)
        if members.any():
            tree = shapely.STRtree(points[members])
            (plot_index, _), found = tree.query_nearest(geoms, return_distance=True, all_matches=False)
            distance[plot_index] = found
        columns[f"dist_{cluster}_m"] = distance
    return pd.DataFrame(columns)


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
    keys, codes = np.unique(park_ids.astype(object).fillna("").astype(str).to_numpy(), return_inverse=True)
    rows = [leads[k] if k in leads and leads[k].any() else everything for k in keys]
    mask = np.array(rows, dtype=bool).reshape(len(keys), len(clusters))[codes]
    matrix = distances[[f"dist_{c}_m" for c in clusters]].to_numpy(dtype=float)
    nearest = np.min(matrix, axis=1, where=mask & ~np.isnan(matrix), initial=np.inf)
    return np.where(np.isinf(nearest), np.nan, nearest)


def _status_mentions(frame: pd.DataFrame, words: Sequence[str]) -> np.ndarray:
    """True where the status text contains one of ``words`` (case-insensitive)."""
    if "status" not in frame.columns or not words:
        return np.zeros(len(frame), dtype=bool)
    status = frame["status"].astype(object).where(frame["status"].notna(), "").astype(str).str.lower()
    return status.str.contains("|".join(re.escape(w.lower()) for w in words), regex=True).to_numpy()


def plot_metrics(
    plots: gpd.GeoDataFrame,
    plan: PlanData,
    *,
    scenario: PlotRatioScenario,
    reference_year: int,
    idle_words: Sequence[str] | None = None,
    industrial_classes: Collection[str] | None = None,
) -> gpd.GeoDataFrame:
    """The plots with their measures added (``plots`` is not modified).

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
    frame = plots.copy()
    geoms = metric_geometries(plots)
    area = shapely.area(geoms)
    frame["area_m2"] = area
    frame["area_ha"] = area / M2_PER_HA
    frame["area_mu"] = area / M2_PER_MU
    parks = bulk.to_metric(plan.parks)
    located = pd.Series(bulk.assign_parks(geoms, parks), index=frame.index, dtype="str")
    frame["located_park_id"] = located
    frame["inside_park"] = located.notna().to_numpy()
    given = frame["park_id"].astype("str") if "park_id" in frame.columns else located.where(located.isna())
    frame["analysis_park_id"] = given.fillna(located)
    distances = cluster_distances(geoms, plan).set_index(frame.index)
    for column in distances.columns:
        frame[column] = distances[column]
    frame["dist_cluster_feature_m"] = nearest_led_cluster(distances, frame["analysis_park_id"], plan)
    years = reference_year - _numeric(frame, "idle_since")
    frame["years_idle"] = years.where(years >= 0)
    frame["is_idle"] = frame["years_idle"].notna().to_numpy() | _status_mentions(frame, words)
    far_current = _numeric(frame, "far_current")
    target, note = far_targets(
        scenario,
        far_current=far_current,
        far_permitted=_numeric(frame, "far_permitted"),
        land_use_class=frame.get("land_use_class", pd.Series(np.nan, index=frame.index)),
        park_id=frame["analysis_park_id"],
        industrial_classes=classes,
    )
    frame["far_target"] = target
    frame["far_headroom"] = (target - far_current).clip(lower=0)
    frame["extra_floor_area_m2"] = frame["far_headroom"] * frame["area_m2"]
    frame["scenario_note"] = note
    return frame


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)
