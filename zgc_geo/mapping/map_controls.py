"""Leaflet controls folium lacks offline-safe versions of: an HTML legend, a distance tool and page CSS."""

from __future__ import annotations

import json
import re
from typing import Any, Final

import folium
import folium.elements
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from zgc_geo.i18n import DEFAULT_LANG, translate
from zgc_geo.mapping.style import LEGEND_CLASS, MAP_CSS
from zgc_geo.mapping.web_assets import MEASURE_CSS, MEASURE_CSS_NAME, MEASURE_JS, MEASURE_JS_NAME


class Legend(MacroElement):
    """A static legend drawn as a Leaflet control, so it prints and exports with the map.

    branca's ColorMap legend needs d3 from a CDN (streamlit-folium injects it), which
    breaks the no-internet rule; this control is plain HTML that we generate and escape.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function() {
                var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
                div.innerHTML = {{ this.body_json }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, body_html: str, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.position = position
        self.css_class = f"leaflet-control {LEGEND_CLASS}"
        # json.dumps escapes quotes and line breaks; "</" is split so that the body
        # can never close the surrounding <script> element.
        self.body_json = json.dumps(body_html).replace("</", "<\\/")


class MetricScale(MacroElement):
    """A metric-only scale bar: Chinese planning maps are read in metres and kilometres."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


#: WGS84 ellipsoid: the distance tool measures on it, as pyproj.Geod(ellps="WGS84") does.
_GEODESIC_JS: Final = """
(function() {
    if (L.CRS.Earth._zgcEllipsoidal) { return; }
    var sphere = L.CRS.Earth.distance;
    var a = 6378137, f = 1 / 298.257223563, b = a * (1 - f), rad = Math.PI / 180;
    // Vincenty's inverse formula; Leaflet's own distance is a sphere of radius 6371 km, up to
    // 0.5 % off at Beijing's latitude. Nearly antipodal points (no convergence) fall back to it.
    L.CRS.Earth.distance = function(p, q) {
        var L0 = (q.lng - p.lng) * rad;
        var U1 = Math.atan((1 - f) * Math.tan(p.lat * rad)), U2 = Math.atan((1 - f) * Math.tan(q.lat * rad));
        var sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
        var lambda = L0, prev, iter = 0, sinS, cosS, sigma, cos2A, cos2Sm;
        do {
            var sinL = Math.sin(lambda), cosL = Math.cos(lambda);
            sinS = Math.sqrt(Math.pow(cosU2 * sinL, 2) + Math.pow(cosU1 * sinU2 - sinU1 * cosU2 * cosL, 2));
            if (sinS === 0) { return 0; }
            cosS = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
            sigma = Math.atan2(sinS, cosS);
            var sinA = cosU1 * cosU2 * sinL / sinS;
            cos2A = 1 - sinA * sinA;
            cos2Sm = cos2A !== 0 ? cosS - 2 * sinU1 * sinU2 / cos2A : 0;
            var C = f / 16 * cos2A * (4 + f * (4 - 3 * cos2A));
            prev = lambda;
            lambda = L0 + (1 - C) * f * sinA
                * (sigma + C * sinS * (cos2Sm + C * cosS * (-1 + 2 * cos2Sm * cos2Sm)));
        } while (Math.abs(lambda - prev) > 1e-12 && ++iter < 200);
        if (iter >= 200) { return sphere.call(L.CRS.Earth, p, q); }
        var u2 = cos2A * (a * a - b * b) / (b * b);
        var A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
        var B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
        var dS = B * sinS * (cos2Sm + B / 4 * (cosS * (-1 + 2 * cos2Sm * cos2Sm)
            - B / 6 * cos2Sm * (-3 + 4 * sinS * sinS) * (-3 + 4 * cos2Sm * cos2Sm)));
        return b * A * (sigma - dS);
    };
    L.CRS.Earth._zgcEllipsoidal = true;
})();
"""

#: The tool's texts, by its option names; the unit symbols (m, km) read the same in both languages.
_MEASURE_TEXTS: Final = {
    "measureControlTitleOn": "map.measure.start",
    "measureControlTitleOff": "map.measure.stop",
    "clearControlTitle": "map.measure.clear",
    "tooltipTextFinish": "map.measure.finish",
    "tooltipTextDelete": "map.measure.delete",
    "tooltipTextMove": "map.measure.move",
    "tooltipTextResume": "map.measure.resume",
    "tooltipTextAdd": "map.measure.add",
}


