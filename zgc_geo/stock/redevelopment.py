"""Redevelopment-mode suggestions from transparent, configurable rules (plan §五(二)2).

The plan names the modes: self-development and commissioned, cooperative or acquisition
redevelopment (通过委托、合作、收购等方式进行自主和合作减量开发), joint development of collective
land (联营联建) and start-up-community pilots (创业社区试点). Which mode suits a plot is a
judgement, so the rules are data — ``layers/redevelopment_rules.toml``: each has an id, a mode,
conditions on plot fields, a bilingual text and the plan section it rests on, and every
suggestion can be explained by the rule that made it. Conditions are evaluated by a tiny
vectorised evaluator (a fixed set of comparison operators; nothing is ``eval``-ed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from zgc_geo.cells import blank
from zgc_geo.errors import RulesError
from zgc_geo.export.worded import FieldName, FieldValue, first_rows
from zgc_geo.i18n import Joined, Sentence
from zgc_geo.manifest import default_data_dir
from zgc_geo.memory import gc_paused
from zgc_geo.stock.scenario import read_rules_file

RULES_NAME: Final = "redevelopment_rules.toml"
MODES: Final = (
    "self_development", "commissioned", "cooperative", "acquisition", "collective_joint", "startup_community",
)  # fmt: skip
ORDERING: Final = ("<", "<=", ">", ">=")
EQUALITY: Final = ("==", "!=")
MEMBERSHIP: Final = ("in", "not_in")
PRESENCE: Final = ("is_missing", "not_missing")
OPS: Final = (*EQUALITY, *ORDERING, *MEMBERSHIP, *PRESENCE)
#: How a condition reads, per operator (the comparisons are written as symbols in both languages).
OP_KEYS: Final = {
    "in": "stock.why.op_in",
    "not_in": "stock.why.op_not_in",
    "is_missing": "stock.why.op_is_missing",
    "not_missing": "stock.why.op_not_missing",
}
_RULE_KEYS: Final = {"id", "mode", "conditions", "text_zh", "text_en", "section", "plan_quote"}
_TEXT_KEYS: Final = ("text_zh", "text_en", "section")


@dataclass(frozen=True)
class Condition:
    """``field op value``; a missing value fails every test except ``!=``, ``not_in`` and ``is_missing``."""

    field: str
    op: str
    value: Any = None

    def describe(self) -> str:
        """``area_mu <= 30``, ``land_rights == 'collective'``, ``owner is missing``."""
        if self.op in PRESENCE:
            return f"{self.field} {self.op.replace('_', ' ')}"
        value = repr(self.value).replace("True", "true").replace("False", "false")
        return f"{self.field} {self.op.replace('_', ' ')} {value}"

    def sentence(self) -> Sentence | Joined:
        """:meth:`describe` in the reader's language: the field by its name, a code value by its name (a
        comparison's symbol reads the same in both languages)."""
        field, value = FieldName(self.field), FieldValue(self.field, self.value)
        if self.op in OP_KEYS:
            return Sentence(OP_KEYS[self.op], {"field": field, "value": value})
        symbol = {"==": "=", "!=": "≠", "<=": "≤", ">=": "≥"}.get(self.op, self.op)
        return Joined((field, symbol, value), separator=" ")


@dataclass(frozen=True)
class Rule:
    """One rule: when all ``conditions`` hold, suggest ``mode``, citing ``section`` and ``plan_quote``."""

    id: str
    mode: str
    conditions: tuple[Condition, ...]
    text_zh: str
    text_en: str
    section: str
    plan_quote: str = ""


@dataclass(frozen=True)
class RedevelopmentRules:
    """The ordered rules, the mode labels (mode → (zh, en)) and the file they came from."""

    rules: tuple[Rule, ...]
    labels: Mapping[str, tuple[str, str]]
    source: str = "redevelopment rules"

    def by_id(self) -> dict[str, Rule]:
        """Rule id → rule."""
        return {rule.id: rule for rule in self.rules}


@dataclass(frozen=True)
class Suggestion:
    """One suggested mode for one plot, with everything needed to say why."""

    plot_id: str | None
    mode: str
    mode_zh: str
    mode_en: str
    rule_id: str
    text_zh: str
    text_en: str
    section: str
    plan_quote: str
    conditions: tuple[str, ...]


def rules_path(data_dir: Path | None = None) -> Path:
    """``layers/redevelopment_rules.toml`` of the data root."""
    return (data_dir or default_data_dir()) / "layers" / RULES_NAME


