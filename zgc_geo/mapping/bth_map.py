"""The Beijing–Tianjin–Hebei view: the region, the 4+N cooperation zones and their distance from the core."""

from __future__ import annotations

from typing import Final

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import Element, Figure

from zgc_geo.i18n import DEFAULT_LANG, pick, translate
from zgc_geo.mapping import html_text, style
from zgc_geo.mapping.basemaps import NO_BASEMAP, add_basemap, basemap_datum
from zgc_geo.mapping.context_layers import add_context_layers
from zgc_geo.mapping.display_datum import plan_to_display, to_display
from zgc_geo.mapping.html_text import legend_html, names_detail, names_heading, swatch
from zgc_geo.mapping.label_placement import (
    DISTRICT_PRIORITY,
    ZONE_PRIORITY,
    MapLabel,
    add_placed_labels,
    label_box_px,
)
from zgc_geo.mapping.map_controls import Legend, MetricScale, add_map_css
from zgc_geo.mapping.overview_text import located_rows, zone_group_text
from zgc_geo.mapping.park_labels import label_points
from zgc_geo.plan_data import PlanData

LINK_CLASS: Final = "zgc-bth-link"
CORE_CLASS: Final = "zgc-core-point"
CITY_LABEL_CLASS: Final = "zgc-city-label"
CITY_FONT_PX: Final = 11.0
#: City names are context: placed after every zone label, so they give way.
CITY_PRIORITY: Final = DISTRICT_PRIORITY
BEIJING_REGION_ID: Final = "110000"
#: City names are context: small, grey, haloed, under the zones' labels.
CITY_LABEL_CSS: Final = f"""
.{CITY_LABEL_CLASS} {{ background: transparent; border: none; white-space: nowrap; text-align: center;
  font-size: 11px; font-style: italic; color: #555; line-height: 1.3;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; pointer-events: none; }}
"""
ZONE_FONT_PX: Final = 12.0


