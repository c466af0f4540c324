"""An analysis carried over to the same plots with columns it only passes through equals a fresh one."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from zgc_geo.catalogue import layer_spec
from zgc_geo.importing.pipeline import ImportOptions, import_file
from zgc_geo.plan_data import PlanData, plan_from_catalogue
from zgc_geo.stock.analysis import StockAnalysis, analyse_stock
from zgc_geo.stock.passthrough import with_passed_columns

DEMO = layer_spec("demo_stock_inventory").path


@pytest.fixture(scope="module")
def plan() -> PlanData:
    return plan_from_catalogue()


@pytest.fixture(scope="module")
def imported() -> gpd.GeoDataFrame:
    result = import_file(DEMO, ImportOptions(kind="plots"))
    assert result.frame is not None
    return result.frame


def _analysed(frame: gpd.GeoDataFrame, plan: PlanData) -> StockAnalysis:
    return analyse_stock(frame, plan, reference_year=2026)


def _with_reviews(plots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The plots as a workspace gives them back: review columns added before the geometry."""
    geometry = plots.geometry
    frame = pd.DataFrame(plots.drop(columns=geometry.name), copy=False)
    frame["review_status"] = pd.array(["deferred"] + ["pending"] * (len(frame) - 1), dtype="string")
    frame["decision_version"] = np.arange(len(frame), dtype="int64") % 3
    return gpd.GeoDataFrame(frame, geometry=geometry)


def test_carried_over_it_equals_the_analysis_of_the_larger_frame(
    imported: gpd.GeoDataFrame, plan: PlanData
) -> None:
    stored = _with_reviews(imported)
    carried = with_passed_columns(_analysed(imported, plan), imported, stored)
    assert carried is not None
    fresh = _analysed(stored, plan)
    pd.testing.assert_frame_equal(carried.plots, fresh.plots, check_exact=True)
    pd.testing.assert_frame_equal(carried.summary, fresh.summary, check_exact=True)
    pd.testing.assert_frame_equal(carried.parameters, fresh.parameters, check_exact=True)
    assert list(carried.plots.columns[: len(stored.columns)]) == list(stored.columns)


def test_it_is_not_carried_over_when_the_frames_may_differ(
    imported: gpd.GeoDataFrame, plan: PlanData
) -> None:
    analysis = _analysed(imported, plan)
    stored = _with_reviews(imported)
    assert with_passed_columns(analysis, imported, stored) is not None

    assert imported["far_current"].dtype == np.float64
    negative_zero, zero = imported.copy(), stored.copy()
    negative_zero.loc[0, "far_current"], zero.loc[0, "far_current"] = -0.0, 0.0
    assert with_passed_columns(analysis, negative_zero, zero) is None  # equal, but not bit for bit

    copied = stored.set_geometry(gpd.GeoSeries.from_wkb(stored.geometry.to_wkb(), crs=stored.crs))
    assert with_passed_columns(analysis, imported, copied) is None  # equal outlines, other objects
    assert with_passed_columns(analysis, imported, stored.assign(owner="someone else")) is None
    assert with_passed_columns(analysis, imported, stored.assign(status="闲置")) is None  # a field it reads
    assert with_passed_columns(analysis, imported, stored.assign(priority_score=1.0)) is None  # its own
    assert with_passed_columns(analysis, imported, stored.drop(columns="owner")) is None
    assert with_passed_columns(analysis, imported, stored.set_axis(stored.index + 1)) is None
    assert with_passed_columns(analysis, imported, stored.iloc[1:]) is None
