"""The one-zone-many-parks overview map: parks, clusters' feature parks, cooperation zones, districts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zgc_geo.crs import area_km2
from zgc_geo.mapping import style
from zgc_geo.mapping.basemaps import NO_BASEMAP, add_basemap, basemap_datum
from zgc_geo.mapping.display_datum import plan_to_display
from zgc_geo.mapping.html_text import bilingual_title, detail_html, legend_html, text
from zgc_geo.mapping.map_controls import Legend, MetricScale, add_map_css
from zgc_geo.plan_data import PlanData, park_cluster_roles

PARK_TOOLTIP_ROWS = 5  # the popup shows everything; the hover tooltip only the essentials


def build_overview_map(plan: PlanData, basemap: str = NO_BASEMAP) -> folium.Map:
    """The plan on one map, drawable with no internet (no tiles unless ``basemap`` asks).

    Layers, bottom to top: Beijing–Tianjin–Hebei outlines, district outlines, the
    16 parks with labels, cooperation zones, military–civil fusion areas and one
    toggleable layer of feature parks per cluster. Every tooltip is built from
    escaped text (see :mod:`zgc_geo.mapping.html_text`). On a GCJ-02 basemap (Amap) every
    layer is drawn shifted to match it; figures such as areas come from the WGS84 plan.
    """
    shown = plan_to_display(plan, basemap_datum(basemap))
    m = folium.Map(tiles=None, control_scale=False, prefer_canvas=False, zoom_snap=0.25)
    add_map_css(m)
    add_basemap(m, basemap)
    _add_region(shown.region).add_to(m)
    _add_districts(shown.districts).add_to(m)
    _add_parks(plan, shown.parks).add_to(m)
    _add_park_labels(shown.parks).add_to(m)
    _add_cooperation_zones(shown.cooperation_zones).add_to(m)
    _add_fusion_areas(shown.military_civil_fusion).add_to(m)
    for layer in _feature_park_layers(shown):
        layer.add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    MetricScale().add_to(m)
    Legend(_legend_body(plan)).add_to(m)
    m.fit_bounds(_bounds_latlon(shown.parks))
    return m


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


def _located_rows(row: Any) -> list[tuple[str, object]]:
    """The rows every estimated location shows: how accurate it is and where the plan names it."""
    return [
        ("定位精度 Location", f"{row.location_accuracy}: {row.location_note}"),
        ("规划条款 Section", row.section),
    ]


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


def _add_region(region: gpd.GeoDataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="京津冀省界 Beijing–Tianjin–Hebei outline", show=True)
    provinces = region[region["level"] == "province"]
    tips = [bilingual_title(r.name_zh, r.name_en) for r in provinces.itertuples()]
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
    tips = [bilingual_title(r.name_zh, r.name_en) for r in cities.itertuples()]
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


def _add_districts(districts: gpd.GeoDataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="北京市行政区 Beijing districts", show=True)
    tips = [
        detail_html(r.name_zh, r.name_en, [("面积 Area", f"{r.area_km2:,.0f} km²")])
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
    points = districts.geometry.to_crs(3857).representative_point().to_crs(4326)
    for row, point in zip(districts.itertuples(), points, strict=True):
        label = f"{text(row.name_zh)}"
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=label, class_name="zgc-district-label", icon_size=(80, 16), icon_anchor=(40, 8)
            ),
            interactive=False,
        ).add_to(group)
    return group


def _park_rows(plan: PlanData) -> list[list[tuple[str, object]]]:
    roles = park_cluster_roles(plan)
    names = plan.clusters.set_index("cluster_id")["name_zh"]
    counts = plan.feature_parks.groupby("park_id").size()
    drawn = area_km2(plan.parks).round(1)
    rows = []
    for park, drawn_km2 in zip(plan.parks.itertuples(), drawn, strict=True):
        mine = roles[roles["park_id"] == park.park_id]
        clusters = [
            f"{names.get(c, c)}（{'核心' if r == 'core' else '重点'}）"
            for c, r in zip(mine.cluster_id, mine.role, strict=True)
        ]
        approved = "—" if pd.isna(park.planned_area_km2) else f"{park.planned_area_km2:g} km²"
        rows.append(
            [
                ("所在区 District", f"{park.district_zh} {getattr(park, 'district_en', '')}".strip()),
                ("定位 Role", f"{park.role} / {getattr(park, 'role_en', '')}"),
                ("主导产业 Lead industries", park.lead_industries or "—（§五(二)1 未列 / not listed）"),
                ("产业集群 Clusters (§五(一))", clusters or "—"),
                ("特色园区 Feature parks", int(counts.get(park.park_id, 0))),
                ("批复面积 Approved area", approved),
                ("示意面积 Drawn area", f"{drawn_km2:g} km²"),
                ("组成 Components", getattr(park, "components", "")),
                ("精度 Accuracy", park.accuracy),
                ("来源 Source", park.source),
            ]
        )
    return rows


def _add_parks(plan: PlanData, shown: gpd.GeoDataFrame | None = None) -> folium.FeatureGroup:
    """The parks drawn with ``shown``'s geometry (display datum) and ``plan``'s figures."""
    group = folium.FeatureGroup(name="十六分园 The 16 sub-parks", show=True)
    parks = plan.parks if shown is None else shown
    rows = _park_rows(plan)
    tips = [
        detail_html(p.name_zh, p.name_en, r[:PARK_TOOLTIP_ROWS])
        for p, r in zip(parks.itertuples(), rows, strict=True)
    ]
    popups = [detail_html(p.name_zh, p.name_en, r) for p, r in zip(parks.itertuples(), rows, strict=True)]
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


def _add_park_labels(parks: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """Labels at each park's largest part, so a MultiPolygon gets one readable label."""
    group = folium.FeatureGroup(name="分园名称 Park labels", show=True)
    metric = parks.geometry.to_crs(3857)
    largest = [max(getattr(g, "geoms", [g]), key=lambda part: part.area) for g in metric]
    anchors = gpd.GeoSeries(shapely.point_on_surface(largest), crs=3857).to_crs(4326)
    for park, point in zip(parks.itertuples(), anchors, strict=True):
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=bilingual_title(park.name_zh, park.name_en),
                class_name="zgc-label",
                icon_size=(140, 30),
                icon_anchor=(70, -6),
            ),
            interactive=False,
        ).add_to(group)
    return group


