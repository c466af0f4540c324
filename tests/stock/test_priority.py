"""Priority score: monotonic in every component, contributions add up, weights adjustable, stable ranks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zgc_geo.errors import RulesError
from zgc_geo.stock.priority import COMPONENTS, load_priority_rules, priority_rules, score_priority

BASE = {
    "plot_id": "p",
    "years_idle": 3.0,
    "area_mu": 20.0,
    "extra_floor_area_m2": 10_000.0,
    "efficiency_class": "B",
    "inefficiency_kind": None,
    "dist_cluster_feature_m": 5_000.0,
    "inside_park": False,
}
#: Component → (field, values from least to most urgent).
LADDERS = {
    "years_idle": ("years_idle", [np.nan, 0.0, 3.0, 9.0, 12.0]),
    "area": ("area_mu", [0.0, 20.0, 99.0, 150.0]),
    "extra_floor_area": ("extra_floor_area_m2", [np.nan, 0.0, 10_000.0, 60_000.0]),
    "efficiency": ("efficiency_class", [None, "A", "B", "C", "D"]),
    "inefficiency": ("inefficiency_kind", [None, "underused"]),
    "proximity": ("dist_cluster_feature_m", [np.nan, 20_000.0, 5_000.0, 0.0]),
    "inside_park": ("inside_park", [False, True]),
}


def ladder(component: str) -> pd.DataFrame:
    field, values = LADDERS[component]
    return pd.DataFrame([BASE | {"plot_id": f"p{i}", field: v} for i, v in enumerate(values)])


def test_ladders_cover_every_component() -> None:
    assert set(LADDERS) == set(COMPONENTS)


@pytest.mark.parametrize("component", COMPONENTS)
def test_score_is_monotonic_in_each_component(component: str) -> None:
    scores = score_priority(ladder(component), load_priority_rules())["priority_score"].to_numpy()
    assert (np.diff(scores) >= 0).all()
    assert scores[-1] > scores[0]


@pytest.mark.parametrize("component", COMPONENTS)
def test_contributions_add_up_to_the_score(component: str) -> None:
    result = score_priority(ladder(component), load_priority_rules())
    parts = result[[f"prio_{c}" for c in COMPONENTS]].sum(axis=1)
    np.testing.assert_allclose(parts, result["priority_score"])
    assert result["priority_score"].between(0, 100).all()


def test_a_plot_at_every_cap_scores_100() -> None:
    top = pd.DataFrame(
        [
            BASE
            | {
                "years_idle": 10.0,
                "area_mu": 100.0,
                "extra_floor_area_m2": 50_000.0,
                "efficiency_class": "D",
                "inefficiency_kind": "underused",
                "dist_cluster_feature_m": 0.0,
                "inside_park": True,
            }
        ]
    )
    assert score_priority(top, load_priority_rules())["priority_score"].iloc[0] == pytest.approx(100)


def test_weights_can_be_changed_for_one_run() -> None:
    frame = ladder("years_idle")
    only_idle = dict.fromkeys(COMPONENTS, 0.0) | {"years_idle": 1.0}
    result = score_priority(frame, load_priority_rules(), weights=only_idle)
    assert result["priority_score"].tolist() == pytest.approx([0, 0, 30, 90, 100])
    assert (result.drop(columns=["priority_score", "priority_rank", "prio_years_idle"]) == 0).all().all()


def test_bad_weights_are_refused() -> None:
    rules = load_priority_rules()
    with pytest.raises(RulesError, match="'idle' is not a priority component"):
        rules.with_weights({"idle": 1.0})
    with pytest.raises(RulesError, match="at least one weight must be above 0"):
        rules.with_weights(dict.fromkeys(COMPONENTS, 0.0))
    with pytest.raises(RulesError, match=r"weights\.area = -1\.0 is below 0"):
        rules.with_weights({"area": -1.0})


def test_rank_one_is_the_highest_and_ties_go_by_plot_id() -> None:
    frame = pd.DataFrame(
        [BASE | {"plot_id": "b"}, BASE | {"plot_id": "a"}, BASE | {"plot_id": "c", "years_idle": 9.0}]
    )
    result = score_priority(frame, load_priority_rules())
    assert result["priority_rank"].tolist() == [3, 2, 1]


def test_priority_rules_are_checked() -> None:
    with pytest.raises(RulesError) as error:
        priority_rules({"priority": {"weights": {"area": "big"}, "scales": {"area_cap_mu": 0}}}, "r.toml")
    message = str(error.value)
    assert "priority.weights.area = 'big' is not a number" in message
    assert "priority.scales.area_cap_mu must be above 0" in message
    assert "priority.weights.years_idle = None is not a number" in message
