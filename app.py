"""zgc-geo Streamlit entry point: ``streamlit run app.py``."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from zgc_geo.mapping.web_assets import check_web_assets
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.sidebar import apply_presentation_page_style, shared_sidebar

PAGES_DIR = Path(__file__).parent / "zgc_geo" / "ui" / "pages"

st.set_page_config(page_title="zgc-geo 中关村规划工作台", layout="wide")

with user_errors_shown():
    check_web_assets()

# No page icons: Streamlit fetches Material icons from fonts.gstatic.com, and emoji need a
# font intranet machines often lack. The browser tests fail on any non-local request.
navigation = st.navigation(
    [
        st.Page(PAGES_DIR / "overview.py", title="总览 Overview", default=True),
        st.Page(PAGES_DIR / "stock.py", title="存量盘活 Stock", url_path="stock"),
        st.Page(PAGES_DIR / "siting.py", title="集群选址 Siting", url_path="siting"),
        st.Page(PAGES_DIR / "coverage.py", title="集群覆盖 Coverage", url_path="coverage"),
        st.Page(PAGES_DIR / "bth.py", title="京津冀 Beijing–Tianjin–Hebei", url_path="bth"),
        st.Page(PAGES_DIR / "data.py", title="数据导入 Data", url_path="data"),
    ]
)
shared_sidebar()
apply_presentation_page_style()
navigation.run()
