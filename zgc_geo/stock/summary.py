"""Per-park summary of the land stock: what each park has idle, what it could add, how efficient it is.

Park managers are asked for exactly these numbers (闲置地块、闲置面积、可增建筑面积、亩均效益分类), so the
table has one row per park, one for plots outside all parks and a total that is the sum of the
rows — a figure quoted from the total can always be traced back to the parks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from zgc_geo.crs import M2_PER_HA, M2_PER_MU
from zgc_geo.stock.bulk import OUTSIDE, park_sums
from zgc_geo.stock.efficiency import CLASSES
from zgc_geo.stock.inefficiency import KINDS

TOTAL: Final = "(total)"
#: Count columns (integers in the result); the others are sums in their unit or means.
COUNT_PREFIXES: Final = ("plots", "idle_plots", "class_", "kind_")


def _column(plots: pd.DataFrame, name: str, default: object = np.nan) -> pd.Series:
    return plots[name] if name in plots.columns else pd.Series(default, index=plots.index)


def _numbers(plots: pd.DataFrame, name: str) -> np.ndarray:
    return pd.to_numeric(_column(plots, name), errors="coerce").to_numpy(dtype=float)


def park_summary(
    plots: pd.DataFrame,
    *,
    parks: pd.DataFrame | None = None,
    park_column: str = "analysis_park_id",
    kinds: Sequence[str] = KINDS,
) -> pd.DataFrame:
    """One row per park (plus outside all parks, plus the total) of the analysed plots.

    Columns: ``plots``; ``idle_plots`` and ``idle_area_ha`` / ``idle_area_mu`` (plots with
    ``is_idle``); ``extra_floor_area_m2`` (potential extra floor area under the scenario,
    all plots); ``class_A`` … ``class_D`` and ``class_none`` (efficiency classes);
    ``kind_<id>`` per inefficiency kind; ``mean_priority``. With ``parks`` (the parks layer)
    every park gets a row, in layer order, with its names, even without plots. The total
    row is the sum of the rows; its ``mean_priority`` is the mean over all plots.
    """
    idle = _column(plots, "is_idle", False).fillna(False).astype(bool).to_numpy()
    area = _numbers(plots, "area_m2")
    klass = _column(plots, "efficiency_class")
    kind = _column(plots, "inefficiency_kind")
    priority = _numbers(plots, "priority_score")
    values: dict[str, np.ndarray] = {
        "idle_plots": idle.astype(float),
        "idle_area_ha": np.where(idle, area, 0.0) / M2_PER_HA,
        "idle_area_mu": np.where(idle, area, 0.0) / M2_PER_MU,
        "extra_floor_area_m2": _numbers(plots, "extra_floor_area_m2"),
        **{f"class_{c}": (klass == c).to_numpy(dtype=float) for c in CLASSES},
        "class_none": klass.isna().to_numpy(dtype=float),
        **{f"kind_{k}": (kind == k).to_numpy(dtype=float) for k in kinds},
        "_priority": priority,
    }
    table = park_sums(_column(plots, park_column).astype(object).to_numpy(), values)
    if parks is not None:
        layer = [str(p) for p in parks["park_id"]]
        extra = sorted(str(p) for p in table.index if p not in layer and p != OUTSIDE)
        table = table.reindex([*layer, *extra, OUTSIDE], fill_value=0)
    elif OUTSIDE not in table.index:
        table.loc[OUTSIDE] = 0
    table.loc[TOTAL] = table.sum()
    mean = table["_priority"] / table["plots"].where(table["plots"] > 0)
    table["mean_priority"] = mean if not np.isnan(priority).all() else np.nan
    table = table.drop(columns="_priority")
    counts = [c for c in table.columns if c.startswith(COUNT_PREFIXES)]
    table[counts] = table[counts].round().astype(np.int64)
    result = table.rename_axis("park_id").reset_index()
    if parks is not None:
        names = parks.set_index("park_id")[["name_zh", "name_en"]]
        result.insert(1, "name_zh", result["park_id"].map(names["name_zh"]).fillna(""))
        result.insert(2, "name_en", result["park_id"].map(names["name_en"]).fillna(""))
    return result
