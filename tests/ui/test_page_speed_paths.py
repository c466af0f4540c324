"""The pages' faster paths (#14) give what the plain computations give: cached coverage, empty plot layer."""

from __future__ import annotations

from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from zgc_geo.coverage.spatial import park_coverage, reach, uncovered, what_if
from zgc_geo.mapping.print_layout import PrintView
from zgc_geo.mapping.stock_map import plots_layer
from zgc_geo.plan_data import plan_from_catalogue
from zgc_geo.ui import coverage_cache
from zgc_geo.ui.map_export import Choices, _moved_on


@pytest.fixture(autouse=True)
def private_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", str(tmp_path / "ws.gpkg"))


@pytest.mark.parametrize("sites", [(), ((116.17, 39.744),), ((116.17, 39.744), (116.3, 39.98))])
def test_cached_coverage_is_the_plain_coverage(sites: tuple[tuple[float, float], ...]) -> None:
    plan = plan_from_catalogue()
    reach_frame, gaps = coverage_cache.reach_and_gaps(plan, "bio_health", 3000.0, sites)
    extra = list(sites) or None
    area = reach(plan, "bio_health", 3000.0, extra_sites=extra)
    assert reach_frame.crs.to_epsg() == 4326
    assert shapely.equals_exact(
        reach_frame.geometry.iloc[0], gpd.GeoSeries([area], crs=4548).to_crs(4326).iloc[0], 0.0
    )
    pd.testing.assert_frame_equal(gaps, uncovered(plan, "bio_health", 3000.0, extra_sites=extra))
    # Asked twice (the second from the cache): the same table as computed directly.
    for _ in range(2):
        table = coverage_cache.coverage_of(
            plan, "bio_health", 3000.0, sites=sites, inventory="", imported_at=""
        )
        plain = (
            what_if(plan, "bio_health", 3000.0, list(sites))
            if sites
            else park_coverage(plan, "bio_health", 3000.0)
        )
        pd.testing.assert_frame_equal(table, plain)


def test_a_view_with_no_plot_draws_an_empty_layer() -> None:
    """Panned off every plot: the layer is empty, and the map still renders (no tooltip of no field)."""
    empty = gpd.GeoDataFrame(
        {"plot_id": pd.Series([], dtype=object), "priority_score": pd.Series([], dtype=float)},
        geometry=gpd.GeoSeries([], crs=4326),
    )
    m = folium.Map()
    plots_layer(empty, colour_by="priority", selected=None, tooltip_of={}).add_to(m)
    assert "geo_json_" in m.get_root().render()  # the (empty) GeoJSON layer is on the map


def test_a_file_made_from_a_click_follows_only_the_view_the_map_reports_next() -> None:
    """The map panned on (inertia) after the click: remade once; anything else is left stale, as before."""
    before = Choices(
        ".html",
        "A4",
        "landscape",
        200,
        "标题",
        "",
        "zh",
        "view",
        PrintView(bounds=(39.6, 115.6, 40.5, 117.4)),
    )
    after = before._replace(view=PrintView(bounds=(39.5, 116.2, 40.4, 118.0)))
    prepared = (before, "zgc-geo_stock_标题.html", b"<html>", "text/html")
    assert _moved_on(prepared, before, after)  # the late report of the drag the click interrupted
    assert not _moved_on(prepared, None, after)  # a later run had seen the file's view: stale
    assert not _moved_on(prepared, before, before)  # nothing moved
    assert not _moved_on(prepared, before, after._replace(fmt=".pdf"))  # another choice changed too
    assert not _moved_on(None, before, after)  # no file
