"""A candidate's score card on the map: a shared rank says it is shared; constraints by name, not code."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pandas as pd
import pytest

from zgc_geo.mapping.siting_map import score_card
from zgc_geo.siting.analysis import EXCLUSION, OUTSIDE, SitingResult
from zgc_geo.siting.factors import FactorSpec

NEAR = FactorSpec("near_parks", "距中关村园区距离", "Distance to any Zhongguancun park", "distance", "cost",
                  1000.0, 5000.0, "m", "t")  # fmt: skip
RESULT = cast(SitingResult, SimpleNamespace(specs=[NEAR]))


@pytest.mark.parametrize(
    ("lang", "rank", "fails"),
    [("zh", "1（并列）", "排除区、研究区外"), ("en", "1 (tied)", "exclusion zone, outside the study area")],
)
def test_tied_rank_and_constraint_names(lang: str, rank: str, fails: str) -> None:
    row = pd.Series(
        {
            "plot_id": "BJ-000101",
            "name": "海淀区闲置工业地块101号",
            "rank": 1,
            "tied": True,
            "score": 100.0,
            "contrib_near_parks": 100.0,
            "failed_constraints": [EXCLUSION, OUTSIDE],
        }
    )
    card = score_card(row, RESULT, lang)
    assert rank in card and fails in card
    assert "exclusion_zone" not in card and "outside_study_area" not in card and "near_parks" not in card
    untied = score_card(row.drop("tied"), RESULT, lang)
    assert rank not in untied
