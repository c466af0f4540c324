"""Tied candidates: which plots the score cannot tell apart, and what could separate them.

On a real inventory many small plots next to a feature park score exactly 100: every factor is
at the end of its ramp. Ranking them 1, 2, 3 … by id would present a tie-break as a finding, so
tied plots share a rank (:func:`zgc_geo.siting.ranking.rank_candidates`) and this module says, in
the page's language, how many share it and why: the factors give them the same values (all at
the limit of a threshold, or the same value in between, which points at shared grid cells), or
they differ on some factors but the differences cancel out at the current weights. Each case has
its own remedy: a tighter threshold or an extra factor, a finer grid, or other weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from zgc_geo.i18n import join_names, pick, translate
from zgc_geo.siting.factors import FactorSpec
from zgc_geo.siting.ranking import TIE_DECIMALS

#: Tie groups explained one by one, best rank first; the rest are counted.
MAX_GROUPS: Final = 3
#: Plots named per tie group; the rest are counted.
MAX_NAMED: Final = 4
#: Sets of plots equal on every factor explained per tie group; the rest are covered by one sentence.
MAX_TWIN_SETS: Final = 2
#: Prefix of the standardised factor means in a siting result's candidates.
FACTOR_PREFIX: Final = "factor_"


def explain_ties(
    ranked: pd.DataFrame,
    specs: Sequence[FactorSpec],
    *,
    resolution_m: float,
    lang: str = "en",
    max_groups: int = MAX_GROUPS,
) -> list[str]:
    """Sentences in ``lang`` on each group of tied candidates, best shared rank first.

    Parameters
    ----------
    ranked
        A siting result's candidates: ``plot_id``, ``rank``, ``tied``, ``score``, optional
        ``name``, and ``factor_<id>`` (standardised 0–1 mean) per factor of ``specs``.
    specs
        The factors of the run (their names, directions and thresholds go into the sentences).
    resolution_m
        Cell size of the run's grid, named when shared cells may be the cause.

    Returns
    -------
    list of str
        Per group: who ties at which rank and score, then why and what could separate them. Empty
        when no candidate ties.
    """
    tied = ranked[ranked["tied"].fillna(False).astype(bool) & ranked["rank"].notna()]
    if tied.empty:
        return []
    groups = [group for _, group in tied.groupby("rank", sort=True)]
    lines: list[str] = []
    for group in groups[:max_groups]:
        lines.append(_head(group, lang))
        lines.extend(_why(group, specs, resolution_m, lang))
    rest = groups[max_groups:]
    if rest:
        plots = sum(len(group) for group in rest)
        lines.append(translate("ties.more_groups", lang, groups=len(rest), plots=plots))
    return lines


def _head(group: pd.DataFrame, lang: str) -> str:
    names = [_plot_name(row, lang) for _, row in group.head(MAX_NAMED).iterrows()]
    shown = str(join_names(lang, names))
    if len(group) > MAX_NAMED:
        shown += translate("ties.and_more", lang, count=len(group) - MAX_NAMED)
    return translate(
        "ties.group",
        lang,
        count=len(group),
        score=f"{float(group['score'].iloc[0]):.1f}",
        rank=int(group["rank"].iloc[0]),
        names=shown,
    )


def _plot_name(row: pd.Series, lang: str) -> str:
    """``name (plot_id)``; the id alone when the plot has no name."""
    name = row.get("name")
    plot_id = str(row["plot_id"])
    if isinstance(name, str) and name.strip() and name != plot_id:
        return translate("ties.plot", lang, name=name, id=plot_id)
    return plot_id


def _why(group: pd.DataFrame, specs: Sequence[FactorSpec], resolution_m: float, lang: str) -> list[str]:
    """Why the group ties and what could separate it.

    Plots with the same value on every factor (a "twin set") can only be separated by thresholds,
    an extra factor or a finer grid; plots that differ on some factors only tie because those
    differences cancel at these weights. A group can hold both: each twin set is explained, then
    the rest.
    """
    columns = [f"{FACTOR_PREFIX}{spec.id}" for spec in specs if f"{FACTOR_PREFIX}{spec.id}" in group.columns]
    used = [spec for spec in specs if f"{FACTOR_PREFIX}{spec.id}" in group.columns]
    named = {spec.id: str(pick(lang, spec.label_zh, spec.label_en)) for spec in used}
    values = np.round(group[columns].to_numpy(dtype=float), TIE_DECIMALS)
    profiles, members = np.unique(values, axis=0, return_inverse=True)
    sizes = np.bincount(members.ravel(), minlength=len(profiles))
    if len(profiles) == 1:
        return _twins(used, profiles[0], named, resolution_m, lang, subset=None)
    lines: list[str] = []
    twin_sets = [k for k in np.argsort(-sizes, kind="stable") if sizes[k] > 1][:MAX_TWIN_SETS]
    for k in twin_sets:
        lines.extend(_twins(used, profiles[k], named, resolution_m, lang, subset=int(sizes[k])))
    differing = [named[spec.id] for c, spec in enumerate(used) if len(np.unique(profiles[:, c])) > 1]
    key = "ties.differ_rest" if twin_sets else "ties.differ"
    lines.append(translate(key, lang, factors=join_names(lang, differing)))
    return lines


def _twins(
    specs: Sequence[FactorSpec],
    profile: np.ndarray,
    named: dict[str, str],
    resolution_m: float,
    lang: str,
    *,
    subset: int | None,
) -> list[str]:
    """Plots equal on every factor: each factor's shared value, then what could still separate them."""
    details = translate("ties.separator", lang).join(
        _same_value(spec, float(value), named[spec.id], lang)
        for spec, value in zip(specs, profile, strict=True)
    )
    if subset is None:
        lines = [translate("ties.same_everywhere", lang, details=details)]
    else:
        lines = [translate("ties.same_everywhere_some", lang, count=subset, details=details)]
    between = [named[spec.id] for spec, value in zip(specs, profile, strict=True) if 0.0 < value < 1.0]
    if between:
        resolution = f"{resolution_m:g}"
        lines.append(
            translate("ties.finer_grid", lang, factors=join_names(lang, between), resolution=resolution)
        )
        return lines
    ramps = [named[spec.id] for spec in specs if spec.kind != "inside"]
    if ramps:
        lines.append(translate("ties.saturated", lang, factors=join_names(lang, ramps)))
    else:
        lines.append(translate("ties.all_binary", lang))
    return lines


def _same_value(spec: FactorSpec, value: float, name: str, lang: str) -> str:
    """One factor's shared value in words: at which end of its ramp, or the value in between."""
    if 0.0 < value < 1.0:
        return translate("ties.same_value", lang, factor=name, value=f"{value:.2f}")
    best = value >= 1.0
    if spec.kind == "inside":
        return translate("ties.all_inside" if best else "ties.all_outside", lang, factor=name)
    cost = spec.direction == "cost"
    bound = spec.lower if best == cost else spec.upper
    threshold = f"{bound:g} m" if spec.unit == "m" else f"{bound:g}"
    key = {
        (True, True): "ties.within",
        (True, False): "ties.at_least",
        (False, True): "ties.beyond",
        (False, False): "ties.at_most",
    }[(best, cost)]
    return translate(key, lang, factor=name, threshold=threshold)
