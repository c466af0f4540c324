"""Per-park summary: known counts and areas, an outside row, and a total equal to the sum of the rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zgc_geo.stock.bulk import OUTSIDE
from zgc_geo.stock.summary import TOTAL, park_summary

PLOTS = pd.DataFrame(
    {
        "analysis_park_id": ["haidian", "haidian", "changping", None],
        "is_idle": [True, False, True, True],
        "area_m2": [10_000.0, 20_000.0, 5_000.0, 2_000.0],
        "extra_floor_area_m2": [12_000.0, np.nan, 1_000.0, 0.0],
        "efficiency_class": ["A", "D", None, "D"],
        "inefficiency_kind": ["underused", "below_standard", None, "below_standard"],
        "priority_score": [60.0, 40.0, 30.0, 10.0],
    }
)


def test_rows_per_park_outside_and_total() -> None:
    summary = park_summary(PLOTS).set_index("park_id")
    assert summary.index.tolist() == ["changping", "haidian", OUTSIDE, TOTAL]
    haidian = summary.loc["haidian"]
    assert haidian["plots"] == 2
    assert haidian["idle_plots"] == 1
    assert haidian["idle_area_ha"] == pytest.approx(1.0)
    assert haidian["idle_area_mu"] == pytest.approx(15.0)
    assert haidian["extra_floor_area_m2"] == pytest.approx(12_000)
    assert (haidian["class_A"], haidian["class_D"], haidian["class_none"]) == (1, 1, 0)
    assert haidian["kind_underused"] == 1
    assert haidian["mean_priority"] == pytest.approx(50)
    assert summary.loc[OUTSIDE, "kind_below_standard"] == 1
    assert summary.loc[TOTAL, "mean_priority"] == pytest.approx(35)


def test_total_is_the_sum_of_the_rows() -> None:
    summary = park_summary(PLOTS).set_index("park_id")
    rows, total = summary.drop(index=TOTAL), summary.loc[TOTAL]
    for column in summary.columns.drop("mean_priority"):
        assert total[column] == pytest.approx(rows[column].sum()), column
    assert summary["plots"].dtype == np.int64


def test_with_the_parks_layer_every_park_gets_a_named_row() -> None:
    parks = pd.DataFrame(
        {
            "park_id": ["haidian", "changping", "miyun"],
            "name_zh": ["海淀园", "昌平园", "密云园"],
            "name_en": ["H", "C", "M"],
        }
    )
    summary = park_summary(PLOTS, parks=parks)
    assert summary["park_id"].tolist() == ["haidian", "changping", "miyun", OUTSIDE, TOTAL]
    assert summary["name_zh"].tolist() == ["海淀园", "昌平园", "密云园", "", ""]
    assert summary.set_index("park_id").loc["miyun", "plots"] == 0
    assert np.isnan(summary.set_index("park_id").loc["miyun", "mean_priority"])


def test_summary_of_plots_without_analysis_columns() -> None:
    summary = park_summary(PLOTS[["analysis_park_id", "area_m2"]]).set_index("park_id")
    assert summary.loc[TOTAL, "plots"] == 4
    assert summary.loc[TOTAL, "idle_plots"] == 0
    assert summary.loc[TOTAL, "class_none"] == 4
    assert summary["mean_priority"].isna().all()
