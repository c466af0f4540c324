"""The map component fed a shared base rendering (zgc_geo/ui/map_component.py): what it sends is what
streamlit-folium's ``st_folium`` would send for the same map and layer."""

from __future__ import annotations

import re

import folium
import shapely
import streamlit_folium

from zgc_geo.ui.map_component import layer_script, render_base


def _map() -> folium.Map:
    m = folium.Map(tiles=None, location=[39.98, 116.31], zoom_start=11)
    folium.GeoJson(shapely.box(116.3, 39.97, 116.32, 39.99).__geo_interface__, name="园区").add_to(m)
    m.fit_bounds([[39.9, 116.2], [40.1, 116.4]])
    return m


def _plots() -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="地块")
    folium.GeoJson(
        {
            "type": "Feature",
            "properties": {"plot_id": "demo-1"},
            "geometry": shapely.box(116.30, 39.98, 116.301, 39.981).__geo_interface__,
        },
    ).add_to(layer)
    return layer


def _same_shape(text: str) -> str:
    """``text`` with folium's random element ids taken out (two renderings differ only in those)."""
    return re.sub(r"_[0-9a-f]{32}", "_ID", text)


def test_the_base_is_rendered_as_st_folium_renders_it() -> None:
    base = render_base(_map())
    reference = _map()
    reference.render()
    html = streamlit_folium._get_html(reference)
    header = streamlit_folium._get_header(reference)
    script = streamlit_folium._get_map_string(reference)
    assert _same_shape(base.script) == _same_shape(script)
    assert _same_shape(base.header) == _same_shape(header)
    assert base.html == html
    assert "map_div" in base.script and base.map_id.startswith("map_")
    assert base.bounds["_southWest"]["lat"] is not None


def test_the_layer_is_added_to_the_components_map_not_to_the_stand_in() -> None:
    script = layer_script(_plots())
    reference_map = _map()
    reference = streamlit_folium._get_feature_group_string(_plots(), map=reference_map, idx=0)
    assert _same_shape(script) == _same_shape(reference)
    assert "map_div.addLayer(feature_group_feature_group_0)" in script
    assert "demo-1" in script
    assert not re.search(r"map_[0-9a-f]{32}", script)  # the stand-in map's own name never reaches the page
