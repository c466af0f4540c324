"""Land-efficiency classes A/B/C/D from per-mu indicators (亩均效益: output and tax per 亩).

The grading follows Zhejiang's 亩均论英雄 reform (浙政发〔2018〕5号), which sorts industrial land
users into A 优先发展, B 提升发展, C 整治提升 and D 淘汰/倒逼转型. Beijing publishes no absolute per-mu
thresholds for the Zhongguancun parks, so the default is *relative to the inventory*: composite
per-mu percentile, A = top 20 %, B = next 40 %, C = next 30 %, D = bottom 10 % (zgc-geo's choice).
Absolute cut-offs in 万元/亩 can be configured instead (``mode = "absolute"``). All of it lives in
``layers/stock_rules.toml`` ``[efficiency]``, where each number is explained.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from zgc_geo.errors import RulesError
from zgc_geo.i18n import Joined, Sentence
from zgc_geo.stock.distinct import formatted, per_distinct
from zgc_geo.stock.scenario import number, read_rules_file, stock_rules_path

CLASSES: Final = ("A", "B", "C", "D")
#: Per-mu indicators of the canonical plot schema, in 万元/亩.
INDICATORS: Final = ("output_per_mu_wan", "tax_per_mu_wan")
MODES: Final = ("relative", "absolute")
#: zgc-geo's default shares, best first (see ``layers/stock_rules.toml``): not an official distribution.
DEFAULT_SHARES: Final = {"A": 0.20, "B": 0.40, "C": 0.30, "D": 0.10}
#: The indicators as the reasons and the parameters table name them.
INDICATOR_KEYS: Final = {"output_per_mu_wan": "stock.why.output", "tax_per_mu_wan": "stock.why.tax"}
#: The reason of a plot without indicators (reasons are sentences, worded in the reader's language).
NO_INDICATORS: Final = Sentence("stock.why.eff_none")
#: The unit of the per-mu indicators, written as such in both languages.
PER_MU_UNIT: Final = "万元/亩"
#: Rank comparisons allow this slack, so shares such as 0.1 + 0.3 meet 0.4 exactly.
_EPS: Final = 1e-9


@dataclass(frozen=True)
class EfficiencyRules:
    """How plots are classed: the mode, indicator weights, relative shares or absolute cut-offs.

    ``shares`` (relative mode) are the shares of plots in A, B, C and D, best first.
    ``cutoffs`` (absolute mode) map an indicator to its minimum for A, B and C in 万元/亩.
    """

    mode: str
    weights: Mapping[str, float]
    shares: Mapping[str, float]
    cutoffs: Mapping[str, Mapping[str, float]]


def efficiency_rules(raw: Mapping[str, Any], source: str = "efficiency rules") -> EfficiencyRules:
    """Rules from the ``[efficiency]`` table of a parsed rules file; all problems raised at once."""
    table = raw.get("efficiency", raw)
    problems: list[str] = []
    mode = table.get("mode", "relative")
    if mode not in MODES:
        problems.append(f"efficiency.mode = {mode!r} is not one of {', '.join(MODES)}")
    weights_raw = table.get("weights", dict.fromkeys(INDICATORS, 0.5))
    weights: dict[str, float] = {}
    for key in weights_raw:
        if key not in INDICATORS:
            problems.append(f"efficiency.weights.{key} is not an indicator; use {', '.join(INDICATORS)}")
        else:
            weights[key] = number(weights_raw, key, "efficiency.weights", problems)
    if weights and not sum(w for w in weights.values() if not np.isnan(w)) > 0:
        problems.append("efficiency.weights must have at least one weight above 0")
    shares = dict(DEFAULT_SHARES)
    if mode == "relative":
        shares_raw = table.get("relative", DEFAULT_SHARES)
        shares = {c: number(shares_raw, c, "efficiency.relative", problems) for c in CLASSES}
        if abs(sum(shares.values()) - 1) > 1e-6:
            problems.append(
                f"efficiency.relative shares add up to {sum(shares.values()):g}; make A + B + C + D = 1"
            )
    cutoffs: dict[str, dict[str, float]] = {}
    for key, levels in table.get("absolute", {}).items():
        where = f"efficiency.absolute.{key}"
        if key not in INDICATORS:
            problems.append(f"{where} is not an indicator; use {', '.join(INDICATORS)}")
            continue
        cutoffs[key] = {c: number(levels, c, where, problems) for c in CLASSES[:3]}
        if not cutoffs[key]["A"] >= cutoffs[key]["B"] >= cutoffs[key]["C"]:
            problems.append(f"{where}: cut-offs must fall from A to C (A ≥ B ≥ C)")
    if mode == "absolute" and not cutoffs:
        problems.append(
            "efficiency.mode is 'absolute' but no [efficiency.absolute.<indicator>] cut-offs are given; "
            "add A, B and C in 万元/亩 for output_per_mu_wan and/or tax_per_mu_wan"
        )
    if problems:
        raise RulesError(f"{source}: " + "; ".join(problems))
    return EfficiencyRules(str(mode), weights, shares, cutoffs)


def load_efficiency_rules(path: Path | None = None) -> EfficiencyRules:
    """The ``[efficiency]`` rules of ``layers/stock_rules.toml`` (or of ``path``)."""
    path = path or stock_rules_path()
    return efficiency_rules(read_rules_file(path), str(path))


def _values(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def classify_efficiency(frame: pd.DataFrame, rules: EfficiencyRules | None = None) -> pd.DataFrame:
    """``efficiency_score``, ``efficiency_class`` (A–D, NaN without indicators) and ``efficiency_reason``.

    Relative mode: each indicator becomes its percentile rank (0–1, higher is better) among
    the plots reporting it; ``efficiency_score`` is the weighted mean of the ranks a plot has,
    and the class comes from the score's own percentile against the configured shares.
    Equal scores get the same class: the percentile counts the plots scoring strictly lower
    (pandas' ``method="min"``), so a tie is resolved to the lower class — when more than
    10 % of the plots tie at the bottom (say, all with zero output and tax), all are D.
    Absolute mode: each indicator is classed against its cut-offs and the plot gets the
    worst of its indicators' classes (a plot is A only if everything it reports is A);
    ``efficiency_score`` is NaN. ``frame`` is not modified.
    """
    rules = rules or load_efficiency_rules()
    values = {ind: _values(frame, ind) for ind in INDICATORS}
    has_any = pd.concat(values.values(), axis=1).notna().any(axis=1)
    if rules.mode == "absolute":
        score, klass, reason = _absolute(values, rules)
    else:
        score, klass, reason = _relative(values, rules)
    klass = klass.where(has_any)
    reason = reason.where(has_any, NO_INDICATORS)
    return pd.DataFrame(
        {"efficiency_score": score, "efficiency_class": klass.astype("str"), "efficiency_reason": reason},
        index=frame.index,
    )


def _relative(values: dict[str, pd.Series], rules: EfficiencyRules) -> tuple[pd.Series, pd.Series, pd.Series]:
    index = next(iter(values.values())).index
    numerator = pd.Series(0.0, index=index)
    denominator = pd.Series(0.0, index=index)
    for indicator, weight in rules.weights.items():
        rank = values[indicator].rank(pct=True, method="average")
        numerator += rank.fillna(0) * weight
        denominator += rank.notna() * weight
    score = (numerator / denominator).where(denominator > 0)
    percentile = score.rank(pct=True, method="min")
    shares = rules.shares
    bounds = np.cumsum([shares["D"], shares["C"], shares["B"]]) + _EPS
    klass = pd.Series(
        np.select(
            [percentile <= bounds[0], percentile <= bounds[1], percentile <= bounds[2], percentile.notna()],
            ["D", "C", "B", "A"],
            default="",
        ),
        index=index,
    ).replace("", np.nan)
    tops = {"A": 0.0, "B": shares["A"], "C": shares["A"] + shares["B"], "D": 1 - shares["D"]}
    band = {
        c: Sentence(
            "stock.why.eff_band", {"klass": c, "top": f"{tops[c]:.0%}", "end": f"{tops[c] + shares[c]:.0%}"}
        )
        for c in CLASSES
    }
    parts = Joined(
        tuple(
            Sentence("stock.why.weighted", {"indicator": Sentence(INDICATOR_KEYS[i]), "weight": f"{w:g}"})
            for i, w in rules.weights.items()
        ),
        separator=" + ",
    )
    count = int(score.notna().sum())
    reason = per_distinct(
        lambda s, p, k: Sentence(
            "stock.why.eff_relative",
            {"parts": parts, "score": s, "percentile": p, "count": count, "band": band.get(k, "")},
        ),
        index,
        s=formatted(score, 2),
        p=formatted(percentile, 2),
        k=klass,
    )
    return score, klass, reason


def _absolute(values: dict[str, pd.Series], rules: EfficiencyRules) -> tuple[pd.Series, pd.Series, pd.Series]:
    index = next(iter(values.values())).index
    worst = pd.Series(np.nan, index=index)
    shown: dict[str, pd.Series] = {}  # per indicator: its value as written, its class
    for indicator, cut in rules.cutoffs.items():
        value = values[indicator]
        level = pd.Series(
            np.select([value >= cut["A"], value >= cut["B"], value >= cut["C"]], [0, 1, 2], default=3),
            index=index,
        ).where(value.notna())
        worst = pd.concat([worst, level], axis=1).max(axis=1)
        shown[f"value_{indicator}"] = formatted(value, 1)
        shown[f"klass_{indicator}"] = level.map(dict(enumerate(CLASSES)))
    klass = worst.map(dict(enumerate(CLASSES)))
    names = {indicator: Sentence(INDICATOR_KEYS[indicator]) for indicator in rules.cutoffs}

    def part(indicator: str, value: str, klass: object) -> Sentence:
        if pd.isna(klass):
            return Sentence("stock.why.eff_not_reported", {"indicator": names[indicator]})
        said = {"indicator": names[indicator], "value": value, "unit": PER_MU_UNIT, "klass": klass}
        return Sentence("stock.why.eff_level", said)

    def why(klass: object, **row: object) -> Sentence:
        if not isinstance(klass, str):
            return Sentence("stock.why.eff_absolute_none")
        parts = tuple(part(i, str(row[f"value_{i}"]), row[f"klass_{i}"]) for i in rules.cutoffs)
        return Sentence("stock.why.eff_absolute", {"parts": Joined(parts, list_=True), "klass": klass})

    reason = per_distinct(why, index, klass=klass, **shown)
    return pd.Series(np.nan, index=index), klass, reason
