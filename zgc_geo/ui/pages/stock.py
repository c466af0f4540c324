"""Stock page: idle plots on a map, filtered and ranked, each with suggestions and a recorded decision."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
import streamlit as st

from zgc_geo.mapping.basemaps import basemap_datum
from zgc_geo.mapping.park_labels import park_labels_layer
from zgc_geo.mapping.stock_map import (
    CANVAS_THRESHOLD,
    COLOUR_MODES,
    build_stock_base_map,
    focus_view,
    plot_tooltips,
    plots_for_display,
    plots_layer,
)
from zgc_geo.stock.filters import filter_mask
from zgc_geo.stock.scenario import default_scenario
from zgc_geo.ui.cached import cached_plan, plan_fingerprint
from zgc_geo.ui.code_labels import park_names as coded_park_names
from zgc_geo.ui.fragments import map_fragment
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.i18n import current_lang, kept, local, tr, tr_map
from zgc_geo.ui.integrity_banner import inventories_or_stop, verified_workspace
from zgc_geo.ui.map_export import map_export_panel
from zgc_geo.ui.map_view import interactive_map, reported, reported_bounds
from zgc_geo.ui.sidebar import chosen_basemap
from zgc_geo.ui.stock_panel import (
    audit_panel,
    export_panel,
    filter_controls,
    per_park_chart,
    plot_search,
    plots_table,
    record_panel,
    scenario_controls,
    summary_table,
)
from zgc_geo.ui.workspace_access import analysed_inventory, inventory_title
from zgc_geo.ui.workspace_labels import status_labels

COLOUR_LABELS = {"priority": "stock.colour_priority", "review_status": "stock.review_status"}
#: Session keys: the selected plot, and a plot just selected (by search, table or map) to zoom to.
SELECTED = "stock_selected"
FOCUS = "stock_focus"


def select(plot_id: str) -> None:
    """Make ``plot_id`` the selected plot and have the map zoom to it on this or the next run."""
    st.session_state[SELECTED] = st.session_state[FOCUS] = plot_id


def select_clicked(state: Mapping[str, Any]) -> None:
    """Select the plot the map ``state`` says was clicked, if that click is new, and rerun the app."""
    clicked = ((state.get("last_active_drawing") or {}).get("properties") or {}).get("plot_id")
    # Where the click was tells a new click on the same plot (after selecting another) from a rerun.
    click = (clicked, str(state.get("last_object_clicked")))
    if clicked and click != st.session_state.get("stock_last_click"):
        st.session_state["stock_last_click"] = click
        select(clicked)
        st.rerun(scope="app")


st.title(tr("stock.title"))
st.caption(tr("stock.caption"))

# The map comes first on the page (it is what people came for): the controls that shape it are
# drawn below it, into containers made before it, but run first so the map shows their choices.
with user_errors_shown():
    store = verified_workspace()
    plan = cached_plan()
    lang = current_lang()
    infos = inventories_or_stop(store)
    top = st.columns([3, 3, 2])
    name = top[0].selectbox(
        tr("stock.inventory"),
        list(infos),
        format_func={n: inventory_title(n, i.title) for n, i in infos.items()}.__getitem__,
        key="stock_inventory",
    )
    search_slot = top[1].container()
    if infos[name].synthetic:
        st.warning(tr("stock.synthetic_warning"))
    flash = st.session_state.pop("stock_flash", None)
    if flash:
        st.toast(flash)  # the form is far below: say it where the user is looking
    map_slot = st.container()
    controls = st.container()

    park_names = {p.park_id: str(local(p.name_zh, p.name_en)) for p in plan.parks.itertuples()}
    with controls:
        st.subheader(tr("stock.filters"))
        filter_box = st.container()
        scenario = scenario_controls(default_scenario(), park_names)
        analysis, decisions = analysed_inventory(store, name, scenario, {})
        plots = analysis.plots.drop(columns=[c for c in decisions.columns if c != "plot_id"], errors="ignore")
        plots = plots.merge(decisions, on="plot_id", how="left")
        with filter_box:
            shown = plots[filter_mask(plots, filter_controls(plots, park_names))]
    with search_slot:
        found = plot_search(plots)
    # Each source selects only when it has something new: a search result stays in the box while the
    # user clicks other plots, and must not take the selection back on every rerun.
    if found != st.session_state.get("stock_last_search"):
        st.session_state["stock_last_search"] = found
        if found:
            select(found)

    colour_by = top[2].radio(
        tr("stock.colour_by"),
        COLOUR_MODES,
        horizontal=True,
        key=kept("stock_colour"),
        format_func=tr_map(COLOUR_LABELS).__getitem__,
    )
    selected = st.session_state.get(SELECTED)
    basemap = chosen_basemap()
    statuses = status_labels()
    parks_named = {**coded_park_names(), "": tr("stock.outside_parks")}

    # The map, its caption and export panel are one fragment: a pan or zoom (the map reports its view)
    # reruns only them, not the analysis, tables and forms below. A click that selects another plot
    # reruns the whole page, whose record panel then shows that plot.
    def stock_map() -> None:
        with user_errors_shown():
            _stock_map()

    def _stock_map() -> None:
        # A click on a plot selects it for the whole page: rerun the app at once, not after drawing the map.
        select_clicked(reported("stock_map"))
        selected = st.session_state.get(SELECTED)
        big = len(shown) > CANVAS_THRESHOLD
        # The view the map reported last (read before drawing, so plots follow a pan in this very run).
        bounds = reported_bounds("stock_map") if big else None
        display, in_view = plots_for_display(shown, bounds, basemap=basemap)
        chosen = plots[plots["plot_id"] == selected] if selected else plots.iloc[:0]
        highlight = plots_for_display(chosen, None, basemap=basemap)[0] if len(chosen) else None
        if (focus := st.session_state.pop(FOCUS, None)) and highlight is not None and focus == selected:
            centre, zoom = focus_view(highlight)
            st.session_state["stock_map_view"] = {"center": centre, "zoom": zoom}

        def base_map() -> folium.Map:
            return build_stock_base_map(
                plan.parks,
                plan.districts,
                colour_by=colour_by,
                status_labels=statuses,
                canvas=big,
                basemap=basemap,
                lang=lang,
            )

        tips = plot_tooltips(display, statuses, lang=lang, park_labels=parks_named)
        layer = plots_layer(
            display, colour_by=colour_by, selected=selected, tooltip_of=tips, lang=lang, highlight=highlight
        )
        state = interactive_map(
            base_map,
            "stock_map",
            base_key=("stock", plan_fingerprint(), colour_by, tuple(statuses.items()), big, basemap, lang),
            layer=layer,
            returned=["last_active_drawing", "last_object_clicked", *(["bounds"] if big else [])],
        )

        def printable_stock_map() -> folium.Map:
            m = base_map()
            plots_layer(display, colour_by=colour_by, selected=None, tooltip_of={}, lang=lang).add_to(m)
            # Paper has no tooltips: the sheet names the parks (the screen map leaves that to hovering).
            park_labels_layer(plan.parks, lang=lang, datum=basemap_datum(basemap)).add_to(m)
            return m

        st.caption(
            tr("stock.on_map", shown=len(display), filtered=len(shown), total=len(plots))
            + (tr("stock.in_view", count=in_view) if in_view > len(display) else "")
        )
        map_export_panel(
            printable_stock_map,
            key="stock_export",
            title=tr("stock.export_title", inventory=inventory_title(name, infos[name].title)),
        )
        select_clicked(state)

    with map_slot:
        map_fragment(stock_map)()
    picked = plots_table(shown)
    if picked and picked != st.session_state.get("stock_last_pick"):
        st.session_state["stock_last_pick"] = picked
        select(picked)
        st.rerun()

    if selected and selected in set(plots["plot_id"]):
        if flash:
            st.success(flash)  # next to the form that was just used
        record_panel(store, name, plots.loc[plots["plot_id"] == selected].iloc[0])
    else:
        if flash:
            st.success(flash)
        st.info(tr("stock.click_hint"))
    audit_panel(store, name, selected)

    st.subheader(tr("stock.per_park"))
    per_park_chart(analysis.summary)
    summary_table(analysis.summary)
    export_panel(shown, analysis.summary, analysis.parameters, stem=f"zgc_stock_{name}")
