"""Filtering an analysed inventory the way the stock page offers it (pure pandas, no UI)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

#: The value used for plots outside every sub-park in park filters.
OUTSIDE_PARKS: Final = "__outside__"
#: The value used for plots without an efficiency class (no per-mu indicators).
NO_CLASS: Final = "none"


@dataclass(frozen=True)
class PlotFilter:
    """What to show. Empty selections mean "all"; ranges are inclusive and skip unknown values only
    when the range has been narrowed (a plot with no idle year is not hidden by the default range).
    """

    parks: tuple[str, ...] = ()
    land_use_classes: tuple[str, ...] = ()
    review_statuses: tuple[str, ...] = ()
    efficiency_classes: tuple[str, ...] = ()
    years_idle: tuple[float, float] | None = None
    area_ha: tuple[float, float] | None = None


def filter_mask(plots: pd.DataFrame, selection: PlotFilter) -> np.ndarray:
    """Boolean mask of the plots ``selection`` keeps (vectorised over all plots)."""
    keep = np.ones(len(plots), dtype=bool)
    if selection.parks:
        park = plots["analysis_park_id"].astype("string").fillna(OUTSIDE_PARKS)
        keep &= park.isin(selection.parks).to_numpy()
    if selection.land_use_classes:
        keep &= (
            plots["land_use_class"].astype("string").fillna("").isin(selection.land_use_classes).to_numpy()
        )
    if selection.review_statuses:
        keep &= plots["review_status"].astype("string").isin(selection.review_statuses).to_numpy()
    if selection.efficiency_classes:
        grade = plots["efficiency_class"].astype("string").fillna(NO_CLASS)
        keep &= grade.isin(selection.efficiency_classes).to_numpy()
    for column, bounds in (("years_idle", selection.years_idle), ("area_ha", selection.area_ha)):
        if bounds is not None:
            values = pd.to_numeric(plots[column], errors="coerce").to_numpy(dtype=float)
            keep &= (values >= bounds[0]) & (values <= bounds[1])
    return keep
