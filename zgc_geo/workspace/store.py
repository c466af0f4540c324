"""The workspace storage contract: what every backend (a GeoPackage file, a PostGIS database) keeps.

A workspace holds imported plot inventories, one review decision per plot and an append-only
audit log. The contract lives here, with the checks every backend must apply the same way
(names, decision fields, review statuses, the conflict message), so that swapping the backend
changes no page and no error a user sees.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd

from zgc_geo.errors import OptionError, WorkspaceError

if TYPE_CHECKING:
    from zgc_geo.workspace.audit_chain import Finding
    from zgc_geo.workspace.projects import ProjectRecord
    from zgc_geo.workspace.rights import Grant


@dataclass(frozen=True)
class StatusLabel:
    """How a review status is shown: Chinese first (the planners' language), English beside it."""

    zh: str
    en: str


#: The review vocabulary, in workflow order. It is the workspace's own field and never the
#: imported ``status`` column, which is the land bureau's and is kept as imported.
REVIEW_STATUSES: Final[Mapping[str, StatusLabel]] = {
    "unreviewed": StatusLabel("待审查", "Unreviewed"),
    "under_review": StatusLabel("审查中", "Under review"),
    "recommended": StatusLabel("拟盘活", "Recommended for revitalisation"),
    "deferred": StatusLabel("暂缓", "Deferred"),
    "not_suitable": StatusLabel("不宜盘活", "Not suitable"),
    "revitalised": StatusLabel("已盘活", "Revitalised"),
}
DEFAULT_REVIEW_STATUS: Final = "unreviewed"
#: Keys a decision change may carry (``note`` and ``mode`` are free text; None clears them).
DECISION_FIELDS: Final = ("review_status", "note", "mode")
#: Columns :meth:`WorkspaceStore.load_inventory` adds to the imported plots.
DECISION_COLUMNS: Final = (
    "review_status", "review_note", "review_mode", "decision_version", "decided_by", "decided_at",
)  # fmt: skip
#: Columns of :meth:`WorkspaceStore.audit_log`; ``reverts`` is the change an undo reverted.
AUDIT_COLUMNS: Final = (
    "audit_id", "change_id", "time", "user", "inventory", "plot_id", "field", "old_value",
    "new_value", "note", "action", "version", "reverts",
)  # fmt: skip
#: Audit actions: a decision, the undo of one, importing or replacing an inventory, an admin's
#: acknowledgement of a failed verification, a schema upgrade, a copy between backends, granting
#: or revoking a role, a change refused for want of a right, and the project register's changes
#: (a project's fields, a department's review opinion, a life-cycle stage: :mod:`.projects`) and the
#: plan's yearly actual values (:mod:`.plan_actuals`).
AUDIT_ACTIONS: Final = (
    "decide", "undo", "import", "replace", "acknowledge", "upgrade", "copy", "grant", "revoke", "refuse",
    "project", "review", "stage", "actual",
)  # fmt: skip
#: The audit columns with the chain hash, as exported and copied.
AUDIT_EXPORT_COLUMNS: Final = (*AUDIT_COLUMNS, "hash")
#: The schema this zgc-geo writes. 1: the first GeoPackage workspace (no hash chain); 2: hash-chained
#: audit, the head beside it and the recorded schema version; 3: roles and per-park rights
#: (``zgc_grants``; on PostGIS also park database roles and row-level security on decisions); 4: the project
#: register in the audit log (on PostGIS a park's role adds register rows for its own park only).
SCHEMA_VERSION: Final = 4
#: The ``inventory`` of audit rows about the whole workspace (acknowledgements, upgrades, copies).
WORKSPACE_SCOPE: Final = "*"
NAME_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,47}")
NAME_RULE: Final = "1–48 lower-case ASCII letters, digits or underscores, starting with a letter"


@dataclass(frozen=True)
class InventoryInfo:
    """One imported inventory: its slug ``name``, what it is, where and by whom it came from."""

    name: str
    title: str
    source: str
    imported_at: str
    imported_by: str
    plot_count: int
    synthetic: bool


