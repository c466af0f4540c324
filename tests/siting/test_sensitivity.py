"""Monte-Carlo weight sensitivity on cases whose answer can be worked out analytically."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from zgc_geo.errors import SitingError
from zgc_geo.i18n import percent
from zgc_geo.siting import sensitivity
from zgc_geo.siting.ranking import rank_candidates
from zgc_geo.siting.sensitivity import weight_sensitivity

#: D is best on both factors (always first), C worst on both (always last). A is all factor 1,
#: B all factor 2, so with weights 0.55 / 0.45 and multipliers u1, u2 ~ U(0.8, 1.2), B overtakes A
#: exactly when u2 / u1 > 11/9, which has probability (1.2 − 0.8k)² / (2k · 0.4²) with k = 11/9.
SCORES = pd.DataFrame(
    {"f1": [1.0, 1.0, 0.0, 0.1], "f2": [1.0, 0.0, 1.0, 0.1]},
    index=pd.Index(["D", "A", "B", "C"], name="plot_id"),
)
WEIGHTS = {"f1": 0.55, "f2": 0.45}
K = 11 / 9
P_SWAP = (1.2 - 0.8 * K) ** 2 / (2 * K * 0.4**2)  # ≈ 0.1263


def test_dominant_candidate_stays_first_and_near_tie_swaps_as_expected() -> None:
    result = weight_sensitivity(SCORES, WEIGHTS, runs=20_000, top_n=3)
    c = result.candidates
    assert list(c.index) == ["D", "A", "B", "C"]
    assert c["rank_in_base"].to_list() == [1, 2, 3, 4]
    assert c.loc["D", "p_first"] == 1.0
    assert c.loc["C", "p_top_n"] == 0.0
    swap = result.pairs.set_index(["a", "b"]).loc[("A", "B"), "p_swap"]
    assert swap == pytest.approx(P_SWAP, abs=0.01)  # standard error ≈ 0.0024 at 20,000 runs
    assert result.pairs["p_swap"].iloc[0] == swap  # the only pair that ever swaps comes first
    assert result.pairs["p_swap"].iloc[1:].eq(0).all()
    assert c.loc["A", ["median_rank", "rank_p05", "rank_p95"]].to_list() == [2, 2, 3]
    assert c.loc["B", ["median_rank", "rank_p05", "rank_p95"]].to_list() == [3, 2, 3]
    assert result.statements == [
        "Plot D stays first in 100 % of runs.",
        "Plot A and plot B swap places in 13 % of runs.",
    ]
    assert (
        result.verdict
        == "First place is robust to ±20 % weight changes; the ranking from place 2 down is unstable."
    )


def test_entry_into_the_top_n() -> None:
    labels = {"D": "海淀 plot 3", "A": "plot 7", "B": "plot 12"}
    result = weight_sensitivity(SCORES, WEIGHTS, runs=20_000, top_n=2, labels=labels)
    c = result.candidates
    assert c.loc["B", "p_top_n"] == pytest.approx(P_SWAP, abs=0.01)
    assert c.loc["A", "p_top_n"] == pytest.approx(1 - P_SWAP, abs=0.01)
    assert c["label"].to_list() == ["海淀 plot 3", "plot 7", "plot 12", "plot C"]
    assert result.statements == [
        "海淀 plot 3 stays first in 100 % of runs.",
        "Plot 12 enters the top 2 in 13 % of runs.",
    ]


def test_unstable_leader_is_said_so() -> None:
    scores = SCORES.loc[["A", "B", "C"]]
    result = weight_sensitivity(scores, {"f1": 0.51, "f2": 0.49}, runs=20_000, top_n=2)
    first, second = result.candidates.loc["A", "p_first"], result.candidates.loc["B", "p_first"]
    assert 0.5 < first < 0.7 and first + second == 1.0
    assert (
        result.statements[0]
        == f"Plot A is first in only {percent(first)} of runs; plot B is first in {percent(second)}."
    )
    assert (
        result.verdict == "The ranking is unstable from first place down under ±20 % weight changes; "
        "see which candidates swap."
    )


def test_robust_ranking_verdict() -> None:
    result = weight_sensitivity(SCORES, WEIGHTS, perturb_pct=5, runs=2000, top_n=3)
    assert result.pairs["p_swap"].eq(0).all()  # ±5 % never lets B (45) catch A (55)
    assert result.statements == ["Plot D stays first in 100 % of runs."]
    assert result.verdict == "The top 3 are robust to ±5 % weight changes."
    assert weight_sensitivity(SCORES, WEIGHTS, perturb_pct=0, top_n=1).verdict == (
        "First place is robust to ±0 % weight changes."
    )


def test_base_ranking_matches_rank_candidates_and_respects_eligibility() -> None:
    scores = SCORES.copy()
    scores.loc["C", "f2"] = np.nan
    failed = pd.Series({"D": ["flood zone"]})
    ranking = rank_candidates(scores, WEIGHTS, constraints_failed=failed)
    result = weight_sensitivity(scores, WEIGHTS, eligible=ranking["eligible"], runs=200, top_n=1)
    assert list(result.candidates.index) == ["A", "B"]  # D fails a constraint, C has no score
    eligible_ranks = ranking.loc[result.candidates.index, "rank"].to_list()
    assert result.candidates["rank_in_base"].to_list() == eligible_ranks == [1, 2]


def test_identical_candidates_share_first_place_in_every_run() -> None:
    """Equal on every factor: no weights can separate them, so each is (jointly) first in every run."""
    scores = pd.DataFrame({"f1": [0.5, 0.5, 0.2], "f2": [0.5, 0.5, 0.3]}, index=[12, 7, 3])
    result = weight_sensitivity(scores, {"f1": 1, "f2": 1}, runs=100, top_n=1)
    c = result.candidates
    assert list(c.index) == [7, 12, 3]  # tied rows by id, which decides nothing
    assert c["rank_in_base"].to_list() == [1, 1, 3] and c["tied"].to_list() == [True, True, False]
    assert c["p_first"].to_list() == [1.0, 1.0, 0.0]
    assert c.loc[[7, 12], ["median_rank", "rank_p05", "rank_p95"]].to_numpy().tolist() == [[1, 1, 1]] * 2
    assert result.pairs[["a", "b"]].to_numpy().tolist() == [[7, 3], [12, 3]]  # no 7-vs-12 "swap"
    assert result.statements == [
        "2 candidates tie for first place: plot 7 / plot 12; they are still tied for first in 100 % of "
        "runs, so the weights cannot separate them."
    ]
    assert "stays first" not in " ".join(result.statements)


def test_tied_leaders_that_weights_separate_are_said_so() -> None:
    scores = pd.DataFrame({"f1": [1.0, 0.0, 0.1], "f2": [0.0, 1.0, 0.1]}, index=["A", "B", "C"])
    result = weight_sensitivity(scores, {"f1": 1, "f2": 1}, runs=2000, top_n=1)
    assert result.candidates["rank_in_base"].to_list() == [1, 1, 3]
    assert result.candidates.loc[["A", "B"], "p_first"].sum() == pytest.approx(1.0)  # never both first
    assert result.statements == [
        "2 candidates tie for first place: plot A / plot B; other weights separate them in 100 % of runs."
    ]


def test_a_tie_across_the_top_n_is_not_called_robust() -> None:
    """14 plots share the top score and N is 10: no top 10 follows from the scores (issue #13, 16)."""
    scores = pd.DataFrame(
        {"f1": [1.0] * 14 + [0.6, 0.3], "f2": [1.0] * 14 + [0.4, 0.2]},
        index=[f"BJ-{k:06d}" for k in range(101, 117)],
    )
    result = weight_sensitivity(scores, {"f1": 1, "f2": 1}, runs=500, top_n=10)
    c = result.candidates
    assert (c["rank_in_base"].head(14) == 1).all() and c["tied"].head(14).all()
    assert (c["p_first"].head(14) == 1.0).all() and (c["p_top_n"].head(14) == 1.0).all()
    assert result.verdict == (
        "14 candidates tie at rank 1, more than the top 10 places: the score alone cannot pick a top 10 "
        "(nor can ±20 % weight changes)."
    )
    assert result.verdict_in("zh").startswith("14 个候选得分相同，并列第 1 名")
    assert "前 10 名保持不变" not in result.verdict_in("zh")


def test_robust_places_above_a_tie_across_the_top_n() -> None:
    scores = pd.DataFrame(
        {"f1": [1.0, 0.9, 0.5, 0.5, 0.5, 0.1], "f2": [1.0, 0.9, 0.5, 0.5, 0.5, 0.1]}, index=list("abcdef")
    )
    result = weight_sensitivity(scores, {"f1": 1, "f2": 1}, runs=50, top_n=3)
    assert result.candidates["rank_in_base"].to_list() == [1, 2, 3, 3, 3, 6]
    assert result.verdict == (
        "The top 2 are robust to ±20 % weight changes; then 3 candidates tie at rank 3, more than the "
        "top 3 places: the score alone cannot complete a top 3."
    )


def test_scores_equal_but_for_float_noise_tie_in_base_and_runs() -> None:
    """a = 0.1 + 0.2 (two factors), b = 0.30000000000000004 (one): a tie by the rounding rule."""
    scores = pd.DataFrame({"f1": [0.1, 0.1 + 0.2, 0.9], "f2": [0.2, 0.0, 0.1]}, index=["a", "b", "c"])
    weights = {"f1": 1, "f2": 1}
    result = weight_sensitivity(scores, weights, perturb_pct=0, runs=10, top_n=2)
    assert result.candidates["rank_in_base"].to_list() == [1, 2, 2]
    assert result.candidates.loc[["a", "b"], "p_top_n"].to_list() == [1.0, 1.0]  # both share 2nd
    assert rank_candidates(scores, weights).loc[["c", "a", "b"], "rank"].to_list() == [1, 2, 2]
    assert result.verdict == (  # b is not "robustly 2nd" by a tie-break: a and b share place 2
        "First place is robust to ±0 % weight changes; then 2 candidates tie at rank 2, more than the top 2 "
        "places: the score alone cannot complete a top 2."
    )


def test_shared_ranks_per_run() -> None:
    points = np.array([[30.0, 10.0 + 20.0000000000001, 5.0], [1.0, 2.0, 2.0]])
    assert sensitivity.shared_ranks(points).tolist() == [[1, 1, 3], [3, 1, 1]]


def test_deterministic_with_the_seed() -> None:
    one = weight_sensitivity(SCORES, WEIGHTS, runs=500, top_n=2, seed=42)
    two = weight_sensitivity(SCORES, WEIGHTS, runs=500, top_n=2, seed=42)
    pd.testing.assert_frame_equal(one.candidates, two.candidates)
    pd.testing.assert_frame_equal(one.pairs, two.pairs)
    assert (one.statements, one.verdict) == (two.statements, two.verdict)
    other = weight_sensitivity(SCORES, WEIGHTS, runs=500, top_n=2, seed=43)
    assert other.candidates.loc["B", "p_top_n"] != one.candidates.loc["B", "p_top_n"]


def test_chunking_does_not_change_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = weight_sensitivity(SCORES, WEIGHTS, runs=300, top_n=2)
    monkeypatch.setattr(sensitivity, "CHUNK_CELLS", 7)  # one run per chunk
    chunked = weight_sensitivity(SCORES, WEIGHTS, runs=300, top_n=2)
    pd.testing.assert_frame_equal(whole.candidates, chunked.candidates)
    pd.testing.assert_frame_equal(whole.pairs, chunked.pairs)


def test_many_notable_swaps_are_summarised() -> None:
    rng = np.random.default_rng(1)
    scores = pd.DataFrame(rng.random((200, 3)), columns=["a", "b", "c"])
    result = weight_sensitivity(scores, {"a": 1, "b": 1, "c": 1}, runs=500, top_n=10, perturb_pct=40)
    swaps = [s for s in result.statements if " and " in s and "swap places in" in s]
    assert len(swaps) == sensitivity.MAX_STATEMENTS
    assert any(
        s.endswith("more pair(s) in the top 10 swap places in at least 10 % of runs.")
        for s in result.statements
    )


def test_findings_in_chinese_say_the_same() -> None:
    result = weight_sensitivity(SCORES, WEIGHTS, perturb_pct=5, runs=2000, top_n=3)
    assert result.statements_in("zh") == ["Plot D 在 100% 的运行中保持第一。"]
    assert result.verdict_in("zh") == "权重 ±5% 变动下，前 3 名保持不变。"
    assert [percent(x, "zh") for x in (0.999, 0.4, 0.001)] == ["超过 99%", "40%", "不足 1%"]


def test_percent_wording() -> None:
    assert [percent(x) for x in (1.0, 0.999, 0.4, 0.001, 0.0)] == [
        "100 %",
        "over 99 %",
        "40 %",
        "under 1 %",
        "0 %",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"perturb_pct": 100}, r"perturb_pct = 100 must be in \[0, 100\)"),
        ({"perturb_pct": -5}, r"perturb_pct = -5 must be in \[0, 100\)"),
        ({"runs": 0}, r"runs = 0 and top_n = 10 must both be at least 1"),
        (
            {"eligible": pd.Series({"Z": True})},
            r"eligible must be indexed by unique candidate ids .* unknown: Z",
        ),
        ({"eligible": pd.Series(False, index=SCORES.index)}, r"no eligible, fully scored candidate"),
    ],
)
def test_option_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SitingError, match=message):
        weight_sensitivity(SCORES, WEIGHTS, **kwargs)  # type: ignore[arg-type]


def test_ten_thousand_candidates_thousand_runs_in_seconds() -> None:
    rng = np.random.default_rng(7)
    factors = [f"f{k}" for k in range(6)]
    scores = pd.DataFrame(rng.random((10_000, 6)), columns=factors)
    start = time.perf_counter()
    result = weight_sensitivity(scores, dict(zip(factors, [3, 2, 2, 1, 1, 1], strict=True)), runs=1000)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, f"took {elapsed:.1f} s"
    assert len(result.candidates) == 10_000
    assert result.candidates["p_top_n"].sum() == pytest.approx(10.0)  # exactly 10 in the top 10 per run
