"""Widgets of the Monitoring page: where the actual values come from, the progress table, its chart."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Final

import pandas as pd
import streamlit as st

from zgc_geo.errors import AccessRefusedError, WorkspaceIntegrityError
from zgc_geo.monitoring.actuals import Actuals, merged, public_actuals, read_actuals
from zgc_geo.monitoring.progress import BASE_YEAR, STATUSES, TARGET_YEAR, Thresholds, progress_table
from zgc_geo.monitoring.table import worded
from zgc_geo.ui.i18n import current_lang, local, tr
from zgc_geo.ui.integrity_banner import refused_text
from zgc_geo.ui.markdown_text import escaped
from zgc_geo.ui.rights_view import refusal_text, session_rights
from zgc_geo.ui.workspace_access import reviewer
from zgc_geo.workspace.store import WorkspaceStore

MIDTERM_YEAR: Final = 2018
#: How the page words each status (files keep the codes in English).
SHOWN_STATUS: Final = {
    "on_track": "monitoring.status.on_track",
    "at_risk": "monitoring.status.at_risk",
    "off_track": "monitoring.status.off_track",
}
FLASH: Final = "monitoring_flash"


def actual_values(store: WorkspaceStore, targets: pd.DataFrame) -> pd.DataFrame:
    """The workspace's actual values, with an uploaded file's values added or overriding them for this view;
    the upload can be saved to the workspace by whoever may."""
    if (flash := st.session_state.pop(FLASH, None)) is not None:
        st.success(flash)
    public = public_actuals(targets)
    stored = merged(public, store.plan_actuals())  # the workspace's values replace the shipped public ones
    upload = st.file_uploader(tr("monitoring.upload"), type=["csv", "xlsx"], key="monitoring_upload")
    if upload is None:
        if len(stored) == len(public):
            st.info(tr("monitoring.no_values", count=len(public)))
        return stored
    with tempfile.TemporaryDirectory(prefix="zgc-actuals-") as scratch:
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        path = Path(scratch) / f"actuals{suffix}"  # our own name: never a path the browser chose
        path.write_bytes(upload.getvalue())
        read = read_actuals(path, targets)
    _problems(read)
    if session_rights(store).role in ("admin", "editor") and len(read.values):
        _save_button(store, read)
    return merged(stored, read.values)


def _problems(read: Actuals) -> None:
    if read.problems:
        with st.expander(tr("monitoring.problems", count=len(read.problems)), expanded=True):
            for problem in read.problems:
                st.markdown("- " + escaped(problem))


def _save_button(store: WorkspaceStore, read: Actuals) -> None:
    if not st.button(tr("monitoring.save", count=len(read.values)), key="monitoring_save"):
        return
    try:
        changed = store.record_actuals(read.values, user=reviewer())
    except AccessRefusedError as exc:
        st.error(refusal_text(exc))
        return
    except WorkspaceIntegrityError as exc:
        st.error(refused_text(exc))
        return
    st.session_state[FLASH] = tr("monitoring.saved", count=changed)
    st.rerun()


def chosen_year(values: pd.DataFrame) -> int:
    """The year to judge: those with zone-wide values, the mid-term (2018) and final (2020) years labelled."""
    zone_years = sorted(set(values.loc[values["park_id"].isna(), "year"].astype(int)))
    years = sorted({*zone_years, MIDTERM_YEAR, TARGET_YEAR})
    default = max(zone_years) if zone_years else TARGET_YEAR
    # keyed by the years on offer and the latest: new values (an upload) open on their latest year
    key = f"monitoring_year_{default}_" + "_".join(map(str, years))
    chosen = st.selectbox(
        tr("monitoring.year"), years, index=years.index(default), format_func=_year_label, key=key
    )
    return int(chosen)


def _year_label(year: int) -> str:
    if year == MIDTERM_YEAR:
        return tr("monitoring.year_midterm", year=year)
    if year == TARGET_YEAR:
        return tr("monitoring.year_final", year=year)
    return tr("monitoring.year_after", year=year) if year > TARGET_YEAR else str(year)


def progress_section(values: pd.DataFrame, year: int, thresholds: Thresholds) -> pd.DataFrame:
    """The statuses' counts and the progress table of ``year``; returns the table."""
    table = progress_table(values[values["park_id"].isna()], [year], thresholds)
    counts = table["status"].value_counts()
    cols = st.columns(4)
    for col, status in zip(cols, STATUSES, strict=False):
        col.metric(tr(SHOWN_STATUS[status]), int(counts.get(status, 0)))
    cols[3].metric(tr("monitoring.no_data"), int(table["status"].isna().sum()))
    if year > TARGET_YEAR:
        st.caption(tr("monitoring.after_horizon"))
    lang = current_lang()
    shown = worded(table, lang)
    if lang == "en":  # the page's words, not the file's codes
        shown["status"] = [tr(SHOWN_STATUS[s]) if isinstance(s, str) else "" for s in table["status"]]
    st.dataframe(shown, hide_index=True, width="stretch")
    return table


def path_chart(values: pd.DataFrame, thresholds: Thresholds, targets: pd.DataFrame) -> None:
    """One indicator's required path and actual values, year by year (Streamlit's own chart: offline)."""
    names = {t.indicator_id: str(local(t.indicator_zh, t.indicator_en)) for t in targets.itertuples()}
    indicator = st.selectbox(
        tr("monitoring.indicator"), list(names), format_func=names.__getitem__, key="monitoring_indicator"
    )
    zone = values[values["park_id"].isna()]
    last = max([TARGET_YEAR, *zone["year"].astype(int)])
    years = list(range(BASE_YEAR, last + 1))
    table = progress_table(zone[zone["indicator_id"] == indicator], years, thresholds)
    row = table[table["indicator_id"] == indicator].set_index("year")
    if row["required"].isna().all() and row["actual"].isna().all():
        st.info(tr("monitoring.chart_empty"))
        return
    chart = pd.DataFrame(
        {
            tr("monitoring.required"): row["required"].astype(float),
            tr("monitoring.actual"): row["actual"].astype(float),
        }
    )
    st.line_chart(chart)


#: zgc-geo's own per-park measures, labelled.
MEASURE_KEYS: Final = {
    "reviewed_ha": "league.measure.reviewed_ha",
    "revitalised_ha": "league.measure.revitalised_ha",
    "projects": "league.measure.projects",
    "projects_in_production": "league.measure.projects_in_production",
}


def league_choice(values: pd.DataFrame, year: int, targets: pd.DataFrame) -> tuple[str, str, bool]:
    """The measure to rank parks by: one of zgc-geo's, or an indicator the actual values give per park in
    ``year``; returns (key, label, lower is better)."""
    per_park = values[values["park_id"].notna() & (values["year"] == year)]
    indicators = targets.set_index("indicator_id")
    options = {key: tr(label) for key, label in MEASURE_KEYS.items()}
    for indicator in sorted(set(per_park["indicator_id"])):
        row = indicators.loc[indicator]
        options[f"indicator:{indicator}"] = str(local(row["indicator_zh"], row["indicator_en"]))
    key = st.selectbox(
        tr("league.rank_by"), list(options), format_func=options.__getitem__, key="league_measure"
    )
    lower = (
        key.startswith("indicator:")
        and indicators.loc[key.removeprefix("indicator:"), "direction"] == "lower"
    )
    return str(key), options[key], bool(lower)
