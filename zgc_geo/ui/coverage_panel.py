"""Widgets of the coverage page: the clickable park × cluster matrix, the what-if sites, the tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import pandas as pd
import streamlit as st

from zgc_geo.coverage.findings import FINDING_KINDS, CoverageFinding, findings_for_cluster
from zgc_geo.coverage.spatial import OUTSIDE
from zgc_geo.export.safety import csv_bytes
from zgc_geo.export.workbook import workbook_bytes
from zgc_geo.plan_data import PlanData
from zgc_geo.ui.i18n import current_lang, local, tr
from zgc_geo.ui.markdown_text import escaped
from zgc_geo.ui.tables import headed, show_table

ROLE_COLOURS: Final = {"core": "#1f3f73", "focus": "#5b84b1", "": "#ffffff"}
ROLE_WORDS: Final = {"core": "common.role_core", "focus": "common.role_focus"}
SITES_KEY: Final = "cov_sites"
#: Column id of the park names in the matrix (the cluster columns are named by the clusters).
PARK_COLUMN: Final = "park"
#: Fixed pixel sizes: the matrix reads the same on every screen (and a browser test can find a cell).
#: Park column + 6 clusters = 1123 px, inside the 1140 px the wide layout leaves beside the sidebar
#: in a 1600 px window, so the last cluster is never cut off; the longest cell ("重点 · 8 特色园区 ·
#: 3 中心", "focus · 8 places · 3 centres") is about 150 px of Source Sans 14 px, plus padding.
ROW_PX: Final = 35
PARK_PX: Final = 115
CELL_PX: Final = 168
#: English park names end in " Park"; under the column heading "Park" the matrix leaves it off.
PARK_SUFFIX_EN: Final = " Park"
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
FINDING_TITLES: Final = {
    "feature_park_outside_core": "coverage.finding.feature_park_outside_core",
    "core_without_feature_park": "coverage.finding.core_without_feature_park",
    "lead_industry_unmatched": "coverage.finding.lead_industry_unmatched",
}
#: Decimals shown per measure: km² to the hundredth (10 000 m²), shares as percent to a tenth, ha to a tenth.
KM2_DECIMALS: Final = 2
PERCENT_DECIMALS: Final = 1
HA_DECIMALS: Final = 1


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
    parks = pd.Series(
        {
            p.park_id: str(local(p.name_zh, p.name_en)).removesuffix(PARK_SUFFIX_EN)
            for p in plan.parks.itertuples()
        }
    )
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


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """The coverage figures as a person reads them: km² to 0.01, shares in percent to 0.1, ha to 0.1.

    The analysis keeps full precision (the what-if change is a difference of two areas); only
    what is shown and downloaded is rounded, so no figure pretends to square-metre accuracy the
    schematic park outlines do not have.
    """
    out = table.copy()
    for column in out.columns:
        if not pd.api.types.is_float_dtype(out[column]):
            continue
        if "_share" in column:
            out[column] = (out[column] * 100).round(PERCENT_DECIMALS)
        elif "km2" in column:
            out[column] = out[column].round(KM2_DECIMALS)
        elif column.endswith(("_ha", "_ha_before", "_ha_after", "_ha_change")):
            out[column] = out[column].round(HA_DECIMALS)
    return out


def _shown_coverage(plan: PlanData, table: pd.DataFrame) -> pd.DataFrame:
    names = {p.park_id: local(p.name_zh, p.name_en) for p in plan.parks.itertuples()}
    names[OUTSIDE] = tr("coverage.outside_parks")
    roles = {role: tr(key) for role, key in ROLE_WORDS.items()}
    shown = rounded(table).assign(
        park_name=table["park_id"].map(names), role=table["role"].map(roles).fillna("")
    )
    columns = ["park_name", *[c for c in shown.columns if c not in {"park_id", "park_name", "park_name_zh"}]]
    # The park id stays, last, as secondary detail.
    return shown[[*columns, "park_id"]]


def _number_formats(frame: pd.DataFrame) -> dict[str, Any]:
    """Fixed decimals per column, so 12.3 and 12.30 never sit in one column; shares marked %."""
    config: dict[str, Any] = {}
    for column, key in COVERAGE_HEADINGS.items():
        if column not in frame.columns or not pd.api.types.is_float_dtype(frame[column]):
            continue
        if "_share" in column:
            config[column] = st.column_config.NumberColumn(tr(key), format=f"%.{PERCENT_DECIMALS}f %%")
        elif "km2" in column:
            config[column] = st.column_config.NumberColumn(tr(key), format=f"%.{KM2_DECIMALS}f")
        else:
            config[column] = st.column_config.NumberColumn(tr(key), format=f"%.{HA_DECIMALS}f")
    return config


def coverage_table(plan: PlanData, table: pd.DataFrame) -> None:
    """Coverage per park (before/after with proposed sites), parks and roles in the session's language."""
    shown = _shown_coverage(plan, table)
    show_table(shown, COVERAGE_HEADINGS, config=_number_formats(shown))


