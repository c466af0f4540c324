"""Stock page: idle plots on a map, filtered and ranked, each with suggestions and a recorded decision."""

from __future__ import annotations

import folium
import streamlit as st

from zgc_geo.mapping.stock_map import (
    CANVAS_THRESHOLD,
    COLOUR_MODES,
    build_stock_base_map,
    plot_tooltips,
    plots_for_display,
    plots_layer,
)
from zgc_geo.stock.filters import filter_mask
from zgc_geo.stock.scenario import default_scenario
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.map_export import map_export_panel
from zgc_geo.ui.map_view import interactive_map
from zgc_geo.ui.sidebar import chosen_basemap
from zgc_geo.ui.stock_panel import (
    STATUS_LABELS,
    audit_panel,
    export_panel,
    filter_controls,
    plots_table,
    record_panel,
    scenario_controls,
)
from zgc_geo.ui.workspace_access import analysed_inventory, ensure_demo_inventory, workspace

st.title("存量盘活 Land-stock revitalisation")
st.caption(
    "§五(二)2 建立存量空间盘活利用激励机制 — idle and inefficient industrial plots, "
    "their potential and the decisions taken on them."
)

with user_errors_shown():
    plan = cached_plan()
    ensure_demo_inventory()
    store = workspace()
    infos = {i.name: i for i in store.inventories()}
    name = st.selectbox(
        "清单 Inventory", list(infos), format_func=lambda n: infos[n].title, key="stock_inventory"
    )
    if infos[name].synthetic:
        st.warning(
            "合成示例数据，非真实地块 — synthetic demo data, not real plots. "
            "Import your own inventory on the Data page."
        )
    if flash := st.session_state.pop("stock_flash", None):
        st.success(flash)

    park_names = dict(zip(plan.parks["park_id"], plan.parks["name_zh"], strict=True))
    scenario = scenario_controls(default_scenario(), park_names)
    analysis, decisions = analysed_inventory(store, name, scenario, {})
    plots = analysis.plots.drop(columns=[c for c in decisions.columns if c != "plot_id"], errors="ignore")
    plots = plots.merge(decisions, on="plot_id", how="left")
    shown = plots[filter_mask(plots, filter_controls(plots, park_names))]

    colour_by = st.radio(
        "着色 Colour by",
        COLOUR_MODES,
        horizontal=True,
        key="stock_colour",
        format_func={"priority": "优先级 Priority", "review_status": "审查状态 Review status"}.get,
    )
    selected = st.session_state.get("stock_selected")
    basemap = chosen_basemap()
    big = len(shown) > CANVAS_THRESHOLD
    display, in_view = plots_for_display(
        shown, st.session_state.get("stock_bounds") if big else None, basemap=basemap
    )
    base = build_stock_base_map(
        plan.parks,
        plan.districts,
        colour_by=colour_by,
        status_labels=STATUS_LABELS,
        canvas=big,
        basemap=basemap,
    )
    layer = plots_layer(
        display, colour_by=colour_by, selected=selected, tooltip_of=plot_tooltips(display, STATUS_LABELS)
    )
    state = interactive_map(
        base, "stock_map", layer=layer, returned=["last_active_drawing", *(["bounds"] if big else [])]
    )

    def printable_stock_map() -> folium.Map:
        m = build_stock_base_map(
            plan.parks,
            plan.districts,
            colour_by=colour_by,
            status_labels=STATUS_LABELS,
            canvas=big,
            basemap=basemap,
        )
        plots_layer(display, colour_by=colour_by, selected=None, tooltip_of={}).add_to(m)
        return m

    map_export_panel(printable_stock_map, key="stock_export", title=f"存量盘活 · {infos[name].title}")
    st.caption(
        f"{len(display)} of {len(shown)} filtered plots on the map ({len(plots)} in the inventory)"
        + (f"; {in_view} in view — zoom in to see the rest" if in_view > len(display) else "")
    )
    if big and state.get("bounds"):
        b = state["bounds"]
        south_west, north_east = b["_southWest"], b["_northEast"]
        st.session_state["stock_bounds"] = (
            south_west["lng"],
            south_west["lat"],
            north_east["lng"],
            north_east["lat"],
        )

    clicked = ((state.get("last_active_drawing") or {}).get("properties") or {}).get("plot_id")
    if clicked and clicked != st.session_state.get("stock_last_click"):
        st.session_state["stock_last_click"] = selected = st.session_state["stock_selected"] = clicked
        st.rerun()
    picked = plots_table(shown)
    if picked and picked != st.session_state.get("stock_last_pick"):
        st.session_state["stock_last_pick"] = st.session_state["stock_selected"] = picked
        st.rerun()

    if selected and selected in set(plots["plot_id"]):
        record_panel(store, name, plots.loc[plots["plot_id"] == selected].iloc[0])
    else:
        st.info(
            "点击地图上的地块或表格中的一行 Click a plot on the map or a row in the table to open its record."
        )
    audit_panel(store, name, selected)

    st.subheader("分园汇总 Per-park summary")
    st.bar_chart(
        analysis.summary.set_index("name_zh")["extra_floor_area_m2"].dropna(), y_label="m² extra floor area"
    )
    st.dataframe(analysis.summary, hide_index=True, width="stretch")
    export_panel(shown, analysis.summary, analysis.parameters, stem=f"zgc_stock_{name}")
