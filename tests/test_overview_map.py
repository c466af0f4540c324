"""The overview map holds every layer, draws nothing from the internet and escapes attribute text."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest

from zgc_geo.errors import OptionError
from zgc_geo.mapping import style
from zgc_geo.mapping.html_text import detail_html, text
from zgc_geo.mapping.overview_map import build_overview_map
from zgc_geo.mapping.web_assets import use_local_assets
from zgc_geo.plan_data import PlanData

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def _html(plan: PlanData, **kwargs: str) -> str:
    """The rendered page with JSON \\uXXXX escapes decoded, as the browser will see the strings.

    folium embeds feature properties with ``tojson``, which writes ``<`` as ``\\u003c``;
    decoding them makes an unescaped tag in our tooltip HTML visible to the asserts.
    """
    m = build_overview_map(plan, **kwargs)
    use_local_assets(m)
    rendered = m.get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda match: chr(int(match.group(1), 16)), rendered)


def test_map_carries_every_plan_layer(plan: PlanData) -> None:
    html = _html(plan)
    for css_class in (
        style.PARK_CLASS,
        style.FEATURE_PARK_CLASS,
        style.COOP_ZONE_CLASS,
        style.DISTRICT_CLASS,
        style.REGION_CLASS,
        style.FUSION_CLASS,
    ):
        assert css_class in html
    for park in plan.parks.itertuples():
        assert park.name_zh in html and park.name_en in html
    assert "L.control.layers" in html
    assert style.LEGEND_CLASS in html


def test_offline_by_default_no_remote_scripts_styles_or_tiles(plan: PlanData) -> None:
    html = _html(plan)
    remote = re.findall(r"""(?:src|href)\s*=\s*["'](https?://[^"']+)""", html)
    assert remote == []
    assert "tile.openstreetmap.org" not in html
    assert "/app/static/node_modules/leaflet/dist/leaflet.js" in html


def test_online_basemap_only_when_asked(plan: PlanData) -> None:
    assert "tile.openstreetmap.org" in _html(plan, basemap="osm")
    with pytest.raises(OptionError, match=r"unknown basemap 'baidu'; valid: none, osm, carto_light, amap"):
        build_overview_map(plan, basemap="baidu")  # BD-09 tiles are never offered


def test_attribute_text_is_escaped_in_tooltips(plan: PlanData) -> None:
    parks = plan.parks.copy()
    parks.loc[0, "name_en"] = HOSTILE
    places = plan.feature_parks.copy()
    places.loc[places.index[0], "location_note"] = HOSTILE
    html = _html(dataclasses.replace(plan, parks=parks, feature_parks=places))
    assert "<script>alert(2)" not in html
    assert 'onerror="alert(1)"' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        (float("nan"), "—"),
        (pd.NA, "—"),
        ("", "—"),
        (["a", "<b>"], "a、&lt;b&gt;"),
        ("x&y", "x&amp;y"),
        (3.5, "3.5"),
    ],
)
def test_text_escapes_and_marks_missing_values(value: object, expected: str) -> None:
    assert text(value) == expected


def test_detail_html_escapes_labels_and_values() -> None:
    html = detail_html("<i>", "x", [("<th>", "</td><script>")])
    assert "<script>" not in html and "&lt;/td&gt;&lt;script&gt;" in html and "&lt;th&gt;" in html
