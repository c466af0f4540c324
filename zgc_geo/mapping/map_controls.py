"""Leaflet controls folium lacks offline-safe versions of: an HTML legend and page CSS."""

from __future__ import annotations

import json
from typing import Final

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from zgc_geo.mapping.style import LEGEND_CLASS, MAP_CSS


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


def add_map_css(m: folium.Map) -> None:
    """Attach zgc-geo's map CSS (labels, tooltips, legend) to the map's HTML header."""
    root = m.get_root()
    assert isinstance(root, Figure), "a folium.Map always renders inside a branca Figure"
    root.header.add_child(Element(f"<style>{MAP_CSS}</style>"), name="zgc_map_css")


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