def _condition(raw: Any, where: str, problems: list[str]) -> Condition | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where} must be a table {{field = …, op = …, value = …}}")
        return None
    field, op, value = raw.get("field"), raw.get("op"), raw.get("value")
    for key in sorted(set(raw) - {"field", "op", "value"}):
        problems.append(f"{where}.{key} is not a condition key; use field, op, value")
    if not isinstance(field, str) or not field:
        problems.append(f"{where}.field must name a plot field, e.g. 'area_mu'")
    if op not in OPS:
        problems.append(f"{where}.op {op!r} is not an operator; use one of {' '.join(OPS)}")
    elif op in PRESENCE and "value" in raw:
        problems.append(f"{where}: {op} takes no value; remove value")
    elif op in ORDERING and (isinstance(value, bool) or not isinstance(value, int | float)):
        problems.append(f"{where}: {op} needs a number value, not {value!r}")
    elif op in MEMBERSHIP and not isinstance(value, list):
        problems.append(f"{where}: {op} needs a list value, e.g. value = ['a', 'b']")
    elif op in EQUALITY and not isinstance(value, str | int | float | bool):
        problems.append(f"{where}: {op} needs a text, number or true/false value")
    return Condition(str(field), str(op), value)


def _labels(raw: Mapping[str, Any], problems: list[str]) -> dict[str, tuple[str, str]]:
    modes = raw.get("modes", {})
    labels: dict[str, tuple[str, str]] = {}
    for mode, entry in modes.items() if isinstance(modes, Mapping) else ():
        if mode not in MODES:
            problems.append(f"modes.{mode} is not a mode; the plan's modes are {', '.join(MODES)}")
        elif not isinstance(entry, Mapping) or not all(isinstance(entry.get(k), str) for k in ("zh", "en")):
            problems.append(f"modes.{mode} needs zh and en labels")
        else:
            labels[mode] = (entry["zh"], entry["en"])
    return labels


def _rule(entry: Mapping[str, Any], where: str, labels: Mapping[str, Any], problems: list[str]) -> Rule:
    """One ``[[rules]]`` entry; its problems are appended, each starting with ``where``."""
    name = entry.get("id")
    if not isinstance(name, str) or not name:
        problems.append(f"{where}.id must be a non-empty text")
    for key in sorted(set(entry) - _RULE_KEYS):
        problems.append(f"{where}.{key} is not a rule key; use {', '.join(sorted(_RULE_KEYS))}")
    mode = entry.get("mode")
    if mode not in MODES:
        problems.append(f"{where}.mode {mode!r} is not one of {', '.join(MODES)}")
    elif mode not in labels:
        problems.append(f"{where}.mode {mode!r} has no [modes.{mode}] labels")
    for key in _TEXT_KEYS:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            problems.append(f"{where}.{key} must be a non-empty text")
    raw_conditions = entry.get("conditions")
    if not isinstance(raw_conditions, list) or not raw_conditions:
        problems.append(f"{where}.conditions must be a non-empty list of {{field, op, value}} tables")
        raw_conditions = []
    found = [_condition(c, f"{where}.conditions[{i}]", problems) for i, c in enumerate(raw_conditions, 1)]
    text_zh, text_en, section = (str(entry.get(k, "")) for k in _TEXT_KEYS)
    return Rule(
        id=str(name),
        mode=str(mode),
        conditions=tuple(c for c in found if c is not None),
        text_zh=text_zh,
        text_en=text_en,
        section=section,
        plan_quote=str(entry.get("plan_quote", "")),
    )


def redevelopment_rules(raw: Mapping[str, Any], source: str = "redevelopment rules") -> RedevelopmentRules:
    """Rules from a parsed rules file; every structural problem is raised at once, naming the rule."""
    problems: list[str] = []
    labels = _labels(raw, problems)
    entries = raw.get("rules")
    if not isinstance(entries, list) or not entries:
        raise RulesError(f"{source}: no [[rules]] entries; add at least one rule.")
    rules: list[Rule] = []
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            problems.append(f"rules[{position}] must be a table")
            continue
        name = entry.get("id")
        where = (
            f"rule {name!r} (rules[{position}])" if isinstance(name, str) and name else f"rules[{position}]"
        )
        if any(rule.id == name for rule in rules):
            problems.append(f"{where}: id {name!r} is used twice")
        rules.append(_rule(entry, where, labels, problems))
    if problems:
        raise RulesError(f"{source}: " + "; ".join(problems))
    return RedevelopmentRules(tuple(rules), labels, source)


def load_redevelopment_rules(path: Path | None = None) -> RedevelopmentRules:
    """The rules of ``layers/redevelopment_rules.toml`` (or of ``path``, TOML or JSON)."""
    path = path or rules_path()
    return redevelopment_rules(read_rules_file(path), str(path))


def _missing(column: pd.Series) -> pd.Series:
    """Missing values, blank texts included."""
    return blank(column)


def _test(column: pd.Series, condition: Condition, where: str) -> pd.Series:
    """One condition over a whole column; raises RulesError when the types cannot be compared."""
    op, value = condition.op, condition.value
    if op in PRESENCE:
        missing = _missing(column)
        return missing if op == "is_missing" else ~missing
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if op in ORDERING:
        if not numeric:
            raise RulesError(
                f"{where}: field {condition.field!r} is not numeric, so {op!r} cannot compare it"
            )
        values = column.astype(float)
        result = {"<": values < value, "<=": values <= value, ">": values > value, ">=": values >= value}[op]
        return result.fillna(False).astype(bool)
    if op in MEMBERSHIP:
        inside = column.isin(list(value)) & column.notna()
        return inside if op == "in" else ~inside
    if numeric and isinstance(value, str):
        raise RulesError(f"{where}: field {condition.field!r} is numeric but the value {value!r} is text")
    equal = (column == value).fillna(False).astype(bool) & column.notna()
    return equal if op == "==" else ~equal


