"""One label-placement step for every map that labels parks, districts or zones.

Map labels are HTML boxes pinned to a point; where two points lie close together (门头沟园 and
石景山园, 海淀区 and 海淀园, 西城区 and 东城区) their boxes overlap and neither can be read. Here
each label's box is estimated in screen pixels at a zoom (from its text and font size), and the
labels are placed greedily by priority: a label keeps its spot if it is free, else tries a few
offsets (above, below, right, left), else is dropped at that zoom. Parks outrank districts, so a
park name is never hidden behind a district name. The placement is done for every zoom step the
maps snap to (quarter levels) and shipped with the map as a table; a small script picks the row of
the current zoom, so labels stay apart on screen, after zooming, and in print.

Everything is deterministic: the order is (priority, input order), boxes are whole-pixel numbers
and no result depends on dict order or float ties.
"""

from __future__ import annotations

import dataclasses
import json
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import folium
import numpy as np
from branca.element import Element, MacroElement
from jinja2 import Template

#: Priorities: lower is placed first and so wins a collision.
ZONE_PRIORITY: Final = 0
PARK_PRIORITY: Final = 1
DISTRICT_PRIORITY: Final = 2
#: Zoom steps a table is made for: the maps snap to quarter levels (``zoom_snap=0.25``).
ZOOM_STEP: Final = 0.25
MIN_ZOOM: Final = 5.0
MAX_ZOOM: Final = 18.0
#: Presentation mode draws labels this much larger (``PRESENTATION_CSS``: 12 → 18 px); a second
#: table is placed for it, and the script picks the one matching the fonts the page really uses.
LARGE_SCALE: Final = 1.5
#: Gap kept between two labels, in pixels.
MARGIN_PX: Final = 2.0
#: Average advance of a character as a share of the font size (bold Latin ~0.62, CJK one em).
_LATIN_EM: Final = 0.62
_WIDE_EM: Final = 1.0
_LINE_EM: Final = 1.3
_PAD_PX: Final = 4.0
_TILE_PX: Final = 256.0


@dataclass(frozen=True)
class MapLabel:
    """One label: where it is pinned, what it says and how strongly it claims its spot.

    ``html`` is already escaped markup; ``text`` its plain reading, from which the box is
    estimated (the longest of its ``\\n``-separated lines sets the width). A label with
    ``keep=True`` is never dropped: where nothing is free it stays at its preferred spot.
    ``prefer`` is the offset (pixels, right and down) of the box centre from the pin tried first,
    e.g. beside a marker rather than on it.
    """

    lat: float
    lon: float
    html: str
    text: str
    css_class: str
    priority: int
    font_px: float
    keep: bool = False
    prefer: tuple[float, float] = (0.0, 0.0)


def label_box_px(text: str, font_px: float) -> tuple[int, int]:
    """Estimated (width, height) in pixels of ``text`` drawn at ``font_px``, padding included.

    East Asian wide characters take one em, others about 0.62 em (bold sans-serif); an
    over-estimate by a few pixels only keeps labels a little further apart.
    """
    lines = text.split("\n") or [""]
    ems = [
        sum(_WIDE_EM if unicodedata.east_asian_width(ch) in "WF" else _LATIN_EM for ch in line)
        for line in lines
    ]
    width = math.ceil(max(ems) * font_px + 2 * _PAD_PX)
    height = math.ceil(len(lines) * _LINE_EM * font_px + _PAD_PX)
    return width, height


