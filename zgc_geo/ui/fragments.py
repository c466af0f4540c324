"""Map fragments that give way to the whole page when the page's own settings changed under them.

A map reports its view on every pan and zoom; as a fragment, that report reruns only the map and its
export panel. A change of language, basemap or presentation mode in the sidebar needs the whole page
again — and if it reaches the server while a map's report is being served, Streamlit can run it as
part of the fragment's rerun, leaving the sidebar showing the new choice over a page in the old one.
Each map fragment therefore remembers the settings its page was drawn with and, should they differ
when it runs, reruns the app instead of drawing a map the page around it does not match.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Final

import streamlit as st

from zgc_geo.ui.i18n import LANG_KEY
from zgc_geo.ui.sidebar import BASEMAP_KEY, PRESENTATION_KEY

#: Session keys of the sidebar's page-wide settings: language, basemap, presentation mode.
PAGE_SETTINGS: Final = (LANG_KEY, BASEMAP_KEY, PRESENTATION_KEY)


def page_settings() -> tuple[object, ...]:
    """The sidebar's page-wide settings as this run sees them."""
    return tuple(st.session_state.get(key) for key in PAGE_SETTINGS)


def map_fragment(body: Callable[[], None]) -> Callable[[], None]:
    """``body`` as a fragment that reruns the app instead when the page's settings changed since the page
    was drawn (call this in the page's run, where it notes the settings, and call the result there)."""
    drawn_with = page_settings()

    @st.fragment
    @functools.wraps(body)  # the fragment is known by the body's name, as if it were decorated itself
    def run() -> None:
        if page_settings() != drawn_with:
            st.rerun(scope="app")
        body()

    return run
