"""Overview page: the one-zone-many-parks map, headline figures, and the park and cluster tables."""

from __future__ import annotations

import streamlit as st

from zgc_geo.export.safety import csv_bytes
from zgc_geo.mapping.overview_map import build_overview_map
from zgc_geo.plan_tables import headline
from zgc_geo.ui.cached import cached_plan, parks_spec
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.i18n import current_lang, tr
from zgc_geo.ui.map_export import map_with_export
from zgc_geo.ui.overview_panel import (
    CLUSTER_HEADINGS,
    PARK_HEADINGS,
    TARGET_HEADINGS,
    cluster_frame,
    headline_metrics,
    park_frame,
    target_frame,
)
from zgc_geo.ui.sidebar import chosen_basemap
from zgc_geo.ui.tables import headed, show_table

st.title(tr("overview.title"))
st.caption(tr("overview.caption"))

with user_errors_shown():
    plan = cached_plan()
    lang = current_lang()
    headline_metrics(headline(plan, parks_spec()))

    map_with_export(
        lambda: build_overview_map(plan, basemap=chosen_basemap(), lang=lang),
        map_key="overview_map",
        export_key="overview_export",
        title=tr("overview.export_title"),
        subtitle=tr("overview.export_subtitle"),
    )

    st.subheader(tr("overview.parks_heading"))
    parks = park_frame(plan)
    show_table(parks, PARK_HEADINGS, hide=["park_id"])
    st.download_button(
        tr("overview.download_parks"),
        csv_bytes(headed(parks, PARK_HEADINGS)),
        file_name="zgc_parks.csv",
        mime="text/csv",
        key="overview_parks_csv",
    )

    with st.expander(tr("overview.clusters_heading")):
        show_table(cluster_frame(plan), CLUSTER_HEADINGS, hide=["cluster_id"])
    with st.expander(tr("overview.targets_heading")):
        show_table(target_frame(plan), TARGET_HEADINGS)
