"""How workspace values are named on the pages: review statuses, audit actions, verification findings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from zgc_geo.stock.redevelopment import load_redevelopment_rules
from zgc_geo.ui.i18n import local, tr
from zgc_geo.workspace import REVIEW_STATUSES
from zgc_geo.workspace.audit_chain import Finding

#: Audit actions (``WorkspaceStore.audit_log`` column ``action``) as the pages name them.
AUDIT_ACTION_LABELS: Final = {
    "decide": "stock.action.decide",
    "undo": "stock.action.undo",
    "import": "stock.action.import",
    "replace": "stock.action.replace",
    "acknowledge": "stock.action.acknowledge",
    "upgrade": "stock.action.upgrade",
    "copy": "stock.action.copy",
    "grant": "stock.action.grant",
    "revoke": "stock.action.revoke",
    "refuse": "stock.action.refuse",
}
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
                _role_state(values[side])
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


def _role_state(summary: str) -> str:
    """A grant as the log records it (``editor:haidian``) in words; the page's role names."""
    from zgc_geo.ui.rights_view import role_text  # noqa: PLC0415 - rights_view needs the plan layers

    return role_text(summary)
