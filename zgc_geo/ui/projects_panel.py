"""Widgets of the Projects page: the inputs, the screening kept per session, the record and the tables."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pandas as pd
import streamlit as st

from zgc_geo.catalogue import layer_spec
from zgc_geo.export.safety import csv_bytes
from zgc_geo.export.workbook import workbook_bytes
from zgc_geo.i18n import Lang, in_lang
from zgc_geo.mapping.html_text import detail_html
from zgc_geo.mapping.projects_map import verdict_colour
from zgc_geo.plan_data import PlanData
from zgc_geo.projects.catalogue import Catalogue, load_catalogue
from zgc_geo.projects.codes import IndustryCodes, industry_codes
from zgc_geo.projects.intake import ProjectList, read_projects
from zgc_geo.projects.intensity import load_thresholds
from zgc_geo.projects.output import COLUMN_KEYS, VERDICT_KEYS, result_table
from zgc_geo.projects.portfolio import NO_CLUSTER, OUTSIDE_PARKS, portfolio
from zgc_geo.projects.screening import VERDICTS, Screened, joined_errors, screen_projects
from zgc_geo.projects.sites import plot_sites_in
from zgc_geo.ui.i18n import current_lang, local, tr
from zgc_geo.ui.markdown_text import escaped
from zgc_geo.workspace.store import WorkspaceStore

XLSX_MIME: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The worded result columns the page's table shows (the rest are in the record and the downloads).
TABLE_COLUMNS: Final = ("verdict", "scope", "industry", "park", "cluster_fit", "errors")
#: The intensity columns of a project's record.
CHECK_COLUMNS: Final = (
    "investment_per_mu", "investment_check", "output_per_mu", "output_check", "tax_per_mu", "tax_check",
    "far_check",
)  # fmt: skip
#: How the page labels the result columns it shows (the downloads keep the contract's names).
LABEL_KEYS: Final = {
    "verdict": "projects.label.verdict",
    "scope": "projects.label.scope",
    "industry": "projects.label.industry",
    "park": "projects.label.park",
    "cluster_fit": "projects.label.cluster_fit",
    "errors": "projects.label.errors",
}
#: English values the page shows in words (the downloads keep the contract's codes).
EN_WORDS: Final = {
    "other_cluster": "another cluster",
    "no_cluster": "none of the six clusters",
    "outside_parks": "outside the parks",
}
PORTFOLIO_KEYS: Final = {
    "projects": "projects.portfolio.projects",
    "land_area_mu": "projects.portfolio.land_area_mu",
    "investment_wan": "projects.portfolio.investment_wan",
}
#: Labels of the portfolio's column groups: each verdict, then all screened projects.
GROUP_KEYS: Final = {**VERDICT_KEYS, "total": "projects.portfolio.total"}


@dataclass(frozen=True)
class Inputs:
    """What the page screens: the project list and the catalogue, as bytes with their file names."""

    projects: tuple[str, bytes]
    catalogue: tuple[str, bytes] | None

    @property
    def key(self) -> str:
        """Identifies the inputs: the same files give the same screening."""
        digest = hashlib.sha256()
        for name, data in (self.projects, self.catalogue or ("", b"")):
            digest.update(name.encode() + b"\0" + data + b"\0")
        return digest.hexdigest()


@dataclass(frozen=True)
class Result:
    """A screening and everything the page shows of it."""

    projects: ProjectList
    catalogue: Catalogue
    screened: Screened
    codes: IndustryCodes


def chosen_inputs() -> Inputs:
    """The user's project list and catalogue, or the shipped demo list and partial catalogue."""
    cols = st.columns(2)
    upload = cols[0].file_uploader(tr("projects.upload_projects"), type=["csv", "xlsx"], key="proj_upload")
    catalogue = cols[1].file_uploader(
        tr("projects.upload_catalogue"), type=["csv", "xlsx"], key="proj_catalogue"
    )
    if upload is None:
        demo = layer_spec("demo_projects").path
        cols[0].caption(tr("projects.demo_note"))
        projects = (demo.name, demo.read_bytes())
    else:
        projects = (upload.name, upload.getvalue())
    if catalogue is None:
        st.warning(tr("projects.partial_catalogue"))
    return Inputs(projects, None if catalogue is None else (catalogue.name, catalogue.getvalue()))


def screened_once(inputs: Inputs, plan: PlanData, store: WorkspaceStore) -> Result:
    """The screening of ``inputs``, kept in the session until the files change (a rerun re-reads nothing)."""
    kept = st.session_state.get("proj_result")
    if kept is not None and kept[0] == inputs.key:
        return kept[1]
    with tempfile.TemporaryDirectory(prefix="zgc-projects-") as scratch:
        projects_path = _saved(Path(scratch), "projects", inputs.projects)
        catalogue_path = (
            None if inputs.catalogue is None else _saved(Path(scratch), "catalogue", inputs.catalogue)
        )
        codes = industry_codes()
        catalogue = load_catalogue(catalogue_path)
        projects = read_projects(projects_path, codes)
    screened = screen_projects(
        projects, catalogue, codes, plan, load_thresholds(), plot_sites=plot_sites_in(store)
    )
    result = Result(projects, catalogue, screened, codes)
    st.session_state["proj_result"] = (inputs.key, result)
    return result