@dataclass(frozen=True)
class Decision:
    """The current review decision of one plot; ``version`` 0 means nobody has decided yet.

    ``version`` goes up by one with every change, undo included, and never goes back: it is
    what a session sends back as ``expected_version`` to prove it saw the latest state.
    """

    inventory: str
    plot_id: str
    review_status: str = DEFAULT_REVIEW_STATUS
    note: str | None = None
    mode: str | None = None
    version: int = 0
    updated_at: str | None = None
    updated_by: str | None = None


@dataclass(frozen=True)
class PlotFilter:
    """Which plots to read: parks, review statuses and a WGS84 box (minx, miny, maxx, maxy); None = all.

    Backends apply it in the database (PostGIS: the GiST index for the box) so a park office
    reads its own plots, not the zone's.
    """

    park_ids: tuple[str, ...] | None = None
    review_statuses: tuple[str, ...] | None = None
    bbox: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class IntegrityReport:
    """What verifying a workspace found: the chain, the head, the decisions against their replay.

    ``findings`` are in log order (the first broken row first), then the decisions.
    ``acknowledged`` maps the key of each finding an admin has acknowledged to who and when.
    ``notes`` say what the check cannot rule out (e.g. the connected role can rewrite the log).
    """

    backend: str
    address: str
    schema_version: int
    rows_checked: int
    head: tuple[int, str] | None
    findings: tuple[Finding, ...]
    acknowledged: Mapping[str, str]
    notes: tuple[str, ...] = ()

    @property
    def intact(self) -> bool:
        """True when nothing is broken (acknowledged damage still counts as broken)."""
        return not self.findings

    @property
    def unacknowledged(self) -> tuple[Finding, ...]:
        """The findings no admin has acknowledged yet; while there are any, edits are refused."""
        return tuple(f for f in self.findings if f.key not in self.acknowledged)


@dataclass(frozen=True)
class WorkspaceDump:
    """A whole workspace in memory, for copying it to another backend unchanged.

    ``inventories`` pairs each inventory with its plots as imported (no decision columns, dtypes
    as stored); ``decisions`` has :data:`~zgc_geo.workspace.audit_chain.DECISION_ROW` columns;
    ``audit`` has :data:`AUDIT_EXPORT_COLUMNS`, hashes included, so the chain survives the copy.
    ``grants`` and ``creator`` travel with it, so the copy grants what the original did.
    """

    inventories: list[tuple[InventoryInfo, gpd.GeoDataFrame]]
    decisions: pd.DataFrame
    audit: pd.DataFrame
    #: The grants as stored, and who the log counts as the creator (an admin unless it says otherwise).
    grants: list[Grant] = field(default_factory=list)
    creator: str | None = None


