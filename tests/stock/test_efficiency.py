"""Land-efficiency classes A–D: relative to the inventory by default, absolute cut-offs on request."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zgc_geo.errors import RulesError
from zgc_geo.export.worded import worded_cell
from zgc_geo.stock.efficiency import (
    NO_INDICATORS,
    classify_efficiency,
    efficiency_rules,
    load_efficiency_rules,
)

ABSOLUTE = {
    "efficiency": {
        "mode": "absolute",
        "absolute": {
            "output_per_mu_wan": {"A": 1000, "B": 500, "C": 200},
            "tax_per_mu_wan": {"A": 100, "B": 50, "C": 20},
        },
    }
}


def test_relative_classes_follow_the_default_shares() -> None:
    frame = pd.DataFrame({"output_per_mu_wan": np.arange(1.0, 11.0), "tax_per_mu_wan": np.arange(1.0, 11.0)})
    result = classify_efficiency(frame, load_efficiency_rules())
    # 10 plots, best last: top 20 % A, next 40 % B, next 30 % C, bottom 10 % D.
    assert result["efficiency_class"].tolist() == ["D", "C", "C", "C", "B", "B", "B", "B", "A", "A"]
    assert result["efficiency_score"].is_monotonic_increasing
    assert "A (0%–20% from the top)" in worded_cell(result["efficiency_reason"].iloc[-1], "en")
    assert "A（前 0%–20%）" in worded_cell(result["efficiency_reason"].iloc[-1], "zh")


def test_ties_share_the_lower_class() -> None:
    # A quarter of the plots produce nothing: more than the bottom 10 %, yet all of them are D.
    output = np.array([0.0] * 5 + list(range(1, 16)), dtype=float)
    result = classify_efficiency(pd.DataFrame({"output_per_mu_wan": output}), load_efficiency_rules())
    classes = result["efficiency_class"]
    assert classes.iloc[:5].eq("D").all()
    assert classes.iloc[5:].ne("D").all()
    assert classes.iloc[-4:].eq("A").all()


def test_relative_score_weighs_both_indicators() -> None:
    frame = pd.DataFrame({"output_per_mu_wan": [1.0, 2.0, 3.0], "tax_per_mu_wan": [3.0, 2.0, 1.0]})
    result = classify_efficiency(frame, load_efficiency_rules())
    assert result["efficiency_score"].tolist() == pytest.approx([2 / 3, 2 / 3, 2 / 3])


def test_one_indicator_is_enough_and_none_gives_no_class() -> None:
    frame = pd.DataFrame(
        {"output_per_mu_wan": [10.0, np.nan, np.nan], "tax_per_mu_wan": [np.nan, 5.0, np.nan]}
    )
    result = classify_efficiency(frame, load_efficiency_rules())
    assert result["efficiency_class"].iloc[:2].notna().all()
    assert pd.isna(result["efficiency_class"].iloc[2])
    assert result["efficiency_reason"].iloc[2] == NO_INDICATORS


def test_missing_indicator_columns_give_no_class() -> None:
    result = classify_efficiency(pd.DataFrame({"plot_id": ["a"]}), load_efficiency_rules())
    assert result["efficiency_class"].isna().all()
    assert result["efficiency_reason"].tolist() == [NO_INDICATORS]


def test_absolute_mode_takes_the_worst_indicator() -> None:
    frame = pd.DataFrame(
        {
            "output_per_mu_wan": [1200.0, 1200.0, 600.0, 100.0, np.nan],
            "tax_per_mu_wan": [150.0, 30.0, np.nan, 500.0, 60.0],
        }
    )
    result = classify_efficiency(frame, efficiency_rules(ABSOLUTE))
    assert result["efficiency_class"].tolist() == ["A", "C", "B", "D", "B"]
    assert result["efficiency_score"].isna().all()
    reasons = result["efficiency_reason"].map(lambda r: worded_cell(r, "en"))
    assert "output per mu 1200.0 万元/亩 → A" in reasons.iloc[1]
    assert "tax per mu 30.0 万元/亩 → C" in reasons.iloc[1]
    assert "tax per mu not reported" in reasons.iloc[2]
    assert "亩均税收未填报" in worded_cell(result["efficiency_reason"].iloc[2], "zh")


def test_rules_errors_are_collected() -> None:
    with pytest.raises(RulesError) as error:
        efficiency_rules(
            {
                "efficiency": {
                    "mode": "absolute",
                    "weights": {"output_per_mu_wan": -1, "jobs": 1},
                    "absolute": {"tax_per_mu_wan": {"A": 10, "B": 50, "C": 20}},
                }
            },
            "rules.toml",
        )
    message = str(error.value)
    assert message.startswith("rules.toml: ")
    assert "efficiency.weights.output_per_mu_wan" in message
    assert "efficiency.weights.jobs is not an indicator" in message
    assert "A ≥ B ≥ C" in message


def test_absolute_mode_needs_cut_offs() -> None:
    with pytest.raises(RulesError, match=r"no \[efficiency.absolute.<indicator>\] cut-offs"):
        efficiency_rules({"efficiency": {"mode": "absolute"}})


def test_relative_shares_must_add_up_to_one() -> None:
    with pytest.raises(RulesError, match=r"add up to 0\.9"):
        efficiency_rules({"efficiency": {"relative": {"A": 0.2, "B": 0.4, "C": 0.2, "D": 0.1}}})