def _saved(folder: Path, stem: str, named: tuple[str, bytes]) -> Path:
    """The upload written under a name of our own (its suffix only: never a path the browser chose)."""
    suffix = Path(named[0]).suffix.lower()
    path = folder / f"{stem}{suffix if suffix in ('.csv', '.xlsx') else '.csv'}"
    path.write_bytes(named[1])
    return path


def verdict_counts(result: Result) -> None:
    """One metric per verdict and one for rows with errors."""
    counts = result.screened.table["verdict"].value_counts()
    cols = st.columns(4)
    for col, verdict in zip(cols, VERDICTS, strict=False):
        col.metric(tr(VERDICT_KEYS[verdict]), int(counts.get(verdict, 0)))
    cols[3].metric(tr("projects.rows_with_errors"), result.screened.error_count)
    st.caption(
        tr("projects.screened_against", source=result.catalogue.source, rules=len(result.catalogue.rules))
    )


def errors_listed(result: Result) -> None:
    """Every row that could not be screened, with its spreadsheet row number and why."""
    table = result.screened.table
    failed = table[table["errors"].map(len) > 0]
    if failed.empty:
        return
    lang = current_lang()
    with st.expander(tr("projects.errors_heading", count=len(failed)), expanded=True):
        for row, errors in zip(failed["row"], failed["errors"], strict=True):
            text = tr("projects.row_errors", row=row, errors=str(in_lang(joined_errors(errors), lang)))
            st.markdown("- " + escaped(text))  # the errors quote the user's cells


def worded(result: Result, plan: PlanData, lang: Lang) -> pd.DataFrame:
    """The result as the downloads write it: input columns, then the result in ``lang``."""
    return result_table(result.projects, result.screened, result.codes, plan, lang)


def filtered(result: Result, plan: PlanData) -> pd.Series:
    """The rows the user keeps (by verdict, park and industry cluster), as a boolean mask."""
    table = result.screened.table
    cols = st.columns(3)
    verdicts = chosen_from(
        cols[0], "projects.filter_verdict", {v: tr(VERDICT_KEYS[v]) for v in VERDICTS}, "proj_f_verdict"
    )
    parks = {p.park_id: str(local(p.name_zh, p.name_en)) for p in plan.parks.itertuples()}
    chosen_parks = chosen_from(cols[1], "projects.filter_park", parks, "proj_f_park")
    clusters = {c.cluster_id: str(local(c.short_zh, c.short_en)) for c in plan.clusters.itertuples()}
    chosen_clusters = chosen_from(cols[2], "projects.filter_cluster", clusters, "proj_f_cluster")
    keep = pd.Series(True, index=table.index)
    if verdicts:
        keep &= table["verdict"].isin(verdicts)
    if chosen_parks:
        keep &= table["park_id"].isin(chosen_parks)
    if chosen_clusters:
        industry = [set(f.industry_clusters) if f is not None else set() for f in table["fit"]]
        keep &= pd.Series([bool(s & set(chosen_clusters)) for s in industry], index=table.index)
    return keep


def chosen_from(column: Any, label: str, names: dict[str, str], key: str) -> list[str]:
    """The keys the user picks in a multiselect of ``names`` (key → label in the page's language)."""
    return list(
        column.multiselect(
            tr(label),
            list(names),
            format_func=names.__getitem__,
            key=key,
            placeholder=tr("common.choose_options"),
        )
    )


def site_tooltips(result: Result, table: pd.DataFrame) -> list[tuple[float, float, str, str]]:
    """(lon, lat, colour of its verdict, escaped tooltip) of every kept project that has a site."""
    screened = result.screened.table
    sites = []
    for position in table.index:
        lon, lat = screened.at[position, "lon"], screened.at[position, "lat"]
        if pd.isna(lon) or pd.isna(lat):
            continue
        row = table.loc[position]
        title = _title(result, row, position)
        rows = [(tr(LABEL_KEYS[c]), _shown(row[_header(c)])) for c in TABLE_COLUMNS[:5]]
        verdict = screened.at[position, "verdict"]
        colour = verdict_colour(verdict if isinstance(verdict, str) else None)
        sites.append((float(lon), float(lat), colour, detail_html(title, row[_header("industry")], rows)))
    return sites


def _shown(value: object) -> object:
    """A result value as the page shows it: English codes in words."""
    return EN_WORDS.get(value, value) if isinstance(value, str) else value


