"""The export panel every map page shares: PDF/PNG print layouts and a standalone HTML map."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Final

import folium
import streamlit as st

from zgc_geo.errors import OptionError, PrintError
from zgc_geo.export.printing import export_map
from zgc_geo.i18n import Lang
from zgc_geo.mapping.print_layout import PrintSpec
from zgc_geo.ui.i18n import BEIJING, current_lang, kept, tr, tr_map
from zgc_geo.ui.map_view import show_map

#: Output suffixes, in the order offered. PDF and PNG read the same in both languages.
FORMATS: Final = (".pdf", ".png", ".html")
FORMAT_LABELS: Final = {".html": "export.format_html"}
ORIENTATION_LABELS: Final = {"landscape": "export.landscape", "portrait": "export.portrait"}
MIME: Final = {".pdf": "application/pdf", ".png": "image/png", ".html": "text/html"}
#: Longest title part of an export's file name.
MAX_TITLE_CHARS: Final = 60


def map_with_export(
    build: Callable[[], folium.Map], *, map_key: str, export_key: str, title: str, subtitle: str = ""
) -> None:
    """The page's map, and under it its export panel, from one builder (the export builds afresh)."""
    show_map(build(), key=map_key)
    map_export_panel(build, key=export_key, title=title, subtitle=subtitle)


def map_export_panel(build: Callable[[], folium.Map], *, key: str, title: str, subtitle: str = "") -> None:
    """Offer the page's map as an A4/A3 PDF or PNG with title, legend, scale bar and north arrow, or HTML.

    ``build`` makes a fresh map (the one on screen has been handed to the component) in the
    session's language, which the sheet's notes follow too. A missing Chromium or an online
    basemap is reported here, without stopping the page.

    The file is made in the button's callback, not in the script body: the map component
    reports its view after each draw, and that rerun interrupts a running script at its next
    Streamlit call, which would drop a half-made export without a word. A callback makes no
    Streamlit call, so it always finishes; the panel then shows its file or its error.
    """
    with st.expander(tr("export.expander"), key=f"{key}_panel"):
        cols = st.columns(4)
        cols[0].selectbox(
            tr("export.format"),
            FORMATS,
            format_func=({s: s[1:].upper() for s in FORMATS} | tr_map(FORMAT_LABELS)).__getitem__,
            key=kept(f"{key}_fmt"),
        )
        cols[1].selectbox(tr("export.paper"), ["A4", "A3"], key=f"{key}_paper")
        cols[2].selectbox(
            tr("export.orientation"),
            ["landscape", "portrait"],
            format_func=tr_map(ORIENTATION_LABELS).__getitem__,
            key=kept(f"{key}_orient"),
        )
        cols[3].selectbox(tr("export.dpi"), [200, 300, 600], key=f"{key}_dpi")
        # The default texts follow the language; what the user typed is kept per language.
        lang = current_lang()
        st.text_input(tr("export.title"), value=title, key=f"{key}_title_{lang}")
        st.text_input(tr("export.subtitle"), value=subtitle, key=f"{key}_subtitle_{lang}")
        st.button(
            tr("export.prepare"),
            key=f"{key}_go",
            help=tr("export.prepare_help"),
            on_click=_prepare,
            args=(build, key, lang, title),
        )
        failure = st.session_state.get(f"{key}_error")
        if failure is not None and failure[0] == lang:
            st.error(failure[1])
        prepared = st.session_state.get(f"{key}_file")
        if prepared is not None and prepared[0] == _choices(key, lang, title):
            _, name, data, mime = prepared
            st.download_button(tr("export.download", name=name), data, name, mime, key=f"{key}_dl")
        elif prepared is not None:  # made with other choices (format, paper, title, language …): stale
            st.caption(tr("export.stale"))


def _choices(key: str, lang: Lang, default_title: str) -> tuple[object, ...]:
    """Everything the file depends on, as the panel's widgets hold it now."""
    state = st.session_state
    sheet = (state.get(f"{key}_fmt"), state.get(f"{key}_paper"), state.get(f"{key}_orient"))
    texts = (state.get(f"{key}_title_{lang}") or default_title, state.get(f"{key}_subtitle_{lang}", ""))
    return (*sheet, state.get(f"{key}_dpi"), *texts, lang)


def export_file_name(page: str, title: str, suffix: str, day: dt.date) -> str:
    """``zgc-geo_<page>_<title>_<date><suffix>``: which page, what it shows and when, safe on every OS."""
    content = re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "_", title).strip("._")[:MAX_TITLE_CHARS] or "map"
    return f"zgc-geo_{page}_{content}_{day.isoformat()}{suffix}"


def _prepare(build: Callable[[], folium.Map], key: str, lang: Lang, default_title: str) -> None:
    """The button's callback: export with the panel's current choices into session state."""
    state = st.session_state
    suffix = state[f"{key}_fmt"]
    state.pop(f"{key}_error", None)
    choices = _choices(key, lang, default_title)
    try:
        spec = PrintSpec(
            title=state.get(f"{key}_title_{lang}") or default_title,
            subtitle=state.get(f"{key}_subtitle_{lang}", ""),
            paper=state[f"{key}_paper"],
            orientation=state[f"{key}_orient"],
            dpi=int(state[f"{key}_dpi"]),
            lang=lang,
        )
        day = dt.datetime.now(BEIJING).date()  # the date people in the meeting read
        name = export_file_name(key.removesuffix("_export"), spec.title, suffix, day)
        with tempfile.TemporaryDirectory(prefix="zgc-geo-map-") as scratch:
            out = export_map(build(), Path(scratch) / name, spec)
            state[f"{key}_file"] = (choices, out.name, out.read_bytes(), MIME[suffix])
    except (PrintError, OptionError) as exc:
        state.pop(f"{key}_file", None)
        state[f"{key}_error"] = (lang, str(exc))
