"""Plot-ratio (FAR) scenarios: what permitted FAR existing industrial plots could get.

The plan (§五(二)2) asks to 探索现有工业用地容积率调整的政策措施 "在符合规划和不改变用途的前提下":
a scenario therefore raises the FAR of industrial plots only and never changes their use.
A scenario is data — a TOML or JSON file — so a planner can compare several without code.
This module also reads the rules files of the whole stock analysis (``layers/stock_rules.toml``).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from zgc_geo.errors import RulesError
from zgc_geo.export.worded import CodeName
from zgc_geo.i18n import Joined, Sentence
from zgc_geo.manifest import default_data_dir
from zgc_geo.stock.distinct import per_distinct
from zgc_geo.user_files import read_user_text

STOCK_RULES_NAME: Final = "stock_rules.toml"
MODES: Final = ("set_far", "increase_pct")
_RULE_KEYS: Final = {"mode", "value", "cap_far"}
_SCENARIO_KEYS: Final = {*_RULE_KEYS, "name", "description", "parks"}
#: The plan wording every FAR scenario rests on.
PLAN_BASIS: Final = "§五(二)2 在符合规划和不改变用途的前提下，探索现有工业用地容积率调整的政策措施"


def stock_rules_path(data_dir: Path | None = None) -> Path:
    """``layers/stock_rules.toml`` of the data root (``$ZGC_GEO_DATA_DIR`` or the checkout)."""
    return (data_dir or default_data_dir()) / "layers" / STOCK_RULES_NAME


def read_rules_file(path: Path) -> dict[str, Any]:
    """A TOML (or, by its ``.json`` suffix, JSON) rules file as a dict; errors name the file."""
    path = Path(path)
    text = read_user_text(path, what="rules file (TOML or JSON)", error=RulesError)
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
        raise RulesError(f"{path}: not valid {kind} ({exc}).") from exc
    if not isinstance(raw, dict):
        raise RulesError(f"{path}: the top level must be a table (a JSON object).")
    return raw


def number(
    raw: Mapping[str, Any], key: str, where: str, problems: list[str], *, minimum: float = 0.0
) -> float:
    """``raw[key]`` as a finite number ≥ ``minimum``; a problem naming ``where.key`` otherwise."""
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(f"{where}.{key} = {value!r} is not a number; write e.g. {key} = 1.5")
        return math.nan
    if value < minimum:
        problems.append(f"{where}.{key} = {value!r} is below {minimum:g}")
    return float(value)


@dataclass(frozen=True)
class FarRule:
    """One way to set a plot's target FAR.

    ``set_far``: the target is ``value`` (a new permitted FAR). ``increase_pct``: the target is
    the plot's permitted FAR (its current FAR where none is recorded) raised by ``value`` %.
    Either way the target is capped at ``cap_far`` when one is given.
    """

    mode: str
    value: float
    cap_far: float | None = None

    def __post_init__(self) -> None:
        problems = rule_problems(self.mode, self.value, self.cap_far)
        if problems:
            raise RulesError(f"FAR rule {self.describe()!r}: " + "; ".join(problems))

    def describe(self) -> str:
        """The rule as a planner would say it: ``set FAR 2``, ``permitted FAR +30 %, cap 3``."""
        if self.mode not in MODES:
            return f"{self.mode} {self.value}"
        text = f"set FAR {self.value:g}" if self.mode == "set_far" else f"permitted FAR +{self.value:g} %"
        return text if self.cap_far is None else f"{text}, cap {self.cap_far:g}"

    def sentence(self) -> Sentence:
        """:meth:`describe` worded in the reader's language (the rule is valid, so its mode is known)."""
        key = "stock.why.rule_set_far" if self.mode == "set_far" else "stock.why.rule_increase"
        rule = Sentence(key, {"value": f"{self.value:g}"})
        return (
            rule
            if self.cap_far is None
            else Sentence("stock.why.rule_cap", {"rule": rule, "cap": f"{self.cap_far:g}"})
        )


@dataclass(frozen=True)
class PlotRatioScenario:
    """A named FAR scenario: a rule for every industrial plot and per-park overrides."""

    name: str
    rule: FarRule
    park_rules: Mapping[str, FarRule] = field(default_factory=dict)
    description: str = ""

    def rule_for(self, park_id: str | None) -> FarRule:
        """The rule of ``park_id``'s override, else the global rule."""
        return self.park_rules.get(park_id, self.rule) if park_id is not None else self.rule


