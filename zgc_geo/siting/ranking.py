"""Rank candidate plots by weighted linear combination, with each factor's share of the score.

A park manager has to answer "why this plot and not that one?" in a coordination meeting, so
the ranking carries, per candidate, the points each factor contributes (they add up to the
score) and every constraint the candidate fails, and :func:`explain_difference` turns two
rows into sentences. Factor scores come in already standardised to 0–1 (zonal means per
candidate); this module only weights, sums and orders them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from zgc_geo.errors import SitingError
from zgc_geo.i18n import Sentence, join_names, translate

#: Output column prefix for a factor's contribution, in points out of 100.
CONTRIB_PREFIX: Final = "contrib_"
#: Standardised scores may overshoot [0, 1] by float noise this small.
SCORE_TOLERANCE: Final = 1e-9
#: Differences below this many points are shown as equal (scores are shown to one decimal).
SHOWN_PRECISION: Final = 0.05
#: Two scores tie when they are equal after rounding to this many decimals of a point (0–100).
#: A millionth of a point is far below any difference the inputs can justify and far above float
#: noise (~1e-13 points), so 0.1 + 0.2 and 0.3 tie while 99.9999 and 100 do not, on every machine.
TIE_DECIMALS: Final = 6


def rank_candidates(
    factor_scores: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    constraints_failed: pd.Series | None = None,
    exclude_failed: bool = True,
) -> pd.DataFrame:
    """Score (0–100), rank and per-factor contribution of every candidate.

    Parameters
    ----------
    factor_scores
        Candidates × factors, standardised 0–1 (1 = most suitable), index = candidate id.
    weights
        One non-negative weight per factor column; normalised here to sum to 1 so direct entries
        such as 3, 2, 1 work as well as AHP weights.
    constraints_failed
        Per candidate id, the names of the constraints it fails (a list, a single name, or
        empty/None); candidates not in it fail none.
    exclude_failed
        True: candidates failing a constraint are ranked after every eligible one, whatever their
        score. False: they compete on score alone (a "what if the constraint were waived" view).
        Either way they stay listed with ``eligible=False`` and their ``failed_constraints``.

    Returns
    -------
    pandas.DataFrame
        Indexed by candidate id, ordered by rank, with ``score`` = 100 × Σ w·s, ``rank`` (1 = best),
        ``tied``, one ``contrib_<factor>`` column per factor (points; they sum to the score),
        ``failed_constraints`` (list), ``eligible`` and ``not_scored_reason``. A candidate with a
        missing factor score gets no score and no rank (rank <NA>) and is listed last; the reason names
        the missing factors, and the contributions of the factors it has are still shown.

    Notes
    -----
    Ties: scores that are equal after rounding to :data:`TIE_DECIMALS` decimals of a point are
    tied (:func:`tie_keys`). Tied candidates share a rank, the next one skips the places they
    take ("competition" ranking: 1, 1, 3 …), and ``tied`` is True for each of them: nothing in
    the inputs puts one above the other. They are listed by candidate id only so that the order
    of the rows is reproducible; that order means nothing.
    """
    scores = check_factor_scores(factor_scores)
    w = normalise_weights(weights, list(scores.columns))
    contrib = scores.to_numpy() * w.to_numpy() * 100.0
    missing = np.isnan(contrib)
    score = np.where(missing.any(axis=1), np.nan, np.nan_to_num(contrib).sum(axis=1))
    failed = _failed_lists(constraints_failed, scores.index)
    eligible = np.array([not f for f in failed], dtype=bool)
    scored = ~np.isnan(score)
    group = np.where(~scored, 2, np.where(eligible | (not exclude_failed), 0, 1))
    keys = tie_keys(np.nan_to_num(score))
    order = np.lexsort((_id_rank(scores.index), -keys, group))
    shared, tied = competition_ranks(group[order], keys[order])
    rank = pd.array(shared, dtype="Int64")
    rank[~scored[order]] = pd.NA
    tied &= scored[order]
    columns = {f"{CONTRIB_PREFIX}{f}": contrib[order, k] for k, f in enumerate(scores.columns)}
    reasons = [
        f"no value for {', '.join(scores.columns[row])}; fill the gap or drop the factor" if row.any() else ""
        for row in missing[order]
    ]
    return pd.DataFrame(
        {
            "score": score[order],
            "rank": rank,
            "tied": tied,
            **columns,
            "eligible": eligible[order],
            "failed_constraints": pd.Series([failed[k] for k in order], dtype=object).to_numpy(),
            "not_scored_reason": reasons,
        },
        index=scores.index[order],
    )


def explain_difference(
    result: pd.DataFrame,
    a: Hashable,
    b: Hashable,
    *,
    labels: Mapping[Any, str] | None = None,
    factor_labels: Mapping[str, str] | None = None,
    constraint_labels: Mapping[str, str] | None = None,
    lang: str = "en",
) -> list[str]:
    """Why candidate ``a`` ranks above (or below) ``b``, in sentences with points, in ``lang``.

    The first line gives the gap in points; then one line per factor whose contribution differs,
    largest advantage for ``a`` first ("distance to feature parks: +9.1 points", factor names as
    given, not capitalised); then any
    constraint either fails. ``result`` is the output of :func:`rank_candidates`; ``labels``
    names candidates (default ``plot <id>``), ``factor_labels`` names factors (default the id),
    ``constraint_labels`` names failed constraints (default as stored).
    """
    for candidate in (a, b):
        if candidate not in result.index:
            raise SitingError(f"candidate {candidate!r} is not in the ranking; pick one of its index ids.")
    name = {c: (labels or {}).get(c) or translate("siting.plot_label", lang, id=c) for c in (a, b)}
    for c in (a, b):
        if pd.isna(result.at[c, "score"]):
            reason = result.at[c, "not_scored_reason"]
            return [Sentence("siting.why.no_score", {"name": name[c], "reason": reason}).text(lang)]
    sa, sb = float(result.at[a, "score"]), float(result.at[b, "score"])
    gap = sa - sb
    pair = {"a": name[a], "b": name[b], "sa": f"{sa:.1f}", "sb": f"{sb:.1f}", "gap": f"{abs(gap):.1f}"}
    if gap >= SHOWN_PRECISION:
        head = Sentence("siting.why.beats", pair)
    elif gap <= -SHOWN_PRECISION:
        head = Sentence("siting.why.trails", pair)
    else:
        head = Sentence("siting.why.same", pair)
    lines = [head.text(lang)]
    factors = [c for c in result.columns if c.startswith(CONTRIB_PREFIX)]
    diffs = result.loc[a, factors].astype(float) - result.loc[b, factors].astype(float)
    for column, diff in diffs.sort_values(ascending=False, kind="stable").items():
        if abs(diff) >= SHOWN_PRECISION:
            factor = str(column).removeprefix(CONTRIB_PREFIX)
            label = (factor_labels or {}).get(factor, factor)
            lines.append(translate("siting.why.factor", lang, factor=label, diff=signed(diff)))
    for c in (a, b):
        failed = list(result.at[c, "failed_constraints"])
        if failed:
            constraints = join_names(lang, [(constraint_labels or {}).get(f, f) for f in failed])
            lines.append(
                Sentence("siting.why.fails", {"name": name[c], "constraints": constraints}).text(lang)
            )
    return lines


def check_factor_scores(factor_scores: pd.DataFrame) -> pd.DataFrame:
    """``factor_scores`` as floats, or a :class:`SitingError` naming the column or candidate at fault."""
    if not isinstance(factor_scores, pd.DataFrame) or factor_scores.shape[1] == 0:
        raise SitingError("factor_scores must be a DataFrame with one column per factor.")
    if factor_scores.index.has_duplicates:
        dupes = factor_scores.index[factor_scores.index.duplicated()].unique()
        raise SitingError(f"candidate ids must be unique; repeated: {', '.join(map(str, dupes[:5]))}.")
    not_numeric = [
        str(c) for c in factor_scores.columns if not pd.api.types.is_numeric_dtype(factor_scores[c])
    ]
    if not_numeric:
        raise SitingError(
            f"factor column(s) {', '.join(not_numeric)} are not numeric; standardise them first."
        )
    scores = factor_scores.astype(float)
    values = scores.to_numpy()
    outside = ~np.isnan(values) & ((values < -SCORE_TOLERANCE) | (values > 1 + SCORE_TOLERANCE))
    if outside.any():
        i, j = (int(k) for k in np.argwhere(outside)[0])
        raise SitingError(
            f"candidate {scores.index[i]!r}, factor {scores.columns[j]!r} = {values[i, j]:g} is outside 0–1; "
            "pass standardised factor scores (1 = most suitable)."
        )
    return scores.clip(0.0, 1.0)


def normalise_weights(weights: Mapping[str, float], factors: Sequence[str]) -> pd.Series:
    """Weights over ``factors`` (in that order) summing to 1, or a :class:`SitingError` naming the fault."""
    known = [str(f) for f in factors]
    missing = [f for f in known if f not in weights]
    unknown = [str(k) for k in weights if k not in known]
    if missing or unknown:
        parts = [f"no weight for factor(s) {', '.join(missing)}"] if missing else []
        parts += [f"weights for unknown factor(s) {', '.join(unknown)}"] if unknown else []
        raise SitingError(
            f"{'; '.join(parts)}: give exactly one weight per factor column ({', '.join(known)})."
        )
    w = pd.Series({f: weights[f] for f in known}, dtype=float)
    bad = w[~np.isfinite(w) | (w < 0)]
    if not bad.empty:
        raise SitingError(
            f"weight for {bad.index[0]} = {bad.iloc[0]:g}: weights must be finite and ≥ 0 "
            "(a factor that should count against a site is standardised the other way round)."
        )
    if w.sum() <= 0:
        raise SitingError("all weights are 0; give at least one factor a positive weight.")
    return w / w.sum()


def tie_keys(points: np.ndarray) -> np.ndarray:
    """Scores in points (0–100) as whole numbers that are equal exactly when the scores tie.

    The rule behind every rank in zgc-geo: round to :data:`TIE_DECIMALS` decimals of a point.
    The keys are integral floats (exact up to 2**53), so they compare and sort without noise.
    """
    return np.rint(np.asarray(points, dtype=float) * 10.0**TIE_DECIMALS)


def competition_ranks(group: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shared ranks (1, 1, 3 …) and a tied flag for rows already sorted best first.

    Rows are sorted by ``group`` (ascending: eligible before failed …) then by ``keys`` (higher
    first); a row shares the rank of the first row of its run of equal (group, key), and is tied
    when that run has more than one row.
    """
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    starts = np.ones(n, dtype=bool)
    starts[1:] = (group[1:] != group[:-1]) | (keys[1:] != keys[:-1])
    positions = np.arange(1, n + 1)
    shared = np.maximum.accumulate(np.where(starts, positions, 0))
    run = np.cumsum(starts) - 1
    tied = np.bincount(run)[run] > 1
    return shared.astype(np.int64), tied