@runtime_checkable
class WorkspaceStore(Protocol):
    """Storage for inventories, decisions and the audit log; every write is atomic and audited.

    Implementations raise :class:`~zgc_geo.errors.OptionError` for invalid arguments,
    :class:`~zgc_geo.errors.WorkspaceError` for unknown or conflicting names and unusable
    storage, and :class:`~zgc_geo.errors.ConcurrentEditError` when a plot changed since the
    caller loaded it.
    """

    #: "GeoPackage" or "PostGIS", for messages and ``zgc-geo workspace init``.
    backend: str

    @property
    def address(self) -> str:
        """Where the workspace is, for people: the file path, or the URL without its password."""
        ...

    def init(self) -> int:
        """Create the workspace or upgrade it to :data:`SCHEMA_VERSION`; return the version it is at."""
        ...

    def inventories(self) -> list[InventoryInfo]:
        """Every inventory in the workspace, by name."""
        ...

    def save_inventory(
        self,
        name: str,
        plots: gpd.GeoDataFrame,
        *,
        title: str,
        source: str,
        user: str,
        synthetic: bool = False,
        replace: bool = False,
    ) -> InventoryInfo:
        """Store ``plots`` (reprojected to EPSG:4326) as inventory ``name``; replacing keeps the
        decisions of plot ids that still exist and audits how many were kept and orphaned. Admins only."""
        ...

    def load_inventory(self, name: str, where: PlotFilter | None = None) -> gpd.GeoDataFrame:
        """The plots as imported plus the :data:`DECISION_COLUMNS`, in EPSG:4326, optionally filtered."""
        ...

    def decision(self, name: str, plot_id: str) -> Decision:
        """The current decision of one plot (version 0 when never decided)."""
        ...

    def record_decision(
        self,
        name: str,
        plot_id: str,
        changes: Mapping[str, str | None],
        *,
        expected_version: int | None,
        user: str,
        note: str = "",
    ) -> Decision:
        """Apply ``changes`` if the plot is still at ``expected_version``; audit each changed field.

        Refused (:class:`~zgc_geo.errors.AccessRefusedError`, logged) unless ``user`` may edit the
        plot's park (:mod:`zgc_geo.workspace.rights`).

        ``expected_version=None`` applies the change to whatever version is current, still in
        one transaction with its audit rows (for batch edits that did not read the plot first).
        """
        ...

    def undo_last(self, name: str, user: str) -> Decision | None:
        """Revert ``user``'s latest not yet undone decision in ``name``; None if there is none."""
        ...

    def audit_log(self, name: str | None = None, plot_id: str | None = None) -> pd.DataFrame:
        """The audit rows (:data:`AUDIT_COLUMNS`), optionally of one inventory or plot, newest last."""
        ...

    def backup(self, target: Path, *, user: str) -> Path:
        """A consistent copy of the whole workspace as a GeoPackage at ``target`` (a file or a folder);
        admins only."""
        ...

    def grants(self) -> list[Grant]:
        """Every stored grant, by user name."""
        ...

    def rights(self, user: str) -> Grant:
        """What ``user`` may do: their stored grant, or a viewer's when they have none."""
        ...

    def grant(self, user: str, role: str, parks: tuple[str, ...] = (), *, by: str) -> Grant:
        """Give ``user`` ``role`` (an editor: on ``parks``), replacing any grant they had; admins only."""
        ...

    def revoke(self, user: str, *, by: str) -> Grant | None:
        """Remove ``user``'s grant (they become a viewer); the grant removed, or None. Admins only."""
        ...

    def verify(self, *, incremental: bool = False) -> IntegrityReport:
        """Recompute the audit chain and replay the decisions; ``incremental`` continues from the
        last row this process verified (after checking that row is unchanged)."""
        ...

    def acknowledge(self, report: IntegrityReport, *, user: str, note: str) -> None:
        """Record (in the log) that ``user`` has seen the findings of ``report``; edits resume."""
        ...

    def dump(self, *, user: str) -> WorkspaceDump:
        """The whole workspace in one consistent read, for :func:`~zgc_geo.workspace.copy_workspace`;
        admins only."""
        ...

    def restore(self, dump: WorkspaceDump, *, source: str, user: str) -> None:
        """Load ``dump`` into this empty workspace, the audit chain as it is, then log the copy."""
        ...

    def projects(self) -> list[ProjectRecord]:
        """Every project of the register (:mod:`zgc_geo.workspace.projects`), by id."""
        ...

    def plan_actuals(self) -> pd.DataFrame:
        """The plan's yearly actual values (:mod:`zgc_geo.workspace.plan_actuals`), zone and parks."""
        ...

    def record_actuals(self, values: pd.DataFrame, *, user: str) -> int:
        """Set actual values in one audited transaction (zone: admins; a park: its editors); the count set."""
        ...

    def project(self, project_id: str) -> ProjectRecord:
        """One project of the register; raises :class:`WorkspaceError` when there is none."""
        ...

    def save_project(
        self,
        project_id: str,
        changes: Mapping[str, object],
        *,
        expected_version: int | None,
        user: str,
        note: str = "",
    ) -> ProjectRecord:
        """Create a project (``expected_version`` 0) or change its fields, audited; editors of its park."""
        ...

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
        """Record a member department's opinion in the joint review (供地联审), audited."""
        ...

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
        """Record a life-cycle stage's dates, audited; reaching 投产 marks the project's plot 已盘活."""
        ...


def check_name(name: str) -> str:
    """``name`` if it is a valid inventory slug: it becomes a table name, so it is kept plain."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise OptionError(f"inventory name {name!r} is not valid: use {NAME_RULE} (e.g. 'haidian_2024')")
    return name


def name_from_text(text: str) -> str:
    """A valid inventory name made from a file name or title (Chinese-only text gives "inventory").

    Import screens and the CLI propose it; the user may still choose another.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"inventory_{slug}".rstrip("_")
    return slug[:48]


