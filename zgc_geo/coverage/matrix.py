"""The park × cluster coverage matrix: who is core, which feature parks sit where, which centres count.

§五(一) names, per cluster, the parks it is built on (以……为核心 / 为重点), its innovation
centres and its feature parks; §五(二)1 gives each park's lead industries. The matrix puts
these side by side for all 16 parks × 6 clusters so a reader sees at once where a cluster's
places actually are compared with the parks the plan builds it on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from zgc_geo.crs import STORAGE_CRS
from zgc_geo.errors import OptionError
from zgc_geo.i18n import Sentence
from zgc_geo.plan_data import PlanData, feature_park_memberships, park_cluster_roles

#: Where each park's lead industries and role are set out.
PARK_SECTION: Final = "§五(二)1"
ROLE_ZH: Final = {"core": "核心", "focus": "重点"}
#: Why a core or focus park counts its cluster's innovation centres (worded in the export's language).
CENTRE_NOTE: Final = Sentence("coverage.centre_note")
MATRIX_COLUMNS: Final = (
    "park_id",
    "park_name_zh",
    "cluster_id",
    "cluster_short_zh",
    "role",
    "feature_parks",
    "feature_park_ids",
    "innovation_centres",
    "centre_names",
    "centre_note",
    "sections",
)


def coverage_matrix(plan: PlanData) -> pd.DataFrame:
    """One row per (park, cluster) pair, all 16 × 6, parks and clusters in the shipped order.

    Columns: ``park_id``, ``park_name_zh``, ``cluster_id``, ``cluster_short_zh``; ``role``
    (``"core"`` where §五(一) says 以……为核心, ``"focus"`` where it says 为重点, ``""`` where
    the park is not named); ``feature_parks`` and ``feature_park_ids`` (the cluster's feature
    parks whose host park is this park, by the ``park_id`` of the feature-park layer);
    ``innovation_centres`` and ``centre_names``; ``centre_note``; ``sections`` (the cluster's
    §五(一)n and §五(二)1).

    The plan assigns its innovation centres to clusters and never to parks, so a centre cannot
    be counted "in" a park. The matrix counts all of a cluster's centres for each of its core
    or focus parks (and 0 elsewhere) and says so in ``centre_note``: the count is what the park
    is meant to build with the cluster, not where a centre stands.
    """
    parks = plan.parks[["park_id", "name_zh"]].rename(columns={"name_zh": "park_name_zh"})
    clusters = plan.clusters[["cluster_id", "short_zh", "section"]].rename(
        columns={"short_zh": "cluster_short_zh"}
    )
    grid = parks.merge(clusters, how="cross")
    roles = park_cluster_roles(plan)[["park_id", "cluster_id", "role"]]
    grid = grid.merge(roles, on=["park_id", "cluster_id"], how="left")
    grid["role"] = grid["role"].fillna("")

    members = feature_park_memberships(plan)
    places = members.groupby(["park_id", "cluster_id"])["place_id"].agg(list)
    keys = pd.MultiIndex.from_frame(grid[["park_id", "cluster_id"]])
    grid["feature_park_ids"] = [list(ids) if isinstance(ids, list) else [] for ids in places.reindex(keys)]
    grid["feature_parks"] = grid["feature_park_ids"].map(len).astype(int)

    centres = plan.innovation_centres.groupby("cluster_id")["name_zh"].agg(list)
    named = grid["role"] != ""
    cluster_centres = grid["cluster_id"].map(centres)
    grid["centre_names"] = [
        list(names) if is_named and isinstance(names, list) else []
        for names, is_named in zip(cluster_centres, named, strict=True)
    ]
    grid["innovation_centres"] = grid["centre_names"].map(len).astype(int)
    grid["centre_note"] = named.map({True: CENTRE_NOTE, False: ""})
    grid["sections"] = [[section, PARK_SECTION] for section in grid["section"]]
    return grid[list(MATRIX_COLUMNS)].reset_index(drop=True)


def matrix_wide(long: pd.DataFrame, value: str = "feature_parks") -> pd.DataFrame:
    """The long matrix pivoted: rows parks (Chinese names, shipped order), columns clusters' short names.

    ``value`` is any column of ``long`` (a count, ``role`` or a label column added by the
    caller); the order of first appearance in ``long`` is kept for both axes, so the table
    reads like the plan rather than alphabetically.
    """
    if value not in long.columns:
        raise OptionError(f"no column {value!r} in the matrix; valid: {', '.join(map(str, long.columns))}")
    parks = pd.unique(long["park_name_zh"])
    clusters = pd.unique(long["cluster_short_zh"])
    wide = long.pivot(index="park_name_zh", columns="cluster_short_zh", values=value)
    wide = wide.reindex(index=parks, columns=clusters)
    wide.index.name = "分园"
    wide.columns.name = "集群"
    return wide


def cell_label(row: Mapping[str, Any] | pd.Series) -> str:
    """A matrix cell as text, e.g. ``"核心 · 3 特色园区 · 2 创新中心"``; ``""`` for an empty cell.

    The feature-park count is shown whenever the park is core or focus, even when it is 0,
    because a named park without a feature park of the cluster is itself a finding.
    """
    role = str(row["role"])
    places = int(row["feature_parks"])
    centres = int(row["innovation_centres"])
    parts = [ROLE_ZH[role]] if role in ROLE_ZH else []
    if places or parts:
        parts.append(f"{places} 特色园区")
    if centres:
        parts.append(f"{centres} 创新中心")
    return " · ".join(parts)


def places_for_cell(plan: PlanData, park_id: str, cluster_id: str) -> gpd.GeoDataFrame:
    """The feature parks behind one cell: the cluster's places hosted by the park, in EPSG:4326.

    Raises
    ------
    OptionError
        ``park_id`` or ``cluster_id`` is not in the plan (the message lists the valid ids).
    """
    check_ids(plan, park_id=park_id, cluster_id=cluster_id)
    places = plan.feature_parks
    in_cluster = places["cluster_ids"].map(lambda ids: cluster_id in ids)
    chosen = places[in_cluster & (places["park_id"] == park_id)]
    return gpd.GeoDataFrame(chosen, geometry=chosen.geometry.name).to_crs(STORAGE_CRS)


def check_ids(plan: PlanData, *, park_id: str | None = None, cluster_id: str | None = None) -> None:
    """Raise :class:`OptionError` naming the valid ids when a park or cluster id is unknown."""
    for what, value, known in (
        ("park", park_id, list(plan.parks["park_id"])),
        ("cluster", cluster_id, list(plan.clusters["cluster_id"])),
    ):
        if value is not None and value not in known:
            raise OptionError(f"unknown {what} {value!r}; valid: {', '.join(known)}")
