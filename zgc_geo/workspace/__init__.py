"""The workspace: imported inventories, review decisions and their audit log, stored atomically.

Pages and the CLI use :func:`open_workspace` and the :class:`WorkspaceStore` interface only: the
same code runs on a GeoPackage file and on a PostGIS database, chosen by the address.
"""

from __future__ import annotations

from zgc_geo.workspace.address import is_database_url, open_workspace, redacted
from zgc_geo.workspace.copying import copy_workspace
from zgc_geo.workspace.gpkg_store import GeoPackageStore
from zgc_geo.workspace.store import (
    AUDIT_ACTIONS,
    AUDIT_COLUMNS,
    AUDIT_EXPORT_COLUMNS,
    DECISION_COLUMNS,
    DECISION_FIELDS,
    DEFAULT_REVIEW_STATUS,
    REVIEW_STATUSES,
    SCHEMA_VERSION,
    Decision,
    IntegrityReport,
    InventoryInfo,
    PlotFilter,
    StatusLabel,
    WorkspaceDump,
    WorkspaceStore,
    name_from_text,
)

__all__ = [
    "AUDIT_ACTIONS",
    "AUDIT_COLUMNS",
    "AUDIT_EXPORT_COLUMNS",
    "DECISION_COLUMNS",
    "DECISION_FIELDS",
    "DEFAULT_REVIEW_STATUS",
    "REVIEW_STATUSES",
    "SCHEMA_VERSION",
    "Decision",
    "GeoPackageStore",
    "IntegrityReport",
    "InventoryInfo",
    "PlotFilter",
    "StatusLabel",
    "WorkspaceDump",
    "WorkspaceStore",
    "copy_workspace",
    "is_database_url",
    "name_from_text",
    "open_workspace",
    "redacted",
]
