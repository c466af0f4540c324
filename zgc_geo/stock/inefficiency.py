"""The five kinds of inefficient land (低效用地 "五未"), where the inventory's fields allow telling them.

批而未供 approved but not supplied · 供而未用 supplied, nothing built · 用而未尽 built below potential ·
建而未投 built, not producing · 投而未达标 producing below standard. The plan (§五(二)2) asks to
鼓励多元主体参与低效用地再开发和利用; which kind a plot is decides who can act on it. Each kind's
test and its parameters are documented in ``layers/stock_rules.toml`` ``[inefficiency]``; a kind
whose fields the inventory lacks is skipped, and every plot's reason says which field is missing,
so "no kind" is never mistaken for "efficient".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from zgc_geo.cells import as_text
from zgc_geo.errors import RulesError
from zgc_geo.export.worded import FieldName
from zgc_geo.i18n import Both, Joined, Sentence
from zgc_geo.stock.distinct import formatted, per_distinct, per_object, per_value
from zgc_geo.stock.efficiency import CLASSES
from zgc_geo.stock.scenario import number, read_rules_file, stock_rules_path

KINDS: Final = (
    "approved_unsupplied",
    "supplied_unused",
    "underused",
    "built_not_operating",
    "below_standard",
)
#: Fields each kind needs: (every one of these, then at least one of each group).
FIELDS: Final[dict[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]] = {
    "approved_unsupplied": (("status",), ()),
    "supplied_unused": (("owner",), (("floor_area_m2", "far_current"),)),
    "underused": (("far_current", "far_permitted"), ()),
    "built_not_operating": ((), (("floor_area_m2", "far_current"), ("output_per_mu_wan", "status"))),
    "below_standard": ((), (("output_per_mu_wan", "tax_per_mu_wan"),)),
}
#: Parameters each kind takes (besides its labels), with how to check them.
_PARAMETERS: Final = {
    "approved_unsupplied": ("status_words",),
    "built_not_operating": ("status_words",),
    "underused": ("ratio",),
    "below_standard": ("classes",),
    "supplied_unused": (),
}
#: The reason of a plot no kind matched (reasons are sentences, worded in the reader's language).
NO_MATCH: Final = Sentence("stock.why.no_kind")


@dataclass(frozen=True)
class KindRule:
    """One kind: its id, labels and parameters (status words, FAR ratio, efficiency classes)."""

    id: str
    label_zh: str
    label_en: str
    params: Mapping[str, Any]

    @property
    def label(self) -> str:
        """``批而未供 (Approved but not supplied)``."""
        return f"{self.label_zh} ({self.label_en})"

    @property
    def name(self) -> Both:
        """The kind's label in the reader's language."""
        return Both(self.label_zh, self.label_en)


@dataclass(frozen=True)
class InefficiencyRules:
    """The kinds to test, in the order that decides which one a plot gets."""

    kinds: tuple[KindRule, ...]

    def labels(self) -> dict[str, str]:
        """Kind id → Chinese label, for tables and the UI."""
        return {kind.id: kind.label_zh for kind in self.kinds}


def _words(raw: Mapping[str, Any], where: str, problems: list[str]) -> tuple[str, ...]:
    words = raw.get("status_words")
    if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
        problems.append(f'{where}.status_words must be a non-empty list of texts, e.g. ["停产", "未投产"]')
        return ()
    return tuple(words)


def inefficiency_rules(raw: Mapping[str, Any], source: str = "inefficiency rules") -> InefficiencyRules:
    """Rules from the ``[inefficiency]`` table of a parsed rules file; all problems raised at once."""
    table = raw.get("inefficiency", raw)
    problems: list[str] = []
    order = table.get("order", list(KINDS))
    if not isinstance(order, list) or len(set(order)) != len(order):
        problems.append("inefficiency.order must be a list of distinct kind ids")
        order = []
    kinds: list[KindRule] = []
    for kind in order:
        where = f"inefficiency.{kind}"
        if kind not in KINDS:
            problems.append(f"inefficiency.order names {kind!r}; the kinds are {', '.join(KINDS)}")
            continue
        entry = table.get(kind, {})
        for key in sorted(set(entry) - {"label_zh", "label_en", *_PARAMETERS[kind]}):
            problems.append(f"{where}.{key} is not a parameter of {kind}")
        labels = [entry.get("label_zh"), entry.get("label_en")]
        if not all(isinstance(label, str) and label for label in labels):
            problems.append(f"{where} needs label_zh and label_en texts")
        params: dict[str, Any] = {}
        if "status_words" in _PARAMETERS[kind]:
            params["status_words"] = _words(entry, where, problems)
        if kind == "underused":
            params["ratio"] = number(entry, "ratio", where, problems)
            if not 0 < params["ratio"] <= 1:
                problems.append(f"{where}.ratio must be above 0 and at most 1 (share of the permitted FAR)")
        if kind == "below_standard":
            params["classes"] = tuple(entry.get("classes", ()))
            if not params["classes"] or set(params["classes"]) - set(CLASSES):
                problems.append(f"{where}.classes must list efficiency classes out of {', '.join(CLASSES)}")
        kinds.append(KindRule(kind, str(labels[0]), str(labels[1]), params))
    if problems:
        raise RulesError(f"{source}: " + "; ".join(problems))
    return InefficiencyRules(tuple(kinds))


def load_inefficiency_rules(path: Path | None = None) -> InefficiencyRules:
    """The ``[inefficiency]`` rules of ``layers/stock_rules.toml`` (or of ``path``)."""
    path = path or stock_rules_path()
    return inefficiency_rules(read_rules_file(path), str(path))


def missing_fields(kind: str, available: Collection[str]) -> list[str]:
    """What keeps ``kind`` from being tested: ``'status'``, ``'floor_area_m2' or 'far_current'`` …"""
    every, groups = FIELDS[kind]
    missing = [f"'{name}'" for name in every if name not in available]
    missing += [" or ".join(f"'{n}'" for n in group) for group in groups if not set(group) & set(available)]
    return missing


def missing_names(kind: str, available: Collection[str]) -> list[Sentence | FieldName]:
    """:func:`missing_fields` as names in the reader's language (``status``, ``one of floor area, FAR``)."""
    every, groups = FIELDS[kind]
    missing: list[Sentence | FieldName] = [FieldName(name) for name in every if name not in available]
    missing += [
        Sentence("stock.why.one_of", {"fields": Joined(tuple(FieldName(n) for n in group), list_=True)})
        for group in groups
        if not set(group) & set(available)
    ]
    return missing


