"""The export panel every map page shares: PDF/PNG print layouts and a standalone HTML map."""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, NamedTuple

import folium
import streamlit as st

from zgc_geo.errors import OptionError, PrintError
from zgc_geo.export.printing import render_print, write_html
from zgc_geo.i18n import Lang
from zgc_geo.mapping.print_layout import PrintSpec, PrintView, print_html
from zgc_geo.ui.fragments import map_fragment
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.i18n import BEIJING, current_lang, kept, tr, tr_map
from zgc_geo.ui.map_view import print_view, show_map

#: Output suffixes, in the order offered. PDF and PNG read the same in both languages.
FORMATS: Final = (".pdf", ".png", ".html")
FORMAT_LABELS: Final = {".html": "export.format_html"}
ORIENTATION_LABELS: Final = {"landscape": "export.landscape", "portrait": "export.portrait"}
#: What the sheet shows: the map as on screen, or the map's full extent.
EXTENTS: Final = ("view", "full")
EXTENT_LABELS: Final = {"view": "export.extent_view", "full": "export.extent_full"}
MIME: Final = {".pdf": "application/pdf", ".png": "image/png", ".html": "text/html"}
log = logging.getLogger(__name__)
#: Longest title part of an export's file name.
MAX_TITLE_CHARS: Final = 60


def map_with_export(
    build: Callable[[], folium.Map], *, map_key: str, export_key: str, title: str, subtitle: str = ""
) -> None:
    """The page's map, and under it its export panel, from one builder (the export builds afresh).

    Both are one fragment: the map reports its view on every pan and zoom, and that report (or a
    choice in the export panel) reruns only the map and its panel, not the whole page under them.
    """

    def map_and_export() -> None:
        # A fragment's rerun runs only this function: the page's own error guard is not around it then.
        with user_errors_shown():
            show_map(build(), key=map_key)
            map_export_panel(build, key=export_key, title=title, subtitle=subtitle, map_key=map_key)

    map_fragment(map_and_export)()


def map_export_panel(
    build: Callable[[], folium.Map], *, key: str, title: str, subtitle: str = "", map_key: str | None = None
) -> None:
    """Offer the page's map as an A4/A3 PDF or PNG with title, legend, scale bar and north arrow, or HTML.

    ``build`` makes a fresh map (the one on screen has been handed to the component) in the
    session's language, which the sheet's notes follow too. The file shows what the map
    ``map_key`` (default: the map drawn just above) shows on screen — its extent and the layers
    left switched on — or, if the user picks it, the map's full extent. A missing Chromium or an
    online basemap is reported here, without stopping the page.

    The button only records the request (a callback, so no rerun can drop the click); the panel
    then makes the file with its steps shown. A rerun that interrupts it (the map reporting a
    move) leaves the request in place, and the next run makes the file.
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
        st.radio(
            tr("export.extent"),
            EXTENTS,
            format_func=tr_map(EXTENT_LABELS).__getitem__,
            key=kept(f"{key}_extent"),
            horizontal=True,
            help=tr("export.extent_help"),
        )
        # The default texts follow the language; what the user typed is kept per language.
        lang = current_lang()
        st.text_input(tr("export.title"), value=title, key=f"{key}_title_{lang}")
        st.text_input(tr("export.subtitle"), value=subtitle, key=f"{key}_subtitle_{lang}")
        st.button(
            tr("export.prepare"),
            key=f"{key}_go",
            help=tr("export.prepare_help"),
            on_click=_request,
            args=(key, lang, title),
        )
        # The view as the map reported it in this run (it is drawn above): a callback's arguments, or
        # the session state while callbacks run, would still hold the view from before the last move.
        view = print_view(map_key)
        state = st.session_state
        current = _choices(key, lang, title, view)
        if (request := state.get(f"{key}_request")) is not None:
            _make(build, key, request._replace(view=_printed(key, view)))
        elif _moved_on(state.get(f"{key}_file"), state.get(f"{key}_unconfirmed"), current):
            _make(build, key, current)
        elif (made := state.get(f"{key}_file")) is not None and made[0] == current:
            state.pop(f"{key}_unconfirmed", None)  # a later run saw the same view: the file stands
        failure = state.get(f"{key}_error")
        if failure is not None and failure[0] == lang:
            st.error(failure[1])
        prepared = state.get(f"{key}_file")
        if prepared is not None and prepared[0] == current:
            _, name, data, mime = prepared
            st.download_button(tr("export.download", name=name), data, name, mime, key=f"{key}_dl")
        elif prepared is not None:  # made with other choices (format, paper, title, language, view …): stale
            st.caption(tr("export.stale"))


def _moved_on(prepared: tuple[Any, ...] | None, unconfirmed: Choices | None, current: Choices) -> bool:
    """Whether the file just made from a click should follow a view the map reported only afterwards.

    A drag ends with Leaflet's inertia and the map reports its view a moment later: a click on the
    button in between makes the file of the view before. The map's next report (the first run after
    the file was made) then remakes it once with the view it settled on; any other change of choices,
    or a run that saw the same view, leaves the file to be prepared again by hand, as before.
    """
    if prepared is None or unconfirmed is None or prepared[0] != unconfirmed or prepared[0] == current:
        return False
    return bool(prepared[0]._replace(view=None) == current._replace(view=None))


class Choices(NamedTuple):
    """Everything an export file depends on; a file made with other choices is stale."""

    fmt: str
    paper: str
    orientation: str
    dpi: int
    title: str
    subtitle: str
    lang: Lang
    extent: str
    view: PrintView | None


def _choices(key: str, lang: Lang, default_title: str, view: PrintView | None) -> Choices:
    """Everything the file depends on, as the panel's widgets and the map hold it now."""
    state = st.session_state
    return Choices(
        fmt=str(state.get(f"{key}_fmt")),
        paper=str(state.get(f"{key}_paper")),
        orientation=str(state.get(f"{key}_orient")),
        dpi=int(state.get(f"{key}_dpi") or 0),
        title=str(state.get(f"{key}_title_{lang}") or default_title),
        subtitle=str(state.get(f"{key}_subtitle_{lang}", "")),
        lang=lang,
        extent=str(state.get(f"{key}_extent")),
        view=_printed(key, view),
    )


