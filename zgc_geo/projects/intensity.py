"""Land-use intensity of a project against thresholds: investment, output and tax per mu, and FAR.

The thresholds and their sources live in ``layers/project_rules.toml`` (``[intensity.*]``); the shipped
values are zgc-geo's defaults, not official figures, and say so. A check is ``pass`` when the value
reaches the minimum, ``below`` when it does not, ``unknown`` when the project lacks the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from zgc_geo.errors import RulesError
from zgc_geo.projects.rules_file import read_project_rules

PASS, BELOW, UNKNOWN = "pass", "below", "unknown"
#: Each check: the measure it computes from the project's fields (numerator, per-mu denominator or None).
CHECKS: Final = {
    "investment_per_mu_wan": ("investment_wan", "land_area_mu"),
    "output_per_mu_wan": ("output_wan", "land_area_mu"),
    "tax_per_mu_wan": ("tax_wan", "land_area_mu"),
    "far": ("far", None),
}


@dataclass(frozen=True)
class Threshold:
    """A minimum for one measure, its unit and where the number comes from."""

    measure: str
    minimum: float
    unit: str
    source: str


def load_thresholds(path: Path | None = None) -> dict[str, Threshold]:
    """The ``[intensity.*]`` thresholds of ``path`` (default the shipped file), each with its source."""
    table, name = read_project_rules(path)
    section = table.get("intensity", {})
    thresholds: dict[str, Threshold] = {}
    for measure in CHECKS:
        entry = section.get(measure)
        if not isinstance(entry, dict):
            raise RulesError(f"{name}: [intensity.{measure}] is missing; give its min, unit and source")
        minimum, source = entry.get("min"), str(entry.get("source", "")).strip()
        if not isinstance(minimum, int | float) or isinstance(minimum, bool) or minimum < 0:
            raise RulesError(f"{name}: [intensity.{measure}] min must be a number ≥ 0, not {minimum!r}")
        if not source:
            raise RulesError(f"{name}: [intensity.{measure}] has no source; say where the number comes from")
        thresholds[measure] = Threshold(measure, float(minimum), str(entry.get("unit", "")), source)
    return thresholds


def intensity_checks(fields: pd.DataFrame, thresholds: dict[str, Threshold]) -> pd.DataFrame:
    """Per project: each measure's value (NaN when a figure is missing or the land area is not > 0)
    and its check (``pass``, ``below`` or ``unknown``), as ``<measure>`` and ``<measure>_check``."""
    out = pd.DataFrame(index=fields.index)
    for measure, (numerator, per) in CHECKS.items():
        value = fields[numerator].astype(float)
        if per is not None:
            area = fields[per].astype(float)
            value = value / area.where(area > 0)
        value = value.round(6)  # per-mu ratios compared as a person would, not on float noise
        check = np.where(value.isna(), UNKNOWN, np.where(value >= thresholds[measure].minimum, PASS, BELOW))
        out[measure], out[f"{measure}_check"] = value, check
    return out