class MeasureControl(folium.elements.JSCSSMixin, MacroElement):
    """A distance-measuring tool (Leaflet.PolylineMeasure from npm, served from ``static/``).

    Distances are geodesic on the WGS84 ellipsoid (see ``_GEODESIC_JS``), shown in m / km. While
    the tool is on, the map's other click handlers (a page's "click adds a site") are set aside,
    so measuring never edits the page's data; they return when it is switched off. It is a
    screen tool: on a print sheet (``.zgc-print``) it is hidden.

    With ``lang`` None the texts follow the map's own language, read when the map is rendered
    from the names its layer control lists (translated names; English ones never hold Chinese
    characters, which ``tests/ui/test_strings.py`` enforces).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>.zgc-print .zgc-measure { display: none !important; }</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        {{ this.geodesic_js }}
        (function() {
            var map = {{ this._parent.get_name() }};
            var control = L.control.polylineMeasure({{ this.options_json }}).addTo(map);
            L.DomUtil.addClass(control.getContainer(), "zgc-measure");
            var parked = [];
            map.on("polylinemeasure:toggle", function(e) {
                var listeners = (map._events && map._events.click) || [];
                if (e.sttus) {
                    // Copies: Leaflet's off() turns a removed listener's fn into a no-op in place.
                    parked = listeners.filter(function(l) { return l.ctx !== control; })
                        .map(function(l) { return {fn: l.fn, ctx: l.ctx}; });
                    parked.forEach(function(l) { map.off("click", l.fn, l.ctx); });
                } else {
                    parked.forEach(function(l) { map.on("click", l.fn, l.ctx); });
                    parked = [];
                }
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, lang: str | None = None, position: str = "topleft") -> None:
        super().__init__()
        self._name = "MeasureControl"
        # Instance lists (folium's class-level ones are shared); web_assets maps the names to static/.
        self.default_js = [(MEASURE_JS_NAME, MEASURE_JS)]
        self.default_css = [(MEASURE_CSS_NAME, MEASURE_CSS)]
        self.lang = lang
        self.position = position
        self.geodesic_js = _GEODESIC_JS
        self.options_json = ""

    def options(self, lang: str) -> dict[str, object]:
        """The plugin's options with its texts in ``lang``."""
        options: dict[str, object] = {
            "position": self.position,
            "unit": "metres",
            "showClearControl": True,
            "showUnitControl": False,
            "clearMeasurementsOnStop": False,
            "measureControlLabel": "&#8614;",
        }
        options.update({option: translate(key, lang) for option, key in _MEASURE_TEXTS.items()})
        return options

    def render(self, **kwargs: Any) -> Any:
        """Fix the texts' language, then render as any MacroElement."""
        lang = self.lang or map_language(self._parent)
        self.options_json = json.dumps(self.options(lang), ensure_ascii=False).replace("</", "<\\/")
        return super().render(**kwargs)


_CJK: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def map_language(m: object) -> str:
    """``zh`` if a layer the map's layer control lists is named in Chinese, ``en`` if named otherwise.

    A map with no listed layer falls back to the default language.
    """
    names: list[str] = []
    stack = [m]
    while stack:
        element = stack.pop()
        if isinstance(element, folium.map.Layer) and getattr(element, "control", False):
            names.append(str(element.layer_name))
        stack.extend(getattr(element, "_children", {}).values())
    if not names:
        return DEFAULT_LANG
    return "zh" if any(_CJK.search(name) for name in names) else "en"


def add_measure_control(m: folium.Map, lang: str | None = None) -> folium.Map:
    """Give the map the distance tool, once; ``lang`` None follows the map's language."""
    for child in m._children.values():
        if isinstance(child, MeasureControl):
            child.lang = lang or child.lang
            return m
    MeasureControl(lang).add_to(m)
    return m


#: Presentation mode: labels readable from the back of a meeting room, no on-map controls.
PRESENTATION_CSS: Final = """
.zgc-label { font-size: 18px !important; }
.zgc-label .zgc-en { font-size: 13px !important; }
.zgc-district-label { font-size: 15px !important; }
.zgc-legend { font-size: 15px !important; max-width: 360px !important; }
.leaflet-control-zoom, .leaflet-control-layers { display: none !important; }
"""


def add_presentation_css(m: folium.Map) -> None:
    """Large labels and hidden zoom/layer controls, for a projector."""
    root = m.get_root()
    assert isinstance(root, Figure), "a folium.Map always renders inside a branca Figure"
    root.header.add_child(Element(f"<style>{PRESENTATION_CSS}</style>"), name="zgc_presentation_css")


def add_map_css(m: folium.Map, lang: str | None = None) -> None:
    """Attach zgc-geo's map CSS (labels, tooltips, legend) and the distance tool to a new map.

    Every map builder starts here and passes its ``lang``, so every map (overview, stock, siting,
    coverage, BTH …) gets the tool in its language; without one the tool reads the map's own
    (:func:`map_language`), for a map built elsewhere.
    """
    root = m.get_root()
    assert isinstance(root, Figure), "a folium.Map always renders inside a branca Figure"
    root.header.add_child(Element(f"<style>{MAP_CSS}</style>"), name="zgc_map_css")
    add_measure_control(m, lang)


def layer_control_last(m: folium.Map) -> folium.Map:
    """Move ``m``'s layer control after every overlay, so its script finds them all defined.

    A page adds its live layer (coverage reach, plots …) to a copy of the base map for export,
    after the base builder already placed the control: rendered in that order, the control's
    script would list a layer whose variable is not yet assigned, and Leaflet stops the whole
    map with "Cannot read properties of undefined (reading 'setZIndex')".
    """
    for name, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl):
            m._children.move_to_end(name)
    return m
