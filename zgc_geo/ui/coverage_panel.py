"""Widgets of the coverage page: the clickable park × cluster matrix and the what-if sites."""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st

from zgc_geo.coverage.matrix import cell_label
from zgc_geo.plan_data import PlanData

ROLE_COLOURS: Final = {"core": "#1f3f73", "focus": "#5b84b1", "": "#ffffff"}
SITES_KEY: Final = "cov_sites"
PARK_COLUMN: Final = "分园 Park"
#: Fixed pixel sizes: the matrix reads the same on every screen (and a browser test can find a cell).
ROW_PX: Final = 35
PARK_PX: Final = 110
CELL_PX: Final = 190


def matrix_table(plan: PlanData, long: pd.DataFrame) -> tuple[str, str] | None:
    """The 16 × 6 matrix as a heat map (colour = role, text = counts); returns the clicked (park, cluster)."""
    parks = plan.parks.set_index("park_id")["name_zh"]
    clusters = plan.clusters.set_index("cluster_id")["short_zh"]
    labels = long.assign(label=[cell_label(row) for _, row in long.iterrows()])
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
            PARK_COLUMN: st.column_config.TextColumn(PARK_COLUMN, width=PARK_PX),
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
    lon = cols[0].number_input("经度 Longitude (WGS84)", 115.4, 117.6, 116.30, step=0.001, format="%.5f")
    lat = cols[1].number_input("纬度 Latitude (WGS84)", 39.4, 41.1, 40.00, step=0.001, format="%.5f")
    if cols[2].button("添加 Add site"):
        add_site(lon, lat)
        st.rerun()
    if cols[3].button("清除 Clear sites"):
        st.session_state[SITES_KEY] = []
        st.rerun()