def rule_problems(mode: object, value: object, cap_far: object) -> list[str]:
    """What is wrong with a rule's values, as ``key …`` texts (empty when it is usable)."""
    problems: list[str] = []
    if mode not in MODES:
        problems.append(f"mode = {mode!r} is not one of {', '.join(MODES)}")
    raw = {"value": value} | ({} if cap_far is None else {"cap_far": cap_far})
    for key in raw:
        found: list[str] = []
        number(raw, key, "", found)
        problems += [text.removeprefix(".") for text in found]
    if isinstance(cap_far, int | float) and not isinstance(cap_far, bool) and cap_far <= 0:
        problems.append(f"cap_far = {cap_far:g} must be above 0 (leave it out for no cap)")
    return problems


def _rule(raw: Mapping[str, Any], where: str, problems: list[str]) -> FarRule | None:
    found = [
        f"{where}.{key} is not a scenario key; use {', '.join(sorted(_RULE_KEYS))}"
        for key in sorted(set(raw) - (_SCENARIO_KEYS if where == "scenario" else _RULE_KEYS))
    ]
    found += [
        f"{where}.{text}" for text in rule_problems(raw.get("mode"), raw.get("value"), raw.get("cap_far"))
    ]
    problems += found
    if found:
        return None
    cap = raw.get("cap_far")
    return FarRule(str(raw["mode"]), float(raw["value"]), None if cap is None else float(cap))


def scenario_from_mapping(raw: Mapping[str, Any], source: str = "scenario") -> PlotRatioScenario:
    """A scenario from a parsed file: the ``[scenario]`` table, or the top level without one.

    Every problem is collected and raised together in one :class:`RulesError` naming the
    file (``source``) and the key, e.g. ``scenario.parks.haidian.mode``.
    """
    table = raw.get("scenario", raw)
    problems: list[str] = []
    if not isinstance(table, Mapping):
        raise RulesError(f"{source}: [scenario] must be a table with mode, value and optionally cap_far.")
    rule = _rule(table, "scenario", problems)
    parks = table.get("parks", {})
    park_rules: dict[str, FarRule] = {}
    if not isinstance(parks, Mapping):
        problems.append("scenario.parks must be a table of [scenario.parks.<park_id>] tables")
    else:
        for park_id, override in parks.items():
            where = f"scenario.parks.{park_id}"
            parsed = _rule(override, where, problems) if isinstance(override, Mapping) else None
            if parsed is not None:
                park_rules[str(park_id)] = parsed
            elif not isinstance(override, Mapping):
                problems.append(f"{where} must be a table with mode, value and optionally cap_far")
    name = table.get("name", "unnamed")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"scenario.name = {name!r} must be a non-empty text")
    if problems or rule is None:
        raise RulesError(f"{source}: " + "; ".join(problems))
    return PlotRatioScenario(str(name), rule, park_rules, str(table.get("description", "")))


def scenario_from_file(path: Path | str) -> PlotRatioScenario:
    """Read a scenario from a TOML or JSON file (see ``layers/stock_rules.toml`` for the format)."""
    return scenario_from_mapping(read_rules_file(Path(path)), str(path))


def default_scenario(path: Path | None = None) -> PlotRatioScenario:
    """The scenario of ``layers/stock_rules.toml``: today's permitted FAR, no uplift (see the file)."""
    path = path or stock_rules_path()
    return scenario_from_mapping(read_rules_file(path), str(path))


def check_parks(scenario: PlotRatioScenario, park_ids: Collection[str]) -> None:
    """Raise if an override names a park that does not exist (a typo would silently do nothing)."""
    unknown = sorted(set(scenario.park_rules) - set(park_ids))
    if unknown:
        raise RulesError(
            f"scenario {scenario.name!r}: scenario.parks names unknown park(s) {', '.join(unknown)}; "
            f"use park_id values of the parks layer: {', '.join(sorted(park_ids))}"
        )


