"""The labels of parks and districts, built the same way for every map that shows them.

Each label is pinned where it reads best (a park at its largest part, a district at a point
inside it) and carries the priority :mod:`zgc_geo.mapping.label_placement` resolves collisions
with: parks over districts.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd

from zgc_geo.i18n import pick
from zgc_geo.mapping.html_text import text
from zgc_geo.mapping.label_placement import DISTRICT_PRIORITY, PARK_PRIORITY, MapLabel
from zgc_geo.mapping.park_labels import label_points

PARK_LABEL_CLASS: Final = "zgc-label"
DISTRICT_LABEL_CLASS: Final = "zgc-district-label"
#: Font sizes of the two label styles in :data:`zgc_geo.mapping.style.MAP_CSS`.
PARK_FONT_PX: Final = 12.0
DISTRICT_FONT_PX: Final = 11.0


def park_labels_for(parks: gpd.GeoDataFrame, lang: str) -> list[MapLabel]:
    """One label per park in ``lang`` (geometry in the display datum, EPSG:4326)."""
    labels = []
    for park, point in zip(parks.itertuples(), label_points(parks), strict=True):
        name = str(pick(lang, park.name_zh, park.name_en))
        labels.append(
            MapLabel(
                lat=float(point.y),
                lon=float(point.x),
                html=f"<b>{text(name)}</b>",
                text=name,
                css_class=PARK_LABEL_CLASS,
                priority=PARK_PRIORITY,
                font_px=PARK_FONT_PX,
            )
        )
    return labels


def district_labels_for(districts: gpd.GeoDataFrame, lang: str) -> list[MapLabel]:
    """One label per district in ``lang``, below every park label in priority."""
    points = districts.geometry.to_crs(3857).representative_point().to_crs(4326)
    labels = []
    for row, point in zip(districts.itertuples(), points, strict=True):
        name = str(pick(lang, row.name_zh, row.name_en))
        labels.append(
            MapLabel(
                lat=float(point.y),
                lon=float(point.x),
                html=text(name),
                text=name,
                css_class=DISTRICT_LABEL_CLASS,
                priority=DISTRICT_PRIORITY,
                font_px=DISTRICT_FONT_PX,
            )
        )
    return labels
