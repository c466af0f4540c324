"""The sidebar shared by every page: basemap choice and a note on data accuracy."""

from __future__ import annotations

import streamlit as st

from zgc_geo.mapping.basemaps import NO_BASEMAP, Basemap, available_basemaps

BASEMAP_KEY = "basemap"
PRESENTATION_KEY = "presentation"
#: Streamlit's own chrome hidden and the page widened in presentation mode.
PRESENTATION_PAGE_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], footer { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { max-width: 100% !important;
  padding: 0.5rem 1rem !important; }
</style>
"""


def basemap_label(basemap: Basemap) -> str:
    """The radio label: name, whether it needs internet, and the GCJ-02 note for Amap."""
    if basemap.key == NO_BASEMAP:
        return basemap.label
    parts = [basemap.label, "需联网 needs internet" if basemap.needs_internet else "离线 offline"]
    if basemap.datum == "gcj02":
        parts.append("GCJ-02: overlays are shifted to match 叠加图层已按 GCJ-02 偏移")
    return " — ".join(parts)


def shared_sidebar() -> None:
    """Draw the shared sidebar once per run (called from ``app.py``)."""
    everything = available_basemaps()
    usable = {b.key: b for b in everything if b.available}
    unavailable = [b for b in everything if not b.available]
    reasons = "\n".join(f"- {b.label}: {b.reason}" for b in unavailable)
    with st.sidebar:
        if st.session_state.get(BASEMAP_KEY) not in usable:
            st.session_state[BASEMAP_KEY] = NO_BASEMAP  # e.g. its key or tile set was removed
        st.radio(
            "底图 Basemap",
            list(usable),
            format_func=lambda key: basemap_label(usable[key]),
            key=BASEMAP_KEY,
            help="数据均为 WGS84；在线底图需联网。"
            "All data is WGS84; online basemaps need internet."
            + (f"\n\n不可用 Unavailable here:\n{reasons}" if reasons else ""),
        )
        for basemap in unavailable:
            st.caption(f"不可用 Unavailable — {basemap.label}: {basemap.reason}")
        st.toggle(
            "演示模式 Presentation mode",
            key=PRESENTATION_KEY,
            help="全宽大地图、大字标注、隐藏控件 — full-width map, large labels, controls hidden.",
        )


def presentation_mode() -> bool:
    """True when the user asked for the projector layout."""
    return bool(st.session_state.get(PRESENTATION_KEY, False))


def apply_presentation_page_style() -> None:
    """Hide Streamlit's header and widen the page while presentation mode is on."""
    if presentation_mode():
        st.markdown(PRESENTATION_PAGE_CSS, unsafe_allow_html=True)


def chosen_basemap() -> str:
    """The basemap key the user picked (``"none"`` until they pick one, or if it is no longer usable)."""
    key = str(st.session_state.get(BASEMAP_KEY, NO_BASEMAP))
    if key != NO_BASEMAP and key not in {b.key for b in available_basemaps() if b.available}:
        return NO_BASEMAP
    return key
