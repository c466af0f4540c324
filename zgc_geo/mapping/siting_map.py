"""The siting result on a map: suitability surface, parks, and the ranked candidates with score cards."""

from __future__ import annotations

from typing import Final

import folium
import geopandas as gpd
import pandas as pd
import shapely

from zgc_geo.mapping.basemaps import NO_BASEMAP, add_basemap, basemap_datum
from zgc_geo.mapping.context_layers import add_context_layers
from zgc_geo.mapping.display_datum import to_display
from zgc_geo.mapping.html_text import detail_html, legend_html, text
from zgc_geo.mapping.map_controls import Legend, MetricScale, add_map_css
from zgc_geo.mapping.raster_overlay import RAMP, overlay_image
from zgc_geo.siting.analysis import SitingResult

CANDIDATE_CLASS: Final = "zgc-site-candidate"
RANK_LABEL_CLASS: Final = "zgc-rank-label"
#: Candidates labelled with their rank on the map; the table lists all of them.
LABELLED: Final = 10


def build_siting_map(
    result: SitingResult,
    parks: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    basemap: str = NO_BASEMAP,
) -> folium.Map:
    """Suitability (0–100) under the parks and the candidates, the top ranks labelled.

    Every candidate carries a score card as tooltip: rank, score, each factor's points and
    any constraint it fails — the "why this plot" a meeting asks for. On a GCJ-02 basemap
    the surface and every layer are drawn shifted to match it.
    """
    datum = basemap_datum(basemap)
    m = folium.Map(tiles=None, control_scale=False, zoom_snap=0.25)
    add_map_css(m)
    add_basemap(m, basemap)
    uri, bounds = overlay_image(result.suitability, result.grid.transform, result.grid.crs, datum=datum)
    folium.raster_layers.ImageOverlay(
        image=uri, bounds=bounds, name="适宜性 Suitability (0–100)", interactive=False, zindex=1
    ).add_to(m)
    add_context_layers(m, parks, districts, park_opacity=0.0, datum=datum)
    candidates = to_display(result.candidates, datum)
    _candidate_layer(candidates, result).add_to(m)
    _rank_labels(candidates.head(LABELLED)).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    MetricScale().add_to(m)
    Legend(_legend(), position="bottomright").add_to(m)
    minx, miny, maxx, maxy = candidates.total_bounds
    m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
    return m


def score_card(row: pd.Series, result: SitingResult) -> str:
    """Escaped HTML: a candidate's rank, score, factor points and failed constraints."""
    rows: list[tuple[str, object]] = [
        ("排名 Rank", "—" if pd.isna(row.get("rank")) else int(row["rank"])),
        ("得分 Score", "—" if pd.isna(row.get("score")) else f"{row['score']:.1f} / 100"),
    ]
    for spec in result.specs:
        points = row.get(f"contrib_{spec.id}")
        rows.append((f"{spec.label_zh}", "—" if pd.isna(points) else f"{points:.1f} pts"))
    failed = row.get("failed_constraints")
    if isinstance(failed, list) and failed:
        rows.append(("未满足约束 Fails", "、".join(failed)))
    return detail_html(row.get("name") or row["plot_id"], row["plot_id"], rows)


def _candidate_layer(candidates: gpd.GeoDataFrame, result: SitingResult) -> folium.GeoJson:
    shown = candidates[~(candidates.geometry.is_empty | candidates.geometry.isna())]
    data = gpd.GeoDataFrame(
        {
            "tooltip": [score_card(row, result) for _, row in shown.iterrows()],
            "eligible": shown["eligible"].fillna(False).astype(bool).to_numpy(),
        },
        geometry=shapely.set_precision(shown.geometry.to_numpy(), 1e-6),
        crs=shown.crs,
    )
    return folium.GeoJson(
        data.__geo_interface__,
        name="候选地块 Candidates",
        style_function=lambda f: {
            "fill": True,
            "fillColor": "#ffffff" if f["properties"]["eligible"] else "#888888",
            "fillOpacity": 0.3,
            "color": "#d7301f" if f["properties"]["eligible"] else "#555555",
            "weight": 2,
            "className": CANDIDATE_CLASS,
        },
        marker=folium.CircleMarker(radius=6),
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
    )


def _rank_labels(top: gpd.GeoDataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="前十名 Top ranks")
    anchors = gpd.GeoSeries(shapely.point_on_surface(top.geometry.to_numpy()), crs=top.crs)
    for rank, point in zip(top["rank"], anchors, strict=True):
        if pd.isna(rank) or point is None or point.is_empty:
            continue
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=f"<div class='{RANK_LABEL_CLASS}'>{text(int(rank))}</div>",
                class_name="zgc-label",
                icon_size=(24, 24),
                icon_anchor=(12, 30),
            ),
            interactive=False,
        ).add_to(group)
    return group


def _legend() -> str:
    swatches = [
        (f"<span class='zgc-swatch' style='background:rgb{tuple(colour)}'></span>", f"{value:g}")
        for value, colour in RAMP
    ]
    return legend_html("适宜性 Suitability", swatches) + legend_html(
        "候选 Candidates",
        [
            ("<span class='zgc-swatch' style='border:2px solid #d7301f'></span>", "可选 Eligible"),
            ("<span class='zgc-swatch' style='background:#888'></span>", "未满足约束 Fails a constraint"),
        ],
    )
