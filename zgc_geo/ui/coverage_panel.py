"""Widgets of the coverage page: the clickable park × cluster matrix, the what-if sites, the tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd
import streamlit as st

from zgc_geo.coverage.spatial import OUTSIDE
from zgc_geo.plan_data import PlanData
from zgc_geo.ui.i18n import current_lang, local, tr
from zgc_geo.ui.tables import show_table

ROLE_COLOURS: Final = {"core": "#1f3f73", "focus": "#5b84b1", "": "#ffffff"}
ROLE_WORDS: Final = {"core": "common.role_core", "focus": "common.role_focus"}
SITES_KEY: Final = "cov_sites"
#: Column id of the park names in the matrix (the cluster columns are named by the clusters).
PARK_COLUMN: Final = "park"
#: Fixed pixel sizes: the matrix reads the same on every screen (and a browser test can find a cell).
ROW_PX: Final = 35
PARK_PX: Final = 110
CELL_PX: Final = 190
COVERAGE_HEADINGS: Final = {
    "park_id": "coverage.col.park_id",
    "park_name": "coverage.col.park",
    "role": "coverage.col.role",
    "park_area_km2": "coverage.col.park_area_km2",
    "covered_km2": "coverage.col.covered_km2",
    "covered_share": "coverage.col.covered_share",
    "covered_km2_before": "coverage.col.covered_km2_before",
    "covered_km2_after": "coverage.col.covered_km2_after",
    "covered_km2_change": "coverage.col.covered_km2_change",
    "covered_share_before": "coverage.col.covered_share_before",
    "covered_share_after": "coverage.col.covered_share_after",
    "covered_share_change": "coverage.col.covered_share_change",
    "plots": "coverage.col.plots",
    "plots_covered": "coverage.col.plots_covered",
    "plots_covered_share": "coverage.col.plots_covered_share",
    "plot_area_ha": "coverage.col.plot_area_ha",
    "plot_area_covered_ha": "coverage.col.plot_area_covered_ha",
    "plots_covered_before": "coverage.col.plots_covered_before",
    "plots_covered_after": "coverage.col.plots_covered_after",
    "plots_covered_change": "coverage.col.plots_covered_change",
    "plot_area_covered_ha_before": "coverage.col.plot_area_covered_ha_before",
    "plot_area_covered_ha_after": "coverage.col.plot_area_covered_ha_after",
    "plot_area_covered_ha_change": "coverage.col.plot_area_covered_ha_change",
}
FINDING_HEADINGS: Final = {
    "kind": "coverage.col.kind",
    "park_id": "coverage.col.park_id",
    "cluster_id": "coverage.col.cluster_id",
    "message_zh": "coverage.col.message",
    "message_en": "coverage.col.message",
    "sections": "coverage.col.sections",
    "place_ids": "coverage.col.place_ids",
}


def cell_text(row: Mapping[str, Any]) -> str:
    """A matrix cell, e.g. "核心 · 3 特色园区 · 2 创新中心"; "" for an empty cell.

    The feature-park count is shown whenever the park is core or focus, even when it is 0,
    because a named park without a feature park of the cluster is itself a finding.
    """
    role = str(row["role"])
    places = int(row["feature_parks"])
    centres = int(row["innovation_centres"])
    parts = [tr(ROLE_WORDS[role])] if role in ROLE_WORDS else []
    if places or parts:  # English counts need the singular: "1 feature park"
        parts.append(
            tr("coverage.cell_place_one") if places == 1 else tr("coverage.cell_places", count=places)
        )
    if centres:
        parts.append(
            tr("coverage.cell_centre_one") if centres == 1 else tr("coverage.cell_centres", count=centres)
        )
    return " · ".join(parts)


def matrix_table(plan: PlanData, long: pd.DataFrame) -> tuple[str, str] | None:
    """The 16 × 6 matrix as a heat map (colour = role, text = counts); returns the clicked (park, cluster)."""
    parks = pd.Series({p.park_id: local(p.name_zh, p.name_en) for p in plan.parks.itertuples()})
    clusters = pd.Series(
        {c.cluster_id: str(local(c.short_zh, c.short_en)) for c in plan.clusters.itertuples()}
    )
    labels = long.assign(label=[cell_text(row) for _, row in long.iterrows()])
    wide = labels.pivot(index="park_id", columns="cluster_id", values="label").reindex(
        index=list(parks.index), columns=list(clusters.index)
    )
    roles = long.pivot(index="park_id", columns="cluster_id", values="role").reindex_like(wide)
    shown = wide.rename(columns=clusters)
    shown.insert(0, PARK_COLUMN, parks.reindex(wide.index).to_numpy())
    role_css = _role_styles(roles.rename(columns=clusters))
    styled = shown.style.apply(lambda frame: _with_park_column(role_css, frame), axis=None)
    event = st.dataframe(
        styled,
        key="cov_matrix",
        on_select="rerun",
        selection_mode="single-cell",
        hide_index=True,
        height=ROW_PX * (len(shown) + 1) + 3,
        column_config={
            PARK_COLUMN: st.column_config.TextColumn(tr("coverage.col.park"), width=PARK_PX),
            **{name: st.column_config.TextColumn(name, width=CELL_PX) for name in clusters},
        },
    )
    cells = event.selection.cells if event is not None else []
    if not cells:
        return None
    row, column = cells[0]
    if column not in list(clusters):
        return None
    return str(wide.index[row]), str(clusters.index[list(clusters).index(column)])


def _with_park_column(role_css: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    css = role_css.reindex(columns=frame.columns, fill_value="")
    css.index = frame.index
    return css


def _role_styles(roles: pd.DataFrame) -> pd.DataFrame:
    def css(role: object) -> str:
        fill = ROLE_COLOURS.get(str(role) if isinstance(role, str) else "", "#ffffff")
        text = "#ffffff" if fill != "#ffffff" else "#333333"
        return f"background-color: {fill}; color: {text}"

    return roles.map(css)


def coverage_table(plan: PlanData, table: pd.DataFrame) -> None:
    """Coverage per park (before/after with proposed sites), parks and roles in the session's language."""
    names = {p.park_id: local(p.name_zh, p.name_en) for p in plan.parks.itertuples()}
    names[OUTSIDE] = tr("coverage.outside_parks")
    roles = {role: tr(key) for role, key in ROLE_WORDS.items()}
    shown = table.assign(park_name=table["park_id"].map(names), role=table["role"].map(roles).fillna(""))
    columns = ["park_id", "park_name", *[c for c in shown.columns if c not in {"park_id", "park_name"}]]
    show_table(shown[columns], COVERAGE_HEADINGS, hide=["park_name_zh"])