def _sentences(key: str, index: pd.Index, **columns: pd.Series | str) -> pd.Series:
    """A :class:`Sentence` of ``key`` per row, its values from ``columns`` (a text: the same in all); rows
    with the same values share one sentence (:func:`~zgc_geo.stock.distinct.per_distinct`)."""
    return per_distinct(lambda **values: Sentence(key, values), index, **columns)


def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _present(frame: pd.DataFrame, column: str) -> pd.Series:
    """True where a text field holds something other than blanks."""
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    return per_value(
        frame[column], lambda v: v.astype(object).where(v.notna(), "").astype(str).str.strip() != ""
    )


def _word(frame: pd.DataFrame, words: Sequence[str]) -> pd.Series:
    """The first of ``words`` each status text contains (NaN where none)."""
    if "status" not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=object)
    pattern = "(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"
    return per_value(
        frame["status"],
        lambda v: (
            v.astype(object).where(v.notna(), "").astype(str).str.extract(pattern, expand=False, flags=re.I)
        ),
    )


_Test = Callable[[pd.DataFrame, Mapping[str, Any]], tuple[pd.Series, pd.Series]]


def _approved_unsupplied(frame: pd.DataFrame, params: Mapping[str, Any]) -> tuple[pd.Series, pd.Series]:
    word = _word(frame, params["status_words"])
    owner, rights = _present(frame, "owner"), _present(frame, "land_rights")
    match = word.notna() & ~(owner & rights)
    word = word.fillna("")
    no_rights = _sentences("stock.why.approved_no_rights", frame.index, word=word)
    return match, no_rights.where(owner, _sentences("stock.why.approved_no_owner", frame.index, word=word))


