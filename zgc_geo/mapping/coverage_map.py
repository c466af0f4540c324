"""Cluster coverage on a map: core parks highlighted, feature parks, reach, gaps and proposed sites."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import folium
import geopandas as gpd
import pandas as pd

from zgc_geo.i18n import DEFAULT_LANG, pick, translate
from zgc_geo.mapping import style
from zgc_geo.mapping.accuracy_text import accuracy_text
from zgc_geo.mapping.basemaps import NO_BASEMAP, add_basemap, basemap_datum
from zgc_geo.mapping.display_datum import plan_to_display, point_to_display, to_display
from zgc_geo.mapping.html_text import legend_html, names_detail, names_heading, swatch
from zgc_geo.mapping.label_placement import add_placed_labels
from zgc_geo.mapping.map_controls import Legend, MetricScale, add_map_css
from zgc_geo.mapping.plan_labels import park_labels_for
from zgc_geo.plan_data import PlanData

REACH_CLASS: Final = "zgc-reach"
GAP_CLASS: Final = "zgc-gap"
SITE_CLASS: Final = "zgc-proposed-site"
CELL_PLACE_CLASS: Final = "zgc-cell-place"
GAP_COLOUR: Final = "#d7301f"
#: Fill opacities. A gap is by definition part of a core/focus park, so it always lies on that
#: park's dark fill: it is drawn nearly opaque to read as red there, not as a murky dark red.
CORE_OPACITY: Final = 0.5
OTHER_OPACITY: Final = 0.2
REACH_OPACITY: Final = 0.18
GAP_OPACITY: Final = 0.8
OTHER_PARK_FILL: Final = "#c9d3df"
#: The map's background without a basemap (``.leaflet-container`` in MAP_CSS).
MAP_BACKGROUND: Final = "#f4f6f8"


def build_coverage_map(
    plan: PlanData,
    cluster_id: str,
    *,
    highlight: Sequence[str] = (),
    basemap: str = NO_BASEMAP,
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """The static part of a cluster's coverage map: core/focus parks strong, others faded, feature parks.

    ``highlight`` place ids are drawn larger (the places behind a clicked matrix cell). What
    changes with the radius and the what-if sites comes from :func:`coverage_layer`, which the
    page swaps in place so the map keeps its view. Text is in ``lang``.
    """
    cluster = plan.clusters.set_index("cluster_id").loc[cluster_id]
    colour = style.cluster_colour(cluster_id)
    plan = plan_to_display(plan, basemap_datum(basemap))
    m = folium.Map(tiles=None, control_scale=False, zoom_snap=0.25)
    add_map_css(m, lang)
    add_basemap(m, basemap)
    folium.GeoJson(
        plan.districts[["geometry"]].__geo_interface__,
        name=translate("map.layer.beijing_districts", lang),
        style_function=lambda _f: {"fill": False, "color": style.DISTRICT_LINE, "weight": 1},
    ).add_to(m)
    core = set(cluster["core_park_ids"])
    parks = plan.parks.assign(core=plan.parks["park_id"].isin(core))
    tips = [names_heading(lang, p.name_zh, p.name_en) for p in parks.itertuples()]
    folium.GeoJson(
        gpd.GeoDataFrame(
            {"tooltip": tips, "core": parks["core"].to_numpy()},
            geometry=parks.geometry.to_numpy(),
            crs=parks.crs,
        ).__geo_interface__,
        name=translate("map.layer.parks_core_strong", lang),
        style_function=lambda f: {
            "fillColor": style.CORE_PARK_FILL if f["properties"]["core"] else OTHER_PARK_FILL,
            "fillOpacity": CORE_OPACITY if f["properties"]["core"] else OTHER_OPACITY,
            "color": "#102a43" if f["properties"]["core"] else "#9aa5b1",
            "weight": 1.5 if f["properties"]["core"] else 0.8,
            "className": style.PARK_CLASS,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
    ).add_to(m)
    _places(plan, cluster_id, colour, set(highlight), lang).add_to(m)
    labels = folium.FeatureGroup(name=translate("map.layer.park_labels", lang), show=True).add_to(m)
    add_placed_labels([(labels, label) for label in park_labels_for(plan.parks, lang)], m)
    folium.LayerControl(collapsed=True).add_to(m)
    MetricScale().add_to(m)
    Legend(_legend(cluster, colour, lang)).add_to(m)
    minx, miny, maxx, maxy = plan.parks.total_bounds
    m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
    return m


def coverage_layer(
    cluster_id: str,
    *,
    reach: gpd.GeoDataFrame,
    gaps: gpd.GeoDataFrame,
    sites: Sequence[tuple[float, float]] = (),
    basemap: str = NO_BASEMAP,
    lang: str = DEFAULT_LANG,
) -> folium.FeatureGroup:
    """What the radius and the proposed sites change: the reach, the gaps and the sites themselves.

    ``reach`` and ``gaps`` are EPSG:4326 polygons from :mod:`zgc_geo.coverage.spatial`;
    ``sites`` are (lon, lat) pairs; names and tooltips are in ``lang``.
    """
    colour = style.cluster_colour(cluster_id)
    datum = basemap_datum(basemap)
    reach, gaps = to_display(reach, datum), to_display(gaps, datum)
    group = folium.FeatureGroup(name=translate("map.layer.coverage", lang))
    _polygons(reach, translate("map.layer.within_reach", lang), colour, REACH_CLASS, REACH_OPACITY).add_to(
        group
    )
    _polygons(gaps, translate("map.layer.gaps", lang), GAP_COLOUR, GAP_CLASS, GAP_OPACITY).add_to(group)
    for number, (lon, lat) in enumerate(sites, start=1):
        folium.CircleMarker(
            list(point_to_display(lat, lon, datum)),
            radius=9,
            color="#000000",
            weight=3,
            fill=True,
            fill_color="#ffd400",
            fill_opacity=1.0,
            tooltip=translate("map.proposed_site", lang, number=number, lon=lon, lat=lat),
            className=SITE_CLASS,
        ).add_to(group)
    return group


def _polygons(frame: gpd.GeoDataFrame, name: str, colour: str, css: str, opacity: float) -> folium.GeoJson:
    data = gpd.GeoDataFrame(geometry=frame.geometry.to_numpy(), crs=frame.crs)
    return folium.GeoJson(
        data.__geo_interface__,
        name=name,
        style_function=lambda _f: {
            "fillColor": colour,
            "fillOpacity": opacity,
            "color": colour,
            "weight": 1,
            "className": css,
        },
    )


def _places(plan: PlanData, cluster_id: str, colour: str, highlight: set[str], lang: str) -> folium.GeoJson:
    places = plan.feature_parks[[cluster_id in ids for ids in plan.feature_parks["cluster_ids"]]]
    park_names = {p.park_id: pick(lang, p.name_zh, p.name_en) for p in plan.parks.itertuples()}
    park, location = translate("map.row.park", lang), translate("map.row.location", lang)
    tips = [
        names_detail(
            lang,
            p.name_zh,
            p.name_en,
            [
                (park, park_names.get(p.park_id, p.park_id)),
                (location, accuracy_text(p.location_accuracy, lang)),
            ],
        )
        for p in places.itertuples()
    ]
    data = gpd.GeoDataFrame(
        {"tooltip": tips, "hit": places["place_id"].isin(highlight).to_numpy()},
        geometry=places.geometry.to_numpy(),
        crs=places.crs,
    )
    return folium.GeoJson(
        data.__geo_interface__,
        name=translate("map.layer.feature_parks", lang),
        marker=folium.CircleMarker(radius=6),
        style_function=lambda f: {
            "fill": True,
            "fillColor": colour,
            "fillOpacity": 0.95,
            "color": "#000000" if f["properties"]["hit"] else "#1b1b1b",
            "weight": 4 if f["properties"]["hit"] else 1,
            "radius": 10 if f["properties"]["hit"] else 6,
            "className": f"{style.FEATURE_PARK_CLASS} {CELL_PLACE_CLASS}"
            if f["properties"]["hit"]
            else style.FEATURE_PARK_CLASS,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
    )


def blend(top: str, alpha: float, bottom: str) -> str:
    """The opaque colour ``top`` at ``alpha`` makes over ``bottom`` (``#rrggbb``), as the browser draws it."""
    upper = [int(top[i : i + 2], 16) for i in (1, 3, 5)]
    lower = [int(bottom[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(
        f"{round(alpha * u + (1 - alpha) * b):02x}" for u, b in zip(upper, lower, strict=True)
    )


def legend_fills() -> dict[str, str]:
    """Each translucent area's colour as the map shows it, for a legend that matches it.

    A swatch in the legend sits on white; on the map the same fill sits on the background or,
    for a gap, on a core park. So the legend shows the composite, not the fill colour itself.
    """
    core = blend(style.CORE_PARK_FILL, CORE_OPACITY, MAP_BACKGROUND)
    return {
        "core": core,
        "other": blend(OTHER_PARK_FILL, OTHER_OPACITY, MAP_BACKGROUND),
        "gap": blend(GAP_COLOUR, GAP_OPACITY, core),
    }


def _legend(cluster: pd.Series, colour: str, lang: str) -> str:
    fills = legend_fills()
    return legend_html(
        str(pick(lang, cluster["short_zh"], cluster["short_en"])),
        [
            (
                swatch(fills["core"], "#102a43"),
                translate("map.legend.core_or_focus_park", lang),
            ),
            (swatch(fills["other"], "#9aa5b1"), translate("map.legend.other_park", lang)),
            (swatch(colour, "#1b1b1b", round_=True), translate("map.legend.feature_park", lang)),
            (
                swatch(blend(colour, REACH_OPACITY, MAP_BACKGROUND), colour),
                translate("map.layer.within_reach", lang),
            ),
            (swatch(fills["gap"], GAP_COLOUR), translate("map.legend.gap", lang)),
            (swatch("#ffd400", "#000", round_=True), translate("map.legend.proposed_site", lang)),
        ],
    )
