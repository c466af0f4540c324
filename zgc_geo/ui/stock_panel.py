"""Widgets of the stock page: scenario and filters, the plot record with its decision form, exports."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Final

import pandas as pd
import streamlit as st

from zgc_geo.cells import blank
from zgc_geo.errors import AccessRefusedError, ConcurrentEditError, WorkspaceIntegrityError
from zgc_geo.export.layers import write_layer
from zgc_geo.stock.analysis import PRIORITY_PART_KEYS
from zgc_geo.stock.bulk import OUTSIDE
from zgc_geo.stock.filters import NO_CLASS, OUTSIDE_PARKS, PlotFilter
from zgc_geo.stock.redevelopment import explain_suggestions, load_redevelopment_rules
from zgc_geo.stock.scenario import FarRule, PlotRatioScenario
from zgc_geo.stock.search import SEARCH_LIMIT, find_plots
from zgc_geo.stock.summary import TOTAL
from zgc_geo.ui.code_labels import condition_text, for_display, names_of
from zgc_geo.ui.i18n import current_lang, kept, local, tr, tr_map
from zgc_geo.ui.integrity_banner import refused_text
from zgc_geo.ui.markdown_text import escaped
from zgc_geo.ui.rights_view import park_name, refusal_text, role_text, session_rights
from zgc_geo.ui.tables import labelled, show_table
from zgc_geo.ui.workspace_access import reviewer
from zgc_geo.ui.workspace_labels import audit_for_people, status_labels
from zgc_geo.workspace import WorkspaceStore
from zgc_geo.workspace.rights import park_of

#: Session key counting saved changes; the note box is a new widget after each (so it starts empty).
NOTE_ROUND: Final = "stock_note_round"
MODE_LABELS: Final = {"set_far": "stock.mode_set_far", "increase_pct": "stock.mode_increase_pct"}
#: Export choices: id → (suffix, shapefile encoding, label key).
EXPORT_FORMATS: Final = {
    "gpkg": (".gpkg", "UTF-8", "stock.format_gpkg"),
    "shp_utf8": (".zip", "UTF-8", "stock.format_shp_utf8"),
    "shp_gbk": (".zip", "GBK", "stock.format_shp_gbk"),
    "geojson": (".geojson", "UTF-8", "stock.format_geojson"),
    "kml": (".kml", "UTF-8", "stock.format_kml"),
    "xlsx": (".xlsx", "UTF-8", "stock.format_xlsx"),
    "csv": (".csv", "UTF-8", "stock.format_csv"),
}
#: Headings of the plots table, the per-park summary and the audit log (column id → text key).
PLOT_HEADINGS: Final = {
    "priority_rank": "stock.col.priority_rank",
    "plot_id": "stock.col.plot_id",
    "name": "stock.col.name",
    "analysis_park_id": "stock.col.park",
    "land_use_class": "stock.col.land_use_class",
    "area_ha": "stock.col.area_ha",
    "years_idle": "stock.col.years_idle",
    "far_current": "stock.col.far_current",
    "far_target": "stock.col.far_target",
    "extra_floor_area_m2": "stock.col.extra_floor_area_m2",
    "efficiency_class": "stock.col.efficiency_class",
    "inefficiency_kind": "stock.col.inefficiency_kind",
    "review_status": "stock.col.review_status",
    "priority_score": "stock.col.priority_score",
}
SUMMARY_HEADINGS: Final = {
    "park_id": "stock.col.park_id",
    "name_zh": "stock.col.park",
    "name_en": "stock.col.park",
    "plots": "stock.col.plots",
    "idle_plots": "stock.col.idle_plots",
    "idle_area_ha": "stock.col.idle_area_ha",
    "idle_area_mu": "stock.col.idle_area_mu",
    "extra_floor_area_m2": "stock.col.extra_floor_area_m2",
    "class_none": "stock.col.class_none",
    "kind_approved_unsupplied": "stock.col.kind_approved_unsupplied",
    "kind_supplied_unused": "stock.col.kind_supplied_unused",
    "kind_underused": "stock.col.kind_underused",
    "kind_built_not_operating": "stock.col.kind_built_not_operating",
    "kind_below_standard": "stock.col.kind_below_standard",
    "mean_priority": "stock.col.mean_priority",
}
AUDIT_HEADINGS: Final = {
    "audit_id": "stock.col.audit_id",
    "change_id": "stock.col.change_id",
    "time": "stock.col.time",
    "user": "stock.col.user",
    "inventory": "stock.col.inventory",
    "plot_id": "stock.col.plot_id",
    "field": "stock.col.field",
    "old_value": "stock.col.old_value",
    "new_value": "stock.col.new_value",
    "note": "stock.col.note",
    "action": "stock.col.action",
    "version": "stock.col.version",
    "reverts": "stock.col.reverts",
}
#: Audit columns kept out of the page: the chain hash is for ``zgc-geo workspace verify`` and backups;
#: change ids are the log's own links (an undo's note names the change it reverted by its time); the
#: inventory is the one chosen at the top of the page.
AUDIT_HIDDEN: Final = ("hash", "change_id", "reverts", "inventory")
#: Audit rows shown for one plot (the full log is in the workspace and in a backup).
AUDIT_ROWS_SHOWN: Final = 50


def scenario_controls(default: PlotRatioScenario, park_names: dict[str, str]) -> PlotRatioScenario:
    """The FAR scenario: one rule for all industrial plots, plus optional per-park rules."""
    with st.expander(tr("stock.scenario")):
        cols = st.columns(3)
        mode = cols[0].selectbox(
            tr("stock.mode"),
            list(MODE_LABELS),
            format_func=tr_map(MODE_LABELS).__getitem__,
            index=list(MODE_LABELS).index(default.rule.mode),
            key=kept("scenario_mode"),
        )
        value = cols[1].number_input(
            tr("stock.value"),
            min_value=0.0,
            max_value=500.0,
            step=0.1,
            value=float(default.rule.value),
            key="scenario_value",
        )
        cap = cols[2].number_input(
            tr("stock.cap"),
            min_value=0.0,
            max_value=20.0,
            step=0.1,
            value=float(default.rule.cap_far or 0.0),
            key="scenario_cap",
        )
        # Parks are chosen by id (shown by name), so the rules survive a change of language.
        overrides = st.data_editor(
            pd.DataFrame(
                [
                    {"park": pid, "mode": r.mode, "value": r.value, "cap_far": r.cap_far}
                    for pid, r in default.park_rules.items()
                ],
                columns=["park", "mode", "value", "cap_far"],
            ),
            num_rows="dynamic",
            key="scenario_parks",
            column_config={
                "park": st.column_config.SelectboxColumn(
                    tr("stock.park"), options=list(park_names), format_func=labelled(park_names)
                ),
                "mode": st.column_config.SelectboxColumn(
                    tr("stock.mode"), options=list(MODE_LABELS), format_func=labelled(tr_map(MODE_LABELS))
                ),
                "value": st.column_config.NumberColumn(tr("stock.rule_value"), min_value=0.0),
                "cap_far": st.column_config.NumberColumn(tr("stock.rule_cap"), min_value=0.0),
            },
            hide_index=True,
        )
    park_rules = {
        row.park: FarRule(row.mode, float(row.value), None if pd.isna(row.cap_far) else float(row.cap_far))
        for row in overrides.itertuples()
        if row.park in park_names and row.mode in MODE_LABELS and pd.notna(row.value)
    }
    rule = FarRule(mode, float(value), float(cap) if cap > 0 else None)
    return PlotRatioScenario(default.name if rule == default.rule else "custom", rule, park_rules)


def filter_controls(plots: pd.DataFrame, park_names: dict[str, str]) -> PlotFilter:
    """Filters on park, land-use class, review status, efficiency class, years idle and area."""
    statuses_named = status_labels()
    with st.container(border=True):
        cols = st.columns(3)
        parks = cols[0].multiselect(
            tr("stock.park"),
            [*park_names, OUTSIDE_PARKS],
            format_func=(park_names | {OUTSIDE_PARKS: tr("stock.outside_parks")}).__getitem__,
            placeholder=tr("common.choose_options"),
            key=kept("f_parks"),
        )
        class_names = names_of("land_use")
        classes = cols[1].multiselect(
            tr("stock.land_use_class"),
            sorted(plots["land_use_class"].dropna().astype(str).unique()),
            format_func=labelled(class_names),
            placeholder=tr("common.choose_options"),
            key="f_class",
        )
        statuses = cols[2].multiselect(
            tr("stock.review_status"),
            list(statuses_named),
            format_func=statuses_named.__getitem__,
            placeholder=tr("common.choose_options"),
            key=kept("f_status"),
        )
        cols = st.columns(3)
        grades = cols[0].multiselect(
            tr("stock.efficiency_class"),
            ["A", "B", "C", "D", NO_CLASS],
            format_func={**{g: g for g in "ABCD"}, NO_CLASS: tr("stock.no_class")}.__getitem__,
            placeholder=tr("common.choose_options"),
            key=kept("f_grade"),
        )
        years = _range_slider(cols[1], tr("stock.years_idle"), plots["years_idle"], "f_years")
        area = _range_slider(cols[2], tr("stock.area_ha"), plots["area_ha"], "f_area")
    return PlotFilter(tuple(parks), tuple(classes), tuple(statuses), tuple(grades), years, area)


def _range_slider(container, label: str, values: pd.Series, key: str) -> tuple[float, float] | None:
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty or numbers.min() == numbers.max():
        return None
    low, high = float(numbers.min()), float(numbers.max())
    chosen = container.slider(label, low, high, (low, high), key=key)
    return None if chosen == (low, high) else (float(chosen[0]), float(chosen[1]))


def plot_search(plots: pd.DataFrame) -> str | None:
    """A search box for a plot by part of its id or name; returns the plot it found (the best match).

    One match is taken at once; several are listed (best first) to pick from; none is said.
    """
    query = st.text_input(
        tr("stock.search"), key="stock_search", placeholder=tr("stock.search_placeholder")
    ).strip()
    if not query:
        return None
    found = find_plots(plots, query, SEARCH_LIMIT)
    if found.empty:
        st.caption(tr("stock.search_none", query=query))
        return None
    ids = found["plot_id"].astype(str).tolist()
    if len(ids) == 1:
        return ids[0]
    names = dict(zip(ids, found["name"].fillna("").astype(str), strict=True)) if "name" in found else {}
    template = "{name}（{id}）" if current_lang() == "zh" else "{name} ({id})"  # the id as secondary detail
    return st.selectbox(
        tr("stock.search_hits", count=len(ids)),
        ids,
        format_func=lambda i: template.format(name=names[i], id=i) if names.get(i) else i,
        key=f"stock_search_pick_{query}",
    )


def plots_table(plots: pd.DataFrame) -> str | None:
    """The filtered plots, best priority first; returns the plot id of a row the user selected.

    Codes (park, land-use class, status, inefficiency kind) are shown by name (:func:`for_display`).
    """
    shown = plots[[c for c in PLOT_HEADINGS if c in plots.columns]].sort_values("priority_rank")
    event = show_table(
        for_display(shown),
        PLOT_HEADINGS,
        height=320,
        on_select="rerun",
        selection_mode="single-row",
        key="stock_table",
    )
    rows = event.selection.rows if event is not None else []
    return str(shown.iloc[rows[0]]["plot_id"]) if rows else None


def per_park_chart(summary: pd.DataFrame) -> None:
    """Extra floor area per sub-park as bars, parks only; plots outside every park are said apart.

    The summary also has the outside-all-parks row and the grand total: as bars they would dwarf
    every park, and both have no park name.
    """
    name = "name_zh" if current_lang() == "zh" else "name_en"
    bars, outside = park_bars(summary, name, "extra_floor_area_m2")
    st.bar_chart(bars, y_label=tr("stock.extra_floor_area_axis"), x_label=tr("stock.col.park"))
    if outside:
        st.caption(tr("stock.outside_parks_extra", value=f"{outside:,.0f}"))


def park_bars(summary: pd.DataFrame, name: str, value: str) -> tuple[pd.Series, float]:
    """``value`` per park named by column ``name`` (the sub-parks only), and its sum outside every park."""
    parks = summary[~summary["park_id"].isin([OUTSIDE, TOTAL])]
    outside = summary.loc[summary["park_id"] == OUTSIDE, value]
    labels = parks[name].where(parks[name].astype(str).str.strip() != "", parks["park_id"])
    bars = pd.Series(
        pd.to_numeric(parks[value], errors="coerce").to_numpy(), index=labels.to_numpy(), name=value
    )
    return bars.dropna(), float(pd.to_numeric(outside, errors="coerce").fillna(0).sum())


def summary_table(summary: pd.DataFrame) -> None:
    """The per-park summary: the park named in the session's language, every heading translated."""
    name, other = ("name_zh", "name_en") if current_lang() == "zh" else ("name_en", "name_zh")
    # The park by its name only; the outside-all-parks and total rows have no name of their own.
    summary = summary.copy()
    unnamed = blank(summary[name])
    summary.loc[unnamed, name] = for_display(summary.loc[unnamed, ["park_id"]])["park_id"]
    grades = {f"class_{g}": "stock.col.class_grade" for g in "ABCD"}
    config = {
        column: st.column_config.Column(tr(key, grade=column.removeprefix("class_")))
        for column, key in grades.items()
        if column in summary.columns
    }
    show_table(summary, SUMMARY_HEADINGS, hide=[other, "park_id"], config=config)