def _supplied_unused(frame: pd.DataFrame, params: Mapping[str, Any]) -> tuple[pd.Series, pd.Series]:
    floor, far = _num(frame, "floor_area_m2"), _num(frame, "far_current")
    match = _present(frame, "owner") & ((floor == 0) | (far == 0))
    why = pd.Series(Sentence("stock.why.supplied_far_zero"), index=frame.index, dtype=object)
    return match, why.where(floor != 0, Sentence("stock.why.supplied_floor_zero"))


def _underused(frame: pd.DataFrame, params: Mapping[str, Any]) -> tuple[pd.Series, pd.Series]:
    far, permitted, ratio = _num(frame, "far_current"), _num(frame, "far_permitted"), params["ratio"]
    match = (far > 0) & (far < ratio * permitted)
    return match, _sentences(
        "stock.why.underused",
        frame.index,
        far=formatted(far, 2),
        ratio=f"{ratio:g}",
        permitted=formatted(permitted, 2),
    )


def _built_not_operating(frame: pd.DataFrame, params: Mapping[str, Any]) -> tuple[pd.Series, pd.Series]:
    built = (_num(frame, "floor_area_m2") > 0) | (_num(frame, "far_current") > 0)
    output, word = _num(frame, "output_per_mu_wan"), _word(frame, params["status_words"])
    by_status = output.isna() & word.notna()
    match = built & ((output == 0) | by_status)
    why = _sentences("stock.why.built_status", frame.index, word=word.fillna(""))
    return match, why.where(by_status, Sentence("stock.why.built_zero_output"))


def _below_standard(frame: pd.DataFrame, params: Mapping[str, Any]) -> tuple[pd.Series, pd.Series]:
    klass = frame.get("efficiency_class", pd.Series(np.nan, index=frame.index))
    match = klass.isin(list(params["classes"]))
    return match, _sentences("stock.why.below_standard", frame.index, klass=as_text(klass))


def _named(kind: Both, why: object) -> Sentence:
    """A plot's reason: its kind by name, then why."""
    return Sentence("stock.why.kind", {"kind": kind, "why": why})


_TESTS: Final[dict[str, _Test]] = {
    "approved_unsupplied": _approved_unsupplied,
    "supplied_unused": _supplied_unused,
    "underused": _underused,
    "built_not_operating": _built_not_operating,
    "below_standard": _below_standard,
}


def classify_inefficiency(
    frame: pd.DataFrame, rules: InefficiencyRules | None = None, *, available: Collection[str] | None = None
) -> pd.DataFrame:
    """``inefficiency_kind`` (first matching kind id, NaN for none) and ``inefficiency_reason``.

    ``available`` names the inventory fields that hold data; by default, every column of
    ``frame`` with at least one value. Kinds needing a field outside it are not tested, and
    the reason of every plot ends with ``not checked: … (no 'status' in the inventory)``.
    ``below_standard`` reads ``efficiency_class`` (run :func:`classify_efficiency` first).
    """
    rules = rules or load_inefficiency_rules()
    if available is None:
        available = {c for c in frame.columns if frame[c].notna().any()}
    kind = pd.Series(np.nan, index=frame.index, dtype=object)
    reason = pd.Series(NO_MATCH, index=frame.index, dtype=object)
    skipped: list[Sentence] = []
    for rule in rules.kinds:
        missing = missing_names(rule.id, available)
        if missing:
            fields = Joined(tuple(missing), list_=True)
            skipped.append(Sentence("stock.why.kind_skipped", {"kind": rule.name, "fields": fields}))
            continue
        match, why = _TESTS[rule.id](frame, rule.params)
        first = (match.fillna(False).astype(bool) & kind.isna()).to_numpy()
        kind[first] = rule.id
        reason[first] = per_object(partial(_named, rule.name), why[first])
    if skipped:
        not_checked = Sentence("stock.why.not_checked", {"kinds": Joined(tuple(skipped), list_=True)})
        reason = per_object(lambda r: Joined((r, not_checked)), reason)
    return pd.DataFrame(
        {"inefficiency_kind": kind.astype("str"), "inefficiency_reason": reason}, index=frame.index
    )
