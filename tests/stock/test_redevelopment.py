"""Redevelopment rules: each fires on the plot built for it and on no other; the evaluator is strict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zgc_geo.errors import RulesError
from zgc_geo.stock.redevelopment import (
    MODES,
    OPS,
    evaluate_rules,
    explain_suggestions,
    load_redevelopment_rules,
    redevelopment_rules,
    rules_path,
    suggest_redevelopment,
)

#: A plot no default rule suggests anything for: state land, no owner, not idle, in 丰台园, class B.
NEUTRAL = {
    "land_rights": "state",
    "owner": None,
    "analysis_park_id": "fengtai",
    "is_idle": False,
    "area_mu": 40.0,
    "far_current": 2.0,
    "far_headroom": 0.0,
    "years_idle": np.nan,
    "efficiency_class": "B",
    "inefficiency_kind": None,
}
#: plot id → (changes to NEUTRAL, the rules that must fire on it).
DESIGNED = {
    "collective": ({"land_rights": "collective"}, {"collective_joint_development"}),
    "small_core": (
        {"analysis_park_id": "haidian", "is_idle": True, "area_mu": 20.0, "far_current": 0.5},
        {"startup_community_small_idle_core"},
    ),
    "vacant_core": (
        {"analysis_park_id": "changping", "inefficiency_kind": "built_not_operating"},
        {"startup_community_vacant_buildings_core"},
    ),
    "headroom": ({"owner": "甲公司", "far_headroom": 0.5}, {"self_development_far_adjustment"}),
    "large_idle": (
        {"owner": "甲公司", "area_mu": 60.0, "years_idle": 4.0},
        {"commissioned_large_long_idle", "cooperative_large_long_idle"},
    ),
    "underused": ({"owner": "甲公司", "inefficiency_kind": "underused"}, {"cooperative_inefficient_land"}),
    "long_idle": ({"years_idle": 6.0}, {"acquisition_very_long_idle"}),
    "class_d": ({"efficiency_class": "D"}, {"acquisition_efficiency_class_d"}),
    "neutral": ({}, set()),
}


def designed_plots() -> pd.DataFrame:
    rows = [{"plot_id": plot_id, **NEUTRAL, **changes} for plot_id, (changes, _) in DESIGNED.items()]
    return pd.DataFrame(rows).astype({"is_idle": bool})


def test_every_default_rule_is_covered() -> None:
    covered = set().union(*(rules for _, rules in DESIGNED.values()))
    assert covered == {rule.id for rule in load_redevelopment_rules().rules}


@pytest.mark.parametrize("rule_id", sorted({r for _, rules in DESIGNED.values() for r in rules}))
def test_rule_fires_on_its_plot_and_no_other(rule_id: str) -> None:
    result = suggest_redevelopment(designed_plots(), load_redevelopment_rules())
    fired = {
        pid
        for pid, ids in zip(designed_plots()["plot_id"], result["suggestion_rules"], strict=True)
        if rule_id in ids
    }
    assert fired == {pid for pid, (_, rules) in DESIGNED.items() if rule_id in rules}


def test_modes_are_ordered_and_unique() -> None:
    frame = designed_plots()
    both = frame.iloc[[4]].assign(years_idle=6.0, efficiency_class="D")  # large, long idle, class D
    result = suggest_redevelopment(both, load_redevelopment_rules())
    assert result["suggested_modes"].iloc[0] == ["commissioned", "cooperative", "acquisition"]
    assert result["suggestion_rules"].iloc[0] == [
        "commissioned_large_long_idle", "cooperative_large_long_idle",
        "acquisition_very_long_idle", "acquisition_efficiency_class_d",
    ]  # fmt: skip
    assert set(result["suggested_modes"].iloc[0]) <= set(MODES)


def test_lists_are_not_shared_between_plots() -> None:
    result = suggest_redevelopment(
        designed_plots().iloc[[0, 0]].reset_index(drop=True), load_redevelopment_rules()
    )
    result["suggested_modes"].iloc[0].append("x")
    assert result["suggested_modes"].iloc[1] == ["collective_joint"]


def test_explanations_cite_rule_section_and_values() -> None:
    frame = designed_plots().iloc[[1]]
    frame = frame.join(suggest_redevelopment(frame, load_redevelopment_rules()))
    (suggestion,) = explain_suggestions(frame.iloc[0])
    assert suggestion.plot_id == "small_core"
    assert suggestion.mode == "startup_community"
    assert suggestion.mode_zh == "创业社区试点"
    assert suggestion.rule_id == "startup_community_small_idle_core"
    assert suggestion.section == "§五(二)2"
    assert "创业社区试点" in suggestion.plan_quote
    assert "area_mu <= 30 (this plot: 20)" in suggestion.conditions
    assert suggestion.text_en and suggestion.text_zh
    assert len(explain_suggestions(designed_plots())) == 9  # evaluated when not yet suggested


def rules_with(*conditions: dict) -> dict:
    return {
        "modes": {"acquisition": {"zh": "收购", "en": "Acquisition"}},
        "rules": [
            {
                "id": "probe",
                "mode": "acquisition",
                "section": "§五(二)2",
                "text_zh": "测",
                "text_en": "probe",
                "conditions": list(conditions),
            }
        ],
    }


def test_unknown_operator_is_refused_naming_the_rule() -> None:
    with pytest.raises(RulesError, match=r"rule 'probe' \(rules\[1\]\)\.conditions\[1\]\.op 'like'"):
        redevelopment_rules(rules_with({"field": "owner", "op": "like", "value": "x"}))


def test_unknown_field_is_refused_naming_the_rule() -> None:
    rules = redevelopment_rules(rules_with({"field": "onwer", "op": "is_missing"}))
    with pytest.raises(RulesError, match="rule 'probe': field 'onwer' is not a plot column"):
        evaluate_rules(designed_plots(), rules)


def test_values_must_suit_the_operator() -> None:
    with pytest.raises(RulesError) as error:
        redevelopment_rules(
            rules_with(
                {"field": "area_mu", "op": "<", "value": "30"},
                {"field": "owner", "op": "in", "value": "甲公司"},
                {"field": "owner", "op": "is_missing", "value": True},
            )
        )
    message = str(error.value)
    assert "< needs a number value" in message
    assert "in needs a list value" in message
    assert "is_missing takes no value" in message


def test_comparing_text_with_a_number_is_refused() -> None:
    rules = redevelopment_rules(rules_with({"field": "owner", "op": ">", "value": 3}))
    with pytest.raises(RulesError, match=r"rule 'probe' condition 1 .*'owner' is not numeric"):
        evaluate_rules(designed_plots(), rules)


def test_rule_file_structure_errors_are_collected() -> None:
    raw = rules_with({"field": "owner", "op": "not_missing"})
    raw["rules"].append(dict(raw["rules"][0], mode="demolition", section=""))
    with pytest.raises(RulesError) as error:
        redevelopment_rules(raw, "my_rules.toml")
    message = str(error.value)
    assert message.startswith("my_rules.toml: ")
    assert "id 'probe' is used twice" in message
    assert "mode 'demolition' is not one of" in message
    assert "section must be a non-empty text" in message


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("==", "a", [True, False, False]),
        ("!=", "a", [False, True, True]),
        ("in", ["a", "b"], [True, True, False]),
        ("not_in", ["a"], [False, True, True]),
        ("is_missing", None, [False, False, True]),
        ("not_missing", None, [True, True, False]),
    ],
)
def test_missing_values_fail_all_but_negative_tests(op: str, value: object, expected: list[bool]) -> None:
    condition = {"field": "owner", "op": op} | ({} if value is None else {"value": value})
    frame = pd.DataFrame({"owner": ["a", "b", None]})
    assert evaluate_rules(frame, redevelopment_rules(rules_with(condition)))[:, 0].tolist() == expected


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_ordering_on_missing_numbers_is_false(op: str) -> None:
    frame = pd.DataFrame({"area_mu": [np.nan]})
    rules = redevelopment_rules(rules_with({"field": "area_mu", "op": op, "value": 1}))
    assert not evaluate_rules(frame, rules).any()


def test_every_operator_is_documented_in_the_shipped_file() -> None:
    text = rules_path().read_text(encoding="utf-8")
    assert all(op in text for op in OPS)
