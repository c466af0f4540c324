"""Widgets of the stock page: scenario and filters, the plot record with its decision form, exports."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Final

import pandas as pd
import streamlit as st

from zgc_geo.errors import ConcurrentEditError
from zgc_geo.exporting import write_layer
from zgc_geo.stock.filters import NO_CLASS, OUTSIDE_PARKS, PlotFilter
from zgc_geo.stock.redevelopment import explain_suggestions
from zgc_geo.stock.scenario import FarRule, PlotRatioScenario
from zgc_geo.ui.workspace_access import reviewer
from zgc_geo.workspace import REVIEW_STATUSES, WorkspaceStore

STATUS_LABELS: Final = {key: f"{label.zh} {label.en}" for key, label in REVIEW_STATUSES.items()}
MODE_LABELS: Final = {
    "set_far": "设定容积率 Set a new permitted FAR",
    "increase_pct": "提高百分比 Raise the permitted FAR by %",
}
EXPORT_FORMATS: Final = {
    "GeoPackage (.gpkg)": (".gpkg", "UTF-8"),
    "Shapefile UTF-8 (.zip, with .cpg)": (".zip", "UTF-8"),
    "Shapefile GBK (.zip, for older GIS)": (".zip", "GBK"),
    "GeoJSON (.geojson)": (".geojson", "UTF-8"),
    "KML (.kml)": (".kml", "UTF-8"),
    "Excel (.xlsx: plots, per-park summary, parameters)": (".xlsx", "UTF-8"),
    "CSV (.csv)": (".csv", "UTF-8"),
}
#: Audit rows shown for one plot (the full log is in the workspace and in a backup).
AUDIT_ROWS_SHOWN: Final = 50
SHOWN_COLUMNS: Final = (
    "priority_rank",
    "plot_id",
    "name",
    "analysis_park_id",
    "land_use_class",
    "area_ha",
    "years_idle",
    "far_current",
    "far_target",
    "extra_floor_area_m2",
    "efficiency_class",
    "inefficiency_kind",
    "review_status",
    "priority_score",
)


def scenario_controls(default: PlotRatioScenario, park_names: dict[str, str]) -> PlotRatioScenario:
    """The FAR scenario: one rule for all industrial plots, plus optional per-park rules."""
    with st.expander("容积率情景 Plot-ratio scenario (§五(二)2: higher FAR, use stays industrial)"):
        cols = st.columns(3)
        mode = cols[0].selectbox(
            "方式 Mode",
            list(MODE_LABELS),
            format_func=MODE_LABELS.__getitem__,
            index=list(MODE_LABELS).index(default.rule.mode),
            key="scenario_mode",
        )
        value = cols[1].number_input(
            "目标容积率 / 提高 % Value",
            min_value=0.0,
            max_value=500.0,
            step=0.1,
            value=float(default.rule.value),
            key="scenario_value",
        )
        cap = cols[2].number_input(
            "上限 Cap FAR (0 = none)",
            min_value=0.0,
            max_value=20.0,
            step=0.1,
            value=float(default.rule.cap_far or 0.0),
            key="scenario_cap",
        )
        overrides = st.data_editor(
            pd.DataFrame(
                [
                    {"park": park_names.get(pid, pid), "mode": r.mode, "value": r.value, "cap_far": r.cap_far}
                    for pid, r in default.park_rules.items()
                ],
                columns=["park", "mode", "value", "cap_far"],
            ),
            num_rows="dynamic",
            key="scenario_parks",
            column_config={
                "park": st.column_config.SelectboxColumn("分园 Park", options=list(park_names.values())),
                "mode": st.column_config.SelectboxColumn("方式 Mode", options=list(MODE_LABELS)),
                "value": st.column_config.NumberColumn("值 Value", min_value=0.0),
                "cap_far": st.column_config.NumberColumn("上限 Cap", min_value=0.0),
            },
            hide_index=True,
        )
    ids = {name: pid for pid, name in park_names.items()}
    park_rules = {
        ids[row.park]: FarRule(
            row.mode, float(row.value), None if pd.isna(row.cap_far) else float(row.cap_far)
        )
        for row in overrides.itertuples()
        if row.park in ids and row.mode in MODE_LABELS and pd.notna(row.value)
    }
    rule = FarRule(mode, float(value), float(cap) if cap > 0 else None)
    return PlotRatioScenario(default.name if rule == default.rule else "custom", rule, park_rules)


def filter_controls(plots: pd.DataFrame, park_names: dict[str, str]) -> PlotFilter:
    """Filters on park, land-use class, review status, efficiency class, years idle and area."""
    with st.container(border=True):
        cols = st.columns(3)
        parks = cols[0].multiselect(
            "分园 Park",
            [*park_names, OUTSIDE_PARKS],
            format_func=lambda p: park_names.get(p, "园外 Outside all parks"),
            key="f_parks",
        )
        classes = cols[1].multiselect(
            "用地类别 Land-use class",
            sorted(plots["land_use_class"].dropna().astype(str).unique()),
            key="f_class",
        )
        statuses = cols[2].multiselect(
            "审查状态 Review status",
            list(STATUS_LABELS),
            format_func=STATUS_LABELS.__getitem__,
            key="f_status",
        )
        cols = st.columns(3)
        grades = cols[0].multiselect(
            "效率等级 Efficiency class", ["A", "B", "C", "D", NO_CLASS], key="f_grade"
        )
        years = _range_slider(cols[1], "闲置年数 Years idle", plots["years_idle"], "f_years")
        area = _range_slider(cols[2], "面积 Area (ha)", plots["area_ha"], "f_area")
    return PlotFilter(tuple(parks), tuple(classes), tuple(statuses), tuple(grades), years, area)


def _range_slider(container, label: str, values: pd.Series, key: str) -> tuple[float, float] | None:
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty or numbers.min() == numbers.max():
        return None
    low, high = float(numbers.min()), float(numbers.max())
    chosen = container.slider(label, low, high, (low, high), key=key)
    return None if chosen == (low, high) else (float(chosen[0]), float(chosen[1]))


def plots_table(plots: pd.DataFrame) -> str | None:
    """The filtered plots, best priority first; returns the plot id of a row the user selected."""
    shown = plots[[c for c in SHOWN_COLUMNS if c in plots.columns]].sort_values("priority_rank")
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=320,
        on_select="rerun",
        selection_mode="single-row",
        key="stock_table",
    )
    rows = event.selection.rows if event is not None else []
    return str(shown.iloc[rows[0]]["plot_id"]) if rows else None


def record_panel(store: WorkspaceStore, inventory: str, plot: pd.Series) -> None:
    """One plot: its figures, the suggested redevelopment modes with their rules, and the decision form."""
    st.subheader(f"{plot.get('name') or plot['plot_id']} · {plot['plot_id']}")
    cols = st.columns(4)
    cols[0].metric(
        f"优先级 Priority (rank {int(plot['priority_rank'])})", _shown(plot["priority_score"], "{:.0f}")
    )
    cols[1].metric("面积 Area", f"{plot['area_ha']:.2f} ha · {plot['area_mu']:.1f} 亩")
    cols[2].metric("可增建筑面积 Extra floor area", _shown(plot.get("extra_floor_area_m2"), "{:,.0f} m²"))
    cols[3].metric("效率等级 Efficiency class", _shown(plot.get("efficiency_class"), "{}"))
    with st.expander("建议盘活方式 Suggested redevelopment modes — and the rules behind them", expanded=True):
        suggestions = explain_suggestions(plot)
        if not suggestions:
            st.write("无规则适用 No rule applies to this plot.")
        for s in suggestions:
            st.markdown(
                f"**{s.mode_zh} {s.mode_en}** — {s.text_zh} / {s.text_en}  \n"
                f"规则 rule `{s.rule_id}` · {s.section} · 条件 conditions: {'; '.join(s.conditions)}"
            )
    with st.expander("优先级构成 Why this priority"):
        parts = {c.removeprefix("prio_"): plot[c] for c in plot.index if c.startswith("prio_")}
        st.bar_chart(pd.Series(parts, name="points"))
    _decision_form(store, inventory, plot)


def _shown(value: object, template: str) -> str:
    """A metric value, or an em dash when it is missing (NaN must never reach the page as "nan")."""
    return "—" if value is None or (not isinstance(value, str) and pd.isna(value)) else template.format(value)


def _decision_form(store: WorkspaceStore, inventory: str, plot: pd.Series) -> None:
    # The version check must use the version the user *saw* when the form was drawn: the
    # submit rerun reloads the plot, and using that fresh version would let a stale form
    # silently overwrite someone else's decision.
    seen_key = f"seen_version_{inventory}_{plot['plot_id']}"
    current = int(plot.get("decision_version") or 0)
    version = int(st.session_state.get(seen_key, current))
    modes = [m for m in (plot.get("suggested_modes") or []) if isinstance(m, str)]
    with st.form(f"decision_{plot['plot_id']}"):
        status = st.selectbox(
            "审查状态 Review status",
            list(STATUS_LABELS),
            format_func=STATUS_LABELS.__getitem__,
            index=list(STATUS_LABELS).index(plot.get("review_status") or "unreviewed"),
        )
        current_mode = plot.get("review_mode") if isinstance(plot.get("review_mode"), str) else ""
        mode_options = list(dict.fromkeys(["", *modes, current_mode]))
        mode = st.selectbox("选定方式 Chosen mode", mode_options, index=mode_options.index(current_mode))
        note = st.text_area("备注 Note (kept in the audit log)", value="")
        if not st.form_submit_button("记录决定 Record decision"):
            st.session_state[seen_key] = current
        else:
            changes = {"review_status": status, "mode": mode or None}
            if note.strip():
                changes["note"] = note
            try:
                store.record_decision(
                    inventory,
                    str(plot["plot_id"]),
                    changes,
                    expected_version=version,
                    user=reviewer(),
                    note=note,
                )
            except ConcurrentEditError as exc:
                st.session_state[seen_key] = current  # the next submit is made knowingly
                st.error(str(exc))
                return
            st.session_state.pop(seen_key, None)
            st.session_state["stock_flash"] = f"已记录 Recorded: {plot['plot_id']} → {STATUS_LABELS[status]}"
            st.rerun()


def audit_panel(store: WorkspaceStore, inventory: str, plot_id: str | None) -> None:
    """The audit trail of the selected plot (or the inventory), undo, and a workspace backup."""
    title = f"审计记录 Audit log — {plot_id}" if plot_id else "审计记录 Audit log — whole inventory"
    with st.expander(title, expanded=plot_id is not None):
        log = store.audit_log(inventory, plot_id).iloc[::-1]
        if plot_id is not None:
            # A plain table (real text in the page) for one plot's short history.
            columns = ["time", "user", "field", "old_value", "new_value", "note", "action"]
            st.table(log[columns].head(AUDIT_ROWS_SHOWN).fillna(""))
        else:
            st.dataframe(log, hide_index=True, width="stretch")
        cols = st.columns(2)
        if cols[0].button("撤销我的上一个决定 Undo my last decision"):
            try:
                undone = store.undo_last(inventory, reviewer())
            except ConcurrentEditError as exc:
                st.error(str(exc))
            else:
                st.session_state["stock_flash"] = (
                    f"已撤销 Undone: {undone.plot_id}" if undone else "没有可撤销的决定 Nothing to undo"
                )
                st.rerun()
        if cols[1].button("备份工作区 Back up the workspace"):
            with tempfile.TemporaryDirectory(prefix="zgc-geo-backup-") as scratch:
                copy = store.backup(Path(scratch) / "workspace_backup.gpkg")
                st.session_state["stock_backup"] = copy.read_bytes()
        if st.session_state.get("stock_backup"):
            cols[1].download_button(
                "下载备份 Download backup (.gpkg)",
                st.session_state["stock_backup"],
                "workspace_backup.gpkg",
                "application/geopackage+sqlite3",
            )


def export_panel(plots: pd.DataFrame, summary: pd.DataFrame, parameters: pd.DataFrame, stem: str) -> None:
    """Download the filtered plots with results in any exchange format (formula-safe)."""
    cols = st.columns([3, 1])
    choice = cols[0].selectbox("导出格式 Export format", list(EXPORT_FORMATS), key="export_format")
    suffix, encoding = EXPORT_FORMATS[choice]
    if cols[1].button("准备导出 Prepare export"):
        with tempfile.TemporaryDirectory(prefix="zgc-geo-export-") as scratch:
            target = Path(scratch) / f"{stem}{suffix}"
            tables = {"per_park_summary": summary, "parameters": parameters}
            write_layer(plots, target, shapefile_encoding=encoding, tables=tables)
            st.session_state["stock_export"] = (target.name, target.read_bytes())
    if st.session_state.get("stock_export"):
        name, data = st.session_state["stock_export"]
        st.download_button(f"下载 Download {name}", data, name)
