"""The export panel every map page shares: PDF/PNG print layouts and a standalone HTML map."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Final

import folium
import streamlit as st

from zgc_geo.errors import OptionError, PrintError
from zgc_geo.mapping.print_layout import PrintSpec
from zgc_geo.print_export import export_map

FORMATS: Final = {
    "PDF": ".pdf",
    "PNG": ".png",
    "HTML (离线可用 works offline)": ".html",
}
ORIENTATION_LABELS: Final = {"landscape": "横向 Landscape", "portrait": "纵向 Portrait"}
MIME: Final = {".pdf": "application/pdf", ".png": "image/png", ".html": "text/html"}


def map_export_panel(build: Callable[[], folium.Map], *, key: str, title: str, subtitle: str = "") -> None:
    """Offer the page's map as an A4/A3 PDF or PNG with title, legend, scale bar and north arrow, or HTML.

    ``build`` makes a fresh map (the one on screen has been handed to the component). A missing
    Chromium or an online basemap is reported here, without stopping the page.
    """
    with st.expander("导出地图 Export map — PDF / PNG / HTML"):
        cols = st.columns(4)
        kind = cols[0].selectbox("格式 Format", list(FORMATS), key=f"{key}_fmt")
        paper = cols[1].selectbox("纸张 Paper", ["A4", "A3"], key=f"{key}_paper")
        orientation = cols[2].selectbox(
            "方向 Orientation",
            ["landscape", "portrait"],
            format_func=ORIENTATION_LABELS.__getitem__,
            key=f"{key}_orient",
        )
        dpi = cols[3].selectbox("分辨率 DPI (PNG)", [200, 300, 600], key=f"{key}_dpi")
        heading = st.text_input("标题 Title", value=title, key=f"{key}_title")
        sub = st.text_input("副标题 Subtitle", value=subtitle, key=f"{key}_subtitle")
        if st.button("生成 Prepare file", key=f"{key}_go"):
            suffix = FORMATS[kind]
            spec = PrintSpec(
                title=heading or title,
                subtitle=sub,
                paper=paper,  # type: ignore[arg-type]
                orientation=orientation,  # type: ignore[arg-type]
                dpi=int(dpi),
                lang=str(st.session_state.get("lang", "zh")),  # type: ignore[arg-type]
            )
            try:
                with (
                    st.spinner("生成中 Rendering…"),
                    tempfile.TemporaryDirectory(prefix="zgc-geo-map-") as scratch,
                ):
                    out = export_map(build(), Path(scratch) / f"{key}{suffix}", spec)
                    st.session_state[f"{key}_file"] = (out.name, out.read_bytes(), MIME[suffix])
            except (PrintError, OptionError) as exc:
                st.error(str(exc))
        if f"{key}_file" in st.session_state:
            name, data, mime = st.session_state[f"{key}_file"]
            st.download_button(f"下载 Download {name}", data, name, mime, key=f"{key}_dl")