def record_panel(store: WorkspaceStore, inventory: str, plot: pd.Series) -> None:
    """One plot: its figures, the suggested redevelopment modes with their rules, and the decision form."""
    st.subheader(f"{plot.get('name') or plot['plot_id']} · {plot['plot_id']}")
    cols = st.columns(4)
    cols[0].metric(
        tr("stock.metric_priority", rank=int(plot["priority_rank"])), _shown(plot["priority_score"], "{:.0f}")
    )
    cols[1].metric(tr("stock.metric_area"), tr("stock.area_value", ha=plot["area_ha"], mu=plot["area_mu"]))
    cols[2].metric(tr("stock.metric_extra_floor_area"), _shown(plot.get("extra_floor_area_m2"), "{:,.0f} m²"))
    cols[3].metric(tr("stock.efficiency_class"), _shown(plot.get("efficiency_class"), "{}"))
    with st.expander(tr("stock.suggestions"), expanded=True):
        rules = load_redevelopment_rules()
        by_id = rules.by_id()
        suggestions = explain_suggestions(plot, rules)
        if not suggestions:
            st.write(tr("stock.no_rule"))
        separator = "；" if current_lang() == "zh" else "; "
        for s in suggestions:
            conditions = separator.join(
                condition_text(c, plot.get(c.field)) for c in by_id[s.rule_id].conditions
            )
            mode, text = str(local(s.mode_zh, s.mode_en)), str(local(s.text_zh, s.text_en))
            st.markdown(
                f"**{escaped(mode)}** — {escaped(text)}  \n"
                + escaped(tr("stock.rule_line", rule=s.rule_id, section=s.section, conditions=conditions))
            )
    with st.expander(tr("stock.why_priority")):
        parts = {}
        for column in (c for c in plot.index if c.startswith("prio_")):
            part = column.removeprefix("prio_")
            parts[tr(PRIORITY_PART_KEYS[part]) if part in PRIORITY_PART_KEYS else part] = plot[column]
        st.bar_chart(pd.Series(parts, name=tr("stock.points")))
    _decision_form(store, inventory, plot)


