"""Maps of the land stock: a static base (districts, parks) and a plots layer updated in place."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.i18n import DEFAULT_LANG, translate
from zgc_geo.mapping.basemaps import NO_BASEMAP, add_basemap, basemap_datum
from zgc_geo.mapping.context_layers import add_context_layers
from zgc_geo.mapping.display_datum import bounds_to_display, box_from_display, to_display
from zgc_geo.mapping.html_text import detail_html, legend_html, swatch
from zgc_geo.mapping.map_controls import Legend, MetricScale, add_map_css

#: Plots sent to the browser at most; beyond, the highest-priority plots in view are shown.
MAX_MAP_PLOTS: Final = 3000
#: Above this many plots Leaflet draws on a canvas instead of one SVG path per plot.
CANVAS_THRESHOLD: Final = 1500
#: Display-only simplification (metres); analysis keeps the full geometry.
SIMPLIFY_M: Final = 1.0
PLOT_CLASS: Final = "zgc-stock-plot"
#: The selected plot is drawn again on top of the others in this class (a neighbour never hides it).
HIGHLIGHT_CLASS: Final = "zgc-stock-highlight"
SELECTED_COLOUR: Final = "#00e5ff"
#: Zooming to a plot: it fills at most this many pixels of the map each way, and zoom stays in range.
FOCUS_PIXELS: Final = 320
FOCUS_ZOOM_RANGE: Final = (11.0, 18.0)

#: Five priority bands (score 0–100), light to dark: ColorBrewer YlOrRd, print-safe.
PRIORITY_BANDS: Final = ((0, "#ffffb2"), (20, "#fecc5c"), (40, "#fd8d3c"), (60, "#f03b20"), (80, "#bd0026"))
STATUS_COLOURS: Final[dict[str, str]] = {
    "unreviewed": "#bdbdbd",
    "under_review": "#fdb863",
    "recommended": "#1a9641",
    "deferred": "#5e3c99",
    "not_suitable": "#d7191c",
    "revitalised": "#2b83ba",
}
COLOUR_MODES: Final = ("priority", "review_status")


def build_stock_base_map(
    parks: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    colour_by: str,
    status_labels: Mapping[str, str],
    canvas: bool,
    basemap: str = NO_BASEMAP,
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """Districts, parks, scale and the legend of ``colour_by``: everything that does not change per click.

    Keeping this map identical across reruns is what stops the component from
    re-creating Leaflet (and losing the view) when only the plots change. Pass the same
    ``basemap`` to :func:`plots_for_display` so the plots are shifted with the base.
    ``status_labels`` name the review statuses in ``lang``, the language of the legend.
    """
    datum = basemap_datum(basemap)
    m = folium.Map(tiles=None, control_scale=False, zoom_snap=0.25, prefer_canvas=canvas)
    add_map_css(m, lang)
    add_basemap(m, basemap)
    add_context_layers(m, parks, districts, park_opacity=0.08, datum=datum, lang=lang)
    minx, miny, maxx, maxy = parks.total_bounds
    m.fit_bounds(bounds_to_display([[float(miny), float(minx)], [float(maxy), float(maxx)]], datum))
    MetricScale().add_to(m)
    Legend(_legend(colour_by, status_labels, lang)).add_to(m)
    return m


def _legend(colour_by: str, status_labels: Mapping[str, str], lang: str) -> str:
    if colour_by == "review_status":
        entries = [(swatch(c), status_labels.get(k, k)) for k, c in STATUS_COLOURS.items()]
        return legend_html(translate("map.legend.review_status", lang), entries)
    bands = [*PRIORITY_BANDS, (100, "")]
    entries = [(swatch(c), f"{lo}–{hi}") for (lo, c), (hi, _) in itertools.pairwise(bands)]
    return legend_html(translate("map.legend.priority_score", lang), entries)


def plot_colours(plots: pd.DataFrame, colour_by: str) -> np.ndarray:
    """Fill colour per plot for the chosen colouring (vectorised)."""
    if colour_by == "review_status":
        return plots["review_status"].map(STATUS_COLOURS).fillna("#bdbdbd").to_numpy()
    score = pd.to_numeric(plots.get("priority_score"), errors="coerce").fillna(0).to_numpy()
    edges = np.array([lo for lo, _ in PRIORITY_BANDS[1:]])
    palette = np.array([c for _, c in PRIORITY_BANDS])
    return palette[np.searchsorted(edges, score, side="right")]


def plots_for_display(
    plots: gpd.GeoDataFrame,
    view_bounds: tuple[float, float, float, float] | None,
    *,
    basemap: str = NO_BASEMAP,
) -> tuple[gpd.GeoDataFrame, int]:
    """The plots to send: those in view, highest priority first, capped; and how many were in view.

    Geometry is simplified by :data:`SIMPLIFY_M` metres and rounded to 1e-6° (≈ 0.1 m),
    which shrinks the payload for 20,000-plot inventories without visible change.
    ``view_bounds`` (minx, miny, maxx, maxy) is read off the map, so it is in ``basemap``'s
    datum; the returned geometry is too (shifted for a GCJ-02 basemap): draw it with
    :func:`plots_layer`, analyse the original ``plots``.
    """
    datum = basemap_datum(basemap)
    shown = plots
    if view_bounds is not None:
        minx, miny, maxx, maxy = box_from_display(view_bounds, datum)
        hits = shown.sindex.query(shapely.box(minx, miny, maxx, maxy), predicate="intersects")
        shown = shown.iloc[np.sort(hits)]
    in_view = len(shown)
    if in_view > MAX_MAP_PLOTS:
        order = shown["priority_score"].fillna(-1).to_numpy().argsort(kind="stable")[::-1]
        shown = shown.iloc[np.sort(order[:MAX_MAP_PLOTS])]
    metric = shown.geometry.to_crs(ANALYSIS_CRS).to_numpy()
    simple = gpd.GeoSeries(shapely.simplify(metric, SIMPLIFY_M, preserve_topology=True), crs=ANALYSIS_CRS)
    out = shown.copy()
    lonlat = to_display(simple.to_crs(4326), datum)
    out[out.geometry.name] = shapely.set_precision(lonlat.to_numpy(), 1e-6)
    return out, in_view


def plots_layer(
    plots: gpd.GeoDataFrame,
    *,
    colour_by: str,
    selected: str | None,
    tooltip_of: Mapping[str, str],
    lang: str = DEFAULT_LANG,
    highlight: gpd.GeoDataFrame | None = None,
) -> folium.FeatureGroup:
    """The plots as one GeoJson layer inside a FeatureGroup (what st_folium updates in place).

    Properties sent per plot: its id (so a click tells Python which plot), a fill colour
    and the escaped tooltip HTML; nothing else of the attributes leaves the server.
    ``highlight`` (display-datum geometry of the selected plot) is outlined on top of every plot,
    also when the plot itself is filtered out or beyond the plots sent.
    """
    ids = plots["plot_id"].astype(str).to_numpy()
    colours = plot_colours(plots, colour_by)
    data = gpd.GeoDataFrame(
        {
            "plot_id": ids,
            "fill_colour": colours,
            "selected": ids == (selected or ""),
            "tooltip": [tooltip_of.get(i, "") for i in ids],
        },
        geometry=plots.geometry.to_numpy(),
        crs=plots.crs,
    )
    group = folium.FeatureGroup(name=translate("map.layer.plots", lang))
    folium.GeoJson(
        data.__geo_interface__,
        name="plots",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill_colour"],
            "fillOpacity": 0.75,
            "color": SELECTED_COLOUR if f["properties"]["selected"] else "#333333",
            "weight": 4 if f["properties"]["selected"] else 0.8,
            "className": PLOT_CLASS,
        },
        highlight_function=lambda _f: {"weight": 3},
        # No plot in view (the user panned off them): folium refuses a tooltip field of no feature.
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True) if len(data) else None,
    ).add_to(group)
    if highlight is not None and len(highlight):
        folium.GeoJson(
            gpd.GeoDataFrame(
                {"plot_id": highlight["plot_id"].astype(str).to_numpy()},
                geometry=highlight.geometry.to_numpy(),
                crs=highlight.crs,
            ).__geo_interface__,
            name="selected",
            style_function=lambda _f: {
                "fill": False,
                "color": SELECTED_COLOUR,
                "weight": 5,
                "className": HIGHLIGHT_CLASS,
            },
        ).add_to(group)
    return group


def focus_view(plot: gpd.GeoDataFrame) -> tuple[tuple[float, float], float]:
    """Centre (lat, lon) and Leaflet zoom that fit ``plot`` (display-datum geometry) in the map.

    Web Mercator maths, so the server can set the view without a round trip: at zoom *z* the
    world is 256·2^z pixels wide; the zoom is the largest (in quarter steps, as the map snaps)
    that keeps the plot within :data:`FOCUS_PIXELS` both ways, within :data:`FOCUS_ZOOM_RANGE`.
    """
    minx, miny, maxx, maxy = (float(v) for v in plot.total_bounds)
    merc = np.log(np.tan(np.pi / 4 + np.radians([miny, maxy]) / 2))
    span_x = max(maxx - minx, 1e-9) / 360.0
    span_y = max(float(merc[1] - merc[0]), 1e-9) / (2 * np.pi)
    zoom = float(np.log2(FOCUS_PIXELS / (256.0 * max(span_x, span_y))))
    low, high = FOCUS_ZOOM_RANGE
    zoom = min(max(np.floor(zoom * 4) / 4, low), high)
    return ((miny + maxy) / 2, (minx + maxx) / 2), zoom


def plot_tooltips(
    plots: pd.DataFrame,
    status_labels: Mapping[str, str],
    *,
    lang: str = DEFAULT_LANG,
    park_labels: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Escaped hover text per plot id: name, park, area, status, priority (row labels in ``lang``).

    ``park_labels`` names the parks (id → name in ``lang``; key ``""`` names "in no park"); the park
    is the analysis park when the plots have one.
    """
    parks = park_labels or {}
    park_ids = plots["analysis_park_id"] if "analysis_park_id" in plots.columns else plots.get("park_id")
    if park_ids is None:
        park_ids = pd.Series([None] * len(plots), index=plots.index)
    labels = [
        translate("map.row.park", lang),
        translate("map.row.area", lang),
        translate("map.row.review", lang),
        translate("map.row.priority", lang),
    ]
    rows = zip(
        plots["plot_id"].astype(str),
        plots.get("name", plots["plot_id"]),
        park_ids.astype(object).where(park_ids.notna(), None),
        plots.get("area_ha", pd.Series([np.nan] * len(plots))),
        plots.get("review_status", pd.Series(["unreviewed"] * len(plots))),
        plots.get("priority_score", pd.Series([np.nan] * len(plots))),
        strict=True,
    )
    return {
        plot_id: detail_html(
            name,
            plot_id,
            list(
                zip(
                    labels,
                    [
                        parks.get("" if park is None else str(park), park),
                        f"{area:,.2f} ha" if pd.notna(area) else None,
                        status_labels.get(str(status), status),
                        f"{score:.0f}" if pd.notna(score) else None,
                    ],
                    strict=True,
                )
            ),
        )
        for plot_id, name, park, area, status, score in rows
    }
