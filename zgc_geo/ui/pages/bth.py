"""Beijing–Tianjin–Hebei page: the 4+N cooperation zones, their distances, and what the plan steers there."""

from __future__ import annotations

import streamlit as st

from zgc_geo.coverage.bth import core_point, steering_table, zone_distances
from zgc_geo.mapping.bth_map import build_bth_map
from zgc_geo.ui.bth_panel import steering_items, zone_tables
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.i18n import current_lang, tr
from zgc_geo.ui.map_export import map_with_export
from zgc_geo.ui.sidebar import chosen_basemap

st.title(tr("bth.title"))
st.caption(tr("bth.caption"))

with user_errors_shown():
    plan = cached_plan()
    lang = current_lang()
    distances = zone_distances(plan)
    map_with_export(
        lambda: build_bth_map(plan, distances, core_point(plan), basemap=chosen_basemap(), lang=lang),
        map_key="bth_map",
        export_key="bth_export",
        title=tr("bth.export_title"),
        subtitle=tr("bth.export_subtitle"),
    )

    st.subheader(tr("bth.zones_heading"))
    zone_tables(plan, distances)

    st.subheader(tr("bth.steering_heading"))
    steering_items(plan, steering_table(plan))