def _download_headings(frame: pd.DataFrame) -> pd.DataFrame:
    """Headings in the session's language; percent columns say so, since a file has no cell format."""
    out = headed(frame, COVERAGE_HEADINGS)
    percent = {
        tr(key): tr("coverage.percent_heading", heading=tr(key))
        for column, key in COVERAGE_HEADINGS.items()
        if "_share" in column and column in frame.columns
    }
    return out.rename(columns=percent)


def what_if_files(
    plan: PlanData,
    table: pd.DataFrame,
    *,
    sites: Sequence[tuple[float, float]],
    cluster_name: str,
    radius_km: float,
) -> tuple[bytes, bytes]:
    """The before/after comparison as CSV and as Excel (whose second sheet lists the sites).

    Headings and names are in the session's language, figures rounded as on the page, and
    text a spreadsheet could run is quoted. The workbook is written as every workbook is
    (:func:`zgc_geo.export.workbook.workbook_bytes`), with the page's headings and a 字段说明 /
    Fields sheet naming each column's field.
    """
    shown = _shown_coverage(plan, table)
    comparison = _download_headings(shown)
    site_rows = pd.DataFrame(
        {
            "site": list(range(1, len(sites) + 1)),
            "lon": [lon for lon, _ in sites],
            "lat": [lat for _, lat in sites],
            "cluster": cluster_name,
            "radius_km": radius_km,
        }
    )
    headings = dict(zip(shown.columns, comparison.columns, strict=True)) | {
        "site": tr("coverage.col.site"),
        "lon": tr("coverage.longitude"),
        "lat": tr("coverage.latitude"),
        "cluster": tr("coverage.col.cluster"),
        "radius_km": tr("coverage.col.radius_km"),
    }
    sheets = [(tr("coverage.sheet_comparison"), shown), (tr("coverage.sheet_sites"), site_rows)]
    return csv_bytes(comparison), workbook_bytes(sheets, lang=current_lang(), headings=headings)


def what_if_downloads(
    plan: PlanData,
    table: pd.DataFrame,
    *,
    sites: Sequence[tuple[float, float]],
    cluster_name: str,
    radius_km: float,
) -> None:
    """Download buttons for :func:`what_if_files`."""
    csv, xlsx = what_if_files(plan, table, sites=sites, cluster_name=cluster_name, radius_km=radius_km)
    stem = f"coverage-what-if-{current_lang()}"
    st.caption(tr("coverage.what_if_export"))
    cols = st.columns(2)
    cols[0].download_button(tr("coverage.what_if_csv"), csv, f"{stem}.csv", "text/csv", key="cov_what_if_csv")
    cols[1].download_button(
        tr("coverage.what_if_xlsx"),
        xlsx,
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="cov_what_if_xlsx",
    )


def finding_lines(findings: Sequence[CoverageFinding], lang: str) -> list[tuple[str, list[str]]]:
    """Per kind (in :data:`FINDING_KINDS` order), its title and each finding's full message in ``lang``.

    Each message ends with the plan sections to check it against; kinds with no finding are left out.
    """
    groups = []
    for kind in FINDING_KINDS:
        mine = [f for f in findings if f.kind == kind]
        if not mine:
            continue
        lines = [
            f"{f.message_zh}（{'、'.join(f.sections)}）"
            if lang == "zh"
            else f"{f.message_en} ({', '.join(f.sections)})"
            for f in mine
        ]
        groups.append((tr(FINDING_TITLES[kind]), lines))
    return groups


def findings_shown(findings: Sequence[CoverageFinding], cluster_id: str, cluster_name: str) -> None:
    """The plan-consistency findings in full, in the session's language, for the chosen cluster by default."""
    only = st.toggle(
        tr("coverage.findings_this_cluster", cluster=cluster_name), value=True, key="cov_findings_only"
    )
    chosen = findings_for_cluster(list(findings), cluster_id if only else None)
    if not chosen:
        st.info(tr("coverage.findings_none"))
        return
    for title, lines in finding_lines(chosen, current_lang()):
        count = tr("coverage.findings_count", count=len(lines))
        st.markdown(f"**{escaped(title)}** · {escaped(count)}")
        st.markdown("\n".join(f"- {escaped(line)}" for line in lines))


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
