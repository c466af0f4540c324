"""Beijing–Tianjin–Hebei page: the 4+N cooperation zones, their distances, and what the plan steers there."""

from __future__ import annotations

import streamlit as st

from zgc_geo.coverage.bth import core_point, steering_table, zone_distances
from zgc_geo.mapping.bth_map import build_bth_map
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.map_export import map_export_panel
from zgc_geo.ui.map_view import show_map
from zgc_geo.ui.sidebar import chosen_basemap

st.title("京津冀协同 Beijing–Tianjin–Hebei")
st.caption(
    "§六(一)1 打造京津冀科技创新园区链 — 4 个战略合作功能区与保定等若干产业项目承接地；"
    "§四(三)4 延庆-张家口零排放试验区. Distances are straight-line (geodesic) from 中关村大街."
)

with user_errors_shown():
    plan = cached_plan()
    distances = zone_distances(plan)
    show_map(build_bth_map(plan, distances, core_point(plan), basemap=chosen_basemap()), key="bth_map")
    map_export_panel(
        lambda: build_bth_map(plan, distances, core_point(plan), basemap=chosen_basemap()),
        key="bth_export",
        title="京津冀科技创新园区链",
        subtitle="“4+N”产业合作功能区与距中关村核心的距离（§六(一)1）",
    )

    st.subheader("合作功能区 Cooperation zones and their distances (km)")
    parks = plan.parks.set_index("park_id")["name_zh"]
    table = distances.assign(nearest_park=distances["nearest_park_id"].map(parks))
    columns = [
        "name_zh",
        "name_en",
        "group",
        "km_to_core",
        "nearest_park",
        "km_to_nearest_park",
        "location_accuracy",
        "section",
    ]
    st.dataframe(
        table[columns].round({"km_to_core": 1, "km_to_nearest_park": 1}), hide_index=True, width="stretch"
    )
    with st.expander("到各分园的距离 Distance from each zone to each park (km)"):
        per_park = table.set_index("name_zh")[[f"km_{p}" for p in parks.index]].round(0)
        st.dataframe(per_park.rename(columns=lambda c: parks[c.removeprefix("km_")]), width="stretch")

    st.subheader("规划引导向津冀布局 What the plan steers to Tianjin and Hebei")
    steering = steering_table(plan)
    for item in steering.itertuples():
        st.markdown(
            f"**{item.item_zh}** — {item.item_en}  \n"
            f"集群 clusters: {item.cluster_names_zh} · 去向 to: {item.target_region} · {item.section}  \n"
            f"> {item.plan_quote_zh}"
        )
