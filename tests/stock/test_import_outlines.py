"""The stock analysis reuses the outlines the import checks measured: the same results as measuring again."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
import shapely.affinity

from zgc_geo.catalogue import layer_spec
from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.importing.pipeline import ImportOptions, import_file
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
