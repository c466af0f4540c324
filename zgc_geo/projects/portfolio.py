"""Screened projects summed per park and per cluster: how many, how much land and investment, by verdict."""

from __future__ import annotations

from typing import Final

import pandas as pd

from zgc_geo.projects.intake import ProjectList
from zgc_geo.projects.screening import VERDICTS, Screened

#: Columns of a portfolio table after its key: per verdict, then all screened projects together.
MEASURES: Final = ("projects", "land_area_mu", "investment_wan")
OUTSIDE_PARKS: Final = "outside_parks"
NO_CLUSTER: Final = "no_cluster"


def portfolio(projects: ProjectList, screened: Screened, by: str) -> pd.DataFrame:
    """One row per park (``by="park_id"``) or per industry cluster (``by="cluster_id"``) with, for each
    verdict and in total, the number of projects, their land (mu) and investment (万元). Projects with
    errors are left out; a project whose industry belongs to two clusters counts in both."""
    table = screened.table.assign(
        land_area_mu=projects.fields["land_area_mu"], investment_wan=projects.fields["investment_wan"]
    )
    table = table[table["verdict"].notna()]
    if by == "park_id":
        table = table.assign(key=table["park_id"].fillna(OUTSIDE_PARKS))
    elif by == "cluster_id":
        clusters = [list(f.industry_clusters) or [NO_CLUSTER] for f in table["fit"]]
        table = table.assign(key=clusters).explode("key")
    else:
        raise ValueError(f"portfolio by {by!r}: use park_id or cluster_id")
    grouped = table.assign(projects=1).groupby(["key", "verdict"])[list(MEASURES)].sum(min_count=1)
    wide = grouped.unstack("verdict").reindex(columns=VERDICTS, level="verdict")
    wide.columns = [f"{verdict}_{measure}" for measure, verdict in wide.columns]
    totals = table.assign(projects=1).groupby("key")[list(MEASURES)].sum(min_count=1)
    ordered = [f"{v}_{m}" for v in VERDICTS for m in MEASURES]
    out = wide.reindex(columns=ordered).join(totals.add_prefix("total_"))
    out[[c for c in out.columns if c.endswith("_projects")]] = (
        out.filter(like="_projects").fillna(0).astype(int)
    )
    return (
        out.rename_axis(by)
        .reset_index()
        .sort_values(["total_projects", by], ascending=[False, True], kind="stable")
    )
