"""The league map: every park filled by its class of a measure, with an escaped tooltip of its value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import folium
import geopandas as gpd
import pandas as pd

from zgc_geo.i18n import DEFAULT_LANG, translate
from zgc_geo.mapping.basemaps import NO_BASEMAP, add_basemap, basemap_datum
from zgc_geo.mapping.display_datum import bounds_to_display, to_display
from zgc_geo.mapping.html_text import detail_html, legend_html, swatch
from zgc_geo.mapping.map_controls import Legend, MetricScale, add_map_css
from zgc_geo.monitoring.league import classes

#: Five classes, low to high (ColorBrewer YlGnBu, print-safe); a park without a value is grey.
PALETTE: Final = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_VALUE: Final = "#d9d9d9"
PARK_CLASS: Final = "zgc-league-park"


def build_league_map(
    parks: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    values: pd.Series,
    names: Mapping[str, str],
    *,
    title: str,
    basemap: str = NO_BASEMAP,
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """Parks filled by ``values`` (by park_id; five equal-count classes), districts outlined, a legend
    titled ``title``; ``names`` are the parks' names in ``lang``."""
    datum = basemap_datum(basemap)
    found = classes(values)
    m = folium.Map(tiles=None, control_scale=False, zoom_snap=0.25)
    add_map_css(m, lang)
    add_basemap(m, basemap)
    folium.GeoJson(
        to_display(districts[["geometry"]], datum).__geo_interface__,
        style_function=lambda _f: {"fill": False, "color": "#8A8A8A", "weight": 1},
    ).add_to(m)
    shown = to_display(parks[["park_id", "geometry"]], datum)
    group = folium.FeatureGroup(name=title)
    for park_id, geometry in zip(shown["park_id"], shown.geometry, strict=True):
        value, level = values.get(park_id), found.get(park_id)
        fill = NO_VALUE if level is None or pd.isna(level) else PALETTE[int(level)]
        text = translate("league.no_value", lang) if value is None or pd.isna(value) else f"{value:,.2f}"
        folium.GeoJson(
            geometry.__geo_interface__,
            style_function=lambda _f, fill=fill: {
                "fillColor": fill, "fillOpacity": 0.85, "color": "#333333", "weight": 1,
                "className": PARK_CLASS,
            },
            tooltip=folium.Tooltip(detail_html(names.get(park_id, park_id), title, [(title, text)])),
        ).add_to(group)  # fmt: skip
    group.add_to(m)
    MetricScale().add_to(m)
    Legend(_legend(values, found, title, lang)).add_to(m)
    minx, miny, maxx, maxy = parks.total_bounds
    m.fit_bounds(bounds_to_display([[float(miny), float(minx)], [float(maxy), float(maxx)]], datum))
    return m


def _legend(values: pd.Series, found: pd.Series, title: str, lang: str) -> str:
    entries = []
    for level, colour in enumerate(PALETTE):
        members = values[found == level]
        if len(members):
            entries.append((swatch(colour, "#333333"), f"{members.min():,.2f} – {members.max():,.2f}"))
    entries.append((swatch(NO_VALUE, "#333333"), translate("league.no_value", lang)))
    return legend_html(title, entries)
