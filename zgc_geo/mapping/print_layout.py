"""A print page around any of our Leaflet maps: title, legend, scale bar, north arrow, source and date.

The page is the web map itself (same layers, same styles, Leaflet inlined by
:func:`~zgc_geo.mapping.web_assets.inline_assets_html`) laid out on one sheet of
paper, so a headless Chromium can print it to PDF or PNG (see :mod:`zgc_geo.export.printing`).
Nothing here touches files or browsers.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias

import folium
from folium.map import FitBounds

from zgc_geo.errors import OptionError
from zgc_geo.i18n import translate
from zgc_geo.mapping.map_controls import layer_control_last
from zgc_geo.mapping.web_assets import STATIC_URL_PATH, inline_assets_html, static_dir

FoliumMap: TypeAlias = folium.Map
"""The map type the print functions take (re-exported so I/O modules need not import folium)."""

Paper = Literal["A4", "A3"]
Orientation = Literal["landscape", "portrait"]
Lang = Literal["zh", "en"]

#: Portrait width × height of each paper size, in millimetres (ISO 216).
PAPER_MM: Final[dict[str, tuple[float, float]]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
ORIENTATIONS: Final = ("landscape", "portrait")
LANGS: Final = ("zh", "en")
MIN_DPI: Final = 200
MAX_DPI: Final = 600
CSS_PX_PER_INCH: Final = 96
MM_PER_INCH: Final = 25.4

#: Layout of the sheet in millimetres (A4; A3 scales text and bands by ``_SCALE``).
MARGIN_MM: Final = 8.0
HEADER_MM: Final = 17.0
FOOTER_MM: Final = 10.0
_SCALE: Final[dict[str, float]] = {"A4": 1.0, "A3": 1.25}
#: A title shrinks to this share of its size on one line before it wraps onto a second.
WRAP_AFTER_RATIO: Final = 0.75
#: Room (CSS px) kept around the fitted bounds so labels of the outermost features are not cut.
FIT_PADDING_PX: Final = 40
#: Room (CSS px) kept between the fitted bounds and the legend, which sits over the map's lower right.
LEGEND_GAP_PX: Final = 16

#: Web Mercator's equator length (EPSG:3857 sphere, metres): Leaflet's tiles are 256 px across it at zoom 0.
MERCATOR_EQUATOR_M: Final = 2 * math.pi * 6_378_137
TILE_PX: Final = 256
#: First digits of the numeric scales a print may take (1:10 000, 1:12 000, 1:15 000 … 1:80 000).
NICE_SCALE_STEPS: Final = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.5, 8.0, 10.0)
#: A filled area printed smaller than this (mm across) gets a marker of this size, so it is never a speck.
MIN_FEATURE_MM: Final = 1.8
#: CSS class of those markers.
PRINT_MARKER_CLASS: Final = "zgc-print-marker"

#: WenQuanYi Micro Hei first: its TrueType outlines are embedded in the PDF as a named CID font;
#: Chromium embeds CFF-outline fonts such as Noto Sans CJK only as unnamed Type 3 fonts, which some
#: print-shop preflight checks reject. Noto Sans CJK remains the fallback.
FONT_STACK: Final = (
    '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif'
)


def _today() -> str:
    return dt.date.today().isoformat()


@dataclass(frozen=True)
class PrintSpec:
    """What one printed sheet looks like; every value is checked on construction.

    ``source_note`` empty means the plan-and-layers note in ``lang``; ``date`` is ISO
    (``YYYY-MM-DD``), today by default. ``dpi`` only matters for PNG output.
    """

    title: str
    subtitle: str = ""
    paper: Paper = "A4"
    orientation: Orientation = "landscape"
    dpi: int = MIN_DPI
    lang: Lang = "zh"
    source_note: str = ""
    date: str = field(default_factory=_today)

    def __post_init__(self) -> None:
        if self.paper not in PAPER_MM:
            raise OptionError(f"unknown paper {self.paper!r}; valid: {', '.join(PAPER_MM)}")
        if self.orientation not in ORIENTATIONS:
            raise OptionError(f"unknown orientation {self.orientation!r}; valid: {', '.join(ORIENTATIONS)}")
        if self.lang not in LANGS:
            raise OptionError(f"unknown language {self.lang!r}; valid: {', '.join(LANGS)}")
        if isinstance(self.dpi, bool) or not isinstance(self.dpi, int) or not MIN_DPI <= self.dpi <= MAX_DPI:
            raise OptionError(f"dpi must be a whole number from {MIN_DPI} to {MAX_DPI}, not {self.dpi!r}")
        try:
            dt.date.fromisoformat(self.date)
        except (TypeError, ValueError):
            raise OptionError(f"date must be ISO YYYY-MM-DD, not {self.date!r}") from None

    @property
    def size_mm(self) -> tuple[float, float]:
        """Sheet width and height in millimetres, in this orientation."""
        short, long = PAPER_MM[self.paper]
        return (long, short) if self.orientation == "landscape" else (short, long)

    @property
    def size_css_px(self) -> tuple[int, int]:
        """Sheet width and height in CSS pixels (96 per inch), rounded."""
        return _mm_to_px(self.size_mm[0]), _mm_to_px(self.size_mm[1])

    @property
    def size_png_px(self) -> tuple[int, int]:
        """Expected pixel size of the PNG at ``dpi`` (±1 px from rounding the CSS size)."""
        width, height = self.size_mm
        return round(width / MM_PER_INCH * self.dpi), round(height / MM_PER_INCH * self.dpi)


def _mm_to_px(mm: float) -> int:
    return round(mm / MM_PER_INCH * CSS_PX_PER_INCH)


@dataclass(frozen=True)
class PrintView:
    """What the user's map showed when the export was asked for: its extent and the layers switched off.

    ``bounds`` is ``(south, west, north, east)`` in the map's display coordinates, or None for the
    map's own full extent; ``hidden`` the layer-control names of the overlays the user switched off.
    """

    bounds: tuple[float, float, float, float] | None = None
    hidden: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.bounds is not None:
            south, west, north, east = self.bounds
            if not all(math.isfinite(v) for v in self.bounds) or not (south < north and west < east):
                raise OptionError(f"the map's extent {self.bounds!r} is empty or not finite")


# --- numeric scale --------------------------------------------------------------------
# The same arithmetic runs in the print page (see _script); these are its reference and tests.


def metres_per_css_px(lat: float, zoom: float) -> float:
    """Ground metres one CSS pixel spans at latitude ``lat`` and Leaflet zoom ``zoom`` (Web Mercator)."""
    return MERCATOR_EQUATOR_M * math.cos(math.radians(lat)) / (TILE_PX * 2**zoom)


def scale_denominator(lat: float, zoom: float) -> float:
    """N of the printed scale 1:N: ground length over printed length (96 CSS px = 25.4 mm on paper)."""
    return metres_per_css_px(lat, zoom) * CSS_PX_PER_INCH / (MM_PER_INCH / 1000)


def nice_scale(denominator: float) -> int:
    """The smallest round scale (1:150 000, 1:200 000 …) at least ``denominator``: zooming out to it
    keeps everything the sheet was fitted to on the sheet."""
    if not math.isfinite(denominator) or denominator <= 0:
        raise ValueError(f"a scale must be positive, not {denominator!r}")
    power = 10 ** math.floor(math.log10(denominator))
    for step in NICE_SCALE_STEPS:
        if step * power >= denominator * (1 - 1e-9):
            return round(step * power)
    raise AssertionError("unreachable: the last step is 10")  # pragma: no cover


def zoom_for_scale(lat: float, denominator: float) -> float:
    """The Leaflet zoom at which the sheet's scale is exactly 1:``denominator`` at latitude ``lat``."""
    metres_per_px = denominator * (MM_PER_INCH / 1000) / CSS_PX_PER_INCH
    return math.log2(MERCATOR_EQUATOR_M * math.cos(math.radians(lat)) / (TILE_PX * metres_per_px))


