"""The siting result on a map: suitability surface, parks, and the ranked candidates with score cards."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Final

import folium
import geopandas as gpd
import pandas as pd
import shapely

from zgc_geo.i18n import DEFAULT_LANG, join_names, pick, translate
from zgc_geo.mapping.basemaps import NO_BASEMAP, add_basemap, basemap_datum
from zgc_geo.mapping.context_layers import add_context_layers
from zgc_geo.mapping.display_datum import to_display
from zgc_geo.mapping.html_text import detail_html, legend_html, swatch, text
from zgc_geo.mapping.map_controls import Legend, MetricScale, add_map_css
from zgc_geo.mapping.raster_overlay import RAMP, overlay_image
from zgc_geo.siting.analysis import SitingResult, constraint_name

CANDIDATE_CLASS: Final = "zgc-site-candidate"
RANK_LABEL_CLASS: Final = "zgc-rank-label"
#: Stable name of the candidates' GeoJSON layer (not shown; its group is named in the map's language).
CANDIDATES_LAYER: Final = "候选地块 Candidates"
#: Candidates labelled with their rank on the map; the table lists all of them.
LABELLED: Final = 10


def build_siting_map(
    result: SitingResult,
    parks: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    basemap: str = NO_BASEMAP,
    lang: str = DEFAULT_LANG,
    overlay: Callable[[str], tuple[str, list[list[float]]]] | None = None,
) -> folium.Map:
    """Suitability (0–100) under the parks and the candidates, the top ranks labelled.

    Every candidate carries a score card as tooltip: rank, score, each factor's points and
    any constraint it fails — the "why this plot" a meeting asks for. On a GCJ-02 basemap
    the surface and every layer are drawn shifted to match it. Text is in ``lang``.
    ``overlay`` gives the surface's image for a display datum when it was made before (it takes
    seconds: the app keeps it per result); by default it is made here.
    """
    datum = basemap_datum(basemap)
    m = folium.Map(tiles=None, control_scale=False, zoom_snap=0.25)
    add_map_css(m, lang)
    add_basemap(m, basemap)
    uri, bounds = (overlay or functools.partial(suitability_image, result))(datum)
    folium.raster_layers.ImageOverlay(
        image=uri,
        bounds=bounds,
        name=translate("map.layer.suitability", lang),
        interactive=False,
        zindex=1,
    ).add_to(m)
    add_context_layers(m, parks, districts, park_opacity=0.0, datum=datum, lang=lang)
    candidates = to_display(result.candidates, datum)
    _candidate_layer(candidates, result, lang).add_to(m)
    _rank_labels(candidates.head(LABELLED), lang).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    MetricScale().add_to(m)
    Legend(_legend(lang), position="bottomright").add_to(m)
    minx, miny, maxx, maxy = candidates.total_bounds
    m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
    return m


def suitability_image(result: SitingResult, datum: str) -> tuple[str, list[list[float]]]:
    """The suitability surface as a PNG data URI for ``datum``'s display, and its bounds."""
    return overlay_image(result.suitability, result.grid.transform, result.grid.crs, datum=datum)


def score_card(row: pd.Series, result: SitingResult, lang: str = DEFAULT_LANG) -> str:
    """Escaped HTML: a candidate's rank (shared when tied), score, factor points and failed constraints."""
    rank = row.get("rank")
    shown_rank: object = "—" if pd.isna(rank) else int(rank)
    if not pd.isna(rank) and bool(row.get("tied", False)):
        shown_rank = translate("siting.rank_tied", lang, rank=int(rank))
    rows: list[tuple[str, object]] = [
        (translate("map.row.rank", lang), shown_rank),
        (
            translate("map.row.score", lang),
            "—" if pd.isna(row.get("score")) else f"{row['score']:.1f} / 100",
        ),
    ]
    for spec in result.specs:
        points = row.get(f"contrib_{spec.id}")
        rows.append(
            (
                str(pick(lang, spec.label_zh, spec.label_en)),
                "—" if pd.isna(points) else translate("map.points", lang, points=points),
            )
        )
    failed = row.get("failed_constraints")
    if isinstance(failed, list) and failed:
        rows.append(
            (translate("map.row.fails", lang), join_names(lang, [constraint_name(c, lang) for c in failed]))
        )
    return detail_html(row.get("name") or row["plot_id"], row["plot_id"], rows)


def _candidate_layer(candidates: gpd.GeoDataFrame, result: SitingResult, lang: str) -> folium.FeatureGroup:
    """The candidates in a group named in ``lang``; the GeoJSON layer keeps its stable name."""
    shown = candidates[~(candidates.geometry.is_empty | candidates.geometry.isna())]
    data = gpd.GeoDataFrame(
        {
            "tooltip": [score_card(row, result, lang) for _, row in shown.iterrows()],
            "eligible": shown["eligible"].fillna(False).astype(bool).to_numpy(),
        },
        geometry=shapely.set_precision(shown.geometry.to_numpy(), 1e-6),
        crs=shown.crs,
    )
    group = folium.FeatureGroup(name=translate("map.layer.candidates", lang))
    folium.GeoJson(
        data.__geo_interface__,
        name=CANDIDATES_LAYER,
        control=False,
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
    ).add_to(group)
    return group


def _rank_labels(top: gpd.GeoDataFrame, lang: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=translate("map.layer.top_ranks", lang, count=LABELLED))
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


def _legend(lang: str) -> str:
    swatches = [(swatch(f"rgb{tuple(colour)}"), f"{value:g}") for value, colour in RAMP]
    return legend_html(translate("map.legend.suitability", lang), swatches) + legend_html(
        translate("map.layer.candidates", lang),
        [
            (
                swatch(line="#d7301f"),
                translate("map.legend.eligible", lang),
            ),
            (
                swatch("#888"),
                translate("map.legend.fails_constraint", lang),
            ),
        ],
    )
