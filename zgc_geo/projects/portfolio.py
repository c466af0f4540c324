"""Projects summed per park and per cluster: how many, how much land and investment, by verdict or stage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd

from zgc_geo.projects.intake import ProjectList
from zgc_geo.projects.screening import VERDICTS, Screened

#: Columns of a portfolio table after its key: per group, then all projects together.
MEASURES: Final = ("projects", "land_area_mu", "investment_wan")
OUTSIDE_PARKS: Final = "outside_parks"
NO_CLUSTER: Final = "no_cluster"


def portfolio(projects: ProjectList, screened: Screened, by: str) -> pd.DataFrame:
    """The screened projects per park (``by="park_id"``) or industry cluster (``by="cluster_id"``), by
    verdict (see :func:`summed`); projects with errors are left out."""
    table = screened.table.assign(
        land_area_mu=projects.fields["land_area_mu"],
        investment_wan=projects.fields["investment_wan"],
        clusters=[list(f.industry_clusters) if f is not None else [] for f in screened.table["fit"]],
    )
    return summed(table[table["verdict"].notna()], by, "verdict", VERDICTS)


def summed(table: pd.DataFrame, by: str, group: str, groups: Sequence[str]) -> pd.DataFrame:
    """One row per park (``by="park_id"``; none: :data:`OUTSIDE_PARKS`) or per cluster (``by="cluster_id"``,
    from the list column ``clusters``; none: :data:`NO_CLUSTER`; a project in two clusters counts in both)
    with, for each of ``groups`` (values of ``group``) and in total, the number of projects, their land
    (mu) and investment (万元): columns ``<group value>_<measure>`` and ``total_<measure>``."""
    if by == "park_id":
        table = table.assign(key=table["park_id"].fillna(OUTSIDE_PARKS))
    elif by == "cluster_id":
        table = table.assign(key=[list(c) or [NO_CLUSTER] for c in table["clusters"]]).explode("key")
    else:
        raise ValueError(f"portfolio by {by!r}: use park_id or cluster_id")
    counted = table.assign(projects=1)
    grouped = counted.groupby(["key", group])[list(MEASURES)].sum(min_count=1)
    wide = grouped.unstack(group)
    wide.columns = [f"{value}_{measure}" for measure, value in wide.columns]
    totals = counted.groupby("key")[list(MEASURES)].sum(min_count=1)
    ordered = [f"{value}_{m}" for value in groups for m in MEASURES]
    out = wide.reindex(columns=ordered).join(totals.add_prefix("total_"))
    for value in [*groups, "total"]:
        none = out[f"{value}_projects"].isna()
        out[f"{value}_projects"] = out[f"{value}_projects"].fillna(0).astype(int)
        for measure in MEASURES[1:]:  # nothing in a group sums to 0; projects without figures stay empty
            out.loc[none, f"{value}_{measure}"] = 0.0
    out = out.rename_axis(by).reset_index()
    return out.sort_values(["total_projects", by], ascending=[False, True], kind="stable")
