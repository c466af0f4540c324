"""The Beijing–Tianjin–Hebei view: the region, the 4+N cooperation zones and their distance from the core."""

from __future__ import annotations

from typing import Final

import folium
import geopandas as gpd
import pandas as pd
import shapely

from zgc_geo.i18n import DEFAULT_LANG, pick, translate
from zgc_geo.mapping import style
from zgc_geo.mapping.basemaps import NO_BASEMAP, add_basemap, basemap_datum
from zgc_geo.mapping.context_layers import add_context_layers
from zgc_geo.mapping.display_datum import plan_to_display, to_display
from zgc_geo.mapping.html_text import legend_html, names_detail, names_heading, swatch
from zgc_geo.mapping.map_controls import Legend, MetricScale, add_map_css
from zgc_geo.plan_data import PlanData

LINK_CLASS: Final = "zgc-bth-link"
CORE_CLASS: Final = "zgc-core-point"


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
    add_map_css(m)
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
    _links(zones, core, lang).add_to(m)
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
    folium.LayerControl(collapsed=True).add_to(m)
    MetricScale().add_to(m)
    Legend(_legend(zones, lang)).add_to(m)
    minx, miny, maxx, maxy = region[region["level"] == "province"].total_bounds
    m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
    return m


def _zones(zones: gpd.GeoDataFrame, park_names: dict[str, object], lang: str) -> folium.GeoJson:
    groups = {
        "4": translate("map.zone_group_4", lang),
        "N": translate("map.zone_group_n", lang),
        "winter_olympics": "§四(三)4",
    }
    tips = [
        names_detail(
            lang,
            z.name_zh,
            z.name_en,
            [
                (translate("map.row.group", lang), groups.get(z.group, z.group)),
                (translate("map.row.from_core", lang), f"{z.km_to_core:,.0f} km"),
                (
                    translate("map.row.nearest_park", lang),
                    f"{park_names.get(z.nearest_park_id, z.nearest_park_id)} · "
                    f"{z.km_to_nearest_park:,.0f} km",
                ),
                (translate("map.row.location", lang), f"{z.location_accuracy}: {z.location_note}"),
                (translate("map.row.section", lang), z.section),
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


def _links(zones: gpd.GeoDataFrame, core: shapely.Point, lang: str) -> folium.FeatureGroup:
    """Straight lines from the core to each zone's nearest point, labelled with the geodesic km."""
    group = folium.FeatureGroup(name=translate("map.layer.distances", lang))
    metric = zones.to_crs(4548)
    core_metric = gpd.GeoSeries([core], crs=4326).to_crs(4548).iloc[0]
    ends = gpd.GeoSeries(shapely.shortest_line(core_metric, metric.geometry.to_numpy()), crs=4548).to_crs(
        4326
    )
    for zone, line in zip(zones.itertuples(), ends, strict=True):
        coords = [(lat, lon) for lon, lat in line.coords]
        folium.PolyLine(
            coords, color=style.COOP_COLOUR, weight=1.5, dash_array="2 6", className=LINK_CLASS
        ).add_to(group)
        lat, lon = coords[-1]
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(
                html=f"{_number(zone.number)}<span class='zgc-en'>{zone.km_to_core:,.0f} km</span>",
                class_name=f"zgc-label {style.ZONE_LABEL_CLASS}",
                icon_size=(80, 24),
                icon_anchor=(-6, 12),  # right of the zone, clear of its marker
            ),
            interactive=False,
        ).add_to(group)
    return group


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
