"""Siting page: where should a new project of a cluster go, and would the answer survive other weights?"""

from __future__ import annotations

import streamlit as st

from zgc_geo.mapping.siting_map import build_siting_map
from zgc_geo.siting.analysis import SitingOptions, site_cluster
from zgc_geo.siting.factors import cluster_factor_specs
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.map_export import map_export_panel
from zgc_geo.ui.map_view import show_map
from zgc_geo.ui.sidebar import chosen_basemap
from zgc_geo.ui.siting_panel import (
    ahp_form,
    exports,
    extra_factors,
    factor_table,
    options_signature,
    results_section,
    uploaded_frame,
)
from zgc_geo.ui.workspace_access import ensure_demo_inventory, workspace

st.title("集群选址 Cluster siting")
st.caption(
    "§五(一) 集群布局 · §五(二)2 新增用地项目综合评价 — multi-criteria suitability on a grid, "
    "idle plots as candidates, and how robust their ranking is."
)

with user_errors_shown():
    plan = cached_plan()
    clusters = plan.clusters.set_index("cluster_id")
    cols = st.columns(3)
    cluster_id = cols[0].selectbox(
        "产业集群 Cluster",
        list(clusters.index),
        key="site_cluster",
        format_func=lambda c: f"{clusters.loc[c, 'short_zh']} {clusters.loc[c, 'short_en']}",
    )
    area = cols[1].radio(
        "研究区 Study area",
        ["parks", "beijing"],
        horizontal=True,
        key="site_area",
        format_func={"parks": "十六园+缓冲 Parks + 3 km", "beijing": "全市 All Beijing"}.get,
    )
    resolution = cols[2].selectbox("分辨率 Resolution (m)", [30, 20, 10], key="site_res")

    st.subheader("候选地块 Candidates")
    ensure_demo_inventory()
    store = workspace()
    infos = {i.name: i for i in store.inventories()}
    source = st.radio(
        "来源 Source",
        ["inventory", "upload"],
        horizontal=True,
        key="site_source",
        format_func={
            "inventory": "工作区清单 Workspace inventory (idle plots)",
            "upload": "上传地块 Upload sites",
        }.get,
    )
    if source == "inventory":
        name = st.selectbox(
            "清单 Inventory", list(infos), format_func=lambda n: infos[n].title, key="site_inv"
        )
        candidates = store.load_inventory(name)
        candidates = candidates[~candidates["review_status"].isin(["not_suitable", "revitalised"])]
    else:
        candidates = uploaded_frame(
            "候选地块文件 Candidate sites (any importable format)", "site_upload", "plots"
        )
        if candidates is None:
            st.stop()

    st.subheader("因子与权重 Factors and weights")
    extra = extra_factors()
    specs, direct = factor_table([*cluster_factor_specs(plan, cluster_id), *(spec for spec, _ in extra)])
    use_ahp = st.toggle("层次分析法 Derive the weights by AHP pairwise comparison", key="site_use_ahp")
    ahp = ahp_form(specs) if use_ahp else None
    with st.expander("约束 Constraints: exclusion zones and protected areas (optional)"):
        exclusions = uploaded_frame("排除区 Exclusion polygons", "site_exclusions", "layer")
        protected = uploaded_frame("保护区 Protected areas", "site_protected", "layer")
    robustness = st.columns(2)
    top_n = robustness[0].number_input("前N名 Top N", 1, 50, 10, key="site_top")
    perturb = robustness[1].slider("权重扰动 Weight perturbation ± %", 5, 50, 20, key="site_perturb")

    options = SitingOptions(
        cluster_id=cluster_id,
        study_area="beijing" if area == "beijing" else "parks",
        resolution_m=float(resolution),
        specs=tuple(specs),
        extra=tuple(extra),
        weights=direct,
        ahp=ahp,
        exclusions=exclusions,
        protected=protected,
        top_n=int(top_n),
        perturb_pct=float(perturb),
    )
    if st.button("计算 Run siting", type="primary"):
        bar = st.progress(0.0, text="开始 Starting")

        def advance(share: float, message: str) -> None:
            bar.progress(share, text=message)

        fresh = site_cluster(plan, candidates, options, progress=advance)
        st.session_state["site_result"] = (options_signature(options), fresh)
    signature, result = st.session_state.get("site_result", (None, None))
    if result is None:
        st.info("设定后点击“计算” Set the options, then press Run siting.")
        st.stop()
    if signature != options_signature(options):
        st.warning("设置已更改 The settings changed since this result: press Run siting again to update it.")
    show_map(build_siting_map(result, plan.parks, plan.districts, basemap=chosen_basemap()), key="siting_map")
    map_export_panel(
        lambda: build_siting_map(result, plan.parks, plan.districts, basemap=chosen_basemap()),
        key="siting_export",
        title=f"{clusters.loc[result.options.cluster_id, 'short_zh']}集群选址适宜性",
        subtitle="适宜性 0–100 与候选地块排名",
    )
    results_section(result)
    exports(result, stem=f"zgc_site_{result.options.cluster_id}")
