"""The import preview: imported features over the parks, with a legend that says what is drawn."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from tests.map_page import legend_html
from zgc_geo.mapping import preview_map
from zgc_geo.mapping.preview_map import IMPORT_CLASS, build_preview_map
from zgc_geo.plan_data import PlanData


def _plots(count: int) -> gpd.GeoDataFrame:
    """``count`` 50 m squares in a row across Haidian, plus one empty geometry that cannot be drawn."""
    xs = 116.30 + np.arange(count) * 0.001
    squares = shapely.box(xs, 39.98, xs + 0.0005, 39.9805)
    return gpd.GeoDataFrame(
        {"name": [f"<b>地块{i}</b>" for i in range(count + 1)]},
        geometry=[*squares, shapely.Polygon()],
        crs=4326,
    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["Import preview", "Imported features (12)", "District boundary"]),
        ("zh", ["导入要素（12 个）"]),
    ],
)
def test_the_legend_counts_the_drawable_features(plan: PlanData, lang: str, expected: list[str]) -> None:
    m = build_preview_map(_plots(12), plan.parks, plan.districts, lang=lang)
    page = m.get_root().render()
    legend = legend_html(page)
    for words in expected:
        assert words in legend
    assert IMPORT_CLASS in page
    assert "<b>地块0</b>" not in page  # the imported name is escaped in its tooltip


def test_a_sampled_preview_says_how_many_it_shows(plan: PlanData, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(preview_map, "MAX_PREVIEW_FEATURES", 5)
    m = build_preview_map(_plots(12), plan.parks, plan.districts, lang="en")
    found = re.search(r"Imported features \((\d+) shown of 12\)", legend_html(m.get_root().render()))
    assert found and 0 < int(found.group(1)) <= 5