def project_px(lat: np.ndarray, lon: np.ndarray, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates at ``zoom`` (Leaflet's EPSG:3857 with 256-pixel tiles)."""
    scale = _TILE_PX * 2.0**zoom
    x = (np.asarray(lon, dtype=float) + 180.0) / 360.0 * scale
    phi = np.radians(np.clip(np.asarray(lat, dtype=float), -85.05112878, 85.05112878))
    y = (1.0 - np.log(np.tan(phi) + 1.0 / np.cos(phi)) / math.pi) / 2.0 * scale
    return x, y


def _candidates(label: MapLabel, width: float, height: float) -> list[tuple[float, float]]:
    """Offsets of a label's centre from its pin, in order: preferred, on it, above, below, right, left."""
    dy = height + MARGIN_PX
    dx = width / 2 + 6.0
    offsets = [label.prefer, (0.0, 0.0), (0.0, -dy), (0.0, dy), (dx, 0.0), (-dx, 0.0)]
    return list(dict.fromkeys(offsets))


def place_labels(labels: Sequence[MapLabel], zoom: float) -> list[tuple[float, float] | None]:
    """Each label's centre offset from its pin in pixels at ``zoom``, or None where it is dropped.

    Labels are taken by (priority, input order); each takes the first candidate offset whose
    box (plus :data:`MARGIN_PX`) overlaps no box already placed.
    """
    if not labels:
        return []
    x, y = project_px(
        np.array([label.lat for label in labels]), np.array([label.lon for label in labels]), zoom
    )
    sizes = [label_box_px(label.text, label.font_px) for label in labels]
    order = sorted(range(len(labels)), key=lambda i: (labels[i].priority, i))
    placed = np.empty((0, 4))  # left, top, right, bottom of every box placed so far
    result: list[tuple[float, float] | None] = [None] * len(labels)
    for i in order:
        width, height = sizes[i]
        options = _candidates(labels[i], width, height)
        cx = x[i] + np.array([dx for dx, _ in options])
        cy = y[i] + np.array([dy for _, dy in options])
        boxes = np.column_stack([cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2])
        hits = (
            (boxes[:, None, 0] < placed[None, :, 2] + MARGIN_PX)
            & (boxes[:, None, 2] + MARGIN_PX > placed[None, :, 0])
            & (boxes[:, None, 1] < placed[None, :, 3] + MARGIN_PX)
            & (boxes[:, None, 3] + MARGIN_PX > placed[None, :, 1])
        ).any(axis=1)
        free = np.flatnonzero(~hits)
        if free.size == 0 and not labels[i].keep:
            continue
        choice = int(free[0]) if free.size else 0
        result[i] = options[choice]
        placed = np.vstack([placed, boxes[choice]])
    return result


def zoom_steps(min_zoom: float = MIN_ZOOM, max_zoom: float = MAX_ZOOM) -> list[float]:
    """The zoom levels a placement table has a row for, every :data:`ZOOM_STEP`."""
    count = round((max_zoom - min_zoom) / ZOOM_STEP)
    return [min_zoom + k * ZOOM_STEP for k in range(count + 1)]


def placement_table(labels: Sequence[MapLabel], zooms: Sequence[float]) -> list[list[list[int] | None]]:
    """:func:`place_labels` for each zoom, offsets rounded to whole pixels (compact and exact in JSON)."""
    return [
        [None if p is None else [round(p[0]), round(p[1])] for p in place_labels(labels, zoom)]
        for zoom in zooms
    ]


def label_marker(label: MapLabel) -> folium.Marker:
    """The label as a non-interactive marker with its estimated box centred on its pin.

    The marker stays an ordinary child of its layer (print layouts find a labels layer by its
    markers' CSS class); :class:`PlacedLabels` moves or hides it per zoom.
    """
    width, height = label_box_px(label.text, label.font_px)
    return folium.Marker(
        [label.lat, label.lon],
        icon=folium.DivIcon(
            html=label.html,
            class_name=label.css_class,
            icon_size=(width, height),
            icon_anchor=(round(width / 2 - label.prefer[0]), round(height / 2 - label.prefer[1])),
        ),
        interactive=False,
        keyboard=False,
    )


class PlacedLabels(MacroElement):
    """Moves each label marker to where :func:`place_labels` put it at the map's current zoom.

    Add it to the map after the layers holding the markers. The script picks the row of the
    highest tabled zoom not above the map's zoom (the lowest row below the table), so labels
    shown never overlap, even between steps. A marker whose layer a print layout dropped is
    skipped (``typeof`` guards), so cutting layers never stops the map's script. Where the page
    draws labels larger (presentation mode), the table placed at :data:`LARGE_SCALE` is used.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var specs = {{ this.specs_json }};
            var zooms = {{ this.zooms_json }};
            var tables = {normal: {{ this.rows_json }}, large: {{ this.rows_large_json }}};
            var markers = [{% for name in this.marker_names %}
                typeof {{ name }} === "undefined" ? null : {{ name }}{{ "," if not loop.last }}
            {% endfor %}];
            var layers = [{% for name in this.layer_names %}
                typeof {{ name }} === "undefined" ? null : {{ name }}{{ "," if not loop.last }}
            {% endfor %}];
            function size() {
                if (!specs.length) { return "normal"; }
                var probe = L.DomUtil.create("div", specs[0].cls, map.getContainer());
                probe.style.visibility = "hidden";
                var px = parseFloat(window.getComputedStyle(probe).fontSize);
                L.DomUtil.remove(probe);
                return px > specs[0].f * 1.2 ? "large" : "normal";
            }
            function apply() {
                var z = map.getZoom(), k = 0, which = size();
                for (var i = 0; i < zooms.length; i++) { if (zooms[i] <= z + 1e-9) { k = i; } }
                var placed = tables[which][k];
                specs.forEach(function(s, i) {
                    var marker = markers[i], layer = layers[i], p = placed[i];
                    var w = which === "large" ? s.wl : s.w, h = which === "large" ? s.hl : s.h;
                    if (marker === null || layer === null) { return; }
                    if (p === null) { layer.removeLayer(marker); return; }
                    marker.setIcon(L.divIcon({
                        html: s.html, className: s.cls, iconSize: [w, h],
                        iconAnchor: [w / 2 - p[0], h / 2 - p[1]]
                    }));
                    if (!layer.hasLayer(marker)) { layer.addLayer(marker); }
                });
            }
            map.whenReady(apply);
            map.on("zoomend", apply);
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        placed: Sequence[tuple[MapLabel, folium.Marker]],
        zooms: Sequence[float] | None = None,
    ) -> None:
        super().__init__()
        self._name = "PlacedLabels"
        steps = list(zooms) if zooms is not None else zoom_steps()
        self.labels = [label for label, _ in placed]
        self.markers = [marker for _, marker in placed]
        large = [
            dataclasses.replace(
                label,
                font_px=label.font_px * LARGE_SCALE,
                prefer=(label.prefer[0] * LARGE_SCALE, label.prefer[1] * LARGE_SCALE),
            )
            for label in self.labels
        ]
        specs = []
        for label, big in zip(self.labels, large, strict=True):
            width, height = label_box_px(label.text, label.font_px)
            width_l, height_l = label_box_px(big.text, big.font_px)
            specs.append(
                {
                    "html": label.html,
                    "cls": label.css_class,
                    "f": label.font_px,
                    "w": width,
                    "h": height,
                    "wl": width_l,
                    "hl": height_l,
                }
            )
        # "</" split so no label text can close the surrounding <script> element.
        self.specs_json = json.dumps(specs, ensure_ascii=False).replace("</", "<\\/")
        self.zooms_json = json.dumps(steps)
        self.rows_json = json.dumps(placement_table(self.labels, steps))
        self.rows_large_json = json.dumps(placement_table(large, steps))

    @property
    def marker_names(self) -> list[str]:
        """JS names of the label markers."""
        return [marker.get_name() for marker in self.markers]

    @property
    def layer_names(self) -> list[str]:
        """JS names of the layer holding each marker (the map where a marker sits on it directly)."""
        names = []
        for marker in self.markers:
            parent = getattr(marker, "_parent", None)
            owner = parent if parent is not None else self._parent
            assert owner is not None, "PlacedLabels renders only once added to a map"
            names.append(owner.get_name())
        return names


def add_placed_labels(layers: Sequence[tuple[Element, MapLabel]], m: folium.Map) -> None:
    """Add each label to its layer as a marker, then one :class:`PlacedLabels` to ``m`` for them all.

    Call after the layers themselves are added to ``m``; every map that labels parks, districts
    or zones goes through here, so one placement rule holds everywhere.
    """
    placed = []
    for layer, label in layers:
        marker = label_marker(label)
        marker.add_to(layer)
        placed.append((label, marker))
    PlacedLabels(placed).add_to(m)


def fit_zoom(
    bounds: Sequence[Sequence[float]], width_px: float, height_px: float, snap: float = ZOOM_STEP
) -> float:
    """The zoom Leaflet's ``fitBounds`` picks for ``[[south, west], [north, east]]`` in a map of that size.

    As ``Map.getBoundsZoom``: the largest zoom, rounded down to ``snap``, at which the bounds fit.
    """
    (south, west), (north, east) = bounds
    x, y = project_px(np.array([south, north]), np.array([west, east]), 0.0)
    span_x, span_y = abs(float(x[1] - x[0])), abs(float(y[1] - y[0]))
    scale = min(width_px / span_x, height_px / span_y)
    return math.floor(math.log2(scale) / snap + 1e-9) * snap
