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
import re
from collections.abc import Collection
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


# --- the page -------------------------------------------------------------------------


def _fit_target(m: folium.Map) -> tuple[object, dict[str, object]]:
    """The bounds (and fitBounds options) the map was built to show; data bounds if none were set."""
    fits = [c for c in m._children.values() if isinstance(c, FitBounds)]
    padding: dict[str, object] = {"padding": [FIT_PADDING_PX, FIT_PADDING_PX]}
    if fits:
        options: dict[str, object] = dict(fits[-1].options)
        if not {"padding", "paddingTopLeft", "paddingBottomRight"} & options.keys():
            options.update(padding)
        return fits[-1].bounds, options
    data_bounds = m.get_bounds()
    if any(v is None for corner in data_bounds for v in corner):
        return None, {}
    return data_bounds, padding


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


def _script(map_id: str, bounds: object, options: dict[str, object]) -> str:
    """Re-fit once the sheet is laid out (and again when fonts are ready), then flag readiness."""
    return f"""<script>
(function () {{
  var map = {map_id};
  var bounds = {json.dumps(bounds)};
  var options = Object.assign({json.dumps(options)}, {{animate: false}});
  window.zgcPrint = {{ready: false}};
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
  function fit() {{
    shrinkToFit();
    map.invalidateSize({{animate: false, pan: false}});
    if (bounds) {{ map.fitBounds(bounds, options); }}
  }}
  fit();
  var fonts = document.fonts ? document.fonts.ready : Promise.resolve();
  fonts.then(function () {{
    fit();
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


def print_html(m: folium.Map, spec: PrintSpec) -> str:
    """One standalone print page of ``m`` on ``spec``'s sheet (Leaflet and its images inlined).

    The map keeps its own layers, styles, legend and scale bar; zoom and layer controls are
    hidden, a north arrow is added top right of the map frame, and the map is re-fitted to the
    bounds it was built with at the print size. All text of ``spec`` is HTML-escaped. Local tiles
    (``/app/static/tiles/…``) are referenced as ``file:`` URLs of the static folder, so the page
    is for printing on this machine; :func:`~zgc_geo.mapping.web_assets.inline_assets_html` makes
    the portable HTML export.

    Raises
    ------
    AssetsMissingError
        As :func:`~zgc_geo.mapping.web_assets.inline_assets_html`.
    """
    map_id = m.get_name()
    bounds, options = _fit_target(m)
    page = _static_as_files(inline_assets_html(layer_control_last(m)))
    div = re.search(rf"<div[^>]*\bid=\"{re.escape(map_id)}\"[^>]*>\s*</div>", page)
    if div is None or not all(tag in page for tag in ("</head>", "<body>", "</html>")):
        raise ValueError(f"could not find the map element {map_id} in the rendered page")
    frame = f'<div class="zgc-print-frame">{div.group(0)}{_north_arrow(spec)}</div>'
    body = f"{_header(spec)}{frame}{_footer(spec)}"
    page = page[: div.start()] + body + page[div.end() :]
    page = page.replace("<body>", '<body class="zgc-print">', 1)
    head, _, rest = page.partition("</head>")
    page = f"{head}<title>{html.escape(spec.title)}</title><style>{_css(spec, map_id)}</style></head>{rest}"
    before, _, after = page.rpartition("</html>")
    return f"{before}{_script(map_id, bounds, options)}</html>{after}"