def _feature_park_tooltips(plan: PlanData) -> list[str]:
    places = plan.feature_parks
    park_names = plan.parks.set_index("park_id")["name_zh"]
    agg_names = plan.service_agglomerations.set_index("agglomeration_id")["name_zh"]
    cluster_names = plan.clusters.set_index("cluster_id")["name_zh"]
    tips = []
    for p in places.itertuples():
        outside = "" if p.inside_park == "yes" else "（园外 outside）"
        rows = [
            ("集群 Clusters", [cluster_names.get(c, c) for c in p.cluster_ids]),
            ("聚集区 Agglomeration", agg_names.get(p.agglomeration_id, "") if p.agglomeration_id else ""),
            ("所在分园 Host park", park_names.get(p.park_id, p.park_id) + outside),
            *_located_rows(p),
        ]
        tips.append(detail_html(p.name_zh, p.name_en, rows))
    return tips


def _feature_park_layers(plan: PlanData) -> list[folium.FeatureGroup]:
    """One layer per cluster; a place in two clusters appears in both layers."""
    places = plan.feature_parks
    tips = _feature_park_tooltips(plan)
    layers = []
    for cluster in plan.clusters.itertuples():
        member = np.array([cluster.cluster_id in ids for ids in places["cluster_ids"]], dtype=bool)
        group = folium.FeatureGroup(name=f"● {cluster.short_zh}集群 {cluster.short_en}", show=True)
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


def _add_fusion_areas(areas: gpd.GeoDataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="军民融合创新发展区 Military–civil fusion areas", show=True)
    tips = [detail_html(a.name_zh, a.name_en, _located_rows(a)) for a in areas.itertuples()]
    fusion_style = {"fill": False, "color": style.FUSION_COLOUR, "weight": 3, "className": style.FUSION_CLASS}
    _marker_layer(areas, tips, "fusion", 9, fusion_style).add_to(group)
    return group


ZONE_GROUPS = {"4": "4 个战略合作功能区 one of the 4", "N": "N 产业项目承接地 one of the N"}


def _add_cooperation_zones(zones: gpd.GeoDataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="京津冀合作功能区 Cooperation zones (4+N)", show=True)
    tips = [
        detail_html(
            z.name_zh,
            z.name_en,
            [
                ("类别 Group", ZONE_GROUPS.get(z.group, z.group)),
                ("面积 Area", "—" if pd.isna(z.area_km2) else f"{z.area_km2:,.1f} km²"),
                *_located_rows(z),
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


def _legend_body(plan: PlanData) -> str:
    def swatch(fill: str, line: str = "#333", round_: bool = False, dashed: bool = False) -> str:
        classes = "zgc-swatch round" if round_ else "zgc-swatch"
        border = f"border:2px {'dashed' if dashed else 'solid'} {line};"
        return f"<span class='{classes}' style='background:{fill};{border}'></span>"

    parts = [
        legend_html(
            "分园 Sub-parks",
            [
                (swatch(style.CORE_PARK_FILL, "#102a43"), "核心区 Core area (海淀园)"),
                (swatch(style.PARK_FILL, "#102a43"), "分园 Sub-park (schematic outline)"),
            ],
        ),
        legend_html(
            "特色园区（按集群）Feature parks by cluster",
            [
                (
                    swatch(style.cluster_colour(c.cluster_id), "#1b1b1b", round_=True),
                    f"{c.short_zh} {c.short_en}",
                )
                for c in plan.clusters.itertuples()
            ],
        ),
        legend_html(
            "其他 Other",
            [
                (
                    swatch("transparent", style.FUSION_COLOUR, round_=True),
                    "军民融合创新发展区 Military–civil fusion area",
                ),
                (
                    swatch("rgba(123,50,148,0.15)", style.COOP_COLOUR, dashed=True),
                    "京津冀合作功能区 Cooperation zone",
                ),
                (swatch("#ffffff", style.DISTRICT_LINE), "行政区界 District boundary"),
            ],
        ),
    ]
    return "".join(parts)
