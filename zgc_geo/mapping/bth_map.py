"""The Beijing–Tianjin–Hebei view: the region, the 4+N cooperation zones and their distance from the core."""

from __future__ import annotations

from typing import Final

import folium
import geopandas as gpd
import pandas as pd
import shapely

from zgc_geo.mapping import style
from zgc_geo.mapping.basemaps import NO_BASEMAP, add_basemap, basemap_datum
from zgc_geo.mapping.context_layers import add_context_layers
from zgc_geo.mapping.display_datum import plan_to_display, to_display
from zgc_geo.mapping.html_text import bilingual_title, detail_html, legend_html, text
from zgc_geo.mapping.map_controls import Legend, MetricScale, add_map_css
from zgc_geo.plan_data import PlanData

LINK_CLASS: Final = "zgc-bth-link"
CORE_CLASS: Final = "zgc-core-point"


def build_bth_map(
    plan: PlanData, distances: pd.DataFrame, core: shapely.Point, *, basemap: str = NO_BASEMAP
) -> folium.Map:
    """Region outlines, parks, the cooperation zones and a line from the core to each zone with its km.

    ``distances`` is :func:`zgc_geo.coverage.bth.zone_distances`; ``core`` the point distances are
    measured from (EPSG:4326).
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
        tips = [bilingual_title(r.name_zh, r.name_en) for r in part.itertuples()]
        folium.GeoJson(
            gpd.GeoDataFrame(
                {"tooltip": tips}, geometry=part.geometry.to_numpy(), crs=part.crs
            ).__geo_interface__,
            name=f"{'省市界 Provinces' if level == 'province' else '地级市 Prefectures'}",
            style_function=lambda _f, w=weight, d=dash: {
                "fill": False,
                "color": style.REGION_LINE,
                "weight": w,
                "dashArray": d,
                "className": style.REGION_CLASS,
            },
            tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        ).add_to(m)
    add_context_layers(m, plan.parks, plan.districts, park_opacity=0.4)
    zones = plan.cooperation_zones.merge(
        distances[["zone_id", "km_to_core", "km_to_nearest_park", "nearest_park_id"]]
    )
    _zones(zones).add_to(m)
    _links(zones, core).add_to(m)
    folium.CircleMarker(
        [core.y, core.x],
        radius=8,
        color="#000",
        weight=2,
        fill=True,
        fill_color="#ffd400",
        fill_opacity=1,
        tooltip="中关村核心 Zhongguancun core (中关村大街)",
        className=CORE_CLASS,
    ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    MetricScale().add_to(m)
    Legend(_legend()).add_to(m)
    minx, miny, maxx, maxy = region[region["level"] == "province"].total_bounds
    m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
    return m


def _zones(zones: gpd.GeoDataFrame) -> folium.GeoJson:
    groups = {
        "4": "4 个战略合作功能区 one of the 4",
        "N": "N 承接地 one of the N",
        "winter_olympics": "§四(三)4",
    }
    tips = [
        detail_html(
            z.name_zh,
            z.name_en,
            [
                ("类别 Group", groups.get(z.group, z.group)),
                ("距核心 From the core", f"{z.km_to_core:,.0f} km"),
                ("最近分园 Nearest park", f"{z.nearest_park_id} · {z.km_to_nearest_park:,.0f} km"),
                ("定位 Location", f"{z.location_accuracy}: {z.location_note}"),
                ("规划条款 Section", z.section),
            ],
        )
        for z in zones.itertuples()
    ]
    data = gpd.GeoDataFrame({"tooltip": tips}, geometry=zones.geometry.to_numpy(), crs=zones.crs)
    return folium.GeoJson(
        data.__geo_interface__,
        name="合作功能区 Cooperation zones (4+N)",
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


def _links(zones: gpd.GeoDataFrame, core: shapely.Point) -> folium.FeatureGroup:
    """Straight lines from the core to each zone's nearest point, labelled with the geodesic km."""
    group = folium.FeatureGroup(name="距离 Distances from the core")
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
                html=f"{text(zone.name_zh)}<br><span class='zgc-en'>{zone.km_to_core:,.0f} km</span>",
                class_name="zgc-label",
                icon_size=(150, 30),
                icon_anchor=(75, -8),
            ),
            interactive=False,
        ).add_to(group)
    return group


def _legend() -> str:
    return legend_html(
        "京津冀 Beijing–Tianjin–Hebei",
        [
            (
                f"<span class='zgc-swatch' style='background:{style.COOP_COLOUR}33;"
                f"border:2px dashed {style.COOP_COLOUR}'></span>",
                "合作功能区 Cooperation zone",
            ),
            (
                "<span class='zgc-swatch round' style='background:#ffd400'></span>",
                "中关村核心 Zhongguancun core",
            ),
            (f"<span class='zgc-swatch' style='background:{style.PARK_FILL}'></span>", "十六分园 Sub-parks"),
            (
                "<span class='zgc-swatch' style='background:#fff;border:2px solid #5e5e5e'></span>",
                "省市界 Province / prefecture",
            ),
        ],
    )
