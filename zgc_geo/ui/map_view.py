"""Show folium maps in Streamlit with locally served Leaflet, never a CDN."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

from zgc_geo.mapping.map_controls import add_presentation_css
from zgc_geo.mapping.web_assets import use_local_assets
from zgc_geo.ui.sidebar import presentation_mode

#: Map height in presentation mode: most of a 1080-line projector.
PRESENTATION_HEIGHT = 860


def _local(m: folium.Map) -> folium.Map:
    # Rewrites every JS/CSS link to /app/static/… and refuses elements that need a CDN,
    # so the map draws on an intranet.
    if presentation_mode():
        add_presentation_css(m)
    return use_local_assets(m, st.get_option("server.baseUrlPath") or "")


def _height(height: int) -> int:
    return PRESENTATION_HEIGHT if presentation_mode() else height


def show_map(m: folium.Map, key: str, height: int = 640) -> None:
    """Render ``m`` without reruns on pan/zoom (nothing is returned to Python)."""
    st_folium(_local(m), key=key, height=_height(height), use_container_width=True, returned_objects=[])


def interactive_map(
    m: folium.Map,
    key: str,
    *,
    layer: folium.FeatureGroup,
    returned: Iterable[str],
    height: int = 600,
) -> dict[str, Any]:
    """Render a static base map with ``layer`` updated in place, keeping the user's view.

    The base map stays byte-identical across reruns, so the component keeps its Leaflet
    map (no flicker); ``layer`` is swapped in place; the last view (centre, zoom) the user
    left is passed back so a rerun never jumps.
    """
    view = st.session_state.get(f"{key}_view", {})
    state = st_folium(
        _local(m),
        key=key,
        height=_height(height),
        use_container_width=True,
        feature_group_to_add=layer,
        center=view.get("center"),
        zoom=view.get("zoom"),
        returned_objects=list({*returned, "center", "zoom"}),
    )
    state = state or {}
    center, zoom = state.get("center"), state.get("zoom")
    if center and zoom:
        st.session_state[f"{key}_view"] = {"center": (center["lat"], center["lng"]), "zoom": zoom}
    return state