def _shown(value: object, template: str) -> str:
    """A metric value, or an em dash when it is missing (NaN must never reach the page as "nan")."""
    return "—" if value is None or (not isinstance(value, str) and pd.isna(value)) else template.format(value)


def _decision_form(store: WorkspaceStore, inventory: str, plot: pd.Series) -> None:
    rights = session_rights(store)
    park = park_of(plot.get("park_id"))
    if not rights.may_edit(park):  # the store would refuse it: say why instead of offering the form
        st.info(tr("rights.cannot_edit_plot", role=role_text(rights), park=park_name(park)))
        return
    # The version check must use the version the user *saw* when the form was drawn: the
    # submit rerun reloads the plot, and using that fresh version would let a stale form
    # silently overwrite someone else's decision.
    seen_key = f"seen_version_{inventory}_{plot['plot_id']}"
    current = int(plot.get("decision_version") or 0)
    version = int(st.session_state.get(seen_key, current))
    modes = [m for m in (plot.get("suggested_modes") or []) if isinstance(m, str)]
    mode_names = {m: str(local(zh, en)) for m, (zh, en) in load_redevelopment_rules().labels.items()}
    statuses_named = status_labels()
    # No widget keys in the form: a widget whose index changes (another user's decision, an undo)
    # is a new widget and so shows the stored value, not what this session last picked.
    with st.form(f"decision_{plot['plot_id']}"):
        status = st.selectbox(
            tr("stock.review_status"),
            list(statuses_named),
            format_func=statuses_named.__getitem__,
            index=list(statuses_named).index(plot.get("review_status") or "unreviewed"),
        )
        current_mode = plot.get("review_mode") if isinstance(plot.get("review_mode"), str) else ""
        mode_options = list(dict.fromkeys(["", *modes, current_mode]))
        mode = st.selectbox(
            tr("stock.chosen_mode"),
            mode_options,
            index=mode_options.index(current_mode),
            format_func=lambda m: mode_names.get(m, m) if m else "—",
        )
        # Keyed by the count of this session's saved changes: a new, empty box after each record or
        # undo, while a refused change keeps what was typed so it can be sent again.
        note = st.text_area(
            tr("stock.note"), value="", key=f"stock_note_{st.session_state.get(NOTE_ROUND, 0)}"
        )
        if not st.form_submit_button(tr("stock.record")):
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
            except WorkspaceIntegrityError as exc:  # the red banner above says what broke
                st.error(refused_text(exc))
                return
            except AccessRefusedError as exc:  # the role changed since the form was drawn
                st.error(refusal_text(exc))
                return
            st.session_state.pop(seen_key, None)
            st.session_state[NOTE_ROUND] = st.session_state.get(NOTE_ROUND, 0) + 1
            st.session_state["stock_flash"] = tr(
                "stock.recorded", plot=plot["plot_id"], status=statuses_named[status]
            )
            st.rerun()


