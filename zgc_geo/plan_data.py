"""The plan as one object: every catalogue layer of the zone, loaded together for maps and checks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from zgc_geo.catalogue import load_layer


@dataclass(frozen=True)
class PlanData:
    """All layers describing the plan's spatial structure, each already validated.

    Grouping them lets cross-layer checks and map builders take one argument
    instead of nine, and makes "the plan as loaded" a single cacheable value.
    """

    parks: gpd.GeoDataFrame
    clusters: pd.DataFrame
    innovation_centres: pd.DataFrame
    feature_parks: gpd.GeoDataFrame
    service_agglomerations: pd.DataFrame
    military_civil_fusion: gpd.GeoDataFrame
    cooperation_zones: gpd.GeoDataFrame
    targets: pd.DataFrame
    districts: gpd.GeoDataFrame
    region: gpd.GeoDataFrame


def plan_from_catalogue(data_dir: Path | None = None) -> PlanData:
    """Load every plan layer named in the manifest (see ``layers/manifest.toml``)."""
    return PlanData(
        parks=load_layer("parks", data_dir),
        clusters=load_layer("clusters", data_dir),
        innovation_centres=load_layer("innovation_centres", data_dir),
        feature_parks=load_layer("feature_parks", data_dir),
        service_agglomerations=load_layer("service_agglomerations", data_dir),
        military_civil_fusion=load_layer("military_civil_fusion", data_dir),
        cooperation_zones=load_layer("cooperation_zones", data_dir),
        targets=load_layer("targets_2020", data_dir),
        districts=load_layer("districts", data_dir),
        region=load_layer("region", data_dir),
    )


def park_cluster_roles(plan: PlanData) -> pd.DataFrame:
    """One row per (park, cluster) pair the plan names, with how it names it.

    ``role`` is ``core`` where §五(一) says 以……为核心 and ``focus`` where it says
    为重点; the difference matters to park managers arguing about priorities.
    """
    rows = [
        {
            "park_id": park_id,
            "cluster_id": cluster.cluster_id,
            "role": "core" if "核心" in cluster.core_wording_zh else "focus",
            "section": cluster.section,
        }
        for cluster in plan.clusters.itertuples(index=False)
        for park_id in cluster.core_park_ids
    ]
    return pd.DataFrame(rows, columns=["park_id", "cluster_id", "role", "section"])


def feature_park_memberships(plan: PlanData) -> pd.DataFrame:
    """Feature parks exploded to one row per (place, cluster) pair."""
    exploded = plan.feature_parks.drop(columns="geometry").explode("cluster_ids")
    return pd.DataFrame(exploded.rename(columns={"cluster_ids": "cluster_id"}))
