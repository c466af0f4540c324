"""Copying a whole workspace between backends (GeoPackage ↔ PostGIS), history and hashes included."""

from __future__ import annotations

from pathlib import Path

from zgc_geo.errors import WorkspaceError
from zgc_geo.workspace.address import open_workspace
from zgc_geo.workspace.store import IntegrityReport, check_user


def copy_workspace(source: str | Path, target: str | Path, *, user: str) -> IntegrityReport:
    """Copy every inventory, decision and audit row from ``source`` into the empty ``target``.

    The audit rows keep their ids and hashes, so the copy verifies exactly as the source did;
    one ``copy`` row is then appended to the target's chain, saying where it came from and who
    copied it. Returns the target's verification report.
    """
    user = check_user(user)
    source_store, target_store = open_workspace(source), open_workspace(target)
    if source_store.address == target_store.address:
        raise WorkspaceError(
            f"source and target are the same workspace ({source_store.address}); name another"
        )
    dump = source_store.dump(user=user)
    target_store.init()
    target_store.restore(dump, source=source_store.address, user=user)
    return target_store.verify()
