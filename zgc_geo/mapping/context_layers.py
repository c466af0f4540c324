"""Context layers drawn under every working map: district outlines and the 16 parks."""

from __future__ import annotations

from typing import Final

import folium
import geopandas as gpd

from zgc_geo.i18n import DEFAULT_LANG, translate
from zgc_geo.mapping import style
from zgc_geo.mapping.display_datum import to_display

#: Stable names of the two GeoJSON layers, by which callers and tests find them. They are not
#: shown: each sits in a group named in the map's language, which is what the layer control lists.
DISTRICTS_LAYER: Final = "北京市行政区 Districts"
PARKS_LAYER: Final = "十六分园 Parks"


def add_context_layers(
    m: folium.Map,
    parks: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    park_opacity: float = 0.1,
    datum: str = "wgs84",
    lang: str = DEFAULT_LANG,
) -> None:
    """District outlines and lightly filled parks, geometry only (no attributes leave the server).

    ``datum`` is the basemap's (see :func:`~zgc_geo.mapping.basemaps.basemap_datum`); ``lang``
    the language of the layer names.
    """
    districts_group = folium.FeatureGroup(name=translate("map.layer.beijing_districts", lang))
    folium.GeoJson(
        to_display(districts[["geometry"]], datum).__geo_interface__,
        name=DISTRICTS_LAYER,
        control=False,
        style_function=lambda _f: {
            "fill": False,
            "color": style.DISTRICT_LINE,
            "weight": 1,
            "className": style.DISTRICT_CLASS,
        },
    ).add_to(districts_group)
    districts_group.add_to(m)
    parks_group = folium.FeatureGroup(name=translate("map.layer.parks_16", lang))
    folium.GeoJson(
        to_display(parks[["geometry"]], datum).__geo_interface__,
        name=PARKS_LAYER,
        control=False,
        style_function=lambda _f: {
            "fillColor": style.PARK_FILL,
            "fillOpacity": park_opacity,
            "color": style.PARK_FILL,
            "weight": 1.2,
            "className": style.PARK_CLASS,
        },
    ).add_to(parks_group)
    parks_group.add_to(m)
