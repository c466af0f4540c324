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
from zgc_geo.ui.i18n import current_lang, kept, tr, tr_map

#: Output suffixes, in the order offered. PDF and PNG read the same in both languages.
FORMATS: Final = (".pdf", ".png", ".html")
FORMAT_LABELS: Final = {".html": "export.format_html"}
ORIENTATION_LABELS: Final = {"landscape": "export.landscape", "portrait": "export.portrait"}
MIME: Final = {".pdf": "application/pdf", ".png": "image/png", ".html": "text/html"}


def map_export_panel(build: Callable[[], folium.Map], *, key: str, title: str, subtitle: str = "") -> None:
    """Offer the page's map as an A4/A3 PDF or PNG with title, legend, scale bar and north arrow, or HTML.

    ``build`` makes a fresh map (the one on screen has been handed to the component) in the
    session's language, which the sheet's notes follow too. A missing Chromium or an online
    basemap is reported here, without stopping the page.
    """
    with st.expander(tr("export.expander"), key=f"{key}_panel"):
        cols = st.columns(4)
        suffix = cols[0].selectbox(
            tr("export.format"),
            FORMATS,
            format_func=({s: s[1:].upper() for s in FORMATS} | tr_map(FORMAT_LABELS)).__getitem__,
            key=kept(f"{key}_fmt"),
        )
        paper = cols[1].selectbox(tr("export.paper"), ["A4", "A3"], key=f"{key}_paper")
        orientation = cols[2].selectbox(
            tr("export.orientation"),
            ["landscape", "portrait"],
            format_func=tr_map(ORIENTATION_LABELS).__getitem__,
            key=kept(f"{key}_orient"),
        )
        dpi = cols[3].selectbox(tr("export.dpi"), [200, 300, 600], key=f"{key}_dpi")
        # The default texts follow the language; what the user typed is kept per language.
        lang = current_lang()
        heading = st.text_input(tr("export.title"), value=title, key=f"{key}_title_{lang}")
        sub = st.text_input(tr("export.subtitle"), value=subtitle, key=f"{key}_subtitle_{lang}")
        if st.button(tr("export.prepare"), key=f"{key}_go"):
            spec = PrintSpec(
                title=heading or title,
                subtitle=sub,
                paper=paper,  # type: ignore[arg-type]
                orientation=orientation,  # type: ignore[arg-type]
                dpi=int(dpi),
                lang=lang,
            )
            try:
                with (
                    st.spinner(tr("export.rendering")),
                    tempfile.TemporaryDirectory(prefix="zgc-geo-map-") as scratch,
                ):
                    out = export_map(build(), Path(scratch) / f"{key}{suffix}", spec)
                    st.session_state[f"{key}_file"] = (lang, out.name, out.read_bytes(), MIME[suffix])
            except (PrintError, OptionError) as exc:
                st.error(str(exc))
        prepared = st.session_state.get(f"{key}_file")
        if prepared is not None and prepared[0] == lang:  # a file made in the other language is stale
            _, name, data, mime = prepared
            st.download_button(tr("export.download", name=name), data, name, mime, key=f"{key}_dl")