def _header(column: str) -> str:
    """The header of a result column in the page's language."""
    return tr(COLUMN_KEYS[column]) if current_lang() == "zh" else column


def result_table_shown(table: pd.DataFrame, result: Result) -> int | None:
    """The kept projects (input name, then the result); returns the position of a clicked row."""
    name_header = result.projects.headers.get("name")
    shown = table[[_header(c) for c in TABLE_COLUMNS]].map(_shown)
    shown.columns = [tr(LABEL_KEYS[c]) for c in TABLE_COLUMNS]
    if name_header:
        shown.insert(0, name_header, table[name_header])
    row = clicked_row(shown, "proj_table")
    return None if row is None else int(table.index[row])


def clicked_row(shown: pd.DataFrame, key: str) -> int | None:
    """``shown`` as a table one row of which may be clicked; the position of the clicked row."""
    event = st.dataframe(
        shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key=key
    )
    rows = event.selection.rows if event is not None else []
    return int(rows[0]) if rows else None


def record(result: Result, table: pd.DataFrame, position: int) -> None:
    """One project's record: every input cell, the verdict with each matched rule, fit and checks."""
    row = table.loc[position]
    st.markdown(f"**{escaped(_title(result, row, position))}**")
    verdict, scope = row[_header("verdict")] or "—", row[_header("scope")] or "—"
    st.markdown(f"{tr(LABEL_KEYS['verdict'])}: **{_shown(verdict)}** · {escaped(str(scope))}")
    st.markdown(tr("projects.record_rules"))
    st.text(row[_header("rules")] or tr("projects.record_no_rules"))
    fit, why = row[_header("cluster_fit")] or "—", row[_header("cluster_fit_reason")] or ""
    st.markdown(f"{tr(LABEL_KEYS['cluster_fit'])}: {_shown(fit)} — {escaped(str(why))}")
    checks = pd.DataFrame(
        [(_header(c), row[_header(c)]) for c in CHECK_COLUMNS],
        columns=[tr("projects.record_check"), tr("projects.record_value")],
    )
    st.dataframe(checks.astype(str), hide_index=True, width="stretch")
    with st.expander(tr("projects.record_inputs")):
        inputs = result.projects.cells.loc[position].rename(tr("projects.record_value"))
        st.dataframe(inputs.to_frame(), width="stretch")


def _title(result: Result, row: pd.Series, position: int) -> str:
    """A project's name as the list gives it, else its row number."""
    name_header = result.projects.headers.get("name")
    if name_header and str(row[name_header]).strip():
        return str(row[name_header])
    return tr("projects.row", row=result.screened.table.at[position, "row"])


def portfolio_tables(result: Result, plan: PlanData) -> None:
    """Counts, land and investment by verdict, per park and per industry cluster."""
    parks = {p.park_id: str(local(p.name_zh, p.name_en)) for p in plan.parks.itertuples()}
    parks[OUTSIDE_PARKS] = tr("projects.portfolio.outside_parks")
    clusters = {c.cluster_id: str(local(c.short_zh, c.short_en)) for c in plan.clusters.itertuples()}
    clusters[NO_CLUSTER] = tr("projects.portfolio.no_cluster")
    for by, names, heading in (
        ("park_id", parks, "projects.portfolio.by_park"),
        ("cluster_id", clusters, "projects.portfolio.by_cluster"),
    ):
        table = portfolio(result.projects, result.screened, by)
        table[by] = table[by].map(lambda k, n=names: n.get(k, k))
        st.markdown(f"**{tr(heading)}**")
        headers = {by: tr("projects.portfolio.park" if by == "park_id" else "projects.portfolio.cluster")}
        for column in table.columns[1:]:
            verdict, _, measure = column.partition("_")
            headers[column] = f"{tr(GROUP_KEYS[verdict])} · {tr(PORTFOLIO_KEYS[measure])}"
        st.dataframe(table.rename(columns=headers).round(1), hide_index=True, width="stretch")


def downloads(result: Result, plan: PlanData) -> None:
    """The whole result (every project, every column) as XLSX and CSV in the page's language."""
    lang = current_lang()
    table = worded(result, plan, lang)
    download_buttons(table, f"zgc-geo_projects_{lang}", ("projects.download_xlsx", "projects.download_csv"))


def download_buttons(table: pd.DataFrame, stem: str, labels: tuple[str, str]) -> None:
    """``table`` (already worded) as XLSX and CSV downloads named ``stem``, formula-safe."""
    lang = current_lang()
    cols = st.columns(2)
    headings = {str(c): str(c) for c in table.columns}
    xlsx = workbook_bytes([("features", table)], lang=lang, headings=headings)
    cols[0].download_button(tr(labels[0]), xlsx, f"{stem}.xlsx", XLSX_MIME, key=f"{stem}_xlsx")
    cols[1].download_button(tr(labels[1]), csv_bytes(table), f"{stem}.csv", "text/csv", key=f"{stem}_csv")
