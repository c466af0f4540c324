"""Progress against the 2020 targets: each target's yearly path and a status for each year's actual value.

The path runs from the 2015 baseline (or, where the plan gives none, the first actual value) to the 2020
target, by the indicator's rule in ``layers/target_progress_rules.csv``:
- ``compound`` (totals and counts): a constant yearly growth rate, ``b·(t/b)^((y−y₀)/(2020−y₀))``;
- ``linear`` (shares and ratios): equal yearly steps, ``b + (t−b)·(y−y₀)/(2020−y₀)``;
- ``growth`` (the plan asks only for steady growth): each year at least the year before;
- ``maintain`` (keep a level, 保持…左右): every year near the target.
After 2020 the required value stays the 2020 target (the plan's horizon). The status compares the actual
with the required value by the thresholds of ``layers/target_progress.toml``; where lower is better (fewer
employees per 100 million yuan of revenue) the ratio is turned round.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from zgc_geo.catalogue import load_layer
from zgc_geo.errors import RulesError
from zgc_geo.manifest import default_data_dir
from zgc_geo.user_files import read_user_text

BASE_YEAR, TARGET_YEAR = 2015, 2020
ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
STATUSES: Final = (ON_TRACK, AT_RISK, OFF_TRACK)
PATHS: Final = ("compound", "linear", "growth", "maintain")
#: Columns of the progress table (its English headers, exactly).
COLUMNS: Final = (
    "indicator_id", "name_zh", "unit", "baseline_2015", "target_2020", "year", "required", "actual", "status",
)  # fmt: skip


@dataclass(frozen=True)
class Thresholds:
    """Where on track and at risk begin: ratios of actual to required, and distances for kept levels."""

    on_track: float
    at_risk: float
    keep_on_track: float
    keep_at_risk: float
    source: str


def load_thresholds(path: Path | None = None) -> Thresholds:
    """The thresholds of ``path`` (default ``layers/target_progress.toml``)."""
    path = Path(path) if path is not None else default_data_dir() / "layers" / "target_progress.toml"
    try:
        table = tomllib.loads(read_user_text(path, what="progress thresholds", error=RulesError))
        status, keep = table["status"], table["maintain"]
        found = Thresholds(float(status["on_track"]), float(status["at_risk"]), float(keep["on_track"]),
                           float(keep["at_risk"]), str(status.get("source", "")))  # fmt: skip
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise RulesError(
            f"{path.name}: needs [status] on_track and at_risk and [maintain] on_track and at_risk as "
            f"numbers ({exc})"
        ) from None
    if not found.at_risk <= found.on_track or not found.keep_on_track <= found.keep_at_risk:
        raise RulesError(f"{path.name}: at_risk must be below on_track ([status]) and above it ([maintain])")
    return found


def targets_with_rules() -> pd.DataFrame:
    """The indicators of the target system (专栏一) with their path rules, in the plan's order."""
    targets = load_layer("targets_2020")
    targets = targets[targets["in_target_system"].str.lower() == "true"]
    rules = load_layer("target_progress_rules").set_index("indicator_id")
    problems = []
    if unknown := sorted(set(rules.index) - set(targets["indicator_id"])):
        problems.append(f"unknown indicators {', '.join(unknown)}")
    if missing := sorted(set(targets["indicator_id"]) - set(rules.index)):
        problems.append(f"no rule for {', '.join(missing)}")
    if bad := sorted(rules.index[~rules["path"].isin(PATHS) | ~rules["direction"].isin(("higher", "lower"))]):
        problems.append(
            f"path must be one of {', '.join(PATHS)} and direction higher or lower ({', '.join(bad)})"
        )
    if problems:
        raise RulesError("layers/target_progress_rules.csv: " + "; ".join(problems))
    return targets.join(rules, on="indicator_id").reset_index(drop=True)


def required_value(
    path: str, year: int, start: tuple[int, float] | None, target: float | None, before: float | None
) -> float | None:
    """The value ``year`` requires on ``path`` from ``start`` (year, value) to ``target`` in 2020; ``before``
    is the previous year's actual (for ``growth``). None where the path gives no value."""
    if path == "maintain":
        return target
    if path == "growth":
        earlier = start[1] if start is not None and start[0] < year else None
        return before if before is not None else earlier
    if start is None or target is None or year < start[0]:
        return None
    return _on_path(path, year, start, target)


def _on_path(path: str, year: int, start: tuple[int, float], target: float) -> float:
    """The value of a compound or linear path from ``start`` to ``target`` in 2020 (the target after it)."""
    first_year, first = start
    if year >= TARGET_YEAR or first_year >= TARGET_YEAR:
        return target
    share = (year - first_year) / (TARGET_YEAR - first_year)
    if path == "compound" and first > 0 and target > 0:
        return first * (target / first) ** share
    return first + (target - first) * share  # linear; also compound between a zero and a value (no rate)


def status_of(
    path: str, direction: str, required: float | None, actual: float | None, thresholds: Thresholds
) -> str | None:
    """``on_track``, ``at_risk`` or ``off_track`` (None without an actual or a required value)."""
    if required is None or actual is None:
        return None
    if path == "maintain":
        distance = abs(actual - required) / abs(required) if required else abs(actual)
        distance = round(distance, 9)  # judged as a person reads the figures, not on float noise
        return (
            ON_TRACK
            if distance <= thresholds.keep_on_track
            else AT_RISK
            if distance <= thresholds.keep_at_risk
            else OFF_TRACK
        )
    if direction == "lower":
        ratio = required / actual if actual > 0 else math.inf
    else:
        ratio = actual / required if required > 0 else (math.inf if actual >= required else 0.0)
    ratio = round(ratio, 9)
    return ON_TRACK if ratio >= thresholds.on_track else AT_RISK if ratio >= thresholds.at_risk else OFF_TRACK


def progress_table(zone_actuals: pd.DataFrame, years: list[int], thresholds: Thresholds) -> pd.DataFrame:
    """One row per indicator and year of ``years``: :data:`COLUMNS` (``unit`` in Chinese; callers word it)
    plus ``unit_en``, ``path``, ``direction`` and ``start_year`` (the year the path starts from)."""
    targets = targets_with_rules()
    rows = []
    for target in targets.itertuples(index=False):
        own = zone_actuals[zone_actuals["indicator_id"] == target.indicator_id].set_index("year")["value"]
        baseline = _float(target.baseline_2015)
        goal = _float(target.target_2020)
        if baseline is not None:
            start: tuple[int, float] | None = (BASE_YEAR, baseline)
        elif len(own):
            first_year = int(own.index.min())
            start = (first_year, float(own[first_year]))
        else:
            start = None
        for year in years:
            actual = float(own[year]) if year in own.index else None
            before = (
                float(own[year - 1])
                if year - 1 in own.index
                else (baseline if year - 1 == BASE_YEAR else None)
            )
            required = required_value(target.path, year, start, goal, before)
            rows.append({
                "indicator_id": target.indicator_id, "name_zh": target.indicator_zh, "unit": target.unit_zh,
                "unit_en": target.unit_en, "baseline_2015": baseline, "target_2020": goal, "year": year,
                "required": None if required is None else round(required, 6), "actual": actual,
                "status": status_of(target.path, target.direction, required, actual, thresholds),
                "path": target.path, "direction": target.direction,
                "start_year": None if start is None else start[0],
            })  # fmt: skip
    return pd.DataFrame(rows)


def _float(value: object) -> float | None:
    """A layer's number, None where empty (NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(str(value))