def findings_shown(findings: pd.DataFrame) -> None:
    """The plan-consistency findings, each message in the session's language only."""
    other = "message_en" if current_lang() == "zh" else "message_zh"
    show_table(findings, FINDING_HEADINGS, hide=[other])


def proposed_sites() -> list[tuple[float, float]]:
    """The what-if sites of this session, as (lon, lat)."""
    return list(st.session_state.setdefault(SITES_KEY, []))


def add_site(lon: float, lat: float) -> None:
    """Add a what-if site (WGS84) unless it is already there."""
    sites = proposed_sites()
    point = (round(float(lon), 6), round(float(lat), 6))
    if point not in sites:
        st.session_state[SITES_KEY] = [*sites, point]


def site_inputs() -> None:
    """Enter a site by coordinates, or clear the sites; clicking the map adds one too."""
    cols = st.columns([2, 2, 1, 1])
    lon = cols[0].number_input(
        tr("coverage.longitude"), 115.4, 117.6, 116.30, step=0.001, format="%.5f", key="cov_lon"
    )
    lat = cols[1].number_input(
        tr("coverage.latitude"), 39.4, 41.1, 40.00, step=0.001, format="%.5f", key="cov_lat"
    )
    if cols[2].button(tr("coverage.add_site"), key="cov_add_site"):
        add_site(lon, lat)
        st.rerun()
    if cols[3].button(tr("coverage.clear_sites"), key="cov_clear_sites"):
        st.session_state[SITES_KEY] = []
        st.rerun()
