"""The Projects page's register (项目台账): projects in the workspace, their joint review and life cycle.

Every change goes through the workspace store (audited, the signed-in person's rights checked); this
module only draws the register and its forms, and says in the page's language what the store refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Final

import pandas as pd
import streamlit as st

from zgc_geo.catalogue import load_layer
from zgc_geo.errors import (
    AccessRefusedError,
    ConcurrentEditError,
    OptionError,
    WorkspaceError,
    WorkspaceIntegrityError,
)
from zgc_geo.mapping.html_text import detail_html
from zgc_geo.mapping.projects_map import build_projects_map
from zgc_geo.plan_data import PlanData
from zgc_geo.projects.codes import industry_codes, normalise_code
from zgc_geo.projects.intensity import load_thresholds
from zgc_geo.projects.lifecycle import LATE, NORM, OVERDUE, Delay, load_norms
from zgc_geo.projects.output import VERDICT_KEYS
from zgc_geo.projects.portfolio import NO_CLUSTER, OUTSIDE_PARKS, summed
from zgc_geo.projects.register_view import (
    NOT_SIGNED,
    delays_of,
    fields_to_register,
    register_as_list,
    register_frame,
)
from zgc_geo.projects.screening import screen_projects
from zgc_geo.projects.sites import plot_sites_in
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.i18n import current_lang, local, tr
from zgc_geo.ui.integrity_banner import refused_text
from zgc_geo.ui.map_export import map_with_export
from zgc_geo.ui.markdown_text import escaped
from zgc_geo.ui.projects_panel import PORTFOLIO_KEYS, Result, chosen_from, clicked_row, download_buttons
from zgc_geo.ui.rights_view import refusal_text, session_rights
from zgc_geo.ui.sidebar import chosen_basemap
from zgc_geo.ui.workspace_access import reviewer
from zgc_geo.workspace.projects import OPINIONS, STAGES, ProjectRecord, check_fields, new_project_id
from zgc_geo.workspace.store import WorkspaceStore

#: Stage colours, not signed to full production (ColorBrewer YlGnBu, print-safe).
STAGE_COLOURS: Final = {
    NOT_SIGNED: "#bdbdbd",
    "signed": "#ffffcc",
    "land_supplied": "#c7e9b4",
    "construction_started": "#7fcdbb",
    "completed": "#41b6c4",
    "production_started": "#1d91c0",
    "full_production": "#0c2c84",
}
STAGE_KEYS: Final = {
    NOT_SIGNED: "register.stage.not_signed",
    "signed": "register.stage.signed",
    "land_supplied": "register.stage.land_supplied",
    "construction_started": "register.stage.construction_started",
    "completed": "register.stage.completed",
    "production_started": "register.stage.production_started",
    "full_production": "register.stage.full_production",
}
OPINION_KEYS: Final = {
    "approve": "register.opinion.approve",
    "approve_with_conditions": "register.opinion.approve_with_conditions",
    "reject": "register.opinion.reject",
}
#: The fields the record's form edits, with their labels.
FIELD_KEYS: Final = {
    "name": "register.col.name",
    "enterprise": "register.col.enterprise",
    "industry_code": "register.field.industry_code",
    "park_id": "register.field.park_id",
    "cluster_id": "register.field.cluster_id",
    "inventory": "register.field.inventory",
    "plot_id": "register.field.plot_id",
    "lon": "register.field.lon",
    "lat": "register.field.lat",
    "land_area_mu": "register.col.land",
    "investment_wan": "register.col.investment",
    "jobs": "register.field.jobs",
    "output_wan": "register.field.output_wan",
    "tax_wan": "register.field.tax_wan",
    "far": "register.field.far",
}
DELAY_KEYS: Final = {
    OVERDUE: "register.delay.overdue",
    LATE: "register.delay.late",
    NORM: "register.delay.norm",
}
FLASH: Final = "register_flash"
REFUSED: Final = "register_refused"


def register_section(store: WorkspaceStore, plan: PlanData, screening: Result) -> None:
    """The register: add the screened projects, filter, map by stage, a project's record, sums, downloads."""
    lang = current_lang()
    if (flash := st.session_state.pop(FLASH, None)) is not None:
        st.success(flash)
    for refusal in st.session_state.pop(REFUSED, []):
        st.error(refusal)
    may_edit = session_rights(store).role in ("admin", "editor")
    records = store.projects()
    if may_edit:
        _add_screened(store, screening, records)
    if not records:
        st.info(tr("register.empty"))
        return
    found = delays_of(records, load_norms(), dt.date.today())
    frame = register_frame(records, found)
    listed = register_as_list(records, screening.codes)
    screened = screen_projects(
        listed, screening.catalogue, screening.codes, plan, load_thresholds(), plot_sites=plot_sites_in(store)
    )
    frame["verdict"] = screened.table["verdict"].to_numpy()
    frame["industry"] = [screening.codes.label(c, lang) if c else "" for c in frame["industry_code"]]
    kept = frame[_filtered(frame, plan)]
    map_with_export(
        lambda: build_projects_map(
            plan.parks,
            plan.districts,
            load_layer("catalogue_zones"),
            _sites(kept),
            legend=_stage_legend(),
            legend_title=tr("register.map_legend"),
            basemap=chosen_basemap(),
            lang=lang,
        ),
        map_key="register_map",
        export_key="register_export",
        title=tr("register.export_title"),
        subtitle=tr("register.export_subtitle"),
    )
    chosen = _table(kept, plan)
    if chosen is not None:
        record = next(r for r in records if r.project_id == chosen)
        _record(
            store,
            record,
            frame.set_index("project_id").loc[chosen],
            screened.rules[frame.index[frame["project_id"] == chosen][0]],
            may_edit,
        )
    st.markdown(f"**{tr('register.portfolio_heading')}**")
    _portfolio(frame, plan)
    _downloads(frame)


