"""The stock analysis reuses the outlines the import checks measured: the same results as measuring again."""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.affinity

from zgc_geo.catalogue import layer_spec
from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.importing.pipeline import ImportOptions, ImportResult, import_file
from zgc_geo.placement import Placed, first_parks
from zgc_geo.plan_data import plan_from_catalogue
from zgc_geo.stock.analysis import analyse_stock
from zgc_geo.stock.metrics import metric_geometries

DEMO = layer_spec("demo_stock_inventory").path


def _imported() -> tuple[gpd.GeoDataFrame, gpd.GeoSeries]:
    result = import_file(DEMO, ImportOptions(kind="plots"))
    assert result.frame is not None and result.outlines is not None
    return result.frame, result.outlines


def _same(a: object, b: object) -> bool:
    return bool(shapely.equals_exact(a, b, tolerance=0).all())


def test_the_import_gives_the_outlines_the_analysis_would_measure() -> None:
    plots, outlines = _imported()
    assert outlines.index.equals(plots.index)
    assert _same(outlines.to_numpy(), metric_geometries(plots))


def test_an_analysis_with_the_imported_outlines_equals_one_without() -> None:
    plots, outlines = _imported()
    plan = plan_from_catalogue()
    reused = analyse_stock(plots, plan, reference_year=2026, outlines=outlines).plots
    measured = analyse_stock(plots, plan, reference_year=2026).plots
    pd.testing.assert_frame_equal(reused, measured)


def test_outlines_are_used_only_for_the_same_rows_in_metres() -> None:
    plots, outlines = _imported()
    fewer = plots.iloc[::2]
    assert _same(metric_geometries(fewer, outlines), metric_geometries(fewer))
    shifted = gpd.GeoSeries(shapely.affinity.translate(outlines.iloc[0], 100.0), crs=ANALYSIS_CRS)
    moved = outlines.copy()
    moved.iloc[0] = shifted.iloc[0]
    assert not shapely.equals_exact(metric_geometries(plots, moved)[0], metric_geometries(plots)[0])
    in_degrees = outlines.to_crs("EPSG:4326")
    assert _same(metric_geometries(plots, in_degrees), metric_geometries(plots))


def _imported_without_parks() -> tuple[gpd.GeoDataFrame, gpd.GeoSeries, Placed]:
    """The demo imported from a copy naming no park, so the import places every plot."""
    demo = gpd.read_file(DEMO)
    unnamed = demo.drop(columns=[c for c in demo.columns if "park" in c.lower() or "园区" in c])
    result = import_file_frame(unnamed)
    assert result.frame is not None and result.outlines is not None and result.placed is not None
    assert len(result.placed.rows) == len(result.frame)
    return result.frame, result.outlines, result.placed


def import_file_frame(frame: gpd.GeoDataFrame) -> ImportResult:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "unnamed.gpkg"
        frame.to_file(path)
        return import_file(path, ImportOptions(kind="plots"))


def test_an_analysis_taking_the_import_s_parks_equals_one_placing_again() -> None:
    plots, outlines, placed = _imported_without_parks()
    plan = plan_from_catalogue()
    taken = analyse_stock(plots, plan, reference_year=2026, outlines=outlines, placed=placed).plots
    again = analyse_stock(plots, plan, reference_year=2026).plots
    pd.testing.assert_frame_equal(taken, again)
    assert taken["located_park_id"].notna().sum() > 10  # the demo's plots lie in parks


def test_placed_plots_are_taken_only_in_the_parks_they_were_placed_in() -> None:
    _plots, outlines, placed = _imported_without_parks()
    parks = plan_from_catalogue().parks.to_crs(ANALYSIS_CRS)
    geoms, ids = parks.geometry.to_numpy(), parks["park_id"].to_numpy(dtype=object)
    fresh = first_parks(outlines.to_numpy(), geoms, ids)
    wrong = Placed(placed.rows, np.full(len(placed.rows), "nowhere", dtype=object), placed.parks)
    assert (first_parks(outlines.to_numpy(), geoms, ids, placed=wrong) == "nowhere").all()  # taken as found
    other_parks = shapely.affinity.translate(geoms[0], 1.0)
    moved = np.array([other_parks, *geoms[1:]], dtype=object)
    assert list(first_parks(outlines.to_numpy(), moved, ids, placed=wrong)) == list(
        first_parks(outlines.to_numpy(), moved, ids)
    )  # other parks: placed again, the import's answers ignored
    half = Placed(placed.rows[::2], placed.park_ids[::2], placed.parks)
    assert list(first_parks(outlines.to_numpy(), geoms, ids, placed=half)) == list(fresh)