def check_user(user: str) -> str:
    """The stripped user name; an empty one would make the audit trail anonymous."""
    cleaned = user.strip() if isinstance(user, str) else ""
    if not cleaned:
        raise OptionError("the user name is empty; pass the signed-in user or set ZGC_GEO_USER")
    return cleaned


def status_choices() -> str:
    """The valid review statuses with their labels, for error messages."""
    return ", ".join(f"{key} ({label.zh})" for key, label in REVIEW_STATUSES.items())


def check_changes(changes: Mapping[str, str | None]) -> dict[str, str | None]:
    """The validated ``changes``: known fields only, a known status, free text stripped (empty → None)."""
    unknown = sorted(set(changes) - set(DECISION_FIELDS))
    if unknown:
        raise OptionError(
            f"unknown decision field(s) {', '.join(map(repr, unknown))}; valid: {', '.join(DECISION_FIELDS)}"
        )
    cleaned: dict[str, str | None] = {}
    for key, value in changes.items():
        if value is not None and not isinstance(value, str):
            raise OptionError(f"decision field {key!r} must be text or None, not {type(value).__name__}")
        cleaned[key] = (value.strip() or None) if value is not None else None
    if "review_status" in cleaned and cleaned["review_status"] not in REVIEW_STATUSES:
        raise OptionError(f"unknown review status {changes['review_status']!r}; valid: {status_choices()}")
    return cleaned


def describe(decision: Decision) -> str:
    """The decision's values in words, for messages: status with its label, note and mode."""
    label = REVIEW_STATUSES[decision.review_status].zh
    return (
        f"review status {decision.review_status} ({label}), note {decision.note or '—'}, "
        f"mode {decision.mode or '—'}"
    )


def conflict_message(current: Decision, expected_version: int) -> str:
    """Why a change was refused: who changed the plot when, what it is now, and what to do."""
    plot = f"plot {current.plot_id!r} of inventory {current.inventory!r}"
    if current.version == 0:
        changed = f"{plot} has no decision (version 0) but you loaded version {expected_version}"
    else:
        changed = (
            f"{plot} was changed by {current.updated_by} at {current.updated_at} "
            f"(now version {current.version}; you loaded version {expected_version})"
        )
    return (
        f"{changed}. It is now: {describe(current)}. Your change was not saved: "
        "reload the plot and apply your change again."
    )


def utc_now() -> str:
    """Now in UTC as ISO 8601 with milliseconds and a Z, the GeoPackage DATETIME form."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def unknown_inventory(name: str, known: list[str], where: str) -> WorkspaceError:
    """The error for a name that is not an inventory of the workspace ``where``."""
    have = ", ".join(known) if known else "none yet: import one first"
    return WorkspaceError(f"the workspace {where} has no inventory {name!r}; it has: {have}")


def no_such_plot(name: str, plot_id: str) -> WorkspaceError:
    """The error for a plot id the inventory does not have."""
    return WorkspaceError(
        f"inventory {name!r} has no plot {plot_id!r}; check the id (a replace may have removed it)"
    )


def inventory_taken(where: str, name: str) -> WorkspaceError:
    """The error for importing under a name the workspace already uses, without replace."""
    return WorkspaceError(
        f"the workspace {where} already has an inventory {name!r}; replace it (zgc-geo workspace import "
        "--replace; the decisions of plots that remain are kept) or choose another name"
    )


def backup_target(target: Path, stem: str) -> Path:
    """The ``.gpkg`` a backup goes to: ``target`` itself, or ``<stem>-<UTC time>.gpkg`` in that folder."""
    if target.is_dir():
        target = target / f"{stem}-{utc_now().replace(':', '').replace('.', '_')}.gpkg"
    if target.suffix.lower() != ".gpkg":
        raise OptionError(f"backup {target} must end in .gpkg, so that QGIS and GDAL recognise it")
    if not target.parent.is_dir():
        raise WorkspaceError(f"cannot back up to {target}: its folder does not exist; create it first")
    return target
