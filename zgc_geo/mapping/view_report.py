"""Let the Streamlit map component report which overlays the user switched off, so exports can follow.

streamlit-folium reports the map's bounds and zoom, but of the layer control only WMS layers
(``selected_layers``). This element keeps the names of the switched-off overlays under one more
``selected_layers`` entry, which the component sends back with the bounds. In a standalone page
(HTML export, print) there is no component and the script does nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Final

import folium
from branca.element import MacroElement
from jinja2 import Template

from zgc_geo.mapping.print_layout import switchable_overlays

#: The ``url`` of the reported entry; its ``name`` is the JSON list of switched-off overlay names.
REPORT_URL: Final = "zgc:hidden-overlays"


class HiddenOverlaysReport(MacroElement):
    """Keeps ``window.__GLOBAL_DATA__.selected_layers`` told of the switched-off overlays."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var data = window.__GLOBAL_DATA__;
            if (!data || !data.selected_layers) { return; }
            var map = {{ this._parent.get_name() }};
            var hidden = {{ this.hidden_json }};
            var url = {{ this.url_json }};
            function report() {
                data.selected_layers[url] = {name: JSON.stringify(hidden.slice().sort()), url: url};
            }
            map.on("overlayadd", function (e) {
                hidden = hidden.filter(function (name) { return name !== e.name; });
                report();
            });
            map.on("overlayremove", function (e) {
                if (hidden.indexOf(e.name) < 0) { hidden.push(e.name); }
                report();
            });
            report();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, initially_hidden: Iterable[str]) -> None:
        super().__init__()
        self._name = "HiddenOverlaysReport"
        self.hidden_json = json.dumps(sorted(initially_hidden), ensure_ascii=False).replace("</", "<\\/")
        self.url_json = json.dumps(REPORT_URL)


def add_hidden_overlays_report(m: folium.Map) -> None:
    """Add the report to ``m``; the overlays built switched off (``show=False``) start as hidden."""
    m.add_child(HiddenOverlaysReport(c.layer_name for c in switchable_overlays(m) if not c.show))


def hidden_overlays(component_state: Mapping[str, object]) -> frozenset[str] | None:
    """The switched-off overlay names the component reported, or None if it has not reported yet."""
    layers = component_state.get("selected_layers")
    if not isinstance(layers, list):
        return None
    for entry in layers:
        if isinstance(entry, dict) and entry.get("url") == REPORT_URL:
            try:
                names = json.loads(str(entry.get("name")))
            except ValueError:
                return None
            if isinstance(names, list):
                return frozenset(str(n) for n in names)
    return None


class ViewMemory(MacroElement):
    """The browser tab remembers where the user left the map ``key``; a redrawn map opens there.

    A page's map is redrawn whenever its base changes (colouring, language, presentation mode);
    it then opens on the user's last view instead of its default extent. Kept in the tab's
    ``sessionStorage`` by the browser itself: a view sent back from the server would lag behind the
    user's next move, and the map would jump back to where it was a moment ago.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var storeKey = {{ this.store_key_json }};
            try {
                var saved = JSON.parse(window.sessionStorage.getItem(storeKey) || "null");
                if (saved && saved.center && typeof saved.zoom === "number") {
                    map.setView(saved.center, saved.zoom, {animate: false});
                }
            } catch (e) { /* no storage (private mode): the map opens on its own extent */ }
            map.on("moveend", function () {
                try {
                    var c = map.getCenter();
                    window.sessionStorage.setItem(
                        storeKey, JSON.stringify({center: [c.lat, c.lng], zoom: map.getZoom()})
                    );
                } catch (e) { /* as above */ }
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, key: str) -> None:
        super().__init__()
        self._name = "ViewMemory"
        self.store_key_json = json.dumps(f"zgc-geo-view:{key}")