def scale_text(denominator: int) -> str:
    """``1:150 000``: digits grouped by spaces, as Chinese and international map sheets print them."""
    return f"1:{denominator:,}".replace(",", " ")


# --- layer selection ------------------------------------------------------------------


def overlay_id(group: folium.FeatureGroup) -> str:
    """A stable id for an overlay group: its first GeoJSON layer's name, else its labels' CSS class.

    Display names are bilingual prose; the GeoJSON layer names (``parks``, ``districts``, a
    cluster id …) and label classes (``zgc-label``) are the machine names map builders set.
    """
    for child in group._children.values():
        if isinstance(child, folium.GeoJson):
            return str(child.layer_name)
    for child in group._children.values():
        icon = getattr(child, "icon", None)
        if isinstance(icon, folium.DivIcon):
            return str(icon.options.get("className", icon.options.get("class_name", "")))
    return str(group.layer_name)


def overlay_ids(m: folium.Map) -> list[str]:
    """The :func:`overlay_id` of every overlay group on the map, in drawing order."""
    return [overlay_id(c) for c in m._children.values() if isinstance(c, folium.FeatureGroup)]


def drop_overlays(m: folium.Map, ids: Collection[str]) -> None:
    """Remove the overlay groups whose :func:`overlay_id` is in ``ids`` (the layer control follows)."""
    for name, child in list(m._children.items()):
        if isinstance(child, folium.FeatureGroup) and overlay_id(child) in ids:
            del m._children[name]


