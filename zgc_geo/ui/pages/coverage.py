"""Coverage page: which clusters the plan gives each park, what is on the ground, what is out of reach."""

from __future__ import annotations

import folium
import geopandas as gpd
import streamlit as st

from zgc_geo.coverage.findings import findings_table, plan_findings
from zgc_geo.coverage.matrix import coverage_matrix, places_for_cell
from zgc_geo.coverage.spatial import park_coverage, reach, uncovered, what_if
from zgc_geo.mapping.basemaps import basemap_datum
from zgc_geo.mapping.coverage_map import build_coverage_map, coverage_layer
from zgc_geo.mapping.display_datum import point_from_display
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.coverage_panel import add_site, matrix_table, proposed_sites, site_inputs
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.map_export import map_export_panel
from zgc_geo.ui.map_view import interactive_map
from zgc_geo.ui.sidebar import chosen_basemap
from zgc_geo.ui.workspace_access import ensure_demo_inventory, workspace

st.title("集群覆盖 Cluster coverage")
st.caption(
    "§五(一) 六大集群布局 · §五(二)1 分园主导产业 — the plan's cluster-to-park assignments, "
    "what is on the ground, and the gaps."
)

with user_errors_shown():
    plan = cached_plan()
    long = coverage_matrix(plan)
    st.subheader("分园 × 集群 Parks × clusters")
    st.caption(
        "深色 = 核心园区（以……为核心），浅色 = 重点园区（为重点）；点击单元格查看地图上的地点 — "
        "dark: core, light: focus; click a cell to see its places on the map."
    )
    cell = matrix_table(plan, long)
    clusters = plan.clusters.set_index("cluster_id")
    names = {c: f"{r.short_zh} {r.short_en}" for c, r in clusters.iterrows()}
    highlight: list[str] = []
    if cell is not None:
        park_id, cell_cluster = cell
        if cell != st.session_state.get("cov_last_cell"):  # a new click moves the map to its cluster
            st.session_state["cov_last_cell"] = cell
            st.session_state["cov_cluster"] = cell_cluster
        places = places_for_cell(plan, park_id, cell_cluster)
        highlight = places["place_id"].tolist()
        park_name = plan.parks.set_index("park_id").loc[park_id, "name_zh"]
        st.info(
            f"{park_name} × {names[cell_cluster]}: "
            + ("、".join(places["name_zh"]) or "无特色园区 no feature park")
        )

    cols = st.columns([2, 1])
    cluster_id = cols[0].selectbox(
        "集群 Cluster", list(names), format_func=names.__getitem__, key="cov_cluster"
    )
    radius_km = cols[1].slider("可达半径 Reach radius (km)", 0.5, 10.0, 3.0, 0.5, key="cov_radius")
    ensure_demo_inventory()
    store = workspace()
    infos = {i.name: i for i in store.inventories()}
    inventory = st.selectbox(
        "地块清单 Plots counted (optional)",
        ["", *infos],
        key="cov_inventory",
        format_func=lambda n: infos[n].title if n else "— none —",
    )
    plots = store.load_inventory(inventory) if inventory else None

    sites = proposed_sites()
    radius_m = radius_km * 1000
    gaps = uncovered(plan, cluster_id, radius_m, extra_sites=sites or None)
    reach_area = reach(plan, cluster_id, radius_m, extra_sites=sites or None)
    reach_frame = gpd.GeoDataFrame(geometry=[reach_area], crs=4548).to_crs(4326)
    basemap = chosen_basemap()
    base = build_coverage_map(plan, cluster_id, highlight=highlight, basemap=basemap)
    layer = coverage_layer(cluster_id, reach=reach_frame, gaps=gaps, sites=sites, basemap=basemap)
    state = interactive_map(base, f"cov_map_{cluster_id}", layer=layer, returned=["last_clicked"])

    def printable_coverage_map() -> folium.Map:
        m = build_coverage_map(plan, cluster_id, highlight=highlight, basemap=basemap)
        coverage_layer(cluster_id, reach=reach_frame, gaps=gaps, sites=sites, basemap=basemap).add_to(m)
        return m

    map_export_panel(
        printable_coverage_map,
        key="coverage_export",
        title=f"{names[cluster_id]} 集群覆盖",
        subtitle=f"可达半径 {radius_km:g} km" + (f"，拟议地点 {len(sites)} 处" if sites else ""),
    )
    clicked = state.get("last_clicked")
    if clicked and (clicked["lng"], clicked["lat"]) != st.session_state.get("cov_last_click"):
        st.session_state["cov_last_click"] = (clicked["lng"], clicked["lat"])
        # A click on a GCJ-02 basemap is a GCJ-02 position: back to WGS84 before analysis.
        lat, lon = point_from_display(clicked["lat"], clicked["lng"], basemap_datum(basemap))
        add_site(lon, lat)
        st.rerun()
    st.caption("点击地图添加拟议地点 Click the map to add a proposed site (what-if), or enter coordinates:")
    site_inputs()

    st.subheader("覆盖情况 Coverage by park" + (f" — with {len(sites)} proposed site(s)" if sites else ""))
    if sites:
        table = what_if(plan, cluster_id, radius_m, sites, plots=plots)
    else:
        table = park_coverage(plan, cluster_id, radius_m, plots=plots)
    st.dataframe(table, hide_index=True, width="stretch")

    st.subheader("规划一致性 Plan-consistency findings")
    st.dataframe(findings_table(plan_findings(plan)), hide_index=True, width="stretch")
