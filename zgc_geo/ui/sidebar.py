"""The sidebar shared by every page: language, basemap choice, presentation mode and the open workspace."""

from __future__ import annotations

from typing import Final

import streamlit as st

from zgc_geo.errors import ZgcGeoError
from zgc_geo.i18n import DEFAULT_LANG, LANGS
from zgc_geo.mapping.basemaps import LOCAL_PREFIX, NO_BASEMAP, Basemap, available_basemaps
from zgc_geo.settings import TIANDITU_KEY_ENV
from zgc_geo.ui.i18n import LANG_KEY, LANG_NAMES, keep_choices, kept, lang_in_url, tr
from zgc_geo.ui.identity import current_identity, identity_caption
from zgc_geo.ui.markdown_text import escaped
from zgc_geo.ui.rights_view import rights_caption
from zgc_geo.ui.workspace_access import workspace
from zgc_geo.workspace import redacted

BASEMAP_KEY = "basemap"
PRESENTATION_KEY = "presentation"
#: The URL keeps presentation mode across reloads and in shared links: ``?present=1``.
PRESENT_PARAM: Final = "present"
#: Basemaps whose names are translated; the others are proper names (OpenStreetMap, CARTO Positron).
BASEMAP_NAMES: Final = {
    NO_BASEMAP: "basemap.none",
    "amap": "basemap.amap",
    "tianditu": "basemap.tianditu",
    "local": "basemap.local",
}
#: The workspace backends (``WorkspaceStore.backend``) in the page's language.
BACKEND_NAMES: Final = {"GeoPackage": "sidebar.backend_geopackage", "PostGIS": "sidebar.backend_postgis"}
#: Streamlit's own chrome hidden, the page widened and each map as high as the window (less a
#: margin), so scrolled to, a map and its legend are seen whole on any screen.
PRESENTATION_PAGE_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], footer { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { max-width: 100% !important;
  padding: 0.5rem 1rem !important; }
iframe[title="streamlit_folium.st_folium"] { height: calc(100vh - 1.5rem) !important; }
</style>
"""


def basemap_name(basemap: Basemap) -> str:
    """The basemap's name in the session's language."""
    if basemap.key.startswith(LOCAL_PREFIX):
        return tr("basemap.local_named", name=basemap.key.removeprefix(LOCAL_PREFIX))
    key = BASEMAP_NAMES.get(basemap.key)
    return tr(key) if key else basemap.label


def basemap_reason(basemap: Basemap) -> str:
    """Why ``basemap`` cannot be used here (the known cases translated, a tile set's problem as is)."""
    if basemap.key == "tianditu":
        return tr("basemap.reason_tianditu", env=TIANDITU_KEY_ENV)
    if basemap.key == "local":
        return tr("basemap.reason_no_tiles")  # the server's folder is the administrator's business
    return basemap.reason


def basemap_label(basemap: Basemap) -> str:
    """The radio label: name, whether it needs internet, and the GCJ-02 note for Amap."""
    if basemap.key == NO_BASEMAP:
        return basemap_name(basemap)
    parts = [
        basemap_name(basemap),
        tr("basemap.needs_internet") if basemap.needs_internet else tr("basemap.offline"),
    ]
    if basemap.datum == "gcj02":
        parts.append(tr("basemap.gcj02_note"))
    return " — ".join(parts)


def language_control() -> None:
    """中文 / English, at the top of the sidebar; kept in the URL (``?lang=en``) across reloads."""
    if st.session_state.get(LANG_KEY) not in LANGS:
        # First run of a session: the URL's language however written (?lang=en), shown as the control
        # keeps it (?lang=English), so the control and every text of the page agree from the start.
        st.session_state[LANG_KEY] = lang_in_url() or DEFAULT_LANG
    st.segmented_control(
        tr("sidebar.language"),
        list(LANGS),
        format_func=LANG_NAMES.__getitem__,
        key=LANG_KEY,
        on_change=keep_choices,
        required=True,
        label_visibility="collapsed",
    )
    # Kept in the URL by hand, not with bind="query-params": a bound widget drops a value it does not
    # know (?lang=en), and the page would then be Chinese while the link asked for English.
    shown = LANG_NAMES[st.session_state[LANG_KEY]]
    if st.query_params.get(LANG_KEY) != shown:
        st.query_params[LANG_KEY] = shown


def presentation_in_url() -> bool:
    """True when the URL asks for presentation mode (``?present=1``, also ``true``/``yes``/``on``)."""
    value = st.query_params.get(PRESENT_PARAM)
    return isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "on"}


def presentation_control() -> None:
    """The presentation-mode switch, kept in the URL (``?present=1``) like the language.

    Read in the same run that draws the pages, so switching applies at once; the first run of a
    session (a reload, a shared link) takes it from the URL.
    """
    if PRESENTATION_KEY not in st.session_state:
        st.session_state[PRESENTATION_KEY] = presentation_in_url()
    st.toggle(tr("sidebar.presentation"), key=PRESENTATION_KEY, help=tr("sidebar.presentation_help"))
    if presentation_mode():
        if st.query_params.get(PRESENT_PARAM) != "1":
            st.query_params[PRESENT_PARAM] = "1"
    elif PRESENT_PARAM in st.query_params:
        del st.query_params[PRESENT_PARAM]


def shared_sidebar() -> None:
    """Draw the shared sidebar once per run (called from ``app.py``)."""
    everything = available_basemaps()
    usable = {b.key: b for b in everything if b.available}
    unavailable = [b for b in everything if not b.available]
    reasons = "\n".join(f"- {basemap_name(b)}: {basemap_reason(b)}" for b in unavailable)
    with st.sidebar:
        language_control()
        if st.session_state.get(BASEMAP_KEY) not in usable:
            st.session_state[BASEMAP_KEY] = NO_BASEMAP  # e.g. its key or tile set was removed
        st.radio(
            tr("sidebar.basemap"),
            list(usable),
            format_func={key: basemap_label(b) for key, b in usable.items()}.__getitem__,
            key=kept(BASEMAP_KEY),
            help=tr("sidebar.basemap_help")
            + (f"\n\n{tr('sidebar.unavailable_list')}\n{reasons}" if reasons else ""),
        )
        for basemap in unavailable:
            st.caption(tr("sidebar.unavailable", name=basemap_name(basemap), reason=basemap_reason(basemap)))
        presentation_control()
        if (identity := current_identity()) is not None:
            identity_caption(identity)
        workspace_caption()


def workspace_caption() -> None:
    """Which workspace the pages read and write: its backend and address (never a password)."""
    try:
        store = workspace()  # opening only names it: nothing is read or connected here
    except ZgcGeoError as exc:
        st.caption(tr("sidebar.workspace_unusable", reason=escaped(str(exc))))
        return
    backend = tr(BACKEND_NAMES[store.backend]) if store.backend in BACKEND_NAMES else store.backend
    # ``address`` is already without a password; redacting again costs nothing and guards a slip.
    st.caption(tr("sidebar.workspace", backend=backend, address=escaped(redacted(store.address))))
    if current_identity() is not None:
        rights_caption(store)


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
