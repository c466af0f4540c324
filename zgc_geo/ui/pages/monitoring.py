"""Monitoring page (规划监测): progress against the 2020 targets, and park league tables (§七(三))."""

from __future__ import annotations

import streamlit as st

from zgc_geo.mapping.league_map import build_league_map
from zgc_geo.monitoring.league import indicator_by_park, ranked, workspace_measures
from zgc_geo.monitoring.progress import load_thresholds, targets_with_rules
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.i18n import current_lang, local, tr
from zgc_geo.ui.integrity_banner import verified_workspace
from zgc_geo.ui.map_export import map_with_export
from zgc_geo.ui.monitoring_panel import (
    actual_values,
    chosen_year,
    league_choice,
    path_chart,
    progress_section,
)
from zgc_geo.ui.sidebar import chosen_basemap

st.title(tr("monitoring.title"))
st.caption(tr("monitoring.caption"))

with user_errors_shown():
    store = verified_workspace(seed_demo=False)
    plan = cached_plan()
    lang = current_lang()
    targets = targets_with_rules()
    thresholds = load_thresholds()
    values = actual_values(store, targets)
    year = chosen_year(values)
    st.subheader(tr("monitoring.progress_heading", year=year))
    progress_section(values, year, thresholds)
    st.subheader(tr("monitoring.chart_heading"))
    path_chart(values, thresholds, targets)

    st.subheader(tr("league.heading", year=year))
    st.caption(tr("league.caption"))
    park_ids = list(plan.parks["park_id"])
    names = {p.park_id: str(local(p.name_zh, p.name_en)) for p in plan.parks.itertuples()}
    key, label, lower = league_choice(values, year, targets)
    if key.startswith("indicator:"):
        measure = indicator_by_park(values, key.removeprefix("indicator:"), year, park_ids)
    else:
        measure = workspace_measures(store, park_ids)[key]
    map_with_export(
        lambda: build_league_map(
            plan.parks, plan.districts, measure, names, title=label, basemap=chosen_basemap(), lang=lang
        ),
        map_key="league_map",
        export_key="league_export",
        title=tr("league.export_title", measure=label),
        subtitle=tr("league.export_subtitle", year=year),
    )
    table = ranked(measure, lower_is_better=lower)
    table["park_id"] = table["park_id"].map(names)
    st.dataframe(
        table.rename(
            columns={"park_id": tr("league.col.park"), "value": label, "rank": tr("league.col.rank")}
        ),
        hide_index=True,
        width="stretch",
    )
