"""Monte-Carlo weight sensitivity: would the ranking survive other, equally defensible weights?

Weights are judgements; in a coordination meeting someone will ask "would it still win with
other weights?". Each run multiplies every weight by an independent uniform factor in
[1 − p, 1 + p] and renormalises, i.e. every weight may be off by up to ±p % of itself, which
is how the question is usually put. (A Dirichlet draw centred on the weights is the common
alternative; it perturbs all weights jointly with one concentration parameter that managers
find harder to state.) All runs are drawn as one runs × factors matrix and scored as one matrix
product; ranks per run come from one sort, so there is no Python loop over runs (runs are
processed in chunks only to bound memory).

Ties are ties, in the base ranking and in every run: scores equal after rounding to
:data:`~zgc_geo.siting.ranking.TIE_DECIMALS` decimals of a point share a rank (1, 1, 3 …), so
"first in p % of runs" counts a shared first place, a pair tied in the base ranking is never
said to "swap", and "the top N" is the set of candidates ranked N or better, ties included.
Candidate ids only order the rows of a table; they never decide a rank.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from zgc_geo.errors import SitingError
from zgc_geo.i18n import Sentence
from zgc_geo.siting.ranking import check_factor_scores, id_order, normalise_weights, tie_keys

#: A pair among the top N that swaps order in at least this share of runs is reported.
SWAP_NOTABLE: Final = 0.10
#: A candidate outside the top N that enters it in at least this share of runs is reported.
ENTRY_NOTABLE: Final = 0.10
#: The leader "stays first" when first in at least this share of runs.
STABLE_LEADER: Final = 0.90
#: Pairwise swaps are computed for the base top N plus this many candidates just outside it.
OUTSIDE_MARGIN: Final = 3
#: At most this many swap or entry statements of each kind (the rest are counted).
MAX_STATEMENTS: Final = 5
#: At most this many names of tied candidates in one sentence (the count gives the rest).
MAX_NAMES: Final = 3
#: Runs are scored in chunks of at most this many runs × candidates cells (bounds memory).
CHUNK_CELLS: Final = 4_000_000


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """Rank stability of every candidate under perturbed weights.

    ``candidates``: per candidate id (eligible and scored ones, ordered by base rank):
    ``label``, ``rank_in_base`` (shared by tied candidates), ``tied`` (in the base ranking),
    ``p_first`` (first or tied for first), ``p_top_n`` (ranked ``top_n`` or better, ties
    included), ``median_rank``, ``rank_p05`` and ``rank_p95`` (rank percentiles over runs;
    observed ranks, not interpolated).
    ``pairs``: for the base top N and the first ones just outside it, one row per pair ``a``
    strictly above ``b`` in the base ranking (tied pairs have no order to swap), with ``p_swap``
    = share of runs where ``b`` ranks strictly above ``a``.
    ``sentences`` and ``verdict_sentence`` say the same in words a manager can repeat, in either
    language (:meth:`statements_in`, :meth:`verdict_in`); ``statements`` and ``verdict`` are the
    English wording.
    """

    candidates: pd.DataFrame
    pairs: pd.DataFrame
    sentences: list[Sentence]
    verdict_sentence: Sentence
    perturb_pct: float
    runs: int
    top_n: int
    seed: int
    method: str = field(default="independent uniform multipliers in [1 − p, 1 + p], renormalised")

    def statements_in(self, lang: str) -> list[str]:
        """The notable findings (leader, swaps, entries) as sentences in ``lang``."""
        return [sentence.text(lang) for sentence in self.sentences]

    def verdict_in(self, lang: str) -> str:
        """How far down the ranking holds, in one sentence in ``lang``."""
        return self.verdict_sentence.text(lang)

    @property
    def statements(self) -> list[str]:
        """:meth:`statements_in` English."""
        return self.statements_in("en")

    @property
    def verdict(self) -> str:
        """:meth:`verdict_in` English."""
        return self.verdict_in("en")


def weight_sensitivity(
    factor_scores: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    perturb_pct: float = 20.0,
    runs: int = 1000,
    top_n: int = 10,
    seed: int = 0,
    eligible: pd.Series | None = None,
    labels: Mapping[Any, str] | None = None,
) -> SensitivityResult:
    """Each candidate's probability of staying in the top ``top_n`` when weights vary ±``perturb_pct`` %.

    Parameters
    ----------
    factor_scores, weights
        As for :func:`zgc_geo.siting.ranking.rank_candidates`.
    perturb_pct
        Each weight is multiplied by an independent uniform factor in [1 − p/100, 1 + p/100].
    eligible
        Boolean per candidate id (e.g. ``ranking["eligible"]``); only eligible candidates compete,
        as failed ones are ranked last whatever the weights. Candidates with a missing factor
        score never compete. Tied candidates share a rank in a run, as in the base ranking.
    labels
        Names for candidates in the statements (default ``plot <id>``).
    seed
        Seed of the random generator: the same inputs and seed give the same result.
    """
    if not 0 <= perturb_pct < 100:
        raise SitingError(f"perturb_pct = {perturb_pct!r} must be in [0, 100), e.g. 20 for ±20 %.")
    if runs < 1 or top_n < 1:
        raise SitingError(f"runs = {runs!r} and top_n = {top_n!r} must both be at least 1.")
    scores = _competitors(check_factor_scores(factor_scores), eligible)
    w = normalise_weights(weights, list(scores.columns)).to_numpy()
    s = scores.to_numpy()
    n = len(scores)
    if n == 0:
        raise SitingError("no eligible, fully scored candidate to rank; check eligible and missing scores.")
    base_points = (s @ w)[None, :] * 100.0
    base_rank = shared_ranks(base_points)[0]
    base_order = np.argsort(base_rank, kind="stable")  # scores is in id order: tied rows by id
    rng = np.random.default_rng(seed)
    p = perturb_pct / 100.0
    multipliers = rng.uniform(1.0 - p, 1.0 + p, size=(runs, len(w)))
    drawn = w * multipliers
    drawn /= drawn.sum(axis=1, keepdims=True)
    watched = base_order[: min(n, top_n + OUTSIDE_MARGIN)]
    ranks = np.empty((runs, n), dtype=np.int32)
    swaps = np.zeros((len(watched), len(watched)))
    step = max(1, CHUNK_CELLS // n)
    for start in range(0, runs, step):  # chunks of runs, each fully vectorised
        chunk = shared_ranks((drawn[start : start + step] @ s.T) * 100.0)
        ranks[start : start + step] = chunk
        sub = chunk[:, watched]
        swaps += (sub[:, :, None] > sub[:, None, :]).sum(axis=0)
    names = {c: (labels or {}).get(c, f"plot {c}") for c in scores.index}
    low, median, high = np.percentile(ranks, [5, 50, 95], axis=0, method="inverted_cdf")
    candidates = pd.DataFrame(
        {
            "label": [names[c] for c in scores.index],
            "rank_in_base": base_rank.astype(np.int64),
            "tied": np.bincount(base_rank, minlength=n + 1)[base_rank] > 1,
            "p_first": (ranks == 1).mean(axis=0),
            "p_top_n": (ranks <= top_n).mean(axis=0),
            "median_rank": median.astype(int),
            "rank_p05": low.astype(int),
            "rank_p95": high.astype(int),
        },
        index=scores.index,
    ).iloc[base_order]
    ia, ib = np.triu_indices(len(watched), 1)
    ordered = base_rank[watched[ia]] < base_rank[watched[ib]]  # a tied pair has no order to swap
    ia, ib = ia[ordered], ib[ordered]
    pairs = pd.DataFrame(
        {
            "a": scores.index[watched[ia]],
            "b": scores.index[watched[ib]],
            "rank_a": base_rank[watched[ia]].astype(np.int64),
            "rank_b": base_rank[watched[ib]].astype(np.int64),
            "p_swap": swaps[ia, ib] / runs,
        }
    ).sort_values(["p_swap", "rank_a", "rank_b"], ascending=[False, True, True], kind="stable")
    pairs = pairs.reset_index(drop=True)
    leaders = np.flatnonzero(base_rank == 1)
    p_leaders_first = float((ranks[:, leaders] == 1).all(axis=1).mean())
    statements = _statements(candidates, pairs, names, top_n, p_leaders_first)
    verdict = _verdict(candidates, pairs, top_n, perturb_pct)
    return SensitivityResult(candidates, pairs, statements, verdict, perturb_pct, runs, top_n, seed)


def shared_ranks(points: np.ndarray) -> np.ndarray:
    """Per row (a run), each candidate's shared rank: 1 + how many score strictly more.

    ``points`` is runs × candidates, scores in points (0–100); scores tie per
    :func:`~zgc_geo.siting.ranking.tie_keys`. One row-wise sort of integer keys, then each row's
    runs of equal keys take the rank of their first place; no loop over runs. The sort need not
    be stable: tied candidates get the same rank whatever order it leaves them in.
    """
    keys = -tie_keys(np.clip(points, 0.0, 100.0)).astype(np.int32)  # ≤ 1e8 fits; higher score first
    rows, n = keys.shape
    order = np.argsort(keys, axis=1)
    ordered = np.take_along_axis(keys, order, axis=1)
    first = np.zeros((rows, n), dtype=np.int32)
    first[:, 0] = 1
    first[:, 1:] = np.where(ordered[:, 1:] != ordered[:, :-1], np.arange(2, n + 1, dtype=np.int32), 0)
    np.maximum.accumulate(first, axis=1, out=first)
    ranks = np.empty((rows, n), dtype=np.int32)
    np.put_along_axis(ranks, order, first, axis=1)
    return ranks


def _competitors(scores: pd.DataFrame, eligible: pd.Series | None) -> pd.DataFrame:
    """Eligible, fully scored candidates, sorted by id (so a stable sort breaks ties by id)."""
    keep = ~scores.isna().any(axis=1)
    if eligible is not None:
        unknown = eligible.index.difference(scores.index)
        if len(unknown) or eligible.index.has_duplicates:
            raise SitingError(
                "eligible must be indexed by unique candidate ids of factor_scores; unknown: "
                f"{', '.join(map(str, unknown[:5]))}."
            )
        keep &= eligible.reindex(scores.index, fill_value=True).astype(bool)
    kept = scores[keep]
    return kept.iloc[id_order(kept.index)]


def _statements(
    candidates: pd.DataFrame,
    pairs: pd.DataFrame,
    names: Mapping[Hashable, str],
    top_n: int,
    p_leaders_first: float,
) -> list[Sentence]:
    """Sentences for the meaningful cases only: the leader(s), notable swaps, notable entries."""
    out: list[Sentence] = []
    leader = candidates.iloc[0]
    leaders = candidates[candidates["rank_in_base"] == 1]
    if len(leaders) > 1:
        out.append(_leaders_tied(leaders, p_leaders_first))
    elif len(candidates) > 1:
        if leader["p_first"] >= STABLE_LEADER:
            out.append(
                Sentence(
                    "sensitivity.leader_stays", {"leader": leader["label"]}, {"p_first": leader["p_first"]}
                )
            )
        else:
            rival = candidates.iloc[1:]["p_first"].idxmax()
            out.append(
                Sentence(
                    "sensitivity.leader_shaky",
                    {"leader": leader["label"], "rival": names[rival]},
                    {"p_first": leader["p_first"], "p_rival": candidates.at[rival, "p_first"]},
                )
            )
    inside = pairs[(pairs["rank_b"] <= top_n) & (pairs["p_swap"] >= SWAP_NOTABLE)]
    for row in inside.head(MAX_STATEMENTS).itertuples():
        out.append(
            Sentence(
                "sensitivity.swap", {"a": names[row.a], "b": names[row.b]}, {"p_swap": float(row.p_swap)}
            )
        )
    if len(inside) > MAX_STATEMENTS:
        rest = len(inside) - MAX_STATEMENTS
        out.append(
            Sentence("sensitivity.more_swaps", {"rest": rest, "top_n": top_n}, {"p_min": SWAP_NOTABLE})
        )
    outside = candidates[(candidates["rank_in_base"] > top_n) & (candidates["p_top_n"] >= ENTRY_NOTABLE)]
    outside = outside.sort_values("p_top_n", ascending=False, kind="stable")
    for candidate, row in outside.head(MAX_STATEMENTS).iterrows():
        out.append(
            Sentence(
                "sensitivity.enters", {"name": names[candidate], "top_n": top_n}, {"p_top_n": row["p_top_n"]}
            )
        )
    if len(outside) > MAX_STATEMENTS:
        rest = len(outside) - MAX_STATEMENTS
        out.append(
            Sentence("sensitivity.more_entries", {"rest": rest, "top_n": top_n}, {"p_min": ENTRY_NOTABLE})
        )
    return out


def _leaders_tied(leaders: pd.DataFrame, p_all_first: float) -> Sentence:
    """Several candidates share first place: say so, and whether other weights separate them."""
    shown = " / ".join(str(label) for label in leaders["label"].head(MAX_NAMES))
    more = len(leaders) - MAX_NAMES
    values = {"count": len(leaders), "names": f"{shown} / …" if more > 0 else shown}
    if p_all_first >= STABLE_LEADER:
        return Sentence("sensitivity.leaders_tied_stay", values, {"p_tied": p_all_first})
    return Sentence("sensitivity.leaders_tied_split", values, {"p_split": 1.0 - p_all_first})


def _verdict(candidates: pd.DataFrame, pairs: pd.DataFrame, top_n: int, perturb_pct: float) -> Sentence:
    """One sentence: how far down the base ranking holds under the perturbation.

    "The top N" is the set ranked N or better. When a group of tied candidates straddles place N
    (e.g. 14 share first place and N is 10), no set of N follows from the scores, and the verdict
    says that instead of calling a tie-break order robust.
    """
    places = min(top_n, len(candidates))
    shaky = pairs.loc[pairs["p_swap"] >= SWAP_NOTABLE, ["rank_a", "rank_b"]].to_numpy().ravel()
    dropping = candidates.loc[
        (candidates["rank_in_base"] <= top_n) & (candidates["p_top_n"] < 1 - ENTRY_NOTABLE), "rank_in_base"
    ]
    first_unstable = int(min([*shaky.tolist(), *dropping.tolist(), places + 1]))
    pct = f"{perturb_pct:g}"
    tied_at_cut = _tied_at_cut(candidates["rank_in_base"], places, first_unstable, pct)
    if tied_at_cut is not None:
        return tied_at_cut
    if first_unstable > places:
        if places == 1:
            return Sentence("sensitivity.first_robust", {"pct": pct})
        return Sentence("sensitivity.top_robust", {"pct": pct, "places": places})
    if first_unstable == 1:
        return Sentence("sensitivity.unstable_from_first", {"pct": pct})
    if first_unstable == 2:
        return Sentence("sensitivity.first_robust_then", {"pct": pct, "place": first_unstable})
    return Sentence(
        "sensitivity.top_robust_then", {"pct": pct, "places": first_unstable - 1, "place": first_unstable}
    )


def _tied_at_cut(ranks: pd.Series, places: int, first_unstable: int, pct: str) -> Sentence | None:
    """The verdict when tied candidates straddle place N and everything above them holds, else None."""
    if (ranks <= places).sum() <= places:
        return None
    cut = int(ranks[ranks <= places].max())
    if first_unstable < cut:  # the ranking breaks above the tie: that is the finding
        return None
    values = {"pct": pct, "count": int((ranks == cut).sum()), "rank": cut, "top_n": places}
    if cut == 1:
        return Sentence("sensitivity.tied_at_cut", values)
    if cut == 2:
        return Sentence("sensitivity.first_robust_then_tied_at_cut", values)
    return Sentence("sensitivity.robust_then_tied_at_cut", {**values, "places": cut - 1})
