"""Projects page (项目): screen new land-using projects against the catalogue and the plan (§五(二)2)."""

from __future__ import annotations

import streamlit as st

from zgc_geo.catalogue import load_layer
from zgc_geo.mapping.projects_map import build_projects_map, verdict_legend
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.i18n import current_lang, tr
from zgc_geo.ui.integrity_banner import verified_workspace
from zgc_geo.ui.map_export import map_with_export
from zgc_geo.ui.projects_panel import (
    chosen_inputs,
    downloads,
    errors_listed,
    filtered,
    portfolio_tables,
    record,
    result_table_shown,
    screened_once,
    site_tooltips,
    verdict_counts,
    worded,
)
from zgc_geo.ui.register_panel import register_section
from zgc_geo.ui.sidebar import chosen_basemap

st.title(tr("projects.title"))
st.caption(tr("projects.caption"))

with user_errors_shown():
    store = verified_workspace(seed_demo=False)
    plan = cached_plan()
    lang = current_lang()
    result = screened_once(chosen_inputs(), plan, store)
    verdict_counts(result)
    errors_listed(result)
    keep = filtered(result, plan)
    table = worded(result, plan, lang)[keep.to_numpy()]
    sites = site_tooltips(result, table)
    zones = load_layer("catalogue_zones")
    map_with_export(
        lambda: build_projects_map(
            plan.parks,
            plan.districts,
            zones,
            sites,
            legend=verdict_legend(lang),
            legend_title=tr("projects.map.legend"),
            basemap=chosen_basemap(),
            lang=lang,
        ),
        map_key="projects_map",
        export_key="projects_export",
        title=tr("projects.export_title"),
        subtitle=tr("projects.export_subtitle"),
    )
    st.subheader(tr("projects.table_heading", count=len(table)))
    clicked = result_table_shown(table, result)
    if clicked is not None:
        st.subheader(tr("projects.record_heading"))
        record(result, table, clicked)
    st.subheader(tr("projects.portfolio_heading"))
    portfolio_tables(result, plan)
    st.subheader(tr("projects.downloads_heading"))
    downloads(result, plan)

    st.divider()
    st.header(tr("register.heading"))
    st.caption(tr("register.caption"))
    register_section(store, plan, result)