def _add_screened(store: WorkspaceStore, screening: Result, records: list[ProjectRecord]) -> None:
    """A button registering the screened projects of the list that are not in the register yet (the same
    name, enterprise, industry and site); rows with errors are left out."""
    table = screening.screened.table
    registered = {_identity(r.fields) for r in records}
    new = []
    for position in table.index:
        if table.at[position, "verdict"] is None or table.at[position, "errors"]:
            continue
        fields = fields_to_register(screening.projects, screening.screened, position)
        if _identity(check_fields(fields)) not in registered:
            new.append(fields)
    if not new or not st.button(tr("register.add_screened", count=len(new)), key="register_add"):
        return
    user, added, refused = reviewer(), 0, []
    note = tr("register.added_note", source=screening.projects.source)
    for fields in new:
        try:
            store.save_project(new_project_id(), fields, expected_version=0, user=user, note=note)
            added += 1
        except AccessRefusedError as exc:
            refused.append(refusal_text(exc))
    st.session_state[FLASH] = tr("register.added", count=added)
    st.session_state[REFUSED] = refused
    st.rerun()


def _identity(fields: Mapping[str, str | None]) -> tuple[str | None, ...]:
    """What makes two register entries the same project: name, enterprise, industry and site."""
    return tuple(
        fields.get(name) for name in ("name", "enterprise", "industry_code", "lon", "lat", "plot_id")
    )


def _filtered(frame: pd.DataFrame, plan: PlanData) -> pd.Series:
    """The register rows the user keeps: by park, cluster and stage, and only the delayed ones."""
    cols = st.columns(4)
    parks = {p.park_id: str(local(p.name_zh, p.name_en)) for p in plan.parks.itertuples()}
    clusters = {c.cluster_id: str(local(c.short_zh, c.short_en)) for c in plan.clusters.itertuples()}
    chosen_parks = chosen_from(cols[0], "register.filter_park", parks, "register_f_park")
    chosen_clusters = chosen_from(cols[1], "register.filter_cluster", clusters, "register_f_cluster")
    chosen_stages = chosen_from(
        cols[2], "register.filter_stage", {s: tr(k) for s, k in STAGE_KEYS.items()}, "register_f_stage"
    )
    delayed_only = cols[3].checkbox(tr("register.filter_delayed"), key="register_f_delayed")
    keep = pd.Series(True, index=frame.index)
    for values, column in (
        (chosen_parks, "park_id"),
        (chosen_clusters, "cluster_id"),
        (chosen_stages, "stage"),
    ):
        if values:
            keep &= frame[column].isin(values)
    if delayed_only:
        keep &= frame["delayed"]
    return keep


def _stage_legend() -> list[tuple[str, str]]:
    return [(colour, tr(STAGE_KEYS[stage])) for stage, colour in STAGE_COLOURS.items()]


def _sites(frame: pd.DataFrame) -> list[tuple[float, float, str, str]]:
    """Each kept project with a site: coloured by its stage, its tooltip escaped."""
    sites = []
    for row in frame.itertuples(index=False):
        if pd.isna(row.lon) or pd.isna(row.lat):
            continue
        rows = [
            (tr("register.col.stage"), tr(STAGE_KEYS[row.stage])),
            (tr("register.col.industry"), row.industry),
            (tr("register.col.delays"), _delays_text(row.delays)),
        ]
        tooltip = detail_html(row.name or row.project_id, row.enterprise, rows)
        sites.append((float(row.lon), float(row.lat), STAGE_COLOURS[row.stage], tooltip))
    return sites


def _delays_text(found: list[Delay]) -> str:
    return "；".join(
        tr(DELAY_KEYS[d.kind], stage=tr(STAGE_KEYS[d.stage]), days=d.days, basis=d.basis) for d in found
    ) if found else "—"  # fmt: skip


