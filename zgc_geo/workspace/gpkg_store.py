"""The workspace as one GeoPackage file: atomic, audited writes through the standard library's sqlite3.

SQLite's rollback journal (``journal_mode=DELETE``) with ``synchronous=FULL`` makes each
transaction all-or-nothing even when the process is killed or the power fails: the next
opening rolls a half transaction back from the journal. Each public write is one
``BEGIN IMMEDIATE`` transaction on a fresh connection, so Streamlit's session threads and
other processes queue for the write lock (up to :data:`BUSY_TIMEOUT_S`) instead of failing,
and a compare-and-set on the decision version keeps two sessions from silently overwriting
each other.

GDAL is deliberately not used on the live file: pyogrio's GDAL links its own copy of SQLite,
and two SQLite copies in one process do not see each other's locks (SQLite's "How To Corrupt
An SQLite Database File", section 2.2.1), so a GDAL read during a write could see a half-written
page or drop the writer's locks. :mod:`zgc_geo.workspace.gpkg_format` encodes and decodes the
geometries itself; GDAL and QGIS are for backups and for other processes.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from zgc_geo.errors import ConcurrentEditError, OptionError, WorkspaceError
from zgc_geo.settings import workspace_path
from zgc_geo.workspace import gpkg_format
from zgc_geo.workspace.gpkg_format import TABLE_PREFIX, ZGC_TABLES, Features, quote
from zgc_geo.workspace.store import (
    AUDIT_COLUMNS,
    DECISION_COLUMNS,
    DEFAULT_REVIEW_STATUS,
    Decision,
    InventoryInfo,
    check_changes,
    check_name,
    check_user,
    conflict_message,
    describe,
    unknown_inventory,
    utc_now,
)

#: Orphaned plot ids named in the audit note of a replace.
SHOWN_ORPHANS: Final = 10
_DECISION_SQL: Final = "review_status, note, mode, version, updated_at, updated_by"
#: The zgc_decisions column behind each of DECISION_COLUMNS.
_DECISION_SOURCES: Final = ("review_status", "note", "mode", "version", "updated_by", "updated_at")
_INSERT_AUDIT: Final = (
    f"INSERT INTO zgc_audit ({', '.join(map(quote, AUDIT_COLUMNS[1:]))}) "
    f"VALUES ({', '.join('?' * (len(AUDIT_COLUMNS) - 1))})"
)
_UPSERT_DECISION: Final = (
    f"INSERT INTO zgc_decisions (inventory, plot_id, {_DECISION_SQL}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (inventory, plot_id) DO UPDATE SET review_status = excluded.review_status, "
    "note = excluded.note, mode = excluded.mode, version = excluded.version, "
    "updated_at = excluded.updated_at, updated_by = excluded.updated_by"
)
_UPSERT_INVENTORY: Final = (
    "INSERT INTO zgc_inventories (name, title, source, imported_at, imported_by, plot_count, synthetic, "
    "columns) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET title = excluded.title, "
    "source = excluded.source, imported_at = excluded.imported_at, imported_by = excluded.imported_by, "
    "plot_count = excluded.plot_count, synthetic = excluded.synthetic, columns = excluded.columns"
)
_LAST_UNDONE: Final = (
    'SELECT change_id, plot_id, version, time FROM zgc_audit AS a WHERE inventory = ? AND "user" = ? '
    "AND action = 'decide' AND NOT EXISTS (SELECT 1 FROM zgc_audit AS u WHERE u.reverts = a.change_id) "
    "ORDER BY audit_id DESC LIMIT 1"
)


class GeoPackageStore:
    """A :class:`~zgc_geo.workspace.store.WorkspaceStore` in one GeoPackage file at ``path``.

    Construction touches nothing; the first operation creates a missing file, atomically.
    Decisions whose plot a replace removed stay stored ("orphaned"): they are not shown, and
    return if a later import brings the plot id back.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.path)!r})"

    def inventories(self) -> list[InventoryInfo]:
        """Every inventory in the workspace, by name."""
        with self._transaction(write=False) as conn:
            rows = conn.execute(
                "SELECT name, title, source, imported_at, imported_by, plot_count, synthetic "
                "FROM zgc_inventories ORDER BY name"
            ).fetchall()
        return [
            InventoryInfo(n, t, s, at, by, int(c), bool(synthetic)) for n, t, s, at, by, c, synthetic in rows
        ]

    def load_inventory(self, name: str) -> gpd.GeoDataFrame:
        """The plots as imported (dtypes restored) plus the decision columns, in EPSG:4326.

        Features and decisions are read in one read transaction: one consistent state even
        while another session writes.
        """
        check_name(name)
        with self._transaction(write=False) as conn:
            schema = json.loads(self._require_inventory(conn, name))
            plots = gpkg_format.read_features(conn, name, schema)
            decided = conn.execute(
                f"SELECT plot_id, {_DECISION_SQL} FROM zgc_decisions WHERE inventory = ?", (name,)
            ).fetchall()
        decisions = pd.DataFrame(decided, columns=["plot_id", *_DECISION_SQL.split(", ")], dtype=object)
        decisions = decisions.set_index("plot_id").reindex(plots["plot_id"].to_numpy())  # a left join
        decisions["review_status"] = decisions["review_status"].fillna(DEFAULT_REVIEW_STATUS)
        geometry = plots.pop("geometry")
        for column, source in zip(DECISION_COLUMNS, _DECISION_SOURCES, strict=True):
            cells = decisions[source].to_numpy()
            if source == "version":
                plots[column] = np.where(pd.isna(cells), 0, cells).astype("int64")
            else:
                plots[column] = pd.array(cells, dtype="string")
        return gpd.GeoDataFrame(plots, geometry=geometry)

    def decision(self, name: str, plot_id: str) -> Decision:
        """The current decision of one plot (version 0 when never decided)."""
        check_name(name)
        with self._transaction(write=False) as conn:
            self._require_plot(conn, name, str(plot_id))
            return _decision(conn, name, str(plot_id))

    def audit_log(self, name: str | None = None, plot_id: str | None = None) -> pd.DataFrame:
        """The audit rows, optionally of one inventory and/or plot, oldest first (newest last)."""
        clauses = [
            (field, str(v)) for field, v in (("inventory", name), ("plot_id", plot_id)) if v is not None
        ]
        where = "WHERE " + " AND ".join(f"{field} = ?" for field, _ in clauses) if clauses else ""
        with self._transaction(write=False) as conn:
            rows = conn.execute(
                f"SELECT {', '.join(map(quote, AUDIT_COLUMNS))} FROM zgc_audit {where} ORDER BY audit_id",
                [value for _, value in clauses],
            ).fetchall()
        frame = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS), dtype=object)
        return frame.astype(
            dict.fromkeys(AUDIT_COLUMNS, "string") | {"audit_id": "int64", "version": "Int64"}
        )

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
        """Store ``plots`` as inventory ``name`` in one transaction, audited as "import" or "replace".

        Plots are checked and encoded before the write lock is taken, so other sessions wait
        only for the insert itself.
        """
        check_name(name)
        user = check_user(user)
        if not replace and any(info.name == name for info in self.inventories()):
            raise self._taken(name)  # before the slow encoding
        features = gpkg_format.prepare_features(plots)
        info = InventoryInfo(name, title, source, utc_now(), user, len(features.rows), synthetic)
        with self._transaction(write=True) as conn:
            old = conn.execute("SELECT plot_count FROM zgc_inventories WHERE name = ?", (name,)).fetchone()
            if old is not None and not replace:
                raise self._taken(name)
            if old is not None:
                gpkg_format.drop_feature_table(conn, name)
            self._write_features(conn, name, title, features)
            schema = json.dumps({column: dtype for column, _, dtype in features.columns})
            conn.execute(
                _UPSERT_INVENTORY,
                (name, title, source, info.imported_at, user, info.plot_count, synthetic, schema),
            )
            note = f"{title} — {source}" + _kept_and_orphaned(conn, name, features.plot_ids)
            action, before = ("import", None) if old is None else ("replace", f"{old[0]} plots")
            after = f"{info.plot_count} plots"
            row = (uuid.uuid4().hex, info.imported_at, user, name, None, None, before, after, note, action)
            _audit(conn, [(*row, None, None)])
        return info

    def record_decision(
        self,
        name: str,
        plot_id: str,
        changes: Mapping[str, str | None],
        *,
        expected_version: int,
        user: str,
        note: str = "",
    ) -> Decision:
        """Compare-and-set the plot's decision; one audit row per changed field, sharing a change id."""
        check_name(name)
        wanted, user, plot_id = check_changes(changes), check_user(user), str(plot_id)
        with self._transaction(write=True) as conn:
            self._require_plot(conn, name, plot_id)
            current = _decision(conn, name, plot_id)
            if current.version != expected_version:
                raise ConcurrentEditError(conflict_message(current, expected_version))
            changed = {field: value for field, value in wanted.items() if getattr(current, field) != value}
            if not changed:
                return current
            return _apply(conn, current, changed, user=user, note=note, action="decide")

    def undo_last(self, name: str, user: str) -> Decision | None:
        """Revert ``user``'s latest not yet undone decision in ``name`` (all its fields), as an "undo"."""
        check_name(name)
        user = check_user(user)
        with self._transaction(write=True) as conn:
            self._require_inventory(conn, name)
            last = conn.execute(_LAST_UNDONE, (name, user)).fetchone()
            if last is None:
                return None
            change_id, plot_id, version, time = last
            current = _decision(conn, name, plot_id)
            if current.version != version:
                raise ConcurrentEditError(
                    f"cannot undo your change of {time} to plot {plot_id!r} of inventory {name!r}: "
                    f"{current.updated_by} changed the plot after it, at {current.updated_at} (now version "
                    f"{current.version}). It is now: {describe(current)}. Nothing was undone: reload the "
                    "plot and change it by hand."
                )
            old = conn.execute(
                "SELECT field, old_value FROM zgc_audit WHERE change_id = ? ORDER BY audit_id", (change_id,)
            ).fetchall()
            note = f"undo of change {change_id}"
            return _apply(conn, current, dict(old), user=user, note=note, action="undo", reverts=change_id)

    def backup(self, target: Path) -> Path:
        """A consistent copy of the whole workspace, itself a workspace and a GeoPackage.

        ``target`` is a ``.gpkg`` file, or an existing folder to put ``<name>-<UTC time>.gpkg``
        in. SQLite's backup API copies one consistent state into a temporary file next to the
        target, which then replaces it, so a crash never leaves a half backup.
        """
        target = Path(target)
        if target.is_dir():
            target = target / f"{self.path.stem}-{utc_now().replace(':', '').replace('.', '_')}.gpkg"
        if target.suffix.lower() != ".gpkg":
            raise OptionError(f"backup {target} must end in .gpkg, so that QGIS and GDAL recognise it")
        if target.exists() and target.resolve() == self.path.resolve():
            raise WorkspaceError(f"backup {target} is the workspace itself; choose another file or folder")
        if not target.parent.is_dir():
            raise WorkspaceError(f"cannot back up to {target}: its folder does not exist; create it first")
        with (
            gpkg_format.temporary_beside(target) as temporary,
            contextlib.closing(gpkg_format.connect(self.path)) as conn,
        ):
            copy = sqlite3.connect(temporary)
            try:
                conn.backup(copy)  # in one step: the whole file under one read lock
            except sqlite3.Error as error:
                raise gpkg_format.storage_error(self.path, error) from error
            finally:
                copy.close()
            gpkg_format.fsync(temporary)
            temporary.replace(target)
        gpkg_format.fsync(target.parent)
        return target

    def _write_features(self, conn: sqlite3.Connection, name: str, title: str, features: Features) -> None:
        """Create and fill the feature table, inside the caller's transaction (a seam for crash tests)."""
        gpkg_format.create_feature_table(conn, name, title, features)

    def _require_inventory(self, conn: sqlite3.Connection, name: str) -> str:
        """The stored column dtypes (JSON) of inventory ``name``; raise if there is no such inventory."""
        row = conn.execute("SELECT columns FROM zgc_inventories WHERE name = ?", (name,)).fetchone()
        if row is None:
            known = [r[0] for r in conn.execute("SELECT name FROM zgc_inventories ORDER BY name")]
            raise unknown_inventory(name, known, str(self.path))
        return str(row[0])

    def _require_plot(self, conn: sqlite3.Connection, name: str, plot_id: str) -> None:
        self._require_inventory(conn, name)
        table = quote(TABLE_PREFIX + name)
        if conn.execute(f"SELECT 1 FROM {table} WHERE plot_id = ?", (plot_id,)).fetchone() is None:
            raise WorkspaceError(
                f"inventory {name!r} has no plot {plot_id!r}; check the id (a replace may have removed it)"
            )

    def _taken(self, name: str) -> WorkspaceError:
        return WorkspaceError(
            f"the workspace {self.path} already has an inventory {name!r}; pass replace=True to replace "
            "it (the decisions of plots that remain are kept) or choose another name"
        )

    @contextlib.contextmanager
    def _transaction(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """A fresh connection in one transaction: committed on success, rolled back on any exception."""
        conn = gpkg_format.connect(self.path)
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield conn
            conn.execute("COMMIT")
        except BaseException as error:
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise gpkg_format.storage_error(self.path, error) from error
            raise
        finally:
            conn.close()


def open_workspace(path: Path | None = None) -> GeoPackageStore:
    """The workspace store at ``path``, by default :func:`zgc_geo.settings.workspace_path`."""
    return GeoPackageStore(workspace_path() if path is None else Path(path))


def _decision(conn: sqlite3.Connection, name: str, plot_id: str) -> Decision:
    row = conn.execute(
        f"SELECT {_DECISION_SQL} FROM zgc_decisions WHERE inventory = ? AND plot_id = ?", (name, plot_id)
    ).fetchone()
    return Decision(name, plot_id) if row is None else Decision(name, plot_id, *row)


def _apply(
    conn: sqlite3.Connection,
    current: Decision,
    changed: Mapping[str, str | None],
    *,
    user: str,
    note: str,
    action: str,
    reverts: str | None = None,
) -> Decision:
    """Write the new decision (version + 1) and one audit row per changed field under one change id."""
    values = {"review_status": current.review_status, "note": current.note, "mode": current.mode}
    values |= changed
    new = Decision(
        current.inventory, current.plot_id, str(values["review_status"]), values["note"], values["mode"],
        current.version + 1, utc_now(), user,
    )  # fmt: skip
    stored = (new.review_status, new.note, new.mode, new.version, new.updated_at, user)
    conn.execute(_UPSERT_DECISION, (new.inventory, new.plot_id, *stored))
    change_id = uuid.uuid4().hex
    row = (change_id, new.updated_at, user, new.inventory, new.plot_id)
    _audit(
        conn,
        [
            (*row, field, getattr(current, field), value, note, action, new.version, reverts)
            for field, value in changed.items()
        ],
    )
    return new


def _kept_and_orphaned(conn: sqlite3.Connection, name: str, plot_ids: pd.Series) -> str:
    """How many stored decisions of ``name`` still have their plot, and which lost it, in words."""
    query = "SELECT plot_id FROM zgc_decisions WHERE inventory = ?"
    decided = pd.Series([row[0] for row in conn.execute(query, (name,))], dtype=object)
    if decided.empty:
        return ""
    orphaned = sorted(decided[~decided.isin(plot_ids)])
    shown = ", ".join(orphaned[:SHOWN_ORPHANS]) + (" …" if len(orphaned) > SHOWN_ORPHANS else "")
    return (
        f"; kept the decisions of {len(decided) - len(orphaned)} plot(s); {len(orphaned)} orphaned "
        f"(plot no longer in the inventory{': ' + shown if shown else ''})"
    )


def _audit(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    conn.executemany(_INSERT_AUDIT, rows)
    conn.execute(
        "UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?, ?)", (utc_now(), *ZGC_TABLES)
    )
