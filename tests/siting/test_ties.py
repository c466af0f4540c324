"""Tied candidates are named as tied, with why the score cannot tell them apart and what could."""

from __future__ import annotations

import pandas as pd
import pytest

from zgc_geo.siting.factors import FactorSpec
from zgc_geo.siting.ranking import rank_candidates
from zgc_geo.siting.ties import explain_ties

NEAR = FactorSpec("near_feature_parks", "距特色园区距离", "Distance to the feature parks", "distance", "cost",
                  500.0, 8000.0, "m", "t")  # fmt: skip
INSIDE = FactorSpec("in_core_parks", "位于核心园区内", "Inside the core parks", "inside", "benefit",
                    0.0, 1.0, "0/1", "t")  # fmt: skip
SPECS = [NEAR, INSIDE]


def _ranked(values: dict[str, list[float]], names: list[str] | None = None) -> pd.DataFrame:
    """What a siting result carries: the ranking plus the standardised factor means per plot."""
    ids = [f"BJ-{k:06d}" for k in range(101, 101 + len(next(iter(values.values()))))]
    scores = pd.DataFrame(values, index=pd.Index(ids, name="plot_id"))
    ranking = rank_candidates(scores, dict.fromkeys(values, 1.0))
    frame = ranking.join(scores.add_prefix("factor_")).reset_index()
    return frame.assign(name=names) if names is not None else frame


def test_saturated_factors_are_named_with_their_thresholds() -> None:
    ranked = _ranked(
        {"near_feature_parks": [1.0] * 14 + [0.4], "in_core_parks": [1.0] * 14 + [1.0]},
        names=[f"闲置工业地块{101 + k}" for k in range(15)],
    )
    lines = explain_ties(ranked, SPECS, resolution_m=30, lang="zh")
    assert lines[0] == (
        "14 个地块得分相同（100.0 分），并列第 1 名，按得分无法区分：闲置工业地块101（BJ-000101）、"
        "闲置工业地块102（BJ-000102）、闲置工业地块103（BJ-000103）、"
        "闲置工业地块104（BJ-000104）等，另有 10 个。"
    )
    assert lines[1] == (
        "每个因子给它们的值都相同：距特色园区距离：都不超过 500 m（满分）；"
        "位于核心园区内：全部在区内（满分）。"
    )
    assert "调整距特色园区距离的阈值" in lines[2] and "更细的分辨率也分不开" in lines[2]
    assert len(lines) == 3


def test_same_value_between_the_thresholds_points_at_shared_cells() -> None:
    ranked = _ranked({"near_feature_parks": [0.5, 0.5, 0.2], "in_core_parks": [0.0, 0.0, 0.0]})
    lines = explain_ties(ranked, SPECS, resolution_m=30, lang="en")
    assert lines[0].startswith("2 plots score the same (25.0) and share rank 1; the score cannot tell")
    assert lines[0].endswith(": BJ-000101, BJ-000102.")  # no names: the ids alone
    assert lines[1] == (
        "Every factor gives them the same value: Distance to the feature parks: all 0.50 (standardised); "
        "Inside the core parks: all outside (no points)."
    )
    assert "same 30 m grid cells: a finer resolution can separate them" in lines[2]


def test_differences_that_cancel_out_point_at_the_weights() -> None:
    ranked = _ranked({"near_feature_parks": [1.0, 0.0, 0.1], "in_core_parks": [0.0, 1.0, 0.1]})
    lines = explain_ties(ranked, SPECS, resolution_m=30, lang="en")
    assert lines[1] == (
        "They differ on Distance to the feature parks, Inside the core parks, but at the current weights "
        "the differences cancel out: other weights for these factors separate them."
    )


def test_float_noise_is_a_tie_and_no_tie_says_nothing() -> None:
    noisy = _ranked({"near_feature_parks": [0.1, 0.1 + 0.2], "in_core_parks": [0.2, 0.0]})
    assert noisy["tied"].all()
    assert explain_ties(noisy, SPECS, resolution_m=30, lang="en")[0].startswith(
        "2 plots score the same (15.0)"
    )
    distinct = _ranked({"near_feature_parks": [1.0, 0.5], "in_core_parks": [1.0, 1.0]})
    assert explain_ties(distinct, SPECS, resolution_m=30, lang="zh") == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_more_groups_are_counted(lang: str) -> None:
    ranked = _ranked({"near_feature_parks": [1.0, 1.0, 0.8, 0.8, 0.6, 0.6, 0.4, 0.4, 0.2]})
    lines = explain_ties(ranked, [NEAR], resolution_m=10, lang=lang, max_groups=3)
    assert sum("near_feature_parks" in line for line in lines) == 0  # factor names, never the id
    assert (
        lines[-1]
        == {
            "zh": "另有 1 组并列（共 2 个地块），见排名表的“并列”列。",
            "en": "1 more group(s) of tied plots (2 plots): see the Tied column of the ranking.",
        }[lang]
    )


def test_a_group_of_twins_and_others_explains_each_part() -> None:
    """Three plots equal on every factor and one that only ties at these weights: weights split only it."""
    ranked = _ranked({"near_feature_parks": [0.0, 0.0, 0.0, 1.0], "in_core_parks": [1.0, 1.0, 1.0, 0.0]})
    lines = explain_ties(ranked, SPECS, resolution_m=30, lang="en")
    assert lines[0].startswith("4 plots score the same (50.0) and share rank 1")
    assert lines[1] == (
        "3 of them have the same value on every factor: Distance to the feature parks: all beyond 8000 m "
        "(no points); Inside the core parks: all inside (full marks)."
    )
    assert lines[2].startswith("Every factor is at the end of its range, so a finer resolution cannot")
    assert lines[3].startswith(
        "The others differ from them on Distance to the feature parks, Inside the core parks, and tie only"
    )
    assert len(lines) == 4
