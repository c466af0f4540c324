"""Ranking by weighted linear combination on a small case worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zgc_geo.errors import SitingError
from zgc_geo.siting.ranking import (
    competition_ranks,
    explain_difference,
    normalise_weights,
    rank_candidates,
    tie_keys,
)

#: 3 candidates × 2 factors; weights access 0.6, green 0.4. By hand:
#: A = 100·(0.6·0.8 + 0.4·0.4) = 48 + 16 = 64; B = 36 + 40 = 76; C = 12 + 24 = 36 → B, A, C.
SCORES = pd.DataFrame(
    {"access": [0.8, 0.6, 0.2], "green": [0.4, 1.0, 0.6]}, index=pd.Index(["A", "B", "C"], name="plot_id")
)
WEIGHTS = {"access": 0.6, "green": 0.4}


def test_known_answer() -> None:
    result = rank_candidates(SCORES, WEIGHTS)
    assert list(result.index) == ["B", "A", "C"]
    assert result.index.name == "plot_id"
    assert result["score"].to_list() == pytest.approx([76.0, 64.0, 36.0])
    assert result["rank"].to_list() == [1, 2, 3]
    assert result["contrib_access"].to_list() == pytest.approx([36.0, 48.0, 12.0])
    assert result["contrib_green"].to_list() == pytest.approx([40.0, 16.0, 24.0])
    assert (result["contrib_access"] + result["contrib_green"]).to_numpy() == pytest.approx(result["score"])
    assert result["eligible"].to_list() == [True, True, True]
    assert result["failed_constraints"].to_list() == [[], [], []]
    assert result["not_scored_reason"].to_list() == ["", "", ""]
    assert list(result.columns) == [
        "score", "rank", "tied", "contrib_access", "contrib_green",
        "eligible", "failed_constraints", "not_scored_reason",
    ]  # fmt: skip


def test_weights_are_normalised() -> None:
    direct = rank_candidates(SCORES, {"access": 3, "green": 2})
    pd.testing.assert_frame_equal(direct, rank_candidates(SCORES, WEIGHTS))
    assert normalise_weights({"green": 1, "access": 3}, ["access", "green"]).to_dict() == {
        "access": 0.75,
        "green": 0.25,
    }


def test_failed_constraint_is_ranked_after_every_eligible_candidate() -> None:
    failed = pd.Series({"B": ["flood zone", "ecological red line"], "C": "metro noise"})
    result = rank_candidates(SCORES, WEIGHTS, constraints_failed=failed)
    assert list(result.index) == ["A", "B", "C"]
    assert result["rank"].to_list() == [1, 2, 3]
    assert result["eligible"].to_list() == [True, False, False]
    assert result["failed_constraints"].to_list() == [
        [],
        ["flood zone", "ecological red line"],
        ["metro noise"],
    ]
    assert result.loc["B", "score"] == pytest.approx(76.0)  # the score is kept, only the place changes


def test_exclude_failed_false_ranks_on_score_alone() -> None:
    result = rank_candidates(
        SCORES, WEIGHTS, constraints_failed=pd.Series({"B": ["flood zone"]}), exclude_failed=False
    )
    assert list(result.index) == ["B", "A", "C"]
    assert result["eligible"].to_list() == [False, True, True]


def test_tied_candidates_share_a_rank_and_are_listed_by_id() -> None:
    """Equal scores share a rank and the next one skips their places (1, 1, 3); rows by id."""
    scores = pd.DataFrame(
        {"access": [0.5, 1.0, 1.0, 0.2], "green": [0.5, 1.0, 1.0, 0.2]}, index=[12, 7, 3, 5]
    )
    result = rank_candidates(scores, {"access": 1, "green": 1})
    assert list(result.index) == [3, 7, 12, 5]  # the tied 100s in id order, which means nothing
    assert result["rank"].to_list() == [1, 1, 3, 4]
    assert result["tied"].to_list() == [True, True, False, False]


def test_scores_equal_but_for_float_noise_tie() -> None:
    """Plot a: 0.1 and 0.2; plot b: 0.1 + 0.2 and 0: equal but for float noise, so they tie (TIE_DECIMALS)."""
    scores = pd.DataFrame({"access": [0.1, 0.1 + 0.2, 0.9], "green": [0.2, 0.0, 0.1]}, index=["a", "b", "c"])
    result = rank_candidates(scores, {"access": 1, "green": 1})
    assert result.at["a", "score"] != result.at["b", "score"]  # 15.0 vs 15.000000000000002
    assert result["rank"].to_list() == [1, 2, 2]
    assert result["tied"].to_list() == [False, True, True]
    assert list(result.index) == ["c", "a", "b"]


def test_a_real_difference_below_display_precision_is_not_a_tie() -> None:
    scores = pd.DataFrame({"access": [0.999999, 1.0]}, index=["a", "b"])  # 99.9999 vs 100 points
    result = rank_candidates(scores, {"access": 1})
    assert result["rank"].to_list() == [1, 2] and not result["tied"].any()


def test_ties_among_failed_and_unscored_candidates() -> None:
    scores = pd.DataFrame({"access": [1.0, 1.0, 0.5, 0.5, np.nan]}, index=["a", "b", "c", "d", "e"])
    failed = pd.Series({"a": ["flood zone"]})
    result = rank_candidates(scores, {"access": 1}, constraints_failed=failed)
    assert list(result.index) == ["b", "c", "d", "a", "e"]
    assert result["rank"].to_list() == [1, 2, 2, 4, pd.NA]
    assert result["tied"].to_list() == [False, True, True, False, False]
    waived = rank_candidates(scores, {"access": 1}, constraints_failed=failed, exclude_failed=False)
    assert waived["rank"].to_list() == [1, 1, 3, 3, pd.NA]


def test_tie_keys_and_competition_ranks() -> None:
    assert tie_keys(np.array([0.1 + 0.2, 0.3]))[0] == tie_keys(np.array([0.3]))[0]
    shared, tied = competition_ranks(np.zeros(5, dtype=int), np.array([9.0, 9.0, 8.0, 7.0, 7.0]))
    assert shared.tolist() == [1, 1, 3, 4, 4] and tied.tolist() == [True, True, False, True, True]


def test_missing_factor_score_is_not_ranked_and_says_why() -> None:
    scores = SCORES.copy()
    scores.loc["A", "green"] = np.nan
    result = rank_candidates(scores, WEIGHTS)
    assert list(result.index) == ["B", "C", "A"]
    assert result["rank"].to_list()[:2] == [1, 2]
    assert result.loc["A", "rank"] is pd.NA
    assert np.isnan(result.loc["A", "score"])
    assert result.loc["A", "contrib_access"] == pytest.approx(48.0)
    assert result.loc["A", "not_scored_reason"] == "no value for green; fill the gap or drop the factor"
    assert explain_difference(result, "B", "A") == [
        "Plot A has no score: no value for green; fill the gap or drop the factor."
    ]


def test_explain_difference_text() -> None:
    failed = pd.Series({"C": ["flood zone"]})
    result = rank_candidates(SCORES, WEIGHTS, constraints_failed=failed)
    labels = {"B": "plot 7", "A": "plot 12"}
    factors = {"access": "distance to feature parks", "green": "green space"}
    assert explain_difference(result, "B", "A", labels=labels, factor_labels=factors) == [
        "Plot 7 beats plot 12 by 12.0 points (76.0 vs 64.0).",
        "green space: +24.0 points",
        "distance to feature parks: −12.0 points",
    ]
    assert explain_difference(result, "C", "A") == [
        "Plot C trails plot A by 28.0 points (36.0 vs 64.0).",
        "green: +8.0 points",
        "access: −36.0 points",
        "Plot C fails flood zone, so it is not eligible whatever its score.",
    ]


def test_explain_difference_in_chinese() -> None:
    failed = pd.Series({"C": ["洪涝风险区", "生态红线"]})
    result = rank_candidates(SCORES, WEIGHTS, constraints_failed=failed)
    factors = {"access": "距特色园区距离", "green": "绿地"}
    assert explain_difference(result, "C", "A", factor_labels=factors, lang="zh") == [
        "地块 C 比 地块 A 低 28.0 分（36.0 对 64.0）。",
        "绿地：+8.0 分",
        "距特色园区距离：−36.0 分",
        "地块 C 不满足约束：洪涝风险区、生态红线，无论得分如何均不入选。",
    ]


def test_explain_equal_scores() -> None:
    scores = pd.DataFrame({"access": [1.0, 0.0], "green": [0.0, 1.0]}, index=["x", "y"])
    result = rank_candidates(scores, {"access": 1, "green": 1})
    assert explain_difference(result, "x", "y") == [
        "Plot x and plot y score the same to one decimal (50.0).",
        "access: +50.0 points",
        "green: −50.0 points",
    ]
    with pytest.raises(SitingError, match="candidate 'z' is not in the ranking"):
        explain_difference(result, "x", "z")


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (
            {"access": 1},
            r"^no weight for factor\(s\) green: give exactly one weight per factor column "
            r"\(access, green\)\.$",
        ),
        (
            {"access": 1, "green": 1, "metro": 2},
            r"^weights for unknown factor\(s\) metro: give exactly one weight per factor column",
        ),
        ({"access": 1, "green": -0.5}, r"weight for green = -0\.5: weights must be finite and ≥ 0"),
        ({"access": 0, "green": 0}, r"all weights are 0"),
    ],
)
def test_weight_errors(weights: dict[str, float], message: str) -> None:
    with pytest.raises(SitingError, match=message):
        rank_candidates(SCORES, weights)


def test_input_errors() -> None:
    with pytest.raises(SitingError, match=r"candidate 'A', factor 'green' = 40 is outside 0–1"):
        rank_candidates(SCORES.assign(green=[40.0, 1.0, 0.6]), WEIGHTS)
    with pytest.raises(SitingError, match=r"candidate ids must be unique; repeated: A"):
        rank_candidates(SCORES.set_axis(["A", "A", "C"]), WEIGHTS)
    with pytest.raises(SitingError, match=r"factor column\(s\) green are not numeric"):
        rank_candidates(SCORES.assign(green=["high", "low", "low"]), WEIGHTS)
    with pytest.raises(SitingError, match=r"constraints_failed names candidates not in factor_scores: Z"):
        rank_candidates(SCORES, WEIGHTS, constraints_failed=pd.Series({"Z": ["flood zone"]}))
    with pytest.raises(SitingError, match=r"constraints_failed for candidate 'A' = 3"):
        rank_candidates(SCORES, WEIGHTS, constraints_failed=pd.Series({"A": 3}))


def test_empty_and_missing_constraint_entries_mean_none_failed() -> None:
    failed = pd.Series({"A": None, "B": "", "C": []}, dtype=object)
    result = rank_candidates(SCORES, WEIGHTS, constraints_failed=failed)
    assert result["eligible"].all()
    assert result["failed_constraints"].to_list() == [[], [], []]