def audit_panel(store: WorkspaceStore, inventory: str, plot_id: str | None) -> None:
    """The audit trail of the selected plot (or the inventory), undo, and a workspace backup."""
    title = tr("stock.audit_plot", plot=plot_id) if plot_id else tr("stock.audit_inventory")
    with st.expander(title, expanded=plot_id is not None):
        log = audit_for_people(store.audit_log(inventory, plot_id)).iloc[::-1]
        if plot_id is not None:
            # A plain table (real text in the page) for one plot's short history.
            columns = ["time", "user", "field", "old_value", "new_value", "note", "action"]
            shown = log[columns].head(AUDIT_ROWS_SHOWN).fillna("")
            st.table(shown.rename(columns={c: tr(AUDIT_HEADINGS[c]) for c in columns}))
        else:
            show_table(log, AUDIT_HEADINGS, hide=AUDIT_HIDDEN)
        rights = session_rights(store)
        if not rights.edits:
            st.caption(tr("rights.view_only", role=role_text(rights)))
            return
        cols = st.columns(2)
        if cols[0].button(tr("stock.undo"), key="stock_undo", help=tr("stock.undo_help")):
            try:
                undone = store.undo_last(inventory, reviewer())
            except ConcurrentEditError as exc:
                st.error(str(exc))
            except WorkspaceIntegrityError as exc:
                st.error(refused_text(exc))
            except AccessRefusedError as exc:
                st.error(refusal_text(exc))
            else:
                st.session_state[NOTE_ROUND] = st.session_state.get(NOTE_ROUND, 0) + 1
                st.session_state["stock_flash"] = (
                    tr("stock.undone", plot=undone.plot_id) if undone else tr("stock.nothing_to_undo")
                )
                st.rerun()
        if not rights.administers:  # a backup is the whole workspace: an admin's to take
            return
        if cols[1].button(tr("stock.backup"), key="stock_backup_go"):
            # A folder, so the store names the file (``<workspace>-<UTC time>.gpkg``): every backend
            # backs up to a GeoPackage, a database as much as a file.
            with tempfile.TemporaryDirectory(prefix="zgc-geo-backup-") as scratch:
                try:
                    copy = store.backup(Path(scratch), user=reviewer())
                except AccessRefusedError as exc:
                    st.error(refusal_text(exc))
                    return
                st.session_state["stock_backup"] = (copy.name, copy.read_bytes())
        if st.session_state.get("stock_backup"):
            name, data = st.session_state["stock_backup"]
            cols[1].download_button(
                tr("stock.download_backup"),
                data,
                name,
                "application/geopackage+sqlite3",
                key="stock_backup_dl",
            )