def switchable_overlays(m: folium.Map) -> list[folium.map.Layer]:
    """The layers the map's layer control lists as overlays (what a user can switch off)."""
    return [
        c
        for c in m._children.values()
        if isinstance(c, folium.map.Layer) and not isinstance(c, folium.TileLayer) and c.overlay and c.control
    ]


def hide_overlays(m: folium.Map, names: Collection[str], *, keep_switchable: bool = False) -> None:
    """Leave out the overlays whose layer-control name is in ``names`` (switched off on screen).

    ``keep_switchable`` keeps them on the map, switched off, so an interactive export can still
    show them; a print drops them.
    """
    for layer in switchable_overlays(m):
        if layer.layer_name in names:
            if keep_switchable:
                layer.show = False
            else:
                del m._children[layer.get_name()]


# --- the page -------------------------------------------------------------------------


def _fit_target(m: folium.Map, view: PrintView | None = None) -> tuple[object, dict[str, object], bool]:
    """The bounds to print, their fitBounds options, and whether to keep them clear of the legend.

    The user's view (``view.bounds``) prints as it was on screen, legend over it and all; the
    map's own extent (what it was built to show, else its data) is fitted beside the legend.
    """
    padding: dict[str, object] = {"padding": [FIT_PADDING_PX, FIT_PADDING_PX]}
    if view is not None and view.bounds is not None:
        south, west, north, east = view.bounds
        return [[south, west], [north, east]], {"padding": [0, 0]}, False
    fits = [c for c in m._children.values() if isinstance(c, FitBounds)]
    if fits:
        options: dict[str, object] = dict(fits[-1].options)
        if not {"padding", "paddingTopLeft", "paddingBottomRight"} & options.keys():
            options.update(padding)
        return fits[-1].bounds, options, True
    data_bounds = m.get_bounds()
    if any(v is None for corner in data_bounds for v in corner):
        return None, {}, False
    return data_bounds, padding, True


