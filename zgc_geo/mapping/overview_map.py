"""The one-zone-many-parks overview map: parks, clusters' feature parks, cooperation zones, districts."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from zgc_geo.i18n import DEFAULT_LANG, pick, translate
from zgc_geo.mapping import style
from zgc_geo.mapping.basemaps import NO_BASEMAP, add_basemap, basemap_datum
from zgc_geo.mapping.display_datum import plan_to_display
from zgc_geo.mapping.html_text import names_detail, names_heading
from zgc_geo.mapping.label_placement import add_placed_labels
from zgc_geo.mapping.map_controls import Legend, MetricScale, add_map_css
from zgc_geo.mapping.overview_text import (
    feature_park_tooltips,
    legend_body,
    located_rows,
    park_rows,
    zone_group_text,
)
from zgc_geo.mapping.plan_labels import district_labels_for, park_labels_for
from zgc_geo.mapping.print_layout import drop_overlays, overlay_ids
from zgc_geo.plan_data import PlanData

PARK_TOOLTIP_ROWS = 5  # the popup shows everything; the hover tooltip only the essentials


def build_overview_map(plan: PlanData, basemap: str = NO_BASEMAP, *, lang: str = DEFAULT_LANG) -> folium.Map:
    """The plan on one map, drawable with no internet (no tiles unless ``basemap`` asks).

    Layers, bottom to top: Beijing–Tianjin–Hebei outlines, district outlines, the
    16 parks with labels, cooperation zones, military–civil fusion areas and one
    toggleable layer of feature parks per cluster. Every tooltip is built from
    escaped text (see :mod:`zgc_geo.mapping.html_text`). On a GCJ-02 basemap (Amap) every
    layer is drawn shifted to match it; figures such as areas come from the WGS84 plan.
    Labels, tooltips, layer names and the legend are in ``lang`` (``"zh"`` or ``"en"``);
    tooltips name each feature in the other language too, on a second line.
    """
    shown = plan_to_display(plan, basemap_datum(basemap))
    m = folium.Map(tiles=None, control_scale=False, prefer_canvas=False, zoom_snap=0.25)
    add_map_css(m, lang)
    add_basemap(m, basemap)
    _add_region(shown.region, lang).add_to(m)
    districts = _add_districts(shown.districts, lang).add_to(m)
    _add_parks(plan, shown.parks, lang).add_to(m)
    park_labels = folium.FeatureGroup(name=translate("map.layer.park_labels", lang), show=True).add_to(m)
    _add_cooperation_zones(shown.cooperation_zones, lang).add_to(m)
    _add_fusion_areas(shown.military_civil_fusion, lang).add_to(m)
    for layer in _feature_park_layers(shown, lang):
        layer.add_to(m)
    add_placed_labels(
        [
            *((park_labels, label) for label in park_labels_for(shown.parks, lang)),
            *((districts, label) for label in district_labels_for(shown.districts, lang)),
        ],
        m,
    )
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    MetricScale().add_to(m)
    Legend(legend_body(plan, lang)).add_to(m)
    m.fit_bounds(_bounds_latlon(shown.parks))
    return m


def keep_layers(m: folium.Map, plan: PlanData, keep: Collection[str], *, lang: str = DEFAULT_LANG) -> None:
    """Cut ``m`` (from :func:`build_overview_map`) down to the overlays ``keep``, legend included.

    ``keep`` holds overlay ids (see :func:`zgc_geo.mapping.print_layout.overlay_id`). The legend
    is rebuilt from the kept layers so a printed map never explains symbols it does not draw;
    with nothing left to explain, it is removed.
    """
    drop_overlays(m, set(overlay_ids(m)) - set(keep))
    for name, child in list(m._children.items()):
        if isinstance(child, Legend):
            del m._children[name]
    body = legend_body(plan, lang, keep)
    if body:
        Legend(body).add_to(m)


def _bounds_latlon(frame: gpd.GeoDataFrame) -> list[list[float]]:
    minx, miny, maxx, maxy = frame.total_bounds
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def _geojson(
    frame: gpd.GeoDataFrame,
    *,
    tooltips: Sequence[str],
    popups: Sequence[str] | None,
    style_for: Callable[[dict[str, Any]], dict[str, Any]],
    name: str,
    marker: folium.CircleMarker | None = None,
    show: bool = True,
    extra: dict[str, Sequence[object]] | None = None,
) -> folium.GeoJson:
    """A GeoJson layer carrying only geometry and pre-escaped tooltip/popup HTML.

    Sending only these two properties keeps raw attribute text (which may contain
    markup) out of the page entirely and keeps the payload small.
    """
    data = gpd.GeoDataFrame(
        {
            "tooltip": list(tooltips),
            **({"popup": list(popups)} if popups is not None else {}),
            **{key: list(values) for key, values in (extra or {}).items()},
        },
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    return folium.GeoJson(
        data.__geo_interface__,
        name=name,
        style_function=style_for,
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=420)
        if popups is not None
        else None,
        marker=marker,
        show=show,
        highlight_function=lambda _feature: {"weight": 3},
        zoom_on_click=False,
    )


def _marker_layer(
    frame: gpd.GeoDataFrame, tips: Sequence[str], name: str, radius: int, path_style: dict[str, Any]
) -> folium.GeoJson:
    """Points as circle markers (polygons, if any, as areas) with the same HTML as tooltip and popup."""
    return _geojson(
        frame,
        tooltips=tips,
        popups=tips,
        name=name,
        marker=folium.CircleMarker(radius=radius),
        style_for=lambda _f: path_style,
    )


def _add_region(region: gpd.GeoDataFrame, lang: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=translate("map.layer.bth_outline", lang), show=True)
    provinces = region[region["level"] == "province"]
    tips = [names_heading(lang, r.name_zh, r.name_en) for r in provinces.itertuples()]
    _geojson(
        provinces,
        tooltips=tips,
        popups=None,
        name="provinces",
        style_for=lambda _f: {
            "fill": False,
            "color": style.REGION_LINE,
            "weight": 2,
            "className": style.REGION_CLASS,
        },
    ).add_to(group)
    cities = region[region["level"] == "city"]
    tips = [names_heading(lang, r.name_zh, r.name_en) for r in cities.itertuples()]
    _geojson(
        cities,
        tooltips=tips,
        popups=None,
        name="cities",
        style_for=lambda _f: {
            "fill": False,
            "color": style.REGION_LINE,
            "weight": 0.8,
            "dashArray": "4 3",
            "className": style.REGION_CLASS,
        },
    ).add_to(group)
    return group


def _add_districts(districts: gpd.GeoDataFrame, lang: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=translate("map.layer.beijing_districts", lang), show=True)
    area = translate("map.row.area", lang)
    tips = [
        names_detail(lang, r.name_zh, r.name_en, [(area, f"{r.area_km2:,.0f} km²")])
        for r in districts.itertuples()
    ]
    _geojson(
        districts,
        tooltips=tips,
        popups=None,
        name="districts",
        style_for=lambda _f: {
            "fillColor": "#ffffff",
            "fillOpacity": 0.6,
            "color": style.DISTRICT_LINE,
            "weight": 1,
            "className": style.DISTRICT_CLASS,
        },
    ).add_to(group)
    return group


def _add_parks(plan: PlanData, shown: gpd.GeoDataFrame | None, lang: str) -> folium.FeatureGroup:
    """The parks drawn with ``shown``'s geometry (display datum) and ``plan``'s figures."""
    group = folium.FeatureGroup(name=translate("map.layer.parks_16", lang), show=True)
    parks = plan.parks if shown is None else shown
    rows = park_rows(plan, lang)
    tips = [
        names_detail(lang, p.name_zh, p.name_en, r[:PARK_TOOLTIP_ROWS])
        for p, r in zip(parks.itertuples(), rows, strict=True)
    ]
    popups = [
        names_detail(lang, p.name_zh, p.name_en, r) for p, r in zip(parks.itertuples(), rows, strict=True)
    ]
    core = set(
        parks.loc[
            parks["role"].str.contains("核心区", na=False) & ~parks["role"].str.contains("属", na=False),
            "park_id",
        ]
    )
    fills = [style.CORE_PARK_FILL if pid in core else style.PARK_FILL for pid in parks["park_id"]]
    _geojson(
        parks,
        tooltips=tips,
        popups=popups,
        name="parks",
        extra={"fill_colour": fills},
        style_for=lambda f: {
            "fillColor": f["properties"]["fill_colour"],
            "fillOpacity": 0.45,
            "color": "#102a43",
            "weight": 1.5,
            "className": style.PARK_CLASS,
        },
    ).add_to(group)
    return group


def _feature_park_layers(plan: PlanData, lang: str) -> list[folium.FeatureGroup]:
    """One layer per cluster; a place in two clusters appears in both layers."""
    places = plan.feature_parks
    tips = feature_park_tooltips(plan, lang)
    layers = []
    for cluster in plan.clusters.itertuples():
        member = np.array([cluster.cluster_id in ids for ids in places["cluster_ids"]], dtype=bool)
        name = translate("map.layer.cluster", lang, cluster=pick(lang, cluster.short_zh, cluster.short_en))
        group = folium.FeatureGroup(name=name, show=True)
        place_style = {
            "fill": True,
            "fillColor": style.cluster_colour(cluster.cluster_id),
            "fillOpacity": 0.9,
            "color": "#1b1b1b",
            "weight": 1,
            "className": style.FEATURE_PARK_CLASS,
        }
        member_tips = [tip for tip, keep in zip(tips, member, strict=True) if keep]
        _marker_layer(places[member], member_tips, cluster.cluster_id, 6, place_style).add_to(group)
        layers.append(group)
    return layers


def _add_fusion_areas(areas: gpd.GeoDataFrame, lang: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=translate("map.layer.fusion", lang), show=True)
    tips = [names_detail(lang, a.name_zh, a.name_en, located_rows(a, lang)) for a in areas.itertuples()]
    fusion_style = {"fill": False, "color": style.FUSION_COLOUR, "weight": 3, "className": style.FUSION_CLASS}
    _marker_layer(areas, tips, "fusion", 9, fusion_style).add_to(group)
    return group


def _add_cooperation_zones(zones: gpd.GeoDataFrame, lang: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=translate("map.layer.cooperation", lang), show=True)
    tips = [
        names_detail(
            lang,
            z.name_zh,
            z.name_en,
            [
                (translate("map.row.group", lang), zone_group_text(z.group, lang)),
                (translate("map.row.area", lang), "—" if pd.isna(z.area_km2) else f"{z.area_km2:,.1f} km²"),
                *located_rows(z, lang),
            ],
        )
        for z in zones.itertuples()
    ]
    zone_style = {
        "fill": True,
        "fillColor": style.COOP_COLOUR,
        "fillOpacity": 0.12,
        "color": style.COOP_COLOUR,
        "weight": 2,
        "dashArray": "6 4",
        "className": style.COOP_ZONE_CLASS,
    }
    _marker_layer(zones, tips, "cooperation", 10, zone_style).add_to(group)
    return group
