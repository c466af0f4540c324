"""The five kinds of inefficient land, each on a plot built for it; kinds the data cannot tell are skipped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zgc_geo.errors import RulesError
from zgc_geo.export.worded import worded_cell
from zgc_geo.stock.inefficiency import (
    NO_MATCH,
    classify_inefficiency,
    inefficiency_rules,
    load_inefficiency_rules,
)
from zgc_geo.stock.scenario import read_rules_file, stock_rules_path

#: One plot per kind, plus an efficient plot that is none of them.
PLOTS = pd.DataFrame(
    {
        "plot_id": ["approved", "supplied", "underused", "idle_building", "below", "fine"],
        "owner": [None, "甲公司", "乙公司", "丙公司", "丁公司", "戊公司"],
        "status": ["批而未供", "", "", "停产", "", "在产"],
        "floor_area_m2": [np.nan, 0.0, 3000.0, 8000.0, 15000.0, 15000.0],
        "far_current": [np.nan, 0.0, 0.3, 0.8, 1.5, 1.5],
        "far_permitted": [2.0, 2.0, 2.0, 1.2, 2.0, 2.0],
        "output_per_mu_wan": [np.nan, np.nan, 300.0, np.nan, 50.0, 800.0],
        "tax_per_mu_wan": [np.nan, np.nan, 20.0, np.nan, 2.0, 60.0],
        "efficiency_class": [np.nan, np.nan, "B", np.nan, "D", "A"],
    }
)


def test_each_kind_on_the_plot_built_for_it() -> None:
    result = classify_inefficiency(PLOTS, load_inefficiency_rules())
    assert result["inefficiency_kind"].tolist()[:5] == [
        "approved_unsupplied", "supplied_unused", "underused", "built_not_operating", "below_standard",
    ]  # fmt: skip
    assert pd.isna(result["inefficiency_kind"].iloc[5])
    reasons = [worded_cell(r, "en") for r in result["inefficiency_reason"]]
    assert reasons[0] == "Approved but not supplied: status mentions “批而未供” and no owner is recorded"
    assert reasons[1].startswith("Supplied but unused") and "floor area is 0" in reasons[1]
    assert reasons[2] == "Built below potential: current FAR 0.3 < 0.5 × permitted FAR 2.0"
    assert reasons[3] == "Built but not operating: built, output unknown and status mentions “停产”"
    assert reasons[4] == "Operating below standard: land-efficiency class D"
    assert result["inefficiency_reason"].iloc[5] == NO_MATCH
    zh = worded_cell(result["inefficiency_reason"].iloc[2], "zh")
    assert zh == "用而未尽：现状容积率 0.3 < 0.5 × 规划容积率 2.0"


def test_zero_output_on_a_built_plot_is_built_not_operating() -> None:
    frame = PLOTS.iloc[[5]].assign(output_per_mu_wan=0.0)
    result = classify_inefficiency(frame, load_inefficiency_rules())
    assert result["inefficiency_kind"].tolist() == ["built_not_operating"]
    assert "output per mu is 0" in worded_cell(result["inefficiency_reason"].iloc[0], "en")


def test_the_first_matching_kind_wins() -> None:
    frame = PLOTS.iloc[[2]].assign(efficiency_class="D")  # underused and below standard
    assert classify_inefficiency(frame, load_inefficiency_rules())["inefficiency_kind"].tolist() == [
        "underused"
    ]
    shipped = read_rules_file(stock_rules_path())["inefficiency"]
    reordered = inefficiency_rules({"inefficiency": shipped | {"order": ["below_standard", "underused"]}})
    assert classify_inefficiency(frame, reordered)["inefficiency_kind"].tolist() == ["below_standard"]


def test_a_kind_without_its_fields_is_skipped_and_says_why() -> None:
    frame = PLOTS.drop(columns="status")
    result = classify_inefficiency(frame, load_inefficiency_rules())
    assert pd.isna(result["inefficiency_kind"].iloc[0])  # 批而未供 needs the status
    reasons = result["inefficiency_reason"].map(lambda r: worded_cell(r, "en"))
    skipped = "not checked: Approved but not supplied (no Reported status in the inventory)"
    assert reasons.iloc[0] == f"{NO_MATCH.text('en')}; {skipped}"
    assert reasons.iloc[2].endswith(skipped)


def test_an_empty_column_counts_as_missing() -> None:
    frame = PLOTS.assign(owner=None)
    result = classify_inefficiency(frame, load_inefficiency_rules(), available=["status", "far_current"])
    reason = worded_cell(result["inefficiency_reason"].iloc[5], "zh")
    assert "供而未用（清单中无权利人）" in reason
    assert "用而未尽（清单中无规划容积率）" in reason
    assert "投而未达标（清单中无地均产值、地均税收之一）" in reason


def test_rules_are_checked() -> None:
    raw = {
        "inefficiency": {
            "order": ["underused", "lazy"],
            "underused": {"label_zh": "用而未尽", "label_en": "x", "ratio": 1.5, "typo": 1},
        }
    }
    with pytest.raises(RulesError) as error:
        inefficiency_rules(raw, "rules.toml")
    message = str(error.value)
    assert "inefficiency.underused.ratio" in message
    assert "inefficiency.underused.typo is not a parameter" in message
    assert "inefficiency.order names 'lazy'" in message


def test_approved_but_not_supplied_needs_a_missing_owner_or_land_right() -> None:
    frame = pd.DataFrame(
        {"owner": ["甲公司", "甲公司"], "land_rights": [None, "state"], "status": ["已批未供", "已批未供"]}
    )
    result = classify_inefficiency(frame, load_inefficiency_rules())
    assert result["inefficiency_kind"].iloc[0] == "approved_unsupplied"
    assert "status mentions “已批未供” and no land rights are recorded" in worded_cell(
        result["inefficiency_reason"].iloc[0], "en"
    )
    assert pd.isna(result["inefficiency_kind"].iloc[1])  # a granted right: the status is out of date
