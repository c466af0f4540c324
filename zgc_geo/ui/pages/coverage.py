"""Coverage page: which clusters the plan gives each park, what is on the ground, what is out of reach."""

from __future__ import annotations

import folium
import streamlit as st

from zgc_geo.coverage.findings import plan_findings
from zgc_geo.coverage.matrix import coverage_matrix, places_for_cell
from zgc_geo.i18n import join_names
from zgc_geo.mapping.basemaps import basemap_datum
from zgc_geo.mapping.coverage_map import build_coverage_map, coverage_layer
from zgc_geo.mapping.display_datum import point_from_display
from zgc_geo.ui.cached import cached_plan, plan_fingerprint
from zgc_geo.ui.coverage_cache import coverage_of, reach_and_gaps
from zgc_geo.ui.coverage_panel import (
    add_site,
    coverage_table,
    findings_shown,
    matrix_table,
    proposed_sites,
    site_inputs,
    what_if_downloads,
)
from zgc_geo.ui.fragments import map_fragment
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.i18n import current_lang, kept, local, tr
from zgc_geo.ui.integrity_banner import verified_workspace
from zgc_geo.ui.map_export import map_export_panel
from zgc_geo.ui.map_view import interactive_map
from zgc_geo.ui.sidebar import chosen_basemap
from zgc_geo.ui.workspace_access import inventory_title

st.title(tr("coverage.title"))
st.caption(tr("coverage.caption"))

with user_errors_shown():
    store = verified_workspace()
    plan = cached_plan()
    lang = current_lang()
    long = coverage_matrix(plan)
    st.subheader(tr("coverage.matrix_heading"))
    st.caption(tr("coverage.matrix_caption"))
    cell = matrix_table(plan, long)
    clusters = plan.clusters.set_index("cluster_id")
    names = {c: str(local(r.short_zh, r.short_en)) for c, r in clusters.iterrows()}
    highlight: list[str] = []
    if cell is not None:
        park_id, cell_cluster = cell
        if cell != st.session_state.get("cov_last_cell"):  # a new click moves the map to its cluster
            st.session_state["cov_last_cell"] = cell
            st.session_state["cov_cluster"] = cell_cluster
        places = places_for_cell(plan, park_id, cell_cluster)
        highlight = places["place_id"].tolist()
        park = plan.parks.set_index("park_id").loc[park_id]
        place_names = [
            str(local(zh, en)) for zh, en in zip(places["name_zh"], places["name_en"], strict=True)
        ]
        st.info(
            tr(
                "coverage.cell_places_info",
                park=local(park["name_zh"], park["name_en"]),
                cluster=names[cell_cluster],
                places=join_names(lang, place_names) or tr("coverage.no_feature_park"),
            )
        )

    cols = st.columns([2, 1])
    cluster_id = cols[0].selectbox(
        tr("coverage.cluster"), list(names), format_func=names.__getitem__, key=kept("cov_cluster")
    )
    radius_km = cols[1].slider(tr("coverage.radius"), 0.5, 10.0, 3.0, 0.5, key="cov_radius")
    infos = {i.name: i for i in store.inventories()}
    inventory_names = {
        "": tr("coverage.no_inventory"),
        **{n: inventory_title(n, info.title) for n, info in infos.items()},
    }
    inventory = st.selectbox(
        tr("coverage.inventory"),
        list(inventory_names),
        key=kept("cov_inventory"),
        format_func=inventory_names.__getitem__,
    )

    sites = proposed_sites()
    radius_m = radius_km * 1000
    with st.spinner(tr("coverage.computing"), show_time=True):  # seconds with several what-if sites
        reach_frame, gaps = reach_and_gaps(plan, cluster_id, radius_m, tuple(sites))
    basemap = chosen_basemap()

    # The map and its export panel are one fragment: the map reporting a pan reruns only them. A click
    # on the map adds a what-if site, which changes the tables below: that reruns the whole page.
    def coverage_map() -> None:
        with user_errors_shown():
            _coverage_map()

    def _coverage_map() -> None:
        layer = coverage_layer(
            cluster_id, reach=reach_frame, gaps=gaps, sites=sites, basemap=basemap, lang=lang
        )
        state = interactive_map(
            lambda: build_coverage_map(plan, cluster_id, highlight=highlight, basemap=basemap, lang=lang),
            f"cov_map_{cluster_id}",
            base_key=("coverage", plan_fingerprint(), cluster_id, tuple(highlight), basemap, lang),
            layer=layer,
            returned=["last_clicked"],
        )

        def printable_coverage_map() -> folium.Map:
            m = build_coverage_map(plan, cluster_id, highlight=highlight, basemap=basemap, lang=lang)
            coverage_layer(
                cluster_id, reach=reach_frame, gaps=gaps, sites=sites, basemap=basemap, lang=lang
            ).add_to(m)
            return m

        map_export_panel(
            printable_coverage_map,
            key="coverage_export",
            title=tr("coverage.export_title", cluster=names[cluster_id]),
            subtitle=tr("coverage.export_subtitle", km=radius_km)
            + (tr("coverage.export_sites", count=len(sites)) if sites else ""),
        )
        clicked = state.get("last_clicked")
        if clicked and (clicked["lng"], clicked["lat"]) != st.session_state.get("cov_last_click"):
            st.session_state["cov_last_click"] = (clicked["lng"], clicked["lat"])
            # A click on a GCJ-02 basemap is a GCJ-02 position: back to WGS84 before analysis.
            lat, lon = point_from_display(clicked["lat"], clicked["lng"], basemap_datum(basemap))
            add_site(lon, lat)
            st.rerun(scope="app")

    map_fragment(coverage_map)()
    st.caption(tr("coverage.click_hint"))
    site_inputs()

    st.subheader(
        tr("coverage.table_heading") + (tr("coverage.table_with_sites", count=len(sites)) if sites else "")
    )
    with st.spinner(tr("coverage.computing"), show_time=True):
        imported_at = infos[inventory].imported_at if inventory else ""
        table = coverage_of(
            plan, cluster_id, radius_m, sites=tuple(sites), inventory=inventory, imported_at=imported_at
        )
    coverage_table(plan, table)
    if sites:
        what_if_downloads(plan, table, sites=sites, cluster_name=names[cluster_id], radius_km=radius_km)

    st.subheader(tr("coverage.findings_heading"))
    findings_shown(plan_findings(plan), cluster_id, names[cluster_id])