def _css(spec: PrintSpec, map_id: str) -> str:
    width, height = spec.size_mm
    k = _SCALE[spec.paper]
    return f"""
@page {{ size: {width}mm {height}mm; margin: 0; }}
* {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; box-sizing: border-box; }}
html, body {{ width: {width}mm; height: {height}mm; margin: 0; padding: 0; overflow: hidden;
  background: #fff; }}
body.zgc-print {{ display: grid;
  grid-template-rows: minmax({HEADER_MM * k}mm, max-content) minmax(0, 1fr) {FOOTER_MM * k}mm;
  padding: {MARGIN_MM}mm; font-family: {FONT_STACK}; color: #14213d; }}
.zgc-print-header {{ overflow: hidden; border-bottom: 0.4mm solid #14213d; }}
.zgc-print-title {{ margin: 0; font-size: {17 * k:.1f}pt; font-weight: 700; line-height: 1.25;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.zgc-print-subtitle {{ margin: 0.8mm 0 0; font-size: {10 * k:.1f}pt; color: #444; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }}
.zgc-print-frame {{ position: relative; margin: 2mm 0; border: 0.3mm solid #333; min-height: 0; }}
.zgc-print-frame > #{map_id} {{ position: absolute; inset: 0; width: auto; height: auto; }}
.zgc-print .leaflet-container {{ font-family: {FONT_STACK}; }}
.zgc-print .leaflet-control-zoom, .zgc-print .leaflet-control-layers {{ display: none !important; }}
.zgc-print .leaflet-container * {{ transition: none !important; animation: none !important; }}
.zgc-print .leaflet-control-scale-line {{ font-size: {11 * k:.0f}px; border-width: 2px; border-color: #222;
  background: rgba(255,255,255,0.9); }}
.zgc-print .leaflet-control-scale {{ display: flex; align-items: flex-end; gap: 2mm; }}
.zgc-scale-ratio {{ font-size: {11 * k:.0f}px; font-weight: 700; color: #222; padding: 0 1.5mm;
  background: rgba(255,255,255,0.9); white-space: nowrap; line-height: 1.6; }}
.zgc-north {{ position: absolute; top: 3mm; right: 3mm; z-index: 1100; width: {11 * k:.1f}mm;
  height: {16 * k:.1f}mm; }}
.zgc-print-footer {{ display: flex; justify-content: space-between; align-items: flex-end; gap: 4mm;
  font-size: {7 * k:.1f}pt; line-height: 1.35; color: #333; overflow: hidden; }}
.zgc-print-footer p {{ margin: 0; }}
.zgc-print-date {{ white-space: nowrap; text-align: right; }}
"""


def _north_arrow(spec: PrintSpec) -> str:
    letter = html.escape(translate("print.north", spec.lang))
    return (
        '<svg class="zgc-north" viewBox="0 0 40 60" role="img" aria-label="north">'
        '<circle cx="20" cy="34" r="18" fill="rgba(255,255,255,0.85)" stroke="#222" stroke-width="1"/>'
        '<path d="M20 18 L29 46 L20 40 Z" fill="#222"/>'
        '<path d="M20 18 L11 46 L20 40 Z" fill="#fff" stroke="#222" stroke-width="1"/>'
        f'<text x="20" y="12" text-anchor="middle" font-size="13" font-weight="700" fill="#222" '
        f"font-family='{FONT_STACK.replace(chr(34), '')}'>{letter}</text></svg>"
    )


def _header(spec: PrintSpec) -> str:
    subtitle = f'<p class="zgc-print-subtitle">{html.escape(spec.subtitle)}</p>' if spec.subtitle else ""
    return (
        f'<header class="zgc-print-header"><h1 class="zgc-print-title">{html.escape(spec.title)}</h1>'
        f"{subtitle}</header>"
    )


def _footer(spec: PrintSpec) -> str:
    lines = (
        spec.source_note or translate("print.source", spec.lang),
        f"{translate('print.schematic', spec.lang)} · {translate('print.crs', spec.lang)}",
    )
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    date = f"{translate('print.date', spec.lang)} {spec.date}"
    return (
        f'<footer class="zgc-print-footer"><div>{body}</div>'
        f'<p class="zgc-print-date">{html.escape(date)}</p></footer>'
    )