def id_order(index: pd.Index) -> np.ndarray:
    """Positions of ``index`` sorted by candidate id: the tie-break for equal scores."""
    try:
        return np.asarray(index.argsort(), dtype=np.intp)
    except TypeError:  # mixed id types: sort them as text
        return np.asarray(index.astype(str).argsort(), dtype=np.intp)


def signed(value: float) -> str:
    """``+9.1`` / ``−3.0`` (a true minus sign, as in print)."""
    return f"+{value:.1f}" if value >= 0 else f"−{-value:.1f}"


def _id_rank(index: pd.Index) -> np.ndarray:
    rank = np.empty(len(index), dtype=np.intp)
    rank[id_order(index)] = np.arange(len(index))
    return rank


def _failed_lists(constraints_failed: pd.Series | None, index: pd.Index) -> list[list[str]]:
    """One list of failed constraint names per candidate of ``index``."""
    if constraints_failed is None:
        return [[] for _ in range(len(index))]
    if not isinstance(constraints_failed, pd.Series) or constraints_failed.index.has_duplicates:
        raise SitingError("constraints_failed must be a Series indexed by unique candidate ids.")
    unknown = constraints_failed.index.difference(index)
    if len(unknown):
        raise SitingError(
            f"constraints_failed names candidates not in factor_scores: {', '.join(map(str, unknown[:5]))}; "
            "use the same candidate ids."
        )
    lists: list[list[str]] = []
    for candidate, value in constraints_failed.reindex(index).items():
        if isinstance(value, str):
            lists.append([value] if value else [])
        elif isinstance(value, list | tuple | set | frozenset | np.ndarray):
            lists.append(list(dict.fromkeys(str(v) for v in value)))
        elif value is None or pd.isna(value):
            lists.append([])
        else:
            raise SitingError(
                f"constraints_failed for candidate {candidate!r} = {value!r}; give a list of constraint names"
            )
    return lists
