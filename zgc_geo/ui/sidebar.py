"""The sidebar shared by every page: basemap choice and a note on data accuracy."""

from __future__ import annotations

import streamlit as st

from zgc_geo.mapping.basemaps import BASEMAPS, NO_BASEMAP

BASEMAP_KEY = "basemap"


def shared_sidebar() -> None:
    """Draw the shared sidebar once per run (called from ``app.py``)."""
    with st.sidebar:
        options = [NO_BASEMAP, *BASEMAPS]
        labels = {NO_BASEMAP: "无底图（离线可用）No basemap (works offline)"}
        labels |= {key: f"{b.label} — 需联网 needs internet" for key, b in BASEMAPS.items()}
        st.radio("底图 Basemap", options, format_func=labels.__getitem__, key=BASEMAP_KEY)
        st.caption(
            "高德、百度等国内底图采用 GCJ-02 / BD-09 坐标，与本系统的 WGS84 数据相差约 500 m，故不提供。 "
            "Amap/Baidu tiles use GCJ-02/BD-09 and would shift WGS84 data by ~500 m, so they are not offered."
        )


def chosen_basemap() -> str:
    """The basemap key the user picked (``"none"`` until they pick one)."""
    return str(st.session_state.get(BASEMAP_KEY, NO_BASEMAP))
