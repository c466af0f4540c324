"""Preview of an imported layer over the parks and districts, light enough for large inventories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import folium
import geopandas as gpd
import numpy as np
import shapely

from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.i18n import DEFAULT_LANG, translate
from zgc_geo.mapping import style
from zgc_geo.mapping.basemaps import NO_BASEMAP, add_basemap, basemap_datum
from zgc_geo.mapping.context_layers import add_context_layers
from zgc_geo.mapping.display_datum import to_display
from zgc_geo.mapping.html_text import detail_html, legend_html, swatch
from zgc_geo.mapping.map_controls import Legend, MetricScale, add_map_css

#: Beyond this many features the preview shows a sample; the table still lists all of them.
MAX_PREVIEW_FEATURES: Final = 5000
#: Vertices closer than this (metres) are merged for display only; analysis keeps full detail.
SIMPLIFY_M: Final = 2.0
IMPORT_CLASS: Final = "zgc-import-feature"
IMPORT_FILL: Final = "#d7301f"
IMPORT_LINE: Final = "#7f0000"
#: Stable name of the imported features' GeoJSON layer (not shown; its group is named in the map's language).
IMPORT_LAYER: Final = "导入数据 Imported features"
#: Fields shown in the tooltip when present, in this order, with the key of their label.
TOOLTIP_FIELDS: Final = (
    ("plot_id", "map.field.plot_id"),
    ("land_use_code", "map.field.land_use_code"),
    ("land_use_class", "map.field.land_use_class"),
    ("area_m2", "map.field.area_m2"),
    ("park_id", "map.row.park"),
    ("owner", "map.field.owner"),
    ("status", "map.field.status"),
)


def build_preview_map(
    frame: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    name_field: str | None = "name",
    basemap: str = NO_BASEMAP,
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """Imported features (red) over the 16 parks and district outlines, fitted to the data.

    Large inputs are sampled to :data:`MAX_PREVIEW_FEATURES` and simplified by
    :data:`SIMPLIFY_M` metres before they go to the browser; every tooltip value is
    escaped (imported attributes are untrusted). On a GCJ-02 basemap everything is
    drawn shifted to match it. Layer names and tooltip labels are in ``lang``.
    """
    datum = basemap_datum(basemap)
    m = folium.Map(tiles=None, control_scale=False, zoom_snap=0.25)
    add_map_css(m, lang)
    add_basemap(m, basemap)
    add_context_layers(m, parks, districts, park_opacity=0.15, datum=datum, lang=lang)
    drawable = frame[~(frame.geometry.is_empty | frame.geometry.isna())]
    shown = _display_sample(drawable, datum)
    if not shown.empty:
        _feature_layer(shown, name_field, lang).add_to(m)
        minx, miny, maxx, maxy = shown.total_bounds
        m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
    else:
        minx, miny, maxx, maxy = to_display(parks, datum).total_bounds
        m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
    folium.LayerControl(collapsed=True).add_to(m)
    MetricScale().add_to(m)
    Legend(_legend(len(shown), len(drawable), lang)).add_to(m)
    return m


def _legend(shown: int, total: int, lang: str) -> str:
    """What the preview draws; says so when only a sample of a large import is on the map."""
    imported = translate("map.legend.imported", lang, count=f"{total:,}")
    if shown < total:
        imported = translate("map.legend.imported_sample", lang, shown=f"{shown:,}", total=f"{total:,}")
    return legend_html(
        translate("map.legend.preview", lang),
        [
            (
                swatch(IMPORT_FILL, IMPORT_LINE),
                imported,
            ),
            (
                swatch(f"{style.PARK_FILL}33", style.PARK_FILL),
                translate("map.legend.sub_park", lang),
            ),
            (
                swatch("#ffffff", style.DISTRICT_LINE),
                translate("map.legend.district_boundary", lang),
            ),
        ],
    )


def _display_sample(valid: gpd.GeoDataFrame, datum: str = "wgs84") -> gpd.GeoDataFrame:
    """At most :data:`MAX_PREVIEW_FEATURES` of the drawable features ``valid``, simplified for display."""
    if len(valid) > MAX_PREVIEW_FEATURES:
        # Every k-th feature, not the first N: the sample then covers the whole area.
        step = int(np.ceil(len(valid) / MAX_PREVIEW_FEATURES))
        valid = valid.iloc[::step]
    metric = valid.geometry.to_crs(ANALYSIS_CRS)
    simplified = to_display(
        gpd.GeoSeries(
            shapely.simplify(metric.to_numpy(), SIMPLIFY_M, preserve_topology=True), crs=ANALYSIS_CRS
        ).to_crs(4326),
        datum,
    )
    out = valid.copy()
    out[out.geometry.name] = shapely.set_precision(simplified.to_numpy(), 1e-6)
    return out


def _tooltips(frame: gpd.GeoDataFrame, name_field: str | None, lang: str) -> list[str]:
    present = [(column, translate(key, lang)) for column, key in TOOLTIP_FIELDS if column in frame.columns]
    names: Sequence[object] = (
        frame[name_field].tolist() if name_field and name_field in frame.columns else [""] * len(frame)
    )
    values = {column: frame[column].tolist() for column, _ in present}
    return [
        detail_html(names[i], "", [(label, _fmt(values[column][i])) for column, label in present])
        for i in range(len(frame))
    ]


def _fmt(value: object) -> object:
    if isinstance(value, float) and not np.isnan(value):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:g}"
    return value


def _feature_layer(frame: gpd.GeoDataFrame, name_field: str | None, lang: str) -> folium.FeatureGroup:
    data = gpd.GeoDataFrame(
        {"tooltip": _tooltips(frame, name_field, lang)}, geometry=frame.geometry.to_numpy(), crs=frame.crs
    )
    group = folium.FeatureGroup(name=translate("map.layer.imported", lang))
    folium.GeoJson(
        data.__geo_interface__,
        name=IMPORT_LAYER,
        control=False,
        style_function=lambda _f: {
            "fill": True,
            "fillColor": IMPORT_FILL,
            "fillOpacity": 0.5,
            "color": IMPORT_LINE,
            "weight": 1,
            "className": IMPORT_CLASS,
        },
        marker=folium.CircleMarker(radius=5),
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
    ).add_to(group)
    return group
