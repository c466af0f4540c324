"""The workspace: imported inventories, review decisions and their audit log, stored atomically.

Pages and the CLI use :func:`open_workspace` and the :class:`WorkspaceStore` interface only, so
that a server database can later replace the GeoPackage file without changing them.
"""

from __future__ import annotations

from zgc_geo.workspace.gpkg_store import GeoPackageStore, open_workspace
from zgc_geo.workspace.store import (
    AUDIT_ACTIONS,
    AUDIT_COLUMNS,
    DECISION_COLUMNS,
    DECISION_FIELDS,
    DEFAULT_REVIEW_STATUS,
    REVIEW_STATUSES,
    Decision,
    InventoryInfo,
    StatusLabel,
    WorkspaceStore,
    name_from_text,
)

__all__ = [
    "AUDIT_ACTIONS",
    "AUDIT_COLUMNS",
    "DECISION_COLUMNS",
    "DECISION_FIELDS",
    "DEFAULT_REVIEW_STATUS",
    "REVIEW_STATUSES",
    "Decision",
    "GeoPackageStore",
    "InventoryInfo",
    "StatusLabel",
    "WorkspaceStore",
    "name_from_text",
    "open_workspace",
]
