"""Overview page: the one-zone-many-parks map, headline figures, and the park and cluster tables."""

from __future__ import annotations

import streamlit as st

from zgc_geo.export_safety import csv_bytes
from zgc_geo.mapping.overview_map import build_overview_map
from zgc_geo.plan_tables import cluster_table, headline, park_table, targets_table
from zgc_geo.ui.cached import cached_plan, parks_spec
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.map_export import map_export_panel
from zgc_geo.ui.map_view import show_map
from zgc_geo.ui.sidebar import chosen_basemap

st.title("一区多园总览 One zone, many parks")
st.caption(
    "中关村国家自主创新示范区“十三五”发展建设规划 §五、§六 · 分园轮廓为示意，非批复边界 — "
    "park outlines are schematic, not approved boundaries (see each park's accuracy)."
)

with user_errors_shown():
    plan = cached_plan()
    figures = headline(plan, parks_spec())

    cols = st.columns(6)
    cols[0].metric("分园 Parks", figures.parks)
    cols[1].metric("产业集群 Clusters", figures.clusters)
    cols[2].metric(
        "特色园区 Feature",
        figures.feature_parks,
        help=f"{figures.located_feature_parks} located to within ~2 km; the others are placed in "
        "their host park (see each place's location accuracy).",
    )
    cols[3].metric("创新中心 Centres", figures.innovation_centres)
    cols[4].metric(
        "合作区 4+N",
        figures.cooperation_zones,
        help="Cooperation zones: 4+N (§六(一)1) and the Yanqing–Zhangjiakou zone (§四(三)4)",
    )
    approved = f" / {figures.approved_area_km2:g}" if figures.approved_area_km2 else ""
    cols[5].metric(
        "面积 Area km²",
        f"{figures.drawn_area_km2:,.0f}{approved}",
        help="Drawn (schematic outlines, measured in EPSG:4548) / approved (2012 total of the 16 parks).",
    )

    show_map(build_overview_map(plan, basemap=chosen_basemap()), key="overview_map")
    map_export_panel(
        lambda: build_overview_map(plan, basemap=chosen_basemap()),
        key="overview_export",
        title="中关村国家自主创新示范区 一区多园",
        subtitle="十六分园、六大产业集群特色园区与京津冀合作功能区",
    )

    st.subheader("分园 Sub-parks")
    parks = park_table(plan)
    st.dataframe(parks.drop(columns="park_id"), hide_index=True, width="stretch")
    st.download_button(
        "下载分园表 Download park table (CSV)", csv_bytes(parks), file_name="zgc_parks.csv", mime="text/csv"
    )

    with st.expander("六大产业集群 The six clusters (§五(一))"):
        st.dataframe(cluster_table(plan).drop(columns="cluster_id"), hide_index=True, width="stretch")
    with st.expander("“十三五”目标体系 The 2020 target system (专栏一)"):
        st.dataframe(targets_table(plan), hide_index=True, width="stretch")
