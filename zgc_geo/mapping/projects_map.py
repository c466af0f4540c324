"""The map of screened projects: each site coloured by its verdict over districts, parks and the
catalogue's drawn zones (the sub-centre, the mountain parts of 昌平 and 房山)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import folium
import geopandas as gpd

from zgc_geo.i18n import DEFAULT_LANG, translate
from zgc_geo.mapping.basemaps import NO_BASEMAP, add_basemap, basemap_datum
from zgc_geo.mapping.context_layers import add_context_layers
from zgc_geo.mapping.display_datum import bounds_to_display, point_to_display, to_display
from zgc_geo.mapping.html_text import legend_html, swatch
from zgc_geo.mapping.map_controls import Legend, MetricScale, add_map_css
from zgc_geo.projects.output import VERDICT_KEYS

#: Verdict colours (ColorBrewer RdYlGn ends, print-safe); a site not screened is grey.
VERDICT_COLOURS: Final = {"prohibited": "#d7191c", "restricted": "#fdae61", "allowed": "#1a9641"}
UNSCREENED_COLOUR: Final = "#9e9e9e"
SITE_CLASS: Final = "zgc-project-site"
ZONE_CLASS: Final = "zgc-catalogue-zone"
ZONE_COLOUR: Final = "#6a3d9a"


def verdict_legend(lang: str) -> list[tuple[str, str]]:
    """(colour, label) of each verdict and of a site not screened, for :func:`build_projects_map`."""
    entries = [(c, translate(VERDICT_KEYS[v], lang)) for v, c in VERDICT_COLOURS.items()]
    return [*entries, (UNSCREENED_COLOUR, translate("projects.map.unscreened", lang))]


def verdict_colour(verdict: str | None) -> str:
    """A site's colour by its verdict (grey when not screened)."""
    return VERDICT_COLOURS.get(verdict or "", UNSCREENED_COLOUR)


def build_projects_map(
    parks: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    sites: Sequence[tuple[float, float, str, str]],
    *,
    legend: Sequence[tuple[str, str]],
    legend_title: str,
    basemap: str = NO_BASEMAP,
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """The map; ``sites`` are (lon, lat, fill colour, tooltip HTML already escaped) in WGS84, ``legend``
    the (colour, label) of each colour used, under ``legend_title``."""
    datum = basemap_datum(basemap)
    m = folium.Map(tiles=None, control_scale=False, zoom_snap=0.25)
    add_map_css(m, lang)
    add_basemap(m, basemap)
    add_context_layers(m, parks, districts, park_opacity=0.06, datum=datum, lang=lang)
    zone_group = folium.FeatureGroup(name=translate("projects.map.zones", lang))
    folium.GeoJson(
        to_display(zones[["geometry"]], datum).__geo_interface__,
        style_function=lambda _f: {
            "fill": False, "color": ZONE_COLOUR, "weight": 2, "dashArray": "6 4", "className": ZONE_CLASS,
        },
    ).add_to(zone_group)  # fmt: skip
    zone_group.add_to(m)
    site_group = folium.FeatureGroup(name=translate("projects.map.sites", lang))
    for lon, lat, colour, tooltip in sites:
        shown_lat, shown_lon = point_to_display(lat, lon, datum)
        folium.CircleMarker(
            location=(shown_lat, shown_lon),
            radius=8,
            color="#222222",
            weight=1,
            fill=True,
            fill_color=colour,
            fill_opacity=0.9,
            tooltip=folium.Tooltip(tooltip),
            class_name=SITE_CLASS,
        ).add_to(site_group)
    site_group.add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    MetricScale().add_to(m)
    Legend(_legend(legend, legend_title, lang)).add_to(m)
    frame = (
        parks
        if not sites
        else gpd.GeoDataFrame(
            geometry=gpd.points_from_xy(*zip(*[s[:2] for s in sites], strict=True)), crs=4326
        )
    )
    minx, miny, maxx, maxy = frame.total_bounds
    pad = 0.02
    m.fit_bounds(
        bounds_to_display(
            [[float(miny) - pad, float(minx) - pad], [float(maxy) + pad, float(maxx) + pad]], datum
        )
    )
    return m


def _legend(colours: Sequence[tuple[str, str]], title: str, lang: str) -> str:
    entries = [(swatch(c, "#222222", round_=True), label) for c, label in colours]
    entries.append((swatch("transparent", ZONE_COLOUR, dashed=True), translate("projects.map.zones", lang)))
    return legend_html(title, entries)
