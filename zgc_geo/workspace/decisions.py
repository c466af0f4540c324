"""Decision and audit rows as every backend writes them: one place for what a change records.

The backends differ in how they lock, store geometry and mark SQL parameters; what a
decision, an undo, an import or an acknowledgement writes into the log is decided here, so
that a workspace copied from one backend to the other replays and verifies the same.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from zgc_geo.errors import AccessRefusedError, ConcurrentEditError
from zgc_geo.workspace.store import (
    AUDIT_EXPORT_COLUMNS,
    DECISION_COLUMNS,
    DEFAULT_REVIEW_STATUS,
    WORKSPACE_SCOPE,
    Decision,
    IntegrityReport,
    conflict_message,
    describe,
    utc_now,
)

#: The zgc_decisions columns a Decision is built from, after inventory and plot_id.
DECISION_SQL: Final = "review_status, note, mode, version, updated_at, updated_by"
#: The zgc_decisions column behind each of DECISION_COLUMNS.
_DECISION_SOURCES: Final = ("review_status", "note", "mode", "version", "updated_by", "updated_at")
#: The caller's latest decision not yet undone; ``{mark}`` is the backend's parameter marker.
LAST_UNDONE_SQL: Final = (
    "SELECT change_id, plot_id, version, time FROM zgc_audit AS a "
    'WHERE inventory = {mark} AND "user" = {mark} '
    "AND action = 'decide' AND NOT EXISTS (SELECT 1 FROM zgc_audit AS u WHERE u.reverts = a.change_id) "
    "ORDER BY audit_id DESC LIMIT 1"
)


def check_expected(current: Decision, expected_version: int | None) -> None:
    """Refuse a change made against a version the plot is no longer at (None: any version)."""
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(conflict_message(current, expected_version))


def changed_fields(current: Decision, wanted: Mapping[str, str | None]) -> dict[str, str | None]:
    """The fields of ``wanted`` whose value differs from the current decision."""
    return {field: value for field, value in wanted.items() if getattr(current, field) != value}


def new_decision(
    current: Decision,
    changed: Mapping[str, str | None],
    *,
    user: str,
    note: str,
    action: str,
    reverts: str | None = None,
) -> tuple[Decision, list[tuple[Any, ...]]]:
    """The decision after ``changed`` (version + 1) and its audit rows (one per field, one change id)."""
    values = {"review_status": current.review_status, "note": current.note, "mode": current.mode}
    values |= changed
    new = Decision(
        current.inventory, current.plot_id, str(values["review_status"]), values["note"], values["mode"],
        current.version + 1, utc_now(), user,
    )  # fmt: skip
    change_id = uuid.uuid4().hex
    rows = [
        (change_id, new.updated_at, user, new.inventory, new.plot_id, field, getattr(current, field), value,
         note, action, new.version, reverts)
        for field, value in changed.items()
    ]  # fmt: skip
    return new, rows


def decision_values(decision: Decision) -> tuple[Any, ...]:
    """The row of zgc_decisions for ``decision``: inventory, plot_id, then :data:`DECISION_SQL`."""
    return (decision.inventory, decision.plot_id, decision.review_status, decision.note, decision.mode,
            decision.version, decision.updated_at, decision.updated_by)  # fmt: skip


def undo_conflict(current: Decision, name: str, plot_id: str, time: str) -> ConcurrentEditError:
    """Why an undo was refused: someone changed the plot after the change being undone."""
    return ConcurrentEditError(
        f"cannot undo your change of {time} to plot {plot_id!r} of inventory {name!r}: "
        f"{current.updated_by} changed the plot after it, at {current.updated_at} (now version "
        f"{current.version}). It is now: {describe(current)}. Nothing was undone: reload the "
        "plot and change it by hand."
    )


def inventory_row(
    name: str, user: str, at: str, note: str, *, old_count: int | None, count: int
) -> tuple[Any, ...]:
    """The audit row (without id) of importing or replacing inventory ``name``."""
    action, before = ("import", None) if old_count is None else ("replace", f"{old_count} plots")
    return (uuid.uuid4().hex, at, user, name, None, None, before, f"{count} plots", note, action, None, None)


def acknowledge_row(report: IntegrityReport, user: str, note: str) -> tuple[Any, ...]:
    """The audit row (without id) in which an admin acknowledges the open findings of ``report``."""
    keys = sorted(f.key for f in report.unacknowledged)
    summary = f"acknowledged {len(keys)} finding(s): " + "; ".join(
        f.message for f in report.unacknowledged[:3]
    )
    text = f"{note.strip()} — {summary}" if note.strip() else summary
    return (uuid.uuid4().hex, utc_now(), user, WORKSPACE_SCOPE, None, "verification", None,
            json.dumps(keys), text, "acknowledge", None, None)  # fmt: skip


def copy_row(source: str, user: str, rows: int, creator: str | None = None) -> tuple[Any, ...]:
    """The audit row (without id) recording that the log above it was copied from ``source``.

    It names the original's creator (``created_by``): the log counts them an admin, as the
    original did, unless a grant row of the log says otherwise.
    """
    note = f"copied from {source}: {rows} audit row(s) with their hashes, decisions, inventories and roles"
    field_name = None if creator is None else "created_by"
    return (uuid.uuid4().hex, utc_now(), user, WORKSPACE_SCOPE, None, field_name, None, creator, note, "copy",
            None, None)  # fmt: skip


def grant_row(user: str, before: str | None, after: str | None, by: str) -> tuple[Any, ...]:
    """The audit row (without id) of ``by`` granting ``user`` the role ``after`` (None: revoking it)."""
    action = "revoke" if after is None else "grant"
    return (uuid.uuid4().hex, utc_now(), by, WORKSPACE_SCOPE, None, f"role:{user}", before, after, "",
            action, None, None)  # fmt: skip


def refusal_row(refusal: AccessRefusedError) -> tuple[Any, ...]:
    """The audit row (without id) of a change refused for want of a right (it changes nothing)."""
    return (uuid.uuid4().hex, utc_now(), refusal.user, refusal.inventory or WORKSPACE_SCOPE,
            refusal.plot_id, f"right:{refusal.right}", refusal.held, refusal.action, str(refusal), "refuse",
            None, None)  # fmt: skip


def with_decisions(plots: gpd.GeoDataFrame, decided: Sequence[Sequence[Any]]) -> gpd.GeoDataFrame:
    """``plots`` with the :data:`DECISION_COLUMNS` joined from rows of (plot_id, DECISION_SQL...).

    A left join by plot id that touches only the decided plots: the plot ids are matched in their
    own (Arrow) array, never turned into a million Python strings, and the columns start empty.
    """
    decisions = pd.DataFrame(decided, columns=["plot_id", *DECISION_SQL.split(", ")], dtype=object)
    ids = plots["plot_id"]
    decided_rows = np.flatnonzero(ids.isin(decisions["plot_id"]).to_numpy(dtype=bool))
    # plot ids are unique in zgc_decisions, so each decided plot has one row there
    rows = pd.Index(decisions["plot_id"]).get_indexer(ids.iloc[decided_rows].tolist())
    plots = plots.copy(deep=False)  # copy-on-write: the caller's columns are shared, never changed
    geometry = plots.pop(plots.geometry.name)
    for column, source in zip(DECISION_COLUMNS, _DECISION_SOURCES, strict=True):
        cells = np.full(len(plots), None, dtype=object)
        cells[decided_rows] = decisions[source].to_numpy()[rows]
        if source == "version":
            plots[column] = np.where(pd.isna(cells), 0, cells).astype("int64")
        else:
            if source == "review_status":
                cells[pd.isna(cells)] = DEFAULT_REVIEW_STATUS
            plots[column] = pd.array(cells, dtype="string")
    return gpd.GeoDataFrame(plots, geometry=geometry)


def audit_frame(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """Audit rows (AUDIT_EXPORT_COLUMNS) as the typed frame :meth:`audit_log` returns."""
    frame = pd.DataFrame(list(rows), columns=list(AUDIT_EXPORT_COLUMNS), dtype=object)
    return frame.astype(
        dict.fromkeys(AUDIT_EXPORT_COLUMNS, "string") | {"audit_id": "int64", "version": "Int64"}
    )


def sealed_rows(audit: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The rows of an audit frame as plain Python values (None for missing), for inserting as they are."""
    plain = audit[list(AUDIT_EXPORT_COLUMNS)].astype(object)
    plain = plain.where(plain.notna(), None)
    return [
        tuple(
            int(v) if c in ("audit_id", "version") and v is not None else v
            for c, v in zip(AUDIT_EXPORT_COLUMNS, row, strict=True)
        )
        for row in plain.itertuples(index=False, name=None)
    ]


#: Orphaned plot ids named in the audit note of a replace.
SHOWN_ORPHANS: Final = 10


def kept_and_orphaned(decided: Sequence[Any], plot_ids: pd.Series) -> str:
    """How many stored decisions (of ``decided`` plot ids) keep their plot after a replace, in words."""
    if not len(decided):
        return ""
    decided_ids = pd.Series(list(decided), dtype=object)
    orphaned = sorted(decided_ids[~decided_ids.isin(plot_ids)])
    shown = ", ".join(orphaned[:SHOWN_ORPHANS]) + (" …" if len(orphaned) > SHOWN_ORPHANS else "")
    return (
        f"; kept the decisions of {len(decided_ids) - len(orphaned)} plot(s); {len(orphaned)} orphaned "
        f"(plot no longer in the inventory{': ' + shown if shown else ''})"
    )
