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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import shapely

from zgc_geo.errors import WorkspaceError
from zgc_geo.settings import workspace_path
from zgc_geo.workspace import gpkg_format, gpkg_schema, integrity, roundtrip
from zgc_geo.workspace.decisions import (
    DECISION_SQL,
    with_decisions,
)
from zgc_geo.workspace.gpkg_format import TABLE_PREFIX, ZGC_TABLES, Features, quote
from zgc_geo.workspace.register import RegisterStore
from zgc_geo.workspace.rights import park_of
from zgc_geo.workspace.store import (
    DEFAULT_REVIEW_STATUS,
    IntegrityReport,
    InventoryInfo,
    PlotFilter,
    WorkspaceDump,
    backup_target,
    check_name,
    check_user,
    inventory_taken,
    unknown_inventory,
    utc_now,
)

#: Orphaned plot ids named in the audit note of a replace.
SHOWN_ORPHANS: Final = 10
_UPSERT_INVENTORY: Final = (
    "INSERT INTO zgc_inventories (name, title, source, imported_at, imported_by, plot_count, synthetic, "
    "columns) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET title = excluded.title, "
    "source = excluded.source, imported_at = excluded.imported_at, imported_by = excluded.imported_by, "
    "plot_count = excluded.plot_count, synthetic = excluded.synthetic, columns = excluded.columns"
)


