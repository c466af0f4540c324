"""Park league tables: a measure per park, ranked — the parks' own indicator values and zgc-geo's measures.

zgc-geo's measures come from the workspace: idle land reviewed and revitalised (hectares, from each
inventory's plots and their review decisions) and projects in the register (all, and those in
production). A park without a value has none (NaN), never 0: no data is not a bad result.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from zgc_geo.workspace.projects import STAGES
from zgc_geo.workspace.store import DEFAULT_REVIEW_STATUS, WorkspaceStore

#: zgc-geo's own measures per park, in the order the page offers them.
MEASURES: Final = ("reviewed_ha", "revitalised_ha", "projects", "projects_in_production")
_PRODUCING: Final = frozenset(STAGES[STAGES.index("production_started") :])


def workspace_measures(store: WorkspaceStore, park_ids: list[str]) -> pd.DataFrame:
    """One row per park of ``park_ids``: :data:`MEASURES` from the workspace's inventories and register."""
    reviewed = pd.Series(0.0, index=park_ids)
    revitalised = pd.Series(0.0, index=park_ids)
    for info in store.inventories():
        plots = store.load_inventory(info.name)
        if "park_id" not in plots.columns or "area_m2" not in plots.columns:
            continue
        area = pd.to_numeric(plots["area_m2"], errors="coerce").fillna(0.0) / 10_000
        park = plots["park_id"].astype(object)
        status = plots["review_status"].astype(object)
        reviewed = reviewed.add(area[status != DEFAULT_REVIEW_STATUS].groupby(park).sum(), fill_value=0.0)
        revitalised = revitalised.add(area[status == "revitalised"].groupby(park).sum(), fill_value=0.0)
    records = store.projects()
    counted = pd.Series([r.park_id for r in records], dtype=object).value_counts()
    producing = pd.Series([r.park_id for r in records if r.stage in _PRODUCING], dtype=object).value_counts()
    frame = pd.DataFrame(
        {
            "reviewed_ha": reviewed.reindex(park_ids),
            "revitalised_ha": revitalised.reindex(park_ids),
            "projects": counted.reindex(park_ids).fillna(0).astype(int),
            "projects_in_production": producing.reindex(park_ids).fillna(0).astype(int),
        },
        index=pd.Index(park_ids, name="park_id"),
    )
    return frame.round({"reviewed_ha": 2, "revitalised_ha": 2})


def indicator_by_park(actuals: pd.DataFrame, indicator_id: str, year: int, park_ids: list[str]) -> pd.Series:
    """Each park's value of ``indicator_id`` in ``year`` (NaN where the park has none)."""
    rows = actuals[
        (actuals["indicator_id"] == indicator_id) & (actuals["year"] == year) & actuals["park_id"].notna()
    ]
    return rows.set_index("park_id")["value"].reindex(park_ids).astype(float)


def ranked(values: pd.Series, *, lower_is_better: bool = False) -> pd.DataFrame:
    """The parks by ``values``, best first (ties share a rank), parks without a value last and unranked."""
    order = values.sort_values(ascending=lower_is_better, na_position="last", kind="stable")
    rank = order.rank(method="min", ascending=lower_is_better)
    return pd.DataFrame({"value": order, "rank": rank.astype("Int64")}).rename_axis("park_id").reset_index()


def classes(values: pd.Series, count: int = 5) -> pd.Series:
    """Each value's class 0…count−1 by equal-count breaks of the values present (NaN stays NaN)."""
    present = values.dropna()
    if present.empty:
        return pd.Series(np.nan, index=values.index)
    ranks = present.rank(method="min")
    return (np.floor((ranks - 1) / len(present) * count)).clip(upper=count - 1).reindex(values.index)
