"""Show folium maps in Streamlit with locally served Leaflet, never a CDN, and remember what they show.

Every map reports its extent and its switched-off overlays back (:func:`print_view`), so an
export prints what is on screen. In presentation mode the map is a separate component instance:
streamlit-folium draws a map's HTML once per instance, so restyling the same one would leave the
old size, label size and zoom buttons in place until the page changed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, Final

import folium
import streamlit as st
from branca.element import Element, Figure
from streamlit_folium import st_folium

from zgc_geo.errors import OptionError
from zgc_geo.mapping.map_controls import add_presentation_css
from zgc_geo.mapping.print_layout import PrintView
from zgc_geo.mapping.view_report import ViewMemory, add_hidden_overlays_report, hidden_overlays
from zgc_geo.mapping.web_assets import use_local_assets
from zgc_geo.ui.map_component import send_map
from zgc_geo.ui.sidebar import presentation_mode

#: Component height asked for in presentation mode; the page CSS then fits the map to the window.
PRESENTATION_HEIGHT: Final = 720
#: What a map reports back: its extent and the layer control's state (plus what the page asks for).
VIEW_OBJECTS: Final = ("bounds", "selected_layers")
#: Session-state key of the key of the map drawn last in this run (the one an export panel under it prints).
LAST_MAP_KEY: Final = "_zgc_last_map"
#: Inside the map's frame in presentation mode: the map fills the frame (which the page sizes to the
#: window), and a long legend scrolls within the map rather than running off its bottom.
PRESENTATION_FIT_CSS: Final = """
html, body, #root, #parent, .float-child { height: 100% !important; margin: 0; }
#map_div { height: 100% !important; }
.zgc-legend { max-height: calc(100vh - 40px); overflow-y: auto; }
"""


def _local(m: folium.Map) -> folium.Map:
    # Rewrites every JS/CSS link to /app/static/… and refuses elements that need a CDN,
    # so the map draws on an intranet.
    if presentation_mode():
        add_presentation_css(m)
        root = m.get_root()
        assert isinstance(root, Figure), "a folium.Map always renders inside a branca Figure"
        root.header.add_child(Element(f"<style>{PRESENTATION_FIT_CSS}</style>"), name="zgc_presentation_fit")
    add_hidden_overlays_report(m)
    return use_local_assets(m, st.get_option("server.baseUrlPath") or "")


def _height(height: int) -> int:
    return PRESENTATION_HEIGHT if presentation_mode() else height


def _component_key(key: str) -> str:
    """The component's key: its own instance in presentation mode (see the module docstring)."""
    return f"{key}_present" if presentation_mode() else key


def _remember_view(key: str, state: Mapping[str, Any]) -> None:
    """Keep what the map ``key`` shows, once the browser has reported it (not the build's defaults)."""
    st.session_state[LAST_MAP_KEY] = key
    hidden = hidden_overlays(state)
    bounds = state.get("bounds")
    if hidden is None or not isinstance(bounds, Mapping):
        return
    try:
        south_west, north_east = bounds["_southWest"], bounds["_northEast"]
        extent = (
            float(south_west["lat"]),
            float(south_west["lng"]),
            float(north_east["lat"]),
            float(north_east["lng"]),
        )
        st.session_state[f"{key}_print_view"] = PrintView(bounds=extent, hidden=hidden)
    except (KeyError, TypeError, ValueError, OptionError):
        return  # e.g. a map not laid out yet (zero size): keep the last good view


def reported(key: str) -> Mapping[str, Any]:
    """What the map ``key`` reported last (its view, clicks …), empty before it has.

    Read before the map is drawn in a run: streamlit-folium copies the browser's report into the
    session state under the map's key before the script runs, so a page can act on what the user did
    now (not one report ago), and before spending time on drawing.
    """
    state = st.session_state.get(_component_key(key))
    return state if isinstance(state, Mapping) else {}


def reported_bounds(key: str) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the view the map ``key`` reported last (:func:`reported`), if any."""
    bounds = reported(key).get("bounds")
    try:
        south_west, north_east = bounds["_southWest"], bounds["_northEast"]  # type: ignore[index]
        return (
            float(south_west["lng"]),
            float(south_west["lat"]),
            float(north_east["lng"]),
            float(north_east["lat"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def print_view(map_key: str | None = None) -> PrintView | None:
    """What the map ``map_key`` (default: the one drawn last in this run) shows now, if it has said."""
    key = map_key or st.session_state.get(LAST_MAP_KEY)
    view = st.session_state.get(f"{key}_print_view") if key else None
    return view if isinstance(view, PrintView) else None


def show_map(m: folium.Map, key: str, height: int = 640) -> None:
    """Render ``m``; it reports only its extent and switched-off layers (for the export)."""
    state = st_folium(
        _local(m),
        key=_component_key(key),
        height=_height(height),
        use_container_width=True,
        returned_objects=list(VIEW_OBJECTS),
        render=False,  # render=True renders the map twice: same script, twice the time (icons set twice)
    )
    _remember_view(key, state or {})


def interactive_map(
    build: Callable[[], folium.Map],
    key: str,
    *,
    base_key: Hashable,
    layer: folium.FeatureGroup,
    returned: Iterable[str],
    height: int = 600,
) -> dict[str, Any]:
    """Render a static base map with ``layer`` updated in place, keeping the user's view.

    The base map (what ``build`` makes) stays byte-identical across reruns, so the component keeps its
    Leaflet map (no flicker); ``layer`` is swapped in place. The base is rendered once per ``base_key``
    (which must name everything it depends on: data, settings, language) and shared by every session
    (:mod:`zgc_geo.ui.map_component`). A redrawn base opens on the user's last view
    (:class:`~zgc_geo.mapping.view_report.ViewMemory`). The page moves the map by setting
    ``st.session_state[f"{key}_view"]`` to ``{"center": (lat, lon), "zoom": z}``: that view is sent
    once. The view the map reports is never sent back: by the time it arrived the user may have
    moved on, and the map would jump back.
    """
    asked = st.session_state.get(f"{key}_view")
    send = asked if asked and asked != st.session_state.get(f"{key}_view_sent") else {}
    component_key = _component_key(key)
    present = presentation_mode()

    def local_base() -> folium.Map:
        m = build()
        m.add_child(ViewMemory(key))
        return _local(m)

    state = send_map(
        local_base,
        (base_key, key, present, st.get_option("server.baseUrlPath") or ""),
        key=component_key,
        height=_height(height),
        layer=layer,
        center=send.get("center"),
        zoom=send.get("zoom"),
        returned_objects=sorted({*returned, *VIEW_OBJECTS}),
    )
    if send:
        st.session_state[f"{key}_view_sent"] = send
    state = state or {}
    _remember_view(key, state)
    return state