def _script(
    map_id: str, bounds: object, options: dict[str, object], spec: PrintSpec, beside_legend: bool
) -> str:
    """Fit once the sheet is laid out (and again when fonts are ready), set a round scale, flag readiness.

    The fit is then zoomed out to the next round numeric scale (:func:`nice_scale`), printed beside
    the scale bar, and every filled area smaller than :data:`MIN_FEATURE_MM` gets a marker of that
    size: a plot never prints as an invisible speck, whatever the scale.
    """
    constants = {
        "equator": MERCATOR_EQUATOR_M,
        "tile": TILE_PX,
        "pxPerPaperMetre": CSS_PX_PER_INCH / (MM_PER_INCH / 1000),
        "steps": NICE_SCALE_STEPS,
        "minPx": MIN_FEATURE_MM / MM_PER_INCH * CSS_PX_PER_INCH,
        "markerClass": PRINT_MARKER_CLASS,
        "label": translate("print.scale", spec.lang),
        "legendGap": LEGEND_GAP_PX,
        "besideLegend": beside_legend,
    }
    return rf"""<script>
(function () {{
  var map = {map_id};
  var bounds = {json.dumps(bounds)};
  var options = Object.assign({json.dumps(options)}, {{animate: false}});
  var K = {json.dumps(constants, ensure_ascii=False)};
  window.zgcPrint = {{ready: false, scale: null, extent: null, markers: 0}};
  map.options.zoomSnap = 0;  // fit the print frame exactly, not to the nearest quarter zoom
  if (!map.getContainer().querySelector(".leaflet-control-scale")) {{
    L.control.scale({{imperial: false, maxWidth: 160}}).addTo(map);
  }}
  // A long title first gets somewhat smaller type, then wraps onto a second line (the header
  // grows, the map gives way), and only then shrinks further; never an ellipsis, never a cut.
  function fitText(el, lines) {{
    var base = parseFloat(getComputedStyle(el).fontSize), size = base;
    function setSize(value) {{ size = value; el.style.fontSize = size + "px"; }}
    while (el.scrollWidth > el.clientWidth && size > base * {WRAP_AFTER_RATIO}) {{ setSize(size - 0.5); }}
    if (el.scrollWidth <= el.clientWidth) {{ return; }}
    el.style.whiteSpace = "normal";
    el.style.textOverflow = "clip";
    while (el.getClientRects().length && el.scrollHeight > lines * size * 1.3 && size > 7) {{
      setSize(size - 0.5);
    }}
  }}
  function shrinkToFit() {{
    document.querySelectorAll(".zgc-print-title").forEach(function (el) {{ fitText(el, 2); }});
    document.querySelectorAll(".zgc-print-subtitle").forEach(function (el) {{ fitText(el, 2); }});
  }}
  // The map's own extent is fitted beside the legend (lower right): right of it if that costs
  // the smaller share of the frame, else above it. The user's view prints as it was on screen.
  function fitOptions() {{
    var o = Object.assign({{}}, options);
    var legend = K.besideLegend && map.getContainer().querySelector(".zgc-legend");
    if (!legend) {{ return o; }}
    var size = map.getSize(), pad = L.point(o.paddingBottomRight || o.padding || [0, 0]);
    var w = legend.offsetWidth + K.legendGap, h = legend.offsetHeight + K.legendGap;
    if (w / size.x <= h / size.y) {{ pad.x = Math.max(pad.x, w); }} else {{ pad.y = Math.max(pad.y, h); }}
    o.paddingBottomRight = [pad.x, pad.y];
    return o;
  }}
  function fit() {{
    shrinkToFit();
    map.invalidateSize({{animate: false, pan: false}});
    if (bounds) {{ map.fitBounds(bounds, fitOptions()); }}
  }}
  function niceScale(n) {{
    var power = Math.pow(10, Math.floor(Math.log10(n)));
    for (var i = 0; i < K.steps.length; i++) {{
      if (K.steps[i] * power >= n * (1 - 1e-9)) {{ return Math.round(K.steps[i] * power); }}
    }}
    return Math.round(10 * power);
  }}
  // Zoom out to the next round scale 1:N (at the centre's latitude) and print it beside the bar.
  function roundScale() {{
    var centre = map.getCenter(), cos = Math.cos(centre.lat * Math.PI / 180);
    var metresPerPx = K.equator * cos / (K.tile * Math.pow(2, map.getZoom()));
    var n = niceScale(metresPerPx * K.pxPerPaperMetre);
    map.setView(centre, Math.log2(K.equator * cos * K.pxPerPaperMetre / (K.tile * n)), {{animate: false}});
    var box = map.getContainer().querySelector(".leaflet-control-scale");
    var ratio = box.querySelector(".zgc-scale-ratio") || box.appendChild(document.createElement("div"));
    ratio.className = "zgc-scale-ratio";
    ratio.textContent = K.label + " 1:" + String(n).replace(/\B(?=(\d{{3}})+(?!\d))/g, " ");
    window.zgcPrint.scale = n;
    var b = map.getBounds();  // what the frame shows: recorded in the PNG (see zgc_geo.export.printing)
    window.zgcPrint.extent = [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()];
  }}
  // A filled area smaller than the minimum printed size gets a marker of that size on top.
  function markSmall() {{
    var small = [];
    map.eachLayer(function (layer) {{
      var o = layer.options;
      if (!(layer instanceof L.Polygon) || !o.fill || o.fillOpacity === 0) {{ return; }}
      var b = layer.getBounds();
      var a = map.latLngToContainerPoint(b.getSouthWest()), c = map.latLngToContainerPoint(b.getNorthEast());
      if (Math.max(Math.abs(c.x - a.x), Math.abs(a.y - c.y)) < K.minPx) {{ small.push(layer); }}
    }});
    small.forEach(function (layer) {{
      var o = layer.options;
      L.circleMarker(layer.getBounds().getCenter(), {{
        radius: K.minPx / 2, color: o.color || "#333", weight: 0.6, fillColor: o.fillColor || o.color,
        fillOpacity: Math.max(o.fillOpacity || 0, 0.9), className: K.markerClass, interactive: false
      }}).addTo(map);
    }});
    window.zgcPrint.markers = small.length;
  }}
  fit();
  var fonts = document.fonts ? document.fonts.ready : Promise.resolve();
  fonts.then(function () {{
    fit();
    roundScale();
    markSmall();
    requestAnimationFrame(function () {{
      requestAnimationFrame(function () {{ window.zgcPrint.ready = true; }});
    }});
  }});
}})();
</script>
"""