def _printed(key: str, view: PrintView | None) -> PrintView | None:
    """What of ``view`` the file follows: all of it, or only the switched-off layers at full extent."""
    if view is None or st.session_state.get(f"{key}_extent") != "full":
        return view
    return PrintView(hidden=view.hidden)


def export_file_name(page: str, title: str, suffix: str, day: dt.date) -> str:
    """``zgc-geo_<page>_<title>_<date><suffix>``: which page, what it shows and when, safe on every OS."""
    content = re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "_", title).strip("._")[:MAX_TITLE_CHARS] or "map"
    return f"zgc-geo_{page}_{content}_{day.isoformat()}{suffix}"


def _request(key: str, lang: Lang, default_title: str) -> None:
    """The button's callback: record what to make with the panel's choices (the view is added later)."""
    state = st.session_state
    state.pop(f"{key}_error", None)
    state[f"{key}_request"] = _choices(key, lang, default_title, None)


def _make(build: Callable[[], folium.Map], key: str, choices: Choices) -> None:
    """Make the requested file, showing each step; the file or the error then goes to session state."""
    state = st.session_state
    suffix, view = choices.fmt, choices.view
    log.info("map export %s: making %s", key, suffix)
    with st.status(tr("export.working"), expanded=True) as status:
        try:
            spec = PrintSpec(
                title=choices.title,
                subtitle=choices.subtitle,
                paper=choices.paper,  # type: ignore[arg-type]  # checked by PrintSpec
                orientation=choices.orientation,  # type: ignore[arg-type]
                dpi=choices.dpi,
                lang=choices.lang,
            )
            day = dt.datetime.now(BEIJING).date()  # the date people in the meeting read
            name = export_file_name(key.removesuffix("_export"), spec.title, suffix, day)
            status.write(tr("export.step_map"))
            m = build()
            with tempfile.TemporaryDirectory(prefix="zgc-geo-map-") as scratch:
                out = Path(scratch) / name
                if suffix == ".html":
                    status.write(tr("export.step_html"))
                    write_html(m, out, spec, view)
                else:
                    status.write(tr("export.step_layout"))
                    page = print_html(m, spec, view)
                    status.write(tr("export.step_print"))
                    render_print(page, out, spec)
                state[f"{key}_file"] = (choices, out.name, out.read_bytes(), MIME[suffix])
                state[f"{key}_unconfirmed"] = choices  # until a later run sees the same view (_moved_on)
        except (PrintError, OptionError) as exc:
            state.pop(f"{key}_file", None)
            state[f"{key}_error"] = (choices.lang, str(exc))
        # Done either way. A rerun that interrupted a step above skipped this: the request stays, and
        # the next run makes the file.
        state.pop(f"{key}_request", None)
        log.info("map export %s: %s", key, "error" if f"{key}_error" in state else "made")
        ok = f"{key}_error" not in state
        status.update(
            label=tr("export.done") if ok else tr("export.failed"),
            state="complete" if ok else "error",
            expanded=False,
        )
