"""Who may do what in a workspace: roles, per-park rights, and the refusal that names what is missing.

The rules live here, below every page and command, so that the app, the CLI and any script
calling a store obey the same ones:

* ``admin`` — everything: decide and undo anywhere, import or replace inventories, back up or copy
  the whole workspace, grant and revoke roles, acknowledge a failed verification.
* ``editor`` with a list of parks — decide, and undo their own decisions, only on plots whose
  ``park_id`` is in the list; a plot outside every park needs an admin or an editor granted
  :data:`OUTSIDE`.
* ``viewer`` — read and export. A user with no grant is a viewer.

Grants are stored in the workspace and every grant or revoke is an audited event, so
``verify`` can tell a grant written by zgc-geo from one written into the table behind its back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import pandas as pd

from zgc_geo.errors import AccessRefusedError, OptionError
from zgc_geo.workspace.store import StatusLabel

#: The roles, most powerful first, with how they are shown.
ROLES: Final[Mapping[str, StatusLabel]] = {
    "admin": StatusLabel("管理员", "Admin"),
    "editor": StatusLabel("编辑", "Editor"),
    "viewer": StatusLabel("只读", "Viewer"),
}
#: The "park" of plots outside every sub-park (no or empty ``park_id``), as granted to an editor.
OUTSIDE: Final = "outside"
#: What a refused user lacked: the right to edit one park's plots, or to administer the workspace.
EDIT_PARK: Final = "edit_park"
ADMINISTER: Final = "admin"
_PARK_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,47}")


@dataclass(frozen=True)
class Grant:
    """One user's role, the parks an editor may change (sorted), and who granted it when."""

    user: str
    role: str
    parks: tuple[str, ...] = ()
    granted_by: str | None = None
    granted_at: str | None = None

    @property
    def summary(self) -> str:
        """The grant as the audit log records it: ``admin``, ``viewer`` or ``editor:haidian,outside``."""
        return f"{self.role}:{','.join(self.parks)}" if self.role == "editor" else self.role

    @property
    def administers(self) -> bool:
        """True for an admin."""
        return self.role == "admin"

    def may_edit(self, park: str) -> bool:
        """Whether this grant lets its user change decisions on a plot of ``park``."""
        return self.administers or (self.role == "editor" and park in self.parks)

    @property
    def edits(self) -> bool:
        """Whether this grant lets its user change any decision at all."""
        return self.administers or (self.role == "editor" and bool(self.parks))


@dataclass(frozen=True)
class HeldGrant:
    """One user's grant as the grants table stores it and as the log last granted it (None: none).

    Rights follow the log (:attr:`effective`): a grant written into the table behind zgc-geo's back
    gives nothing, and the difference is a verification finding.
    """

    user: str
    stored: Grant | None
    logged: Grant | None

    @property
    def effective(self) -> Grant:
        """What the user may do: the logged grant (with the table's who-and-when when they agree)."""
        if self.logged is None:
            return no_grant(self.user)
        if self.stored is not None and self.stored.summary == self.logged.summary:
            return self.stored
        return self.logged


def grant_from_row(user: object, role: object, parks: object, by: object = None, at: object = None) -> Grant:
    """The grant of a ``zgc_grants`` row (parks stored comma-separated)."""
    listed = tuple(p for p in str(parks or "").split(",") if p)
    return Grant(
        str(user), str(role), listed, None if by is None else str(by), None if at is None else str(at)
    )


def no_grant(user: str) -> Grant:
    """What a user with no stored grant is: a viewer (read and export only)."""
    return Grant(user, "viewer")


def parse_summary(user: str, summary: str | None) -> Grant | None:
    """The grant an audit row's ``new_value`` (or ``old_value``) describes; None for "no grant"."""
    if summary is None or summary == "":
        return None
    role, _, parks = summary.partition(":")
    return Grant(user, role, tuple(p for p in parks.split(",") if p))


def checked_grant(user: str, role: str, parks: Iterable[str] | None) -> tuple[str, tuple[str, ...]]:
    """``role`` and the sorted, unique ``parks`` if they make a valid grant; OptionError saying why not."""
    if role not in ROLES:
        raise OptionError(f"unknown role {role!r} for {user!r}; choose one of: {', '.join(ROLES)}")
    chosen = tuple(sorted({str(p).strip() for p in (parks or ()) if str(p).strip()}))
    if role != "editor" and chosen:
        raise OptionError(
            f"--parks applies to editors only: an {role} "
            + ("may edit every park" if role == "admin" else "may edit none")
        )
    if role == "editor" and not chosen:
        raise OptionError(
            f"an editor needs the parks they may change: e.g. --parks haidian,changping (or {OUTSIDE} "
            "for plots outside every park)"
        )
    bad = [p for p in chosen if not _PARK_PATTERN.fullmatch(p)]
    if bad:
        raise OptionError(
            f"park id(s) {', '.join(map(repr, bad))} are not valid: use the park_id of parks.geojson "
            f"(e.g. haidian, daxing_yizhuang) or {OUTSIDE}"
        )
    return role, chosen


def park_of(value: object) -> str:
    """The park a plot's ``park_id`` puts it in for rights: its id, or :data:`OUTSIDE` when empty."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return OUTSIDE
    text = str(value).strip()
    return text or OUTSIDE


def edit_refusal(
    grant: Grant, action: str, inventory: str, plot_id: str, park: str
) -> AccessRefusedError | None:
    """The refusal when ``grant`` may not change ``plot_id`` (in ``park``); None when it may."""
    if grant.may_edit(park):
        return None
    return AccessRefusedError(
        user=grant.user, held=grant.summary, action=action, right=f"{EDIT_PARK}:{park}",
        inventory=inventory, plot_id=plot_id, park=park,
    )  # fmt: skip


def admin_refusal(grant: Grant, action: str, inventory: str | None = None) -> AccessRefusedError | None:
    """The refusal when ``grant`` is not an admin's; None when it is."""
    if grant.administers:
        return None
    return AccessRefusedError(
        user=grant.user, held=grant.summary, action=action, right=ADMINISTER, inventory=inventory
    )
