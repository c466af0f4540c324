"""Does a project's industry fit the clusters of the park it would stand in? (§五(一), §五(二)1)

An industry code maps to clusters through ``layers/industry_code_clusters.csv`` (editable; rows whose
basis starts with "judgement" are zgc-geo's reading, the others quote the plan's cluster industries):
the most specific of the code's chain that has rows decides (``3612`` new-energy vehicles before
``36``). A park hosts a cluster when §五(一) builds the cluster on it (core or focus) or when one of
its §五(二)1 lead industries is that cluster's (``layers/industry_cluster_keywords.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import pandas as pd

from zgc_geo.catalogue import load_layer
from zgc_geo.coverage.findings import industry_clusters
from zgc_geo.plan_data import PlanData, park_cluster_roles
from zgc_geo.projects.codes import chain

FITS, OTHER_CLUSTER, NO_CLUSTER, OUTSIDE_PARKS = "fits", "other_cluster", "no_cluster", "outside_parks"
FIT_VALUES: Final = (FITS, OTHER_CLUSTER, NO_CLUSTER, OUTSIDE_PARKS)


@dataclass(frozen=True)
class ClusterFit:
    """The answer for one project: ``fit`` (one of :data:`FIT_VALUES`), the industry's clusters, the
    park's clusters with how the plan ties each to the park, and the mapping rows' bases."""

    fit: str
    industry_clusters: tuple[str, ...]
    park_clusters: dict[str, str]
    bases: tuple[str, ...]


@cache
def code_clusters(data_dir: Path | None = None) -> pd.DataFrame:
    """The shipped code → cluster table."""
    return load_layer("industry_code_clusters", data_dir)


def clusters_of_code(code: str, table: pd.DataFrame) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The clusters of ``code`` and the bases of the rows that gave them (the most specific level)."""
    for above in reversed(chain(code)):
        rows = table[table["code"] == above]
        if len(rows):
            return tuple(dict.fromkeys(rows["cluster_id"])), tuple(rows["basis"])
    return (), ()


def park_clusters(plan: PlanData, keywords: pd.DataFrame | None = None) -> dict[str, dict[str, str]]:
    """Per park: each cluster it hosts with the plan's reason (§五(一)n core/focus, or §五(二)1 lead
    industry "X"); core and focus come first."""
    keywords = load_layer("industry_cluster_keywords") if keywords is None else keywords
    hosted: dict[str, dict[str, str]] = {str(p): {} for p in plan.parks["park_id"]}
    for row in park_cluster_roles(plan).itertuples(index=False):
        hosted[row.park_id][row.cluster_id] = f"{row.section} {'core' if row.role == 'core' else 'focus'}"
    for park in plan.parks.itertuples(index=False):
        for term in park.lead_industries:
            for cluster in industry_clusters(term, keywords)[1]:
                hosted[park.park_id].setdefault(cluster, f"§五(二)1 lead industry {term}")
    return hosted


def cluster_fit(
    code: str, park_id: str | None, table: pd.DataFrame, hosted: dict[str, dict[str, str]]
) -> ClusterFit:
    """How the industry ``code`` fits the park ``park_id`` (None: the site is in no park)."""
    clusters, bases = clusters_of_code(code, table)
    park = hosted.get(park_id, {}) if park_id is not None else {}
    if park_id is None:
        fit = OUTSIDE_PARKS
    elif not clusters:
        fit = NO_CLUSTER
    else:
        fit = FITS if set(clusters) & set(park) else OTHER_CLUSTER
    return ClusterFit(fit, clusters, park, bases)
