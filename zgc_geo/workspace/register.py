"""The project register's reads and audited writes, shared by both backends (see :mod:`.projects`).

Every write follows the decisions' order of checks: the project exists (or is being created),
the writer may edit its park (before and after a move; refusals are logged), the chain is locked,
the workspace is intact, the project is still at the version the caller loaded. Recording that a
project reached 投产 also marks its workspace plot 已盘活, in the same transaction, as a decision
of its own (so the plot's history says why).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from zgc_geo.errors import PLAN_ACTUALS, OptionError
from zgc_geo.workspace import integrity
from zgc_geo.workspace.audited import AuditedStore
from zgc_geo.workspace.plan_actuals import ACTION, actual_key, actual_rows, replay_actuals
from zgc_geo.workspace.projects import (
    PRODUCTION,
    PROJECT_SCOPE,
    STAGE_ZH,
    ProjectRecord,
    StageDates,
    check_date,
    check_fields,
    check_project_id,
    check_version,
    field_rows,
    no_such_project,
    replay_projects,
    review_row,
    stage_row,
)
from zgc_geo.workspace.rights import OUTSIDE, HeldGrant, admin_refusal, edit_refusal
from zgc_geo.workspace.store import AUDIT_EXPORT_COLUMNS, check_user

_COLUMNS_SQL = ", ".join(f'"{c}"' for c in AUDIT_EXPORT_COLUMNS)
#: The review status a plot gets when its project reaches production.
REVITALISED = "revitalised"


class RegisterStore(AuditedStore):
    """:class:`AuditedStore` with the project register (create and change projects, record the joint
    review's opinions and the life cycle's dates) and the plan's yearly actual values, each audited and
    checked against the writer's rights."""

    def plan_actuals(self) -> pd.DataFrame:
        """The plan's actual values (:data:`~zgc_geo.workspace.plan_actuals.COLUMNS`), zone and parks."""
        with self._reading() as conn:
            return self._actuals(conn)

    def record_actuals(self, values: pd.DataFrame, *, user: str) -> int:
        """Set ``values`` (``indicator_id``, ``year``, ``value``, ``park_id`` (empty: the zone), ``source``)
        in one transaction; zone-wide values need an admin, a park's values an editor of the park. Returns
        how many changed (an unchanged value writes nothing)."""
        user = check_user(user)
        parks = [p if isinstance(p, str) and p else None for p in values["park_id"]]
        with self._write() as conn:
            held = self._log(conn).user_grant(user)
            if None in parks:
                self._check(
                    conn, admin_refusal(held.effective, "record zone-wide actual values", PLAN_ACTUALS)
                )
            for park in sorted({p for p in parks if p is not None}):
                indicator = values["indicator_id"].iloc[parks.index(park)]
                key = actual_key(str(indicator), park)
                self._check(conn, edit_refusal(held.effective, ACTION, PLAN_ACTUALS, key, park))
            self._lock_chain(conn)
            integrity.guard_write(self._log(conn), self._key, held=held)
            rows = actual_rows(values, self._actuals(conn), user=user)
            if rows:
                self._audit(conn, rows)
            return len(rows)

    def _actuals(self, conn: Any) -> pd.DataFrame:
        rows = conn.execute(
            f"SELECT {_COLUMNS_SQL} FROM zgc_audit WHERE inventory = {self._mark} ORDER BY audit_id",
            [PLAN_ACTUALS],
        ).fetchall()
        return replay_actuals(rows)

    def projects(self) -> list[ProjectRecord]:
        """Every project of the register, by id."""
        with self._reading() as conn:
            return list(self._replayed(conn).values())

    def project(self, project_id: str) -> ProjectRecord:
        """One project; raises when the register has no such id."""
        with self._reading() as conn:
            found = self._replayed(conn, check_project_id(project_id)).get(project_id)
        if found is None:
            raise no_such_project(project_id)
        return found

    def save_project(
        self,
        project_id: str,
        changes: Mapping[str, object],
        *,
        expected_version: int | None,
        user: str,
        note: str = "",
    ) -> ProjectRecord:
        """Create the project (``expected_version`` 0) or change its fields; one row per changed field."""
        project_id, user, wanted = check_project_id(project_id), check_user(user), check_fields(changes)
        with self._write() as conn:
            current = self._current(conn, project_id)
            moved_to = wanted.get("park_id", current.park_id)
            parks = {moved_to} if current.version == 0 else {current.park_id, moved_to}
            self._may_edit(conn, user, "project", project_id, parks)
            check_version(current, expected_version)
            return self._written(conn, project_id, field_rows(current, wanted, user=user, note=note))

    def record_review(
        self,
        project_id: str,
        department: str,
        *,
        date: str,
        opinion: str,
        conditions: str = "",
        expected_version: int | None,
        user: str,
        note: str = "",
    ) -> ProjectRecord:
        """Record (or replace) ``department``'s opinion in the joint review of the project."""
        project_id, user = check_project_id(project_id), check_user(user)
        day = check_date(date, "review date")
        if day is None or not department.strip():
            raise OptionError("a review needs its department and its date (YYYY-MM-DD)")
        with self._write() as conn:
            current = self._existing(conn, project_id)
            self._may_edit(conn, user, "review", project_id, {current.park_id})
            check_version(current, expected_version)
            rows = review_row(current, department.strip(), date=day, opinion=opinion,
                              conditions=conditions.strip(), user=user, note=note)  # fmt: skip
            return self._written(conn, project_id, rows)

    def record_stage(
        self,
        project_id: str,
        stage: str,
        *,
        planned: str | None,
        actual: str | None,
        expected_version: int | None,
        user: str,
        note: str = "",
    ) -> ProjectRecord:
        """Record a stage's planned and actual dates; reaching 投产 marks the project's plot 已盘活."""
        project_id, user = check_project_id(project_id), check_user(user)
        dates = StageDates(check_date(planned, f"{stage} planned"), check_date(actual, f"{stage} actual"))
        with self._write() as conn:
            current = self._existing(conn, project_id)
            held = self._may_edit(conn, user, "stage", project_id, {current.park_id})
            plot = self._plot_to_revitalise(conn, held, current, stage, dates)
            check_version(current, expected_version)
            new = self._written(conn, project_id, stage_row(current, stage, dates, user=user, note=note))
            if plot is not None and new.version != current.version:
                inventory, plot_id = plot
                decision = self._decision(conn, inventory, plot_id)
                if decision.review_status != REVITALISED:
                    why = (
                        f"project {project_id} reached {STAGE_ZH[PRODUCTION]} (production) on {dates.actual}"
                    )
                    self._apply(conn, decision, {"review_status": REVITALISED}, user=user, note=why,
                                action="decide")  # fmt: skip
            return new

    def _replayed(self, conn: Any, project_id: str | None = None) -> dict[str, ProjectRecord]:
        where, params = f"inventory = {self._mark}", [PROJECT_SCOPE]
        if project_id is not None:
            where, params = where + f" AND plot_id = {self._mark}", [*params, project_id]
        rows = conn.execute(
            f"SELECT {_COLUMNS_SQL} FROM zgc_audit WHERE {where} ORDER BY audit_id", params
        ).fetchall()
        return replay_projects(rows)

    def _current(self, conn: Any, project_id: str) -> ProjectRecord:
        return self._replayed(conn, project_id).get(project_id, ProjectRecord(project_id))

    def _existing(self, conn: Any, project_id: str) -> ProjectRecord:
        current = self._current(conn, project_id)
        if current.version == 0:
            raise no_such_project(project_id)
        return current

    def _may_edit(
        self, conn: Any, user: str, action: str, project_id: str, parks: set[str | None]
    ) -> HeldGrant:
        """Refuse (logged) unless ``user`` may edit every one of ``parks``; lock the chain; guard the log.
        Returns what the log grants ``user``, for further checks in the same transaction."""
        held = self._log(conn).user_grant(user)
        for park in sorted({p or OUTSIDE for p in parks}):
            self._check(conn, edit_refusal(held.effective, action, PROJECT_SCOPE, project_id, park))
        self._lock_chain(conn)
        integrity.guard_write(self._log(conn), self._key, held=held)
        return held

    def _plot_to_revitalise(
        self, conn: Any, held: HeldGrant, current: ProjectRecord, stage: str, dates: StageDates
    ) -> tuple[str, str] | None:
        """The project's workspace plot when this change records production, checked before anything is
        written (the plot exists, the writer may decide it); None when there is nothing to mark."""
        inventory, plot_id = current.value("inventory"), current.value("plot_id")
        if stage != PRODUCTION or dates.actual is None or not inventory or not plot_id:
            return None
        park = self._require_plot(conn, inventory, plot_id)
        self._check(conn, edit_refusal(held.effective, "decide", inventory, plot_id, park))
        return inventory, plot_id

    def _written(self, conn: Any, project_id: str, rows: list[tuple[Any, ...]]) -> ProjectRecord:
        """Audit ``rows`` (none: nothing changed) and return the project as it now stands."""
        if rows:
            self._audit(conn, rows)
        return self._current(conn, project_id)