def scenario_table(scenario: PlotRatioScenario) -> pd.DataFrame:
    """The scenario as a parameters table (one row per scope), for exports next to the results."""
    rows = [("global", scenario.rule), *sorted(scenario.park_rules.items())]
    return pd.DataFrame(
        {
            "scenario": scenario.name,
            "scope": [scope for scope, _ in rows],
            "mode": [rule.mode for _, rule in rows],
            "value": [rule.value for _, rule in rows],
            "cap_far": [np.nan if rule.cap_far is None else rule.cap_far for _, rule in rows],
            "rule": [rule.describe() for _, rule in rows],
            "basis": PLAN_BASIS,
        }
    )


def far_targets(
    scenario: PlotRatioScenario,
    *,
    far_current: pd.Series,
    far_permitted: pd.Series,
    land_use_class: pd.Series,
    park_id: pd.Series,
    industrial_classes: Collection[str],
) -> tuple[pd.Series, pd.Series]:
    """Target FAR of every plot under ``scenario`` and a note saying how it was set.

    Only industrial land-use classes get a target: the plan allows FAR adjustment only
    without a change of use (不改变用途), so other plots keep NaN and a note saying why.
    """
    index = far_current.index
    target = pd.Series(np.nan, index=index, dtype=float)
    # A note lists at most one clause of each slot, in this order; each slot holds a code per row into its
    # clauses (-1: none), so notes are built once per distinct combination, not once per plot.
    slots: dict[str, tuple[np.ndarray, list[object]]] = {
        name: (np.full(len(index), -1, dtype=np.int64), [])
        for name in ("land_use", "head", "fallback", "cap", "headroom")
    }

    def add(slot: str, mask: np.ndarray, clause: object) -> None:
        codes, clauses = slots[slot]
        codes[np.flatnonzero(mask)] = len(clauses)
        clauses.append(clause)

    classes = land_use_class.astype(object)
    industrial = classes.isin(list(industrial_classes)).to_numpy()
    unknown = classes.isna().to_numpy()
    add("land_use", unknown, Sentence("stock.why.far_class_unknown"))
    other = np.flatnonzero(~industrial & ~unknown)  # said per class: not industrial (the class by its name)
    kinds, names = pd.factorize(classes.iloc[other].astype(str))
    codes, clauses = slots["land_use"]
    codes[other] = len(clauses) + kinds
    clauses += [
        Sentence("stock.why.far_not_industrial", {"land_use": CodeName("land_use_class", str(name))})
        for name in names
    ]
    overrides = park_id.isin(list(scenario.park_rules)).to_numpy()
    scopes = [(Sentence("stock.why.scope_all"), scenario.rule, industrial & ~overrides)] + [
        (CodeName("park", park), rule, industrial & (park_id == park).to_numpy())
        for park, rule in scenario.park_rules.items()
    ]
    current, permitted = far_current.to_numpy(float), far_permitted.to_numpy(float)
    for scope, rule, mask in scopes:  # the scopes cover distinct plots
        add("head", mask, scenario_head(scenario.name, scope, rule))
        if rule.mode == "set_far":
            value = np.full(len(index), rule.value)
        else:
            value = np.where(np.isnan(permitted), current, permitted) * (1 + rule.value / 100)
            add(
                "fallback",
                mask & np.isnan(permitted) & ~np.isnan(current),
                Sentence("stock.why.far_from_current"),
            )
            add("fallback", mask & np.isnan(permitted) & np.isnan(current), Sentence("stock.why.far_none"))
        if rule.cap_far is not None:
            capped = Sentence("stock.why.far_capped", {"cap": f"{rule.cap_far:g}"})
            add("cap", mask & (value > rule.cap_far), capped)
            value = np.minimum(value, rule.cap_far)
        target[mask] = value[mask]
    missing_current = industrial & np.isnan(current) & ~np.isnan(target.to_numpy())
    add("headroom", missing_current, Sentence("stock.why.far_no_headroom"))

    def note(**row: int) -> object:
        clauses = [slots[name][1][code] for name, code in row.items() if code >= 0]
        return clauses[0] if len(clauses) == 1 else Joined(tuple(clauses)) if clauses else ""

    return target, per_distinct(note, index, **{name: codes for name, (codes, _) in slots.items()})


def scenario_head(name: str, scope: object, rule: FarRule) -> Sentence:
    """``current_permitted（全部工业地块）：规划容积率 +0%``: the scenario (its name as the file gives
    it), the plots it covers, its rule."""
    values = {"scenario": name, "scope": scope, "rule": rule.sentence()}
    return Sentence("stock.why.far_head", values, as_written=True)