def evaluate_rules(frame: pd.DataFrame, rules: RedevelopmentRules) -> np.ndarray:
    """A plots × rules boolean matrix: where every condition of a rule holds.

    Fields must be columns of ``frame``; all unknown fields of all rules are reported in
    one :class:`RulesError` naming each rule and listing the fields there are.
    """
    unknown = [
        f"rule {rule.id!r}: field {c.field!r} is not a plot column"
        for rule in rules.rules
        for c in rule.conditions
        if c.field not in frame.columns
    ]
    if unknown:
        fields = ", ".join(sorted(str(c) for c in frame.columns if c != "geometry"))
        raise RulesError(f"{rules.source}: " + "; ".join(unknown) + f". Fields there are: {fields}")
    matrix = np.ones((len(frame), len(rules.rules)), dtype=bool)
    for j, rule in enumerate(rules.rules):
        for i, condition in enumerate(rule.conditions, start=1):
            where = f"{rules.source}: rule {rule.id!r} condition {i} ({condition.describe()})"
            matrix[:, j] &= _test(frame[condition.field], condition, where).to_numpy(dtype=bool)
    return matrix


def suggest_redevelopment(frame: pd.DataFrame, rules: RedevelopmentRules | None = None) -> pd.DataFrame:
    """``suggested_modes`` (modes in rule order, each once) and ``suggestion_rules`` (rule ids) per plot.

    Rows are grouped by the set of rules they match, so the lists are built once per
    distinct combination, not once per plot.
    """
    rules = rules or load_redevelopment_rules()
    matrix = evaluate_rules(frame, rules)
    if not len(frame):
        return pd.DataFrame({"suggested_modes": [], "suggestion_rules": []}, index=frame.index, dtype=object)
    packed = np.packbits(matrix, axis=1)  # the rules a row matches as bytes, one value per row
    inverse = np.zeros(len(frame), dtype=np.int64)
    if packed.shape[1]:
        inverse = pd.factorize(packed.view(f"V{packed.shape[1]}").ravel())[0]
    patterns = packed[first_rows(inverse)]
    ids, modes = np.empty(len(patterns), dtype=object), np.empty(len(patterns), dtype=object)
    for case, pattern in enumerate(patterns):
        fired = [rules.rules[k] for k in np.flatnonzero(np.unpackbits(pattern)[: len(rules.rules)])]
        ids[case] = [rule.id for rule in fired]
        modes[case] = list(dict.fromkeys(rule.mode for rule in fired))
    with gc_paused():  # a list of its own in every row: a cell changed in place changes no other plot
        own_modes, own_ids = list(map(list, modes[inverse])), list(map(list, ids[inverse]))
    return pd.DataFrame(
        {
            "suggested_modes": pd.Series(own_modes, index=frame.index, dtype=object),
            "suggestion_rules": pd.Series(own_ids, index=frame.index, dtype=object),
        }
    )


def explain_suggestions(
    row_or_frame: pd.Series | pd.DataFrame, rules: RedevelopmentRules | None = None
) -> list[Suggestion]:
    """Every suggestion of a plot (a row) or of each plot of a frame, with its rule and plan basis.

    Each :class:`Suggestion` lists the rule's conditions as text with the plot's own values,
    e.g. ``area_mu <= 30 (this plot: 12.5)``. Rows without ``suggestion_rules`` are evaluated.
    """
    rules = rules or load_redevelopment_rules()
    frame = row_or_frame.to_frame().T if isinstance(row_or_frame, pd.Series) else row_or_frame
    if "suggestion_rules" not in frame.columns:
        frame = frame.assign(suggestion_rules=suggest_redevelopment(frame, rules)["suggestion_rules"])
    by_id = rules.by_id()
    found: list[Suggestion] = []
    for _, row in frame.iterrows():
        plot_id = None if pd.isna(row.get("plot_id")) else str(row.get("plot_id"))
        for rule_id in _rule_ids(row["suggestion_rules"]):
            if rule_id not in by_id:
                raise RulesError(
                    f"{rules.source}: no rule {rule_id!r}; the plots were analysed with other rules"
                )
            rule = by_id[rule_id]
            zh, en = rules.labels[rule.mode]
            shown = tuple(f"{c.describe()} (this plot: {_shown(row.get(c.field))})" for c in rule.conditions)
            texts = (rule.text_zh, rule.text_en, rule.section, rule.plan_quote)
            found.append(Suggestion(plot_id, rule.mode, zh, en, rule.id, *texts, shown))
    return found


def _rule_ids(value: object) -> Sequence[str]:
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value]
    return []


def _shown(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "missing"
    return f"{value:g}" if isinstance(value, float) else str(value)
