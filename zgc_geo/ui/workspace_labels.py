"""How workspace values are named on the pages: review statuses, audit actions, verification findings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from zgc_geo.export.labels import TEXT_KEYS
from zgc_geo.stock.redevelopment import load_redevelopment_rules
from zgc_geo.ui.code_labels import beijing_time, for_display, names_of
from zgc_geo.ui.i18n import local, tr
from zgc_geo.ui.rights_view import role_text
from zgc_geo.workspace import REVIEW_STATUSES
from zgc_geo.workspace.audit_chain import Finding

#: Audit actions (``WorkspaceStore.audit_log`` column ``action``) as the pages and workbooks name them.
AUDIT_ACTION_LABELS: Final = TEXT_KEYS["action"]
#: A verification finding's sentence (``Finding.template``) in the translation table.
FINDING_TEXTS: Final = {
    "audit_row": "integrity.finding.audit_row",
    "audit_gap": "integrity.finding.audit_gap",
    "audit_tail_missing": "integrity.finding.audit_tail_missing",
    "audit_head_behind": "integrity.finding.audit_head_behind",
    "decision_changed": "integrity.finding.decision_changed",
    "decision_unlogged": "integrity.finding.decision_unlogged",
    "decision_deleted": "integrity.finding.decision_deleted",
    "grant_changed": "integrity.finding.grant_changed",
}


def status_labels() -> dict[str, str]:
    """Review status → its name in the session's language."""
    return {key: str(local(label.zh, label.en)) for key, label in REVIEW_STATUSES.items()}


def finding_text(finding: Finding) -> str:
    """A verification finding in the session's language (the store's English for an unknown one)."""
    key = FINDING_TEXTS.get(finding.template)
    if key is None:
        return finding.message
    values: dict[str, Any] = dict(finding.values)
    if "action" in values:
        values["action"] = (
            tr(AUDIT_ACTION_LABELS[values["action"]])
            if values["action"] in AUDIT_ACTION_LABELS
            else values["action"]
        )
    for side in ("stored", "logged"):
        if side in values:
            values[side] = (
                role_text(values[side])
                if finding.template == "grant_changed"
                else _decision_state(values[side])
            )
    return tr(key, **values)


def _decision_state(state: tuple[Any, ...] | None) -> str:
    """A decision's values (status, note, mode, version, by, at) as a short phrase."""
    if state is None:
        return "—"
    status, note, mode, version, at, by = state
    modes: Mapping[str, Any] = load_redevelopment_rules().labels
    mode_name = str(local(*modes[mode])) if mode in modes else (mode or "—")
    return tr(
        "integrity.decision_state",
        status=status_labels().get(status, status),
        note=note or "—",
        mode=mode_name,
        version=version,
        by=by,
        at=at,
    )


#: The decision fields of audit rows, as people name them.
FIELD_LABELS: Final = {
    "review_status": "stock.review_status",
    "note": "stock.col.note",
    "mode": "stock.chosen_mode",
}


#: An import's or replacement's value in the log (``"300 plots"``, written by the store in English).
PLOT_COUNT: Final = re.compile(r"(\d+) plots")
#: Audit field of a grant or revoke: ``role:<user>``; its values are grant summaries (``editor:haidian``).
ROLE_FIELD: Final = "role:"


def field_text(field: str) -> str:
    """An audit row's field as people name it: 审查状态, 备注, "bob 的角色" …"""
    if field.startswith(ROLE_FIELD):
        return tr("stock.field.role", user=field.removeprefix(ROLE_FIELD))
    key = FIELD_LABELS.get(field)
    return tr(key) if key else field


def audit_for_people(log: pd.DataFrame) -> pd.DataFrame:
    """The audit rows with names instead of codes: actions, fields, statuses and modes in the page's
    language, Beijing time, and an undo's note saying which change it reverted by its time."""
    log = log.astype(object).where(log.notna(), None)  # pd.NA has no truth value: plain None instead
    shown = log.copy()
    actions = {a: tr(k) for a, k in AUDIT_ACTION_LABELS.items()}
    statuses, modes = names_of("status"), names_of("mode")  # cached vocabularies, as every table's
    times = dict(zip(log["change_id"], log["time"], strict=False))

    def value(field: object, cell: object) -> object:
        if isinstance(field, str) and field.startswith(ROLE_FIELD):
            return role_text(cell) if isinstance(cell, str) and cell else cell
        if field == "review_status":
            return statuses.get(str(cell), cell)
        if field == "mode":
            return modes.get(str(cell), cell)
        if field is None and isinstance(cell, str) and (count := PLOT_COUNT.fullmatch(cell)):
            return tr("stock.plot_count", count=int(count[1]))  # an import's "300 plots"
        return cell

    for column in ("old_value", "new_value"):
        shown[column] = [value(f, c) for f, c in zip(log["field"], log[column], strict=True)]
    shown["field"] = log["field"].map(field_text, na_action="ignore")
    shown["action"] = log["action"].map(lambda a: actions.get(a, a), na_action="ignore")
    undo = (log["action"] == "undo").to_numpy(dtype=bool)
    shown.loc[undo, "note"] = [
        tr("stock.undo_note", time=beijing_time(times.get(r, ""))) for r in log.loc[undo, "reverts"]
    ]
    return for_display(shown)  # times in Beijing time, as in every other table
