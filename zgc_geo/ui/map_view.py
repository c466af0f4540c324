"""Show a folium map in Streamlit with locally served Leaflet, never a CDN."""

from __future__ import annotations

import folium
import streamlit as st
from streamlit_folium import st_folium

from zgc_geo.mapping.web_assets import use_local_assets


def show_map(m: folium.Map, key: str, height: int = 640) -> None:
    """Render ``m`` without reruns on pan/zoom (nothing is returned to Python).

    ``use_local_assets`` rewrites every JS/CSS link to ``/app/static/…`` and refuses
    elements that would need a CDN, so the map draws on an intranet.
    """
    use_local_assets(m, st.get_option("server.baseUrlPath") or "")
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])
