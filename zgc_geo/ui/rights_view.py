"""Roles on the pages: what the signed-in person may do, refusals in their language, and the members panel.

The store enforces every right (:mod:`zgc_geo.workspace.rights`); the pages only ask it what the
session's user may do, so as not to offer a control the store would refuse: a viewer sees no
edit controls, an editor sees the decision form only on plots of their parks, and only an admin
sees backups, imports, acknowledgements and the members panel.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st

from zgc_geo.errors import AccessRefusedError, OptionError, WorkspaceError
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.code_labels import for_display
from zgc_geo.ui.i18n import current_lang, local, tr
from zgc_geo.ui.markdown_text import escaped
from zgc_geo.ui.tables import show_table
from zgc_geo.ui.workspace_access import reviewer
from zgc_geo.workspace import WorkspaceStore
from zgc_geo.workspace.rights import OUTSIDE, ROLES, Grant, parse_summary

MEMBERS_HEADINGS: Final = {
    "user": "rights.col_user",
    "role": "rights.col_role",
    "granted_by": "rights.col_granted_by",
    "granted_at": "rights.col_granted_at",
}
FLASH_KEY: Final = "rights_flash"


def session_rights(store: WorkspaceStore) -> Grant:
    """What the signed-in person may do in ``store`` (read fresh: an admin may have just changed it)."""
    return store.rights(reviewer())


def park_name(park_id: str) -> str:
    """A park id as people read it: the park's name in the page's language (园区外 for ``outside``)."""
    if park_id == OUTSIDE:
        return tr("rights.outside")
    parks = cached_plan().parks.set_index("park_id")
    if park_id not in parks.index:
        return park_id
    return str(local(parks.at[park_id, "name_zh"], parks.at[park_id, "name_en"]))


def role_text(grant: Grant | str | None) -> str:
    """A grant (or an audit log summary such as ``editor:haidian``) in words: 编辑（海淀园、昌平园）."""
    if isinstance(grant, str) or grant is None:
        grant = parse_summary("", grant) if grant not in (None, "", "—") else None
    if grant is None:
        return tr("rights.no_role")
    label = ROLES.get(grant.role)
    name = str(local(label.zh, label.en)) if label else grant.role
    if grant.role != "editor":
        return name
    separator = "、" if current_lang() == "zh" else ", "
    return tr("rights.editor_of", role=name, parks=separator.join(park_name(p) for p in grant.parks))


def refusal_text(error: AccessRefusedError) -> str:
    """A refusal in the page's language: who (with their role), what, which park, which right is missing."""
    held = role_text(error.held)
    if error.plot_id is not None and error.park is not None:
        return tr(
            "rights.refused_plot",
            user=escaped(error.user),
            role=held,
            plot=escaped(error.plot_id),
            park=park_name(error.park),
        )
    return tr("rights.refused_admin", user=escaped(error.user), role=held)


def rights_caption(store: WorkspaceStore) -> None:
    """The signed-in person's role under their name in the sidebar."""
    try:
        st.caption(tr("rights.your_role", role=role_text(session_rights(store))))
    except WorkspaceError:  # an unreachable workspace is reported by the page itself
        return


def members_panel(store: WorkspaceStore) -> None:
    """Who has which role; an admin also grants and revokes here (the store logs every change)."""
    with st.expander(tr("rights.members_heading")):
        if flash := st.session_state.pop(FLASH_KEY, None):
            st.success(flash)
        grants = store.grants()
        table = pd.DataFrame(
            {
                "user": [g.user for g in grants],
                "role": [role_text(g) for g in grants],
                "granted_by": [g.granted_by or "" for g in grants],
                "granted_at": [g.granted_at or "" for g in grants],
            }
        )
        show_table(for_display(table), MEMBERS_HEADINGS)  # granted_at in Beijing time
        st.caption(tr("rights.others_view"))
        if not session_rights(store).administers:
            st.caption(tr("rights.admins_only"))
            return
        _grant_form(store)


def _grant_form(store: WorkspaceStore) -> None:
    # Names worked out now, in the page's language: a format_func must not depend on the session.
    parks = {p: park_name(p) for p in [*cached_plan().parks["park_id"].astype(str), OUTSIDE]}
    roles = {r: str(local(label.zh, label.en)) for r, label in ROLES.items()}
    with st.form("rights_grant"):
        cols = st.columns([2, 1, 3])
        user = cols[0].text_input(tr("rights.user"))
        role = cols[1].selectbox(tr("rights.role"), list(roles), format_func=roles.__getitem__)
        chosen = cols[2].multiselect(tr("rights.parks"), list(parks), format_func=parks.__getitem__)
        grant_clicked = st.form_submit_button(tr("rights.grant"), type="primary")
        revoke_clicked = st.form_submit_button(tr("rights.revoke"))
    if not (grant_clicked or revoke_clicked):
        return
    try:
        if grant_clicked:
            grant = store.grant(user, role, tuple(chosen) if role == "editor" else (), by=reviewer())
            message = tr("rights.granted", user=escaped(grant.user), role=role_text(grant))
        else:
            old = store.revoke(user, by=reviewer())
            message = tr("rights.revoked" if old else "rights.nothing_to_revoke", user=escaped(user.strip()))
    except AccessRefusedError as exc:
        st.error(refusal_text(exc))
        return
    except (OptionError, WorkspaceError) as exc:
        st.error(escaped(str(exc)))
        return
    st.session_state[FLASH_KEY] = message
    st.rerun()
