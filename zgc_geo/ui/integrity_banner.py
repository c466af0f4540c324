"""The workspace checked on open: a red banner naming what broke, and the admin's acknowledgement.

Every page that reads the workspace calls :func:`verified_workspace` at its top. The store
verifies incrementally (after the first check in a process only the rows added since are
hashed), so this runs on every rerun and nothing is cached here: the store keeps its own
checkpoint. While findings are unacknowledged the store refuses every edit; the banner says so
and offers the acknowledgement, which the store logs like any other change.
"""

from __future__ import annotations

import hashlib
from typing import Final

import streamlit as st

from zgc_geo.errors import WorkspaceError
from zgc_geo.ui.i18n import tr
from zgc_geo.ui.markdown_text import escaped
from zgc_geo.ui.workspace_access import ensure_demo_inventory, reviewer, workspace
from zgc_geo.ui.workspace_labels import finding_text
from zgc_geo.workspace import IntegrityReport, InventoryInfo, WorkspaceStore

#: Findings named in the banner; the rest are counted (``zgc-geo workspace verify`` lists them all).
SHOWN_FINDINGS: Final = 3
NOTE_KEY: Final = "integrity_note"
ACKNOWLEDGE_KEY: Final = "integrity_acknowledge"
FLASH_KEY: Final = "integrity_flash"


def verified_workspace(*, seed_demo: bool = True) -> WorkspaceStore:
    """The settings' workspace, verified, with the demo inventory unless ``seed_demo`` is False.

    Draws the banner where it is called: red while findings are unacknowledged, a warning
    once an admin has acknowledged them, nothing for an intact workspace. The demo is put in
    only once edits are allowed (the store would refuse it), so the banner is never blocked.
    """
    store = workspace()
    report = integrity_banner(store)
    if seed_demo and not report.unacknowledged:
        ensure_demo_inventory()
    return store


def inventories_or_stop(store: WorkspaceStore) -> dict[str, InventoryInfo]:
    """The inventories by name; with none (the demo is kept out while edits are refused) stop the page."""
    infos = {info.name: info for info in store.inventories()}
    if not infos:
        st.info(tr("integrity.no_inventory"))
        st.stop()
    return infos


def integrity_banner(store: WorkspaceStore) -> IntegrityReport:
    """Verify ``store`` (incrementally) and show what is broken; return the report."""
    if flash := st.session_state.pop(FLASH_KEY, None):
        st.success(flash)
    report = store.verify(incremental=True)
    open_findings = report.unacknowledged
    if open_findings:
        st.error(_broken_text(report))  # no icon: emoji need a font intranet machines often lack
        _acknowledge_form(store, report)
    elif report.findings:
        who = sorted({report.acknowledged[f.key] for f in report.findings if f.key in report.acknowledged})
        st.warning(tr("integrity.acknowledged", count=len(report.findings), who=escaped("; ".join(who))))
    return report


def _broken_text(report: IntegrityReport) -> str:
    open_findings = report.unacknowledged
    lines = [f"- {escaped(finding_text(f))}" for f in open_findings[:SHOWN_FINDINGS]]
    if len(open_findings) > SHOWN_FINDINGS:
        lines.append(f"- {tr('integrity.more', count=len(open_findings) - SHOWN_FINDINGS)}")
    return "\n\n".join(
        [
            f"**{tr('integrity.broken', count=len(open_findings))}**",
            "\n".join(lines),
            tr("integrity.refused"),
        ]
    )


def _acknowledge_form(store: WorkspaceStore, report: IntegrityReport) -> None:
    # The button's key names the findings shown: should others appear before the click arrives,
    # it is another button, and the admin acknowledges only what they were shown.
    shown = hashlib.sha256("\n".join(sorted(f.key for f in report.unacknowledged)).encode()).hexdigest()
    if not store.rights(reviewer()).administers:
        st.caption(tr("integrity.ask_an_admin"))
        return
    with st.expander(tr("integrity.acknowledge_heading")):
        st.caption(tr("integrity.acknowledge_help", user=escaped(reviewer())))
        note = st.text_area(tr("integrity.note"), key=NOTE_KEY)
        if st.button(tr("integrity.acknowledge"), key=f"{ACKNOWLEDGE_KEY}_{shown[:16]}", type="primary"):
            try:
                store.acknowledge(report, user=reviewer(), note=note)
            except WorkspaceError as exc:  # not the admin: the store's message names who is
                st.error(str(exc))
                return
            st.session_state[FLASH_KEY] = tr("integrity.acknowledged_now", count=len(report.unacknowledged))
            st.session_state.pop(NOTE_KEY, None)
            st.rerun()


def refused_text(error: WorkspaceError) -> str:
    """An edit the store refused because of the damage: a translated lead, then the store's words."""
    return f"{tr('integrity.edit_refused')}\n\n{escaped(str(error))}"
