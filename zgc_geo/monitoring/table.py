"""The progress table as a reader reads it: English keeps the contract's names and codes, Chinese its own."""

from __future__ import annotations

from typing import Final

import pandas as pd

from zgc_geo.i18n import Lang, translate
from zgc_geo.monitoring.progress import COLUMNS

#: The Chinese header of each column and word of each status.
HEADER_KEYS: Final = {
    "indicator_id": "targets.column.indicator_id",
    "name_zh": "targets.column.name_zh",
    "unit": "targets.column.unit",
    "baseline_2015": "targets.column.baseline_2015",
    "target_2020": "targets.column.target_2020",
    "year": "targets.column.year",
    "required": "targets.column.required",
    "actual": "targets.column.actual",
    "status": "targets.column.status",
}
STATUS_KEYS: Final = {
    "on_track": "targets.status.on_track",
    "at_risk": "targets.status.at_risk",
    "off_track": "targets.status.off_track",
}


def worded(table: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The table's :data:`COLUMNS` in ``lang``: English keeps names and codes; Chinese has its own words."""
    shown = table[list(COLUMNS)].copy()
    if lang == "en":
        shown["unit"] = table["unit_en"]
        return shown
    shown["status"] = [translate(STATUS_KEYS[s], lang) if isinstance(s, str) else "" for s in shown["status"]]
    return shown.rename(columns={c: translate(k, lang) for c, k in HEADER_KEYS.items()})
