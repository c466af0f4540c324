"""zgc-geo Streamlit entry point: ``streamlit run app.py``."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from zgc_geo.mapping.web_assets import check_web_assets
from zgc_geo.memory import freeze_once, start_memory_keeper
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.i18n import tr
from zgc_geo.ui.identity import require_identity
from zgc_geo.ui.sidebar import apply_presentation_page_style, shared_sidebar

PAGES_DIR = Path(__file__).parent / "zgc_geo" / "ui" / "pages"

# A server process keeps its memory in check from its first run on (zgc_geo/memory.py says why).
start_memory_keeper()

# The language control is drawn below, in the sidebar; a change reruns the script with the new
# value already in session state, so the titles here follow it.
st.set_page_config(page_title=tr("app.page_title"), layout="wide")

with user_errors_shown():
    check_web_assets()
    require_identity()  # a shared server's sign-in page, drawn instead of any page until signed in

# No page icons: Streamlit fetches Material icons from fonts.gstatic.com, and emoji need a
# font intranet machines often lack. The browser tests fail on any non-local request.
navigation = st.navigation(
    [
        st.Page(PAGES_DIR / "overview.py", title=tr("nav.overview"), default=True),
        st.Page(PAGES_DIR / "stock.py", title=tr("nav.stock"), url_path="stock"),
        st.Page(PAGES_DIR / "siting.py", title=tr("nav.siting"), url_path="siting"),
        st.Page(PAGES_DIR / "coverage.py", title=tr("nav.coverage"), url_path="coverage"),
        st.Page(PAGES_DIR / "bth.py", title=tr("nav.bth"), url_path="bth"),
        st.Page(PAGES_DIR / "projects.py", title=tr("nav.projects"), url_path="projects"),
        st.Page(PAGES_DIR / "monitoring.py", title=tr("nav.monitoring"), url_path="monitoring"),
        st.Page(PAGES_DIR / "data.py", title=tr("nav.data"), url_path="data"),
    ]
)
shared_sidebar()
apply_presentation_page_style()
navigation.run()
# After a page's first whole run, what it loaded (modules, plan layers, caches) lives as long as the process.
freeze_once(navigation.url_path)