class GeoPackageStore(RegisterStore):
    """A :class:`~zgc_geo.workspace.store.WorkspaceStore` in one GeoPackage file at ``path``.

    Construction touches nothing; the first operation creates a missing file, atomically.
    Decisions whose plot a replace removed stay stored ("orphaned"): they are not shown, and
    return if a later import brings the plot id back.
    """

    backend = "GeoPackage"
    _mark = "?"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        #: The inventory this store object saved last, for the next whole load of it (see load_inventory).
        self._saved: _Saved | None = None

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.path)!r})"

    @property
    def address(self) -> str:
        """The workspace file's path."""
        return str(self.path)

    def init(self) -> int:
        """Create the file, or upgrade it to the current schema; the version it is now at."""
        with self._transaction(write=False) as conn:
            return gpkg_schema.schema_version(conn)

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

    def load_inventory(self, name: str, where: PlotFilter | None = None) -> gpd.GeoDataFrame:
        """The plots as imported (dtypes restored) plus the decision columns, in EPSG:4326.

        Features and decisions are read in one read transaction: one consistent state even
        while another session writes. Park and review status are filtered in SQL; the box on
        the decoded geometries (the file has no spatial index that SQLite alone could use).

        The first whole load after this store object saved the inventory takes the plots from
        the saved frame (:func:`~zgc_geo.workspace.roundtrip.stored_frame`, the same values) when
        the audit chain's head shows nothing was written since; the decisions are always read.
        """
        check_name(name)
        with self._transaction(write=False) as conn:
            schema = json.loads(self._require_inventory(conn, name))
            saved, self._saved = self._saved, None
            if where is None and saved is not None and saved.unchanged(name, self._head(conn)):
                plots = saved.plots
            else:
                sql, params = _filter_sql(name, schema, where)
                plots = gpkg_format.read_features(conn, name, schema, sql, params)
            decided = conn.execute(
                f"SELECT plot_id, {DECISION_SQL} FROM zgc_decisions WHERE inventory = ?", (name,)
            ).fetchall()
        if where is not None and where.bbox is not None and len(plots):
            plots = plots[plots.geometry.intersects(shapely.box(*where.bbox))].reset_index(drop=True)
        return with_decisions(plots, decided)

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

        Plots are checked and typed before the write lock is taken, so other sessions wait only
        for the insert itself (the cells are made chunk by chunk as they are inserted).
        """
        check_name(name)
        user = check_user(user)
        action = "replace" if replace else "import"
        self._require_admin(user, action, name)  # before the slow encoding
        if not replace and any(info.name == name for info in self.inventories()):
            raise self._taken(name)
        features = gpkg_format.prepare_features(plots)
        info = InventoryInfo(name, title, source, utc_now(), user, features.count, synthetic)
        with self._write() as conn:
            self._as_admin(conn, user, action, name)
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
            self._audit_inventory(conn, info, None if old is None else int(old[0]), features.plot_ids)
            head = self._head(conn)
        dtypes = {column: dtype for column, _, dtype in features.columns}
        plots_read = roundtrip.stored_frame(features.data, dtypes, features.geometries)
        self._saved = None if plots_read is None or head is None else _Saved(name, head, plots_read)
        return info

    def verify(self, *, incremental: bool = False) -> IntegrityReport:
        """Recompute the chain and replay the decisions in one read transaction."""
        with self._transaction(write=False) as conn:
            return integrity.verify_log(
                self._log(conn), self._key, incremental=incremental, backend=self.backend,
                address=self.address, schema_version=gpkg_schema.schema_version(conn),
                notes=("anyone who can write the file can change it; the chain shows where it was changed "
                       "unless the whole chain was recomputed: compare the head with one recorded earlier",),
            )  # fmt: skip

    def dump(self, *, user: str) -> WorkspaceDump:
        """Every inventory, decision, audit row and grant in one read transaction; admins only."""
        self._require_admin(user, "copy the whole workspace")
        with self._transaction(write=False) as conn:
            infos = conn.execute(
                "SELECT name, title, source, imported_at, imported_by, plot_count, synthetic, columns "
                "FROM zgc_inventories ORDER BY name"
            ).fetchall()
            inventories = [
                (InventoryInfo(n, t, s, at, by, int(c), bool(syn)),
                 gpkg_format.read_features(conn, n, json.loads(columns)))
                for n, t, s, at, by, c, syn, columns in infos
            ]  # fmt: skip
            return self._dumped(conn, inventories)

    def restore(self, dump: WorkspaceDump, *, source: str, user: str) -> None:
        """Write ``dump`` into this empty workspace in one transaction, keeping ids and hashes."""
        prepared = [(info, gpkg_format.prepare_features(plots)) for info, plots in dump.inventories]
        with self._transaction(write=True) as conn:
            if (
                conn.execute("SELECT count(*) FROM zgc_audit").fetchone()[0]
                or conn.execute("SELECT count(*) FROM zgc_inventories").fetchone()[0]
            ):
                raise WorkspaceError(
                    f"the workspace {self.address} is not empty; copy into a new GeoPackage file or an empty "
                    "database, so that no history is merged or lost"
                )
            for info, features in prepared:
                self._write_features(conn, info.name, info.title, features)
                schema = json.dumps({column: dtype for column, _, dtype in features.columns})
                stored = (info.name, info.title, info.source, info.imported_at, info.imported_by)
                conn.execute(_UPSERT_INVENTORY, (*stored, info.plot_count, info.synthetic, schema))
            self._restore_log(conn, dump, source=source, user=user)
        integrity.forget(self._key)

    def backup(self, target: Path, *, user: str) -> Path:
        """A consistent copy of the whole workspace, itself a workspace and a GeoPackage; admins only.

        ``target`` is a ``.gpkg`` file, or an existing folder to put ``<name>-<UTC time>.gpkg``
        in. SQLite's backup API copies one consistent state into a temporary file next to the
        target, which then replaces it, so a crash never leaves a half backup.
        """
        self._require_admin(user, "back up the workspace")
        target = backup_target(Path(target), self.path.stem)
        if target.exists() and target.resolve() == self.path.resolve():
            raise WorkspaceError(f"backup {target} is the workspace itself; choose another file or folder")
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

    @property
    def _key(self) -> str:
        return f"gpkg:{self.path.resolve()}"

    def _writing(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._transaction(write=True)

    def _reading(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._transaction(write=False)

    def _lock_chain(self, conn: sqlite3.Connection) -> None:
        """Nothing to do: BEGIN IMMEDIATE already made this the only writer of the file."""

    def _head(self, conn: sqlite3.Connection) -> tuple[int, str] | None:
        return gpkg_schema.head(conn)

    def _set_head(self, conn: sqlite3.Connection, last_id: int, last_hash: str) -> None:
        gpkg_schema.set_head(conn, last_id, last_hash)
        conn.execute(
            "UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?, ?)", (utc_now(), *ZGC_TABLES)
        )

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

    def _plot_park(self, conn: sqlite3.Connection, name: str, plot_id: str) -> str | None:
        schema = json.loads(self._require_inventory(conn, name))
        park = quote("park_id") if "park_id" in schema else "NULL"
        table = quote(TABLE_PREFIX + name)
        row = conn.execute(f"SELECT {park} FROM {table} WHERE plot_id = ?", (plot_id,)).fetchone()
        return None if row is None else park_of(row[0])

    def _taken(self, name: str) -> WorkspaceError:
        return inventory_taken(self.address, name)

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


@dataclass(frozen=True)
class _Saved:
    """An inventory as a store object saved it: its name, the chain head its save left, the plots as
    a load would read them. Every write to the file adds an audit row, so an unchanged head means the
    feature table is still the one saved."""

    name: str
    head: tuple[int, str]
    plots: gpd.GeoDataFrame

    def unchanged(self, name: str, head: tuple[int, str] | None) -> bool:
        return name == self.name and head == self.head


def open_gpkg_workspace(path: Path | None = None) -> GeoPackageStore:
    """The GeoPackage workspace at ``path``, by default :func:`zgc_geo.settings.workspace_path`."""
    return GeoPackageStore(workspace_path() if path is None else Path(path))


def _filter_sql(name: str, schema: dict[str, str], where: PlotFilter | None) -> tuple[str, list[object]]:
    """The WHERE clause (on the feature table ``p``) for the park and status parts of ``where``."""
    clauses: list[str] = []
    params: list[object] = []
    if where is not None and where.park_ids is not None:
        if "park_id" not in schema:
            clauses.append("0")
        else:
            clauses.append(f"p.park_id IN ({', '.join('?' * len(where.park_ids)) or 'NULL'})")
            params += list(where.park_ids)
    if where is not None and where.review_statuses is not None:
        marks = ", ".join("?" * len(where.review_statuses)) or "NULL"
        clauses.append(
            f"coalesce((SELECT d.review_status FROM zgc_decisions AS d WHERE d.inventory = ? AND "
            f"d.plot_id = p.plot_id), '{DEFAULT_REVIEW_STATUS}') IN ({marks})"
        )
        params += [name, *where.review_statuses]
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params