def export_panel(plots: pd.DataFrame, summary: pd.DataFrame, parameters: pd.DataFrame, stem: str) -> None:
    """Download the filtered plots with results in any exchange format (formula-safe)."""
    cols = st.columns([3, 1])
    choice = cols[0].selectbox(
        tr("stock.export_format"),
        list(EXPORT_FORMATS),
        format_func={f: tr(key) for f, (_, _, key) in EXPORT_FORMATS.items()}.__getitem__,
        key=kept("export_format"),
    )
    suffix, encoding, _ = EXPORT_FORMATS[choice]
    if cols[1].button(tr("stock.prepare_export"), key="stock_data_export_go"):
        # A workbook of a few thousand plots takes seconds: say so, never leave only a greyed page.
        with (
            st.status(tr("export.working"), expanded=False) as status,
            tempfile.TemporaryDirectory(prefix="zgc-geo-export-") as scratch,
        ):
            target = Path(scratch) / f"{stem}{suffix}"
            tables = {"per_park_summary": summary, "parameters": parameters}
            write_layer(plots, target, shapefile_encoding=encoding, tables=tables, lang=current_lang())
            st.session_state["stock_export"] = (target.name, target.read_bytes())
            status.update(label=tr("export.done"), state="complete")
    if st.session_state.get("stock_export"):
        name, data = st.session_state["stock_export"]
        st.download_button(tr("export.download", name=name), data, name, key="stock_data_export_dl")
