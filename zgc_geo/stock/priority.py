"""A transparent priority score (0–100) and ranking of plots for revitalisation.

The score is a weighted sum of components, each normalised to 0–1 by a stated formula, so a
planner can see and argue with every part of it: ``prio_<component>`` columns hold each
component's contribution in score points and add up to ``priority_score``. Formulas, scales
and default weights are in ``layers/stock_rules.toml`` ``[priority]``; weights can also be
changed for one run (``weights=``), e.g. to rank by FAR headroom alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from zgc_geo.cells import as_text
from zgc_geo.errors import RulesError
from zgc_geo.stock.efficiency import CLASSES
from zgc_geo.stock.scenario import number, read_rules_file, stock_rules_path

#: The components, in the order their columns appear.
COMPONENTS: Final = (
    "years_idle", "area", "extra_floor_area", "efficiency", "inefficiency", "proximity", "inside_park",
)  # fmt: skip
SCALES: Final = ("years_idle_cap", "area_cap_mu", "extra_floor_area_cap_m2", "proximity_max_m")
#: How each component is normalised (also shown in the parameters table).
FORMULAS: Final = {
    "years_idle": "min(years_idle, years_idle_cap) / years_idle_cap; unknown → 0",
    "area": "min(area_mu, area_cap_mu) / area_cap_mu",
    "extra_floor_area": "min(extra_floor_area_m2, extra_floor_area_cap_m2) / extra_floor_area_cap_m2; "
    "no target → 0",
    "efficiency": "efficiency_points[efficiency_class]; no class → 0",
    "inefficiency": "1 when an inefficiency kind matched, else 0",
    "proximity": "1 − min(d, proximity_max_m) / proximity_max_m, d = dist_cluster_feature_m; unknown → 0",
    "inside_park": "1 inside a park outline, else 0",
}


@dataclass(frozen=True)
class PriorityRules:
    """Component weights (any non-negative numbers, not all 0), scales and class points."""

    weights: Mapping[str, float]
    scales: Mapping[str, float]
    efficiency_points: Mapping[str, float]

    def with_weights(self, weights: Mapping[str, float] | None, source: str = "weights") -> PriorityRules:
        """These rules with some weights replaced; unknown components and bad values raise."""
        if not weights:
            return self
        problems: list[str] = []
        merged = dict(self.weights)
        for key in weights:
            if key not in COMPONENTS:
                problems.append(f"{key!r} is not a priority component; use {', '.join(COMPONENTS)}")
            else:
                merged[key] = number(weights, key, "weights", problems)
        if not problems and not sum(merged.values()) > 0:
            problems.append("at least one weight must be above 0")
        if problems:
            raise RulesError(f"{source}: " + "; ".join(problems))
        return replace(self, weights=merged)


def priority_rules(raw: Mapping[str, Any], source: str = "priority rules") -> PriorityRules:
    """Rules from the ``[priority]`` table of a parsed rules file; all problems raised at once."""
    table = raw.get("priority", raw)
    problems: list[str] = []
    sections = {"weights": COMPONENTS, "scales": SCALES, "efficiency_points": CLASSES}
    parsed: dict[str, dict[str, float]] = {}
    for name, keys in sections.items():
        entry = table.get(name, {})
        for key in sorted(set(entry) - set(keys)):
            problems.append(f"priority.{name}.{key} is not known; use {', '.join(keys)}")
        parsed[name] = {key: number(entry, key, f"priority.{name}", problems) for key in keys}
    for key, value in parsed["scales"].items():
        if not value > 0:
            problems.append(f"priority.scales.{key} must be above 0")
    for key, value in parsed["efficiency_points"].items():
        if not 0 <= value <= 1:
            problems.append(f"priority.efficiency_points.{key} must be between 0 and 1")
    if not problems and not sum(parsed["weights"].values()) > 0:
        problems.append("priority.weights: at least one weight must be above 0")
    if problems:
        raise RulesError(f"{source}: " + "; ".join(problems))
    return PriorityRules(parsed["weights"], parsed["scales"], parsed["efficiency_points"])


def load_priority_rules(path: Path | None = None) -> PriorityRules:
    """The ``[priority]`` rules of ``layers/stock_rules.toml`` (or of ``path``)."""
    path = path or stock_rules_path()
    return priority_rules(read_rules_file(path), str(path))


def _num(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def components(frame: pd.DataFrame, rules: PriorityRules) -> pd.DataFrame:
    """Every component normalised to 0–1 (see :data:`FORMULAS`), one column each."""
    scales = rules.scales

    def capped(values: np.ndarray, cap: float) -> np.ndarray:
        return np.nan_to_num(np.clip(values, 0, cap) / cap, nan=0.0)

    missing = pd.Series(np.nan, index=frame.index)
    klass, kind = frame.get("efficiency_class", missing), frame.get("inefficiency_kind", missing)
    inside = frame.get("inside_park", pd.Series(False, index=frame.index))
    distance = _num(frame, "dist_cluster_feature_m")
    values = {
        "years_idle": capped(_num(frame, "years_idle"), scales["years_idle_cap"]),
        "area": capped(_num(frame, "area_mu"), scales["area_cap_mu"]),
        "extra_floor_area": capped(_num(frame, "extra_floor_area_m2"), scales["extra_floor_area_cap_m2"]),
        "efficiency": klass.map(dict(rules.efficiency_points)).astype(float).fillna(0.0).to_numpy(),
        "inefficiency": kind.notna().to_numpy(dtype=float),
        "proximity": np.where(np.isnan(distance), 0.0, 1 - capped(distance, scales["proximity_max_m"])),
        "inside_park": inside.fillna(False).to_numpy(dtype=float),
    }
    return pd.DataFrame(values, index=frame.index)


def score_priority(
    frame: pd.DataFrame, rules: PriorityRules | None = None, *, weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """``priority_score`` (0–100), ``priority_rank`` (1 = highest) and ``prio_<component>`` points.

    score = Σ wᵢ·cᵢ / Σ wᵢ × 100 over the components cᵢ of :func:`components`; the
    ``prio_`` columns are the terms of that sum, so they add up to the score. Ties are
    ranked by ``plot_id`` (then by position), so the order is stable across runs.
    """
    rules = (rules or load_priority_rules()).with_weights(weights)
    parts = components(frame, rules)
    total = sum(rules.weights.values())
    points = pd.DataFrame(
        {f"prio_{name}": parts[name] * (rules.weights[name] / total * 100) for name in COMPONENTS},
        index=frame.index,
    )
    score = points.sum(axis=1)
    ids = as_text(frame["plot_id"]).to_numpy(dtype=object) if "plot_id" in frame else None
    position, descending = np.arange(len(frame)), -score.to_numpy()
    order = np.lexsort((position, descending) if ids is None else (position, ids, descending))
    rank = np.empty(len(frame), dtype=np.int64)
    rank[order] = np.arange(1, len(frame) + 1)
    return pd.concat(
        [pd.DataFrame({"priority_score": score, "priority_rank": rank}, index=frame.index), points], axis=1
    )