_STATIC_PREFIX: Final = re.compile(r"""(["'])(?:/[^"'/\s]+)*""" + re.escape(STATIC_URL_PATH) + "/")


def _static_as_files(page: str) -> str:
    """Point what is left of ``/app/static/…`` (local tile templates) at the static folder on disk.

    Only the app's server answers ``/app/static`` URLs; the print page is opened from a file, so
    local basemap tiles are read straight from ``static/tiles`` instead.
    """
    folder = static_dir().as_uri()
    return _STATIC_PREFIX.sub(lambda match: f"{match.group(1)}{folder}/", page)


def _view_applied(m: folium.Map, view: PrintView | None, *, keep_switchable: bool) -> folium.Map:
    if view is not None and view.hidden:
        hide_overlays(m, view.hidden, keep_switchable=keep_switchable)
    return layer_control_last(m)


def _replace_map_div(page: str, map_id: str, make: Callable[[str], str]) -> str:
    """``page`` with the map's ``<div>`` replaced by ``make(div)``."""
    div = re.search(rf"<div[^>]*\bid=\"{re.escape(map_id)}\"[^>]*>\s*</div>", page)
    if div is None or not all(tag in page for tag in ("</head>", "<body>", "</html>")):
        raise ValueError(f"could not find the map element {map_id} in the rendered page")
    return page[: div.start()] + make(div.group(0)) + page[div.end() :]