def build_bth_map(
    plan: PlanData,
    distances: pd.DataFrame,
    core: shapely.Point,
    *,
    basemap: str = NO_BASEMAP,
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """Region outlines, parks, the cooperation zones and a line from the core to each zone with its km.

    ``distances`` is :func:`zgc_geo.coverage.bth.zone_distances`; ``core`` the point distances are
    measured from (EPSG:4326). Text is in ``lang``.
    """
    datum = basemap_datum(basemap)
    plan = plan_to_display(plan, datum)
    core = to_display(gpd.GeoSeries([core], crs=4326), datum).iloc[0]
    m = folium.Map(tiles=None, control_scale=False, zoom_snap=0.25)
    add_map_css(m, lang)
    root = m.get_root()
    assert isinstance(root, Figure), "a folium.Map always renders inside a branca Figure"
    root.header.add_child(Element(f"<style>{CITY_LABEL_CSS}</style>"), name="zgc_city_label_css")
    add_basemap(m, basemap)
    region = plan.region
    for level, weight, dash in (("province", 2.0, None), ("city", 0.8, "4 3")):
        part = region[region["level"] == level]
        tips = [names_heading(lang, r.name_zh, r.name_en) for r in part.itertuples()]
        folium.GeoJson(
            gpd.GeoDataFrame(
                {"tooltip": tips}, geometry=part.geometry.to_numpy(), crs=part.crs
            ).__geo_interface__,
            name=translate("map.layer.provinces" if level == "province" else "map.layer.prefectures", lang),
            style_function=lambda _f, w=weight, d=dash: {
                "fill": False,
                "color": style.REGION_LINE,
                "weight": w,
                "dashArray": d,
                "className": style.REGION_CLASS,
            },
            tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        ).add_to(m)
    add_context_layers(m, plan.parks, plan.districts, park_opacity=0.4, lang=lang)
    zones = plan.cooperation_zones.merge(
        distances[["zone_id", "km_to_core", "km_to_nearest_park", "nearest_park_id"]]
    )
    # Numbered by distance from the core: the names are long and the zones near Beijing close
    # together, so the map carries numbers and the legend the names (it prints legibly too).
    zones = zones.sort_values(["km_to_core", "zone_id"], kind="stable").reset_index(drop=True)
    zones["number"] = range(1, len(zones) + 1)
    park_names = {p.park_id: pick(lang, p.name_zh, p.name_en) for p in plan.parks.itertuples()}
    _zones(zones, park_names, lang).add_to(m)
    zone_labels = _links(m, zones, core, lang)
    folium.CircleMarker(
        [core.y, core.x],
        radius=8,
        color="#000",
        weight=2,
        fill=True,
        fill_color="#ffd400",
        fill_opacity=1,
        tooltip=translate("map.core_tooltip", lang),
        className=CORE_CLASS,
    ).add_to(m)
    # One placement for zone and city labels: a city name gives way to a zone's number and km.
    add_placed_labels([*zone_labels, *_city_names(m, region, lang)], m)
    folium.LayerControl(collapsed=True).add_to(m)
    MetricScale().add_to(m)
    Legend(_legend(zones, lang)).add_to(m)
    m.fit_bounds(_extent(region, zones))
    return m


def _extent(region: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> list[list[float]]:
    """Beijing and every cooperation zone, ``[[south, west], [north, east]]``: what the map is about.

    Hebei reaches 200 km south of the southernmost zone; fitting the whole region left half the
    sheet to empty prefectures.
    """
    beijing = region[region["region_id"].astype(str) == BEIJING_REGION_ID]
    minx, miny, maxx, maxy = pd.concat([beijing.geometry, zones.geometry]).total_bounds
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def _city_names(
    m: folium.Map, region: gpd.GeoDataFrame, lang: str
) -> list[tuple[folium.FeatureGroup, MapLabel]]:
    """The cities' names in ``lang``: Beijing and Tianjin, and each prefecture-level city of Hebei.

    A province is named only if none of its cities is in the layer (Beijing, Tianjin: the city is
    the province); each name is pinned inside the city's largest part, below every zone label in
    priority (see :func:`~zgc_geo.mapping.label_placement.add_placed_labels`).
    """
    parents = set(region.loc[region["level"] == "city", "parent_id"].astype(str))
    named = region[(region["level"] == "city") | ~region["region_id"].astype(str).isin(parents)]
    group = folium.FeatureGroup(name=translate("map.layer.city_names", lang))
    group.add_to(m)
    labels = []
    for row, point in zip(named.itertuples(), label_points(named), strict=True):
        name = str(pick(lang, row.name_zh, row.name_en))
        labels.append(
            MapLabel(
                lat=float(point.y),
                lon=float(point.x),
                html=html_text.text(name),
                text=name,
                css_class=CITY_LABEL_CLASS,
                priority=CITY_PRIORITY,
                font_px=CITY_FONT_PX,
            )
        )
    return [(group, label) for label in labels]


def _zones(zones: gpd.GeoDataFrame, park_names: dict[str, object], lang: str) -> folium.GeoJson:
    tips = [
        names_detail(
            lang,
            z.name_zh,
            z.name_en,
            [
                (translate("map.row.group", lang), zone_group_text(z.group, lang)),
                (translate("map.row.from_core", lang), f"{z.km_to_core:,.0f} km"),
                (
                    translate("map.row.nearest_park", lang),
                    f"{park_names.get(z.nearest_park_id, z.nearest_park_id)} · "
                    f"{z.km_to_nearest_park:,.0f} km",
                ),
                *located_rows(z, lang),
            ],
        )
        for z in zones.itertuples()
    ]
    data = gpd.GeoDataFrame({"tooltip": tips}, geometry=zones.geometry.to_numpy(), crs=zones.crs)
    return folium.GeoJson(
        data.__geo_interface__,
        name=translate("map.layer.cooperation", lang),
        marker=folium.CircleMarker(radius=10),
        style_function=lambda _f: {
            "fill": True,
            "fillColor": style.COOP_COLOUR,
            "fillOpacity": 0.2,
            "color": style.COOP_COLOUR,
            "weight": 2,
            "dashArray": "6 4",
            "className": style.COOP_ZONE_CLASS,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
    )


def _links(
    m: folium.Map, zones: gpd.GeoDataFrame, core: shapely.Point, lang: str
) -> list[tuple[folium.FeatureGroup, MapLabel]]:
    """Straight lines from the core to each zone's nearest point, and their labels with the geodesic km.

    The labels (returned, to be placed with the map's other labels) sit right of each zone where
    there is room and elsewhere beside it where not (zones near Beijing lie close together).
    """
    group = folium.FeatureGroup(name=translate("map.layer.distances", lang))
    group.add_to(m)
    metric = zones.to_crs(4548)
    core_metric = gpd.GeoSeries([core], crs=4326).to_crs(4548).iloc[0]
    ends = gpd.GeoSeries(shapely.shortest_line(core_metric, metric.geometry.to_numpy()), crs=4548).to_crs(
        4326
    )
    labels = []
    for zone, line in zip(zones.itertuples(), ends, strict=True):
        coords = [(lat, lon) for lon, lat in line.coords]
        folium.PolyLine(
            coords, color=style.COOP_COLOUR, weight=1.5, dash_array="2 6", className=LINK_CLASS
        ).add_to(group)
        lat, lon = coords[-1]
        km = f"{zone.km_to_core:,.0f} km"
        labels.append(
            MapLabel(
                lat=lat,
                lon=lon,
                html=f"{_number(zone.number)}<span class='zgc-en'>{km}</span>",
                text=f"{zone.number}  {km}",
                css_class=f"zgc-label {style.ZONE_LABEL_CLASS}",
                priority=ZONE_PRIORITY,
                font_px=ZONE_FONT_PX,
                keep=True,  # the legend names the zones by these numbers
                prefer=(label_box_px(f"{zone.number}  {km}", ZONE_FONT_PX)[0] / 2 + 8, 0.0),
            )
        )
    return [(group, label) for label in labels]


def _number(number: int) -> str:
    return f"<span class='{style.ZONE_NUMBER_CLASS}'>{number}</span>"


def _legend(zones: gpd.GeoDataFrame, lang: str) -> str:
    """The symbols, then each numbered zone with its name and distance from the core."""
    symbols = legend_html(
        translate("map.legend.bth", lang),
        [
            (
                swatch(f"{style.COOP_COLOUR}33", style.COOP_COLOUR, dashed=True),
                translate("map.legend.cooperation_zone", lang),
            ),
            (swatch("#ffd400", round_=True), translate("map.legend.core", lang)),
            (swatch(style.PARK_FILL), translate("map.layer.parks_16", lang)),
            (swatch("#fff", "#5e5e5e"), translate("map.legend.province_prefecture", lang)),
        ],
    )
    keyed = legend_html(
        translate("map.legend.zones_by_distance", lang),
        [
            (_number(z.number), f"{pick(lang, z.name_zh, z.name_en)} · {z.km_to_core:,.0f} km")
            for z in zones.itertuples()
        ],
    )
    return symbols + keyed