def _table(frame: pd.DataFrame, plan: PlanData) -> str | None:
    """The kept projects as a table; the id of a clicked row."""
    parks = {p.park_id: str(local(p.name_zh, p.name_en)) for p in plan.parks.itertuples()}
    shown = pd.DataFrame(
        {
            tr("register.col.name"): frame["name"],
            tr("register.col.enterprise"): frame["enterprise"],
            tr("register.col.industry"): frame["industry"],
            tr("register.col.park"): frame["park_id"].map(lambda p: parks.get(p, "—")),
            tr("register.col.stage"): frame["stage"].map(lambda s: tr(STAGE_KEYS[s])),
            tr("register.col.delays"): frame["delays"].map(_delays_text),
            tr("register.col.land"): frame["land_area_mu"],
            tr("register.col.investment"): frame["investment_wan"],
        }
    )
    st.markdown(f"**{tr('register.table_heading', count=len(frame))}**")
    row = clicked_row(shown, "register_table")
    return None if row is None else str(frame["project_id"].iloc[row])


def _record(
    store: WorkspaceStore, record: ProjectRecord, row: pd.Series, rules: pd.DataFrame, may_edit: bool
) -> None:
    """A project's record: fields, the catalogue's verdict, the review opinions and the timeline."""
    st.markdown(f"**{escaped(record.value('name') or record.project_id)}** · {escaped(record.project_id)}")
    verdict = row["verdict"] if isinstance(row["verdict"], str) else None
    shown = tr(VERDICT_KEYS[verdict]) if verdict in VERDICT_KEYS else tr("register.not_screened")
    st.markdown(tr("register.verdict_line", verdict=shown))
    for rule in rules.itertuples(index=False):
        st.text(f"{rule.measure} · {rule.clause} · {rule.scope} · {rule.condition or '—'}")
    departments = load_layer("project_review_departments").set_index("department_id")
    names = {d: str(local(r.name_zh, r.name_en)) for d, r in departments.iterrows()}
    reviews = pd.DataFrame(
        [
            (names.get(d, d), r.date, tr(OPINION_KEYS[r.opinion]), r.conditions, r.recorded_by)
            for d, r in record.reviews.items()
        ],
        columns=[tr("register.col.department"), tr("register.col.date"), tr("register.col.opinion"),
                 tr("register.col.conditions"), tr("register.col.recorded_by")],
    )  # fmt: skip
    st.markdown(f"**{tr('register.reviews_heading')}**")
    st.dataframe(reviews, hide_index=True, width="stretch")
    timeline = pd.DataFrame(
        [(tr(STAGE_KEYS[s]), row[f"{s}_planned"] or "—", row[f"{s}_actual"] or "—") for s in STAGES],
        columns=[tr("register.col.stage"), tr("register.col.planned"), tr("register.col.actual")],
    )
    st.markdown(f"**{tr('register.timeline_heading')}**")
    st.dataframe(timeline, hide_index=True, width="stretch")
    st.caption(tr("register.delays_line", delays=_delays_text(row["delays"])))
    if may_edit:
        _fields_form(store, record)
        _review_form(store, record, departments)
        _stage_form(store, record)


def _fields_form(store: WorkspaceStore, record: ProjectRecord) -> None:
    """The project's own fields, each editable; only what changed is written (one audit row per field)."""
    with st.form(f"register_fields_{record.project_id}"):
        st.markdown(f"**{tr('register.fields_form')}**")
        cols = st.columns(3)
        values = {
            name: cols[i % 3].text_input(
                tr(key), value=record.value(name) or "", key=f"register_{name}_{record.project_id}"
            )
            for i, (name, key) in enumerate(FIELD_KEYS.items())
        }
        st.caption(tr("register.fields_help"))
        if st.form_submit_button(tr("register.save_fields")):
            problem = _field_problem(values)
            if problem:
                st.error(problem)
                return
            _saved(
                lambda: store.save_project(
                    record.project_id, values, expected_version=record.version, user=reviewer()
                ),
                tr("register.fields_saved"),
            )


def _field_problem(values: dict[str, str]) -> str | None:
    """Why the typed fields cannot be saved (an unknown park, cluster or industry code), or None."""
    plan = cached_plan()
    code = values.get("industry_code", "").strip()
    if code and (normalise_code(code) is None or not industry_codes().known(str(normalise_code(code)))):
        return tr("register.bad_code", code=code)
    for name, known in (("park_id", plan.parks["park_id"]), ("cluster_id", plan.clusters["cluster_id"])):
        value = values.get(name, "").strip()
        if value and value not in set(known):
            return tr("register.bad_id", value=value, valid=", ".join(known))
    if code:
        values["industry_code"] = str(normalise_code(code))
    return None