def print_html(m: folium.Map, spec: PrintSpec, view: PrintView | None = None) -> str:
    """One standalone print page of ``m`` on ``spec``'s sheet (Leaflet and its images inlined).

    The map keeps its own layers, styles, legend and scale bar; zoom and layer controls are
    hidden, a north arrow is added top right of the map frame, and the map is fitted at the print
    size to ``view`` (what the user saw: extent, switched-off layers left out) or, without one,
    to the bounds it was built with, beside its legend. The scale is then rounded to a numeric
    scale printed by the bar. All text of ``spec`` is HTML-escaped. Local tiles
    (``/app/static/tiles/…``) are referenced as ``file:`` URLs of the static folder, so the page
    is for printing on this machine; :func:`titled_html` makes the portable HTML export.

    Raises
    ------
    AssetsMissingError
        As :func:`~zgc_geo.mapping.web_assets.inline_assets_html`.
    """
    map_id = m.get_name()
    bounds, options, beside_legend = _fit_target(m, view)
    page = _static_as_files(inline_assets_html(_view_applied(m, view, keep_switchable=False)))
    page = _replace_map_div(
        page,
        map_id,
        lambda div: (
            f'{_header(spec)}<div class="zgc-print-frame">{div}{_north_arrow(spec)}</div>{_footer(spec)}'
        ),
    )
    page = page.replace("<body>", '<body class="zgc-print">', 1)
    head, _, rest = page.partition("</head>")
    page = f"{head}<title>{html.escape(spec.title)}</title><style>{_css(spec, map_id)}</style></head>{rest}"
    before, _, after = page.rpartition("</html>")
    return f"{before}{_script(map_id, bounds, options, spec, beside_legend)}</html>{after}"


def _html_css(map_id: str) -> str:
    return f"""
html, body {{ height: 100%; margin: 0; }}
body.zgc-titled {{ display: flex; flex-direction: column; font-family: {FONT_STACK}; color: #14213d; }}
body.zgc-titled > #{map_id} {{ flex: 1 1 auto; height: auto !important; min-height: 0; }}
.zgc-html-header {{ flex: none; padding: 6px 12px 5px; border-bottom: 2px solid #14213d; }}
.zgc-html-header h1 {{ margin: 0; font-size: 20px; line-height: 1.25; }}
.zgc-html-header p {{ margin: 2px 0 0; font-size: 13px; color: #444; }}
.zgc-html-footer {{ flex: none; display: flex; justify-content: space-between; gap: 12px; padding: 4px 12px;
  font-size: 11px; line-height: 1.35; color: #333; border-top: 1px solid #999; }}
.zgc-html-footer p {{ margin: 0; }}
"""


def titled_html(m: folium.Map, spec: PrintSpec, view: PrintView | None = None) -> str:
    """The interactive map as one standalone HTML page, under ``spec``'s title and subtitle and above
    its source note, CRS note and date: a file passed on keeps saying what it shows and where from.

    ``view`` opens the map on the user's extent, with the overlays they switched off still in the
    layer control, switched off. Leaflet is inlined; nothing is fetched from the internet.
    """
    if view is not None and view.bounds is not None:
        south, west, north, east = view.bounds
        m.fit_bounds([[south, west], [north, east]])  # the last fit wins
    map_id = m.get_name()
    page = inline_assets_html(_view_applied(m, view, keep_switchable=True))
    subtitle = f"<p>{html.escape(spec.subtitle)}</p>" if spec.subtitle else ""
    notes = (
        spec.source_note or translate("print.source", spec.lang),
        f"{translate('print.schematic', spec.lang)} · {translate('print.crs', spec.lang)}",
    )
    date = f"{translate('print.date', spec.lang)} {spec.date}"
    header = f'<header class="zgc-html-header"><h1>{html.escape(spec.title)}</h1>{subtitle}</header>'
    footer = (
        '<footer class="zgc-html-footer"><div>'
        + "".join(f"<p>{html.escape(line)}</p>" for line in notes)
        + f"</div><p>{html.escape(date)}</p></footer>"
    )
    page = _replace_map_div(page, map_id, lambda div: f"{header}{div}{footer}")
    page = page.replace("<body>", '<body class="zgc-titled">', 1)
    head, _, rest = page.partition("</head>")
    return f"{head}<title>{html.escape(spec.title)}</title><style>{_html_css(map_id)}</style></head>{rest}"
