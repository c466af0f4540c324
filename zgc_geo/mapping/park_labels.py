"""The parks' names as a layer a printed sheet can carry where the screen map goes without them.

The stock map leaves the park names out on screen (the plots are what it is about, and tooltips
name the park); a printed sheet has no tooltips, so its reader needs the names on the map.
"""

from __future__ import annotations

from typing import Final

import folium
import geopandas as gpd
import numpy as np
import shapely

from zgc_geo.i18n import DEFAULT_LANG, pick, translate
from zgc_geo.mapping.display_datum import to_display
from zgc_geo.mapping.html_text import text

#: The park-label style of :data:`zgc_geo.mapping.style.MAP_CSS`; print layouts find labels by it.
PARK_LABEL_CLASS: Final = "zgc-label"


def label_points(frame: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """A point inside each feature's largest part (EPSG:4326), so a MultiPolygon gets one label."""
    parts, index = shapely.get_parts(frame.geometry.to_crs(3857).to_numpy(), return_index=True)
    order = np.lexsort((-shapely.area(parts), index))  # largest part of each feature first (stable)
    first = order[np.unique(index[order], return_index=True)[1]]
    return gpd.GeoSeries(shapely.point_on_surface(parts[first]), crs=3857).to_crs(4326)


def park_labels_layer(
    parks: gpd.GeoDataFrame, *, lang: str = DEFAULT_LANG, datum: str = "wgs84"
) -> folium.FeatureGroup:
    """One name per park in ``lang``, in the basemap's ``datum`` (as the map's other layers)."""
    points = to_display(label_points(parks), datum)
    group = folium.FeatureGroup(name=translate("map.layer.park_labels", lang))
    for park, point in zip(parks.itertuples(), points, strict=True):
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=f"<b>{text(str(pick(lang, park.name_zh, park.name_en)))}</b>",
                class_name=PARK_LABEL_CLASS,
                icon_size=(140, 30),
                icon_anchor=(70, -6),
            ),
            interactive=False,
        ).add_to(group)
    return group