def _review_form(store: WorkspaceStore, record: ProjectRecord, departments: pd.DataFrame) -> None:
    with st.form(f"register_review_{record.project_id}"):
        st.markdown(f"**{tr('register.review_form')}**")
        cols = st.columns(3)
        names = {d: str(local(r.name_zh, r.name_en)) for d, r in departments.iterrows()}
        department = cols[0].selectbox(
            tr("register.col.department"), list(names), format_func=names.__getitem__
        )
        date = cols[1].date_input(tr("register.col.date"), value=dt.date.today())
        opinion = cols[2].selectbox(
            tr("register.col.opinion"), list(OPINIONS), format_func=lambda o: tr(OPINION_KEYS[o])
        )
        conditions = st.text_input(tr("register.col.conditions"))
        if st.form_submit_button(tr("register.save_review")):
            _saved(lambda: store.record_review(
                record.project_id, str(department), date=date.isoformat(), opinion=str(opinion),
                conditions=conditions, expected_version=record.version, user=reviewer(),
            ), tr("register.review_saved"))  # fmt: skip


def _stage_form(store: WorkspaceStore, record: ProjectRecord) -> None:
    with st.form(f"register_stage_{record.project_id}"):
        st.markdown(f"**{tr('register.stage_form')}**")
        cols = st.columns(3)
        stage = cols[0].selectbox(
            tr("register.col.stage"), list(STAGES), format_func=lambda s: tr(STAGE_KEYS[s])
        )
        planned = cols[1].text_input(tr("register.col.planned"), placeholder="YYYY-MM-DD")
        actual = cols[2].text_input(tr("register.col.actual"), placeholder="YYYY-MM-DD")
        st.caption(tr("register.stage_help"))
        if st.form_submit_button(tr("register.save_stage")):
            old = record.stages.get(str(stage))
            kept_planned = planned or (old.planned if old else None)
            kept_actual = actual or (old.actual if old else None)
            _saved(
                lambda: store.record_stage(
                    record.project_id,
                    str(stage),
                    planned=kept_planned,
                    actual=kept_actual,
                    expected_version=record.version,
                    user=reviewer(),
                ),
                tr("register.stage_saved"),
            )


def _saved(change: Callable[[], object], done: str) -> None:
    """Run one change of the register; say what the store refused, in the page's language, and why."""
    try:
        change()
    except AccessRefusedError as exc:
        st.error(refusal_text(exc))
        return
    except WorkspaceIntegrityError as exc:
        st.error(refused_text(exc))
        return
    except (ConcurrentEditError, OptionError, WorkspaceError) as exc:
        st.error(str(exc))
        return
    st.session_state[FLASH] = done
    st.rerun()


def _portfolio(frame: pd.DataFrame, plan: PlanData) -> None:
    """Counts, land and investment by stage, per park and per cluster."""
    table = frame.assign(clusters=[[c] if c else [] for c in frame["cluster_id"]])
    parks = {p.park_id: str(local(p.name_zh, p.name_en)) for p in plan.parks.itertuples()} | {
        OUTSIDE_PARKS: tr("projects.portfolio.outside_parks")
    }
    clusters = {c.cluster_id: str(local(c.short_zh, c.short_en)) for c in plan.clusters.itertuples()} | {
        NO_CLUSTER: tr("projects.portfolio.no_cluster")
    }
    stages = [NOT_SIGNED, *STAGES]
    for by, names in (("park_id", parks), ("cluster_id", clusters)):
        sums = summed(table.replace({"park_id": {"": None}}), by, "stage", stages)
        sums[by] = sums[by].map(lambda k, n=names: n.get(k, k))
        headers = {by: tr("projects.portfolio.park" if by == "park_id" else "projects.portfolio.cluster")}
        for column in sums.columns[1:]:
            group = next(s for s in [*stages, "total"] if column.startswith(f"{s}_"))
            measure = column.removeprefix(f"{group}_")
            label = tr("projects.portfolio.total") if group == "total" else tr(STAGE_KEYS[group])
            headers[column] = f"{label} · {tr(PORTFOLIO_KEYS[measure])}"
        st.dataframe(sums.rename(columns=headers).round(1), hide_index=True, width="stretch")


def _downloads(frame: pd.DataFrame) -> None:
    """The whole register (every project, every stage's dates, delays and opinions) as XLSX and CSV."""
    lang = current_lang()
    table = frame.drop(columns=["delays", "reviews", "delayed"]).assign(
        delays=frame["delays"].map(_delays_text),
        reviews=["；".join(f"{d}: {r.opinion} {r.date} {r.conditions}".strip() for d, r in reviews.items())
                 for reviews in frame["reviews"]],
    )  # fmt: skip
    download_buttons(
        table, f"zgc-geo_project_register_{lang}", ("register.download_xlsx", "register.download_csv")
    )
