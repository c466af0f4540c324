"""Context layers drawn under every working map: district outlines and the 16 parks."""

from __future__ import annotations

import folium
import geopandas as gpd

from zgc_geo.mapping import style
from zgc_geo.mapping.display_datum import to_display


def add_context_layers(
    m: folium.Map,
    parks: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    park_opacity: float = 0.1,
    datum: str = "wgs84",
) -> None:
    """District outlines and lightly filled parks, geometry only (no attributes leave the server).

    ``datum`` is the basemap's (see :func:`~zgc_geo.mapping.basemaps.basemap_datum`).
    """
    folium.GeoJson(
        to_display(districts[["geometry"]], datum).__geo_interface__,
        name="北京市行政区 Districts",
        style_function=lambda _f: {
            "fill": False,
            "color": style.DISTRICT_LINE,
            "weight": 1,
            "className": style.DISTRICT_CLASS,
        },
    ).add_to(m)
    folium.GeoJson(
        to_display(parks[["geometry"]], datum).__geo_interface__,
        name="十六分园 Parks",
        style_function=lambda _f: {
            "fillColor": style.PARK_FILL,
            "fillOpacity": park_opacity,
            "color": style.PARK_FILL,
            "weight": 1.2,
            "className": style.PARK_CLASS,
        },
    ).add_to(m)
