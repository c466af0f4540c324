"""The workspace in a PostgreSQL + PostGIS database, through psycopg 3: one inventory for the whole zone.

Each public call is one transaction on a fresh connection. Every audited write takes one
advisory lock (:data:`~zgc_geo.workspace.postgis_schema.AUDIT_LOCK`) just before it reads the
chain's last row, so the chain stays a chain under any number of writers, and a long import
holds that lock only for its last statements: its plots are copied into a new table first,
which is then swapped in. Plots are ``geometry(MultiPolygon, 4326)`` with a GiST index, one
table per inventory, so QGIS shows each inventory as a layer.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import psycopg
import shapely
from psycopg import sql

from zgc_geo.errors import OptionError, WorkspaceError
from zgc_geo.settings import user_name
from zgc_geo.workspace import gpkg_format, integrity, postgis_schema
from zgc_geo.workspace.address import redacted
from zgc_geo.workspace.decisions import (
    DECISION_SQL,
    with_decisions,
)
from zgc_geo.workspace.gpkg_format import TABLE_PREFIX, Features
from zgc_geo.workspace.register import RegisterStore
from zgc_geo.workspace.rights import park_of
from zgc_geo.workspace.roundtrip import columns_from_chunks, features_frame
from zgc_geo.workspace.store import (
    AUDIT_EXPORT_COLUMNS,
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

#: PostgreSQL cuts identifiers at 63 bytes; longer column names are shortened (and kept in the schema).
MAX_IDENTIFIER_BYTES: Final = 63
CONNECT_TIMEOUT_S: Final = 10
#: SQL type of each column kind of :func:`~zgc_geo.workspace.gpkg_format.prepare_features`.
_PG_TYPES: Final = {"INTEGER": "bigint", "REAL": "double precision", "BOOLEAN": "boolean"}
_AUDIT_COLUMNS_SQL: Final = ", ".join(f'"{c}"' for c in AUDIT_EXPORT_COLUMNS)
_UPSERT_INVENTORY: Final = (
    "INSERT INTO zgc_inventories (name, title, source, imported_at, imported_by, plot_count, synthetic, "
    "columns, feature_table) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
    "title = excluded.title, source = excluded.source, imported_at = excluded.imported_at, "
    "imported_by = excluded.imported_by, plot_count = excluded.plot_count, synthetic = excluded.synthetic, "
    "columns = excluded.columns, feature_table = excluded.feature_table"
)
#: Addresses whose schema version this process has checked.
_CHECKED: set[str] = set()
_CHECKED_LOCK: Final = threading.Lock()


class PostgisStore(RegisterStore):
    """A :class:`~zgc_geo.workspace.store.WorkspaceStore` in the PostGIS database at ``url``.

    Construction touches nothing. A database without a workspace is set up on first use when
    the role may create it; otherwise the error says to run ``zgc-geo workspace init``.
    """

    backend = "PostGIS"
    _mark = "%s"

    def __init__(self, url: str) -> None:
        self._url = url

    def __repr__(self) -> str:
        return f"PostgisStore({self.address!r})"

    @property
    def address(self) -> str:
        """The database URL without its password."""
        return redacted(self._url)

    def init(self) -> int:
        """Create the workspace (schema, tables, roles, grants) or check it is current; its version."""
        with self._transaction(checked=False) as conn:
            version = postgis_schema.schema_version(conn)
            try:
                with conn.transaction():
                    if version is None:
                        postgis_schema.create(conn, user_name(), self.address, _park_ids())
                    else:
                        postgis_schema.upgrade(conn, user_name(), self.address, _park_ids())
            except psycopg.errors.InsufficientPrivilege as error:
                raise WorkspaceError(
                    f"the role of {self.address} may not create or upgrade the workspace "
                    f"({_first_line(error)}); run `zgc-geo workspace init --workspace URL` once with the URL "
                    "of the database's owner or a superuser, then connect as a member of zgc_geo_app"
                ) from error
        with _CHECKED_LOCK:
            _CHECKED.add(self._url)
        return postgis_schema.SCHEMA_VERSION

    def inventories(self) -> list[InventoryInfo]:
        """Every inventory in the workspace, by name."""
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT name, title, source, imported_at, imported_by, plot_count, synthetic "
                "FROM zgc_inventories ORDER BY name"
            ).fetchall()
        return [InventoryInfo(n, t, s, at, by, int(c), bool(syn)) for n, t, s, at, by, c, syn in rows]

    def load_inventory(self, name: str, where: PlotFilter | None = None) -> gpd.GeoDataFrame:
        """The plots (dtypes restored) plus the decision columns; park, status and box filtered in SQL."""
        check_name(name)
        with self._transaction() as conn:
            plots = self._read_features(conn, name, where)
            decided = conn.execute(
                f"SELECT plot_id, {DECISION_SQL} FROM zgc_decisions WHERE inventory = %s", (name,)
            ).fetchall()
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
        """Copy the plots into a new table, then swap it in and audit the import under the chain's lock."""
        check_name(name)
        user = check_user(user)
        action = "replace" if replace else "import"
        self._require_admin(user, action, name)  # before the slow encoding and copy
        if not replace and any(info.name == name for info in self.inventories()):
            raise inventory_taken(self.address, name)
        features = gpkg_format.prepare_features(plots)
        info = InventoryInfo(name, title, source, utc_now(), user, features.count, synthetic)
        with self._write() as conn:
            staging, stored = self._copy_features(conn, features)
            self._as_admin(conn, user, action, name)  # takes the chain's lock: only for the last statements
            old = conn.execute(
                "SELECT plot_count, feature_table FROM zgc_inventories WHERE name = %s", (name,)
            ).fetchone()
            if old is not None and not replace:
                raise inventory_taken(self.address, name)
            if old is not None:
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(old[1])))
            table = TABLE_PREFIX + name
            conn.execute(
                sql.SQL("ALTER TABLE {} RENAME TO {}").format(sql.Identifier(staging), sql.Identifier(table))
            )
            postgis_schema.feature_table_owner(conn, table)
            conn.execute(
                _UPSERT_INVENTORY,
                (
                    name,
                    title,
                    source,
                    info.imported_at,
                    user,
                    info.plot_count,
                    synthetic,
                    json.dumps(stored),
                    table,
                ),
            )
            self._audit_inventory(conn, info, None if old is None else int(old[0]), features.plot_ids)
        return info

    def verify(self, *, incremental: bool = False) -> IntegrityReport:
        """Recompute the chain and replay the decisions in one repeatable-read snapshot."""
        with self._transaction(snapshot=True) as conn:
            notes: tuple[str, ...] = ()
            if postgis_schema.can_rewrite_log(conn):
                role = conn.execute("SELECT current_user").fetchone()[0]  # type: ignore[index]
                notes = (
                    f"the role {role} owns the audit table or is a superuser, so it could rewrite the "
                    "log: the chain shows where rows were changed unless the whole chain was recomputed; "
                    "the app should connect as a member of zgc_geo_app",
                )
            return integrity.verify_log(
                self._log(conn), self._key, incremental=incremental, backend=self.backend,
                address=self.address, schema_version=postgis_schema.SCHEMA_VERSION, notes=notes,
            )  # fmt: skip

    def dump(self, *, user: str) -> WorkspaceDump:
        """Every inventory, decision, audit row and grant from one snapshot; admins only."""
        self._require_admin(user, "copy the whole workspace")
        with self._transaction(snapshot=True) as conn:
            names = [r[0] for r in conn.execute("SELECT name FROM zgc_inventories ORDER BY name")]
            infos = {i.name: i for i in self._infos(conn)}
            inventories = [(infos[n], self._read_features(conn, n, None)) for n in names]
            return self._dumped(conn, inventories)

    def restore(self, dump: WorkspaceDump, *, source: str, user: str) -> None:
        """Load ``dump`` into this empty workspace in one transaction, ids and hashes as they are."""
        prepared = [(info, gpkg_format.prepare_features(plots)) for info, plots in dump.inventories]
        with self._transaction() as conn:
            self._lock_chain(conn)
            counts = conn.execute(
                "SELECT (SELECT count(*) FROM zgc_audit), (SELECT count(*) FROM zgc_inventories)"
            ).fetchone()
            if counts and any(counts):
                raise WorkspaceError(
                    f"the workspace {self.address} is not empty; copy into an empty database (run "
                    "`zgc-geo workspace init` on a new one), so that no history is merged or lost"
                )
            for info, features in prepared:
                staging, stored = self._copy_features(conn, features)
                table = TABLE_PREFIX + info.name
                conn.execute(
                    sql.SQL("ALTER TABLE {} RENAME TO {}").format(
                        sql.Identifier(staging), sql.Identifier(table)
                    )
                )
                postgis_schema.feature_table_owner(conn, table)
                conn.execute(_UPSERT_INVENTORY, (info.name, info.title, info.source, info.imported_at,
                                                 info.imported_by, info.plot_count, info.synthetic,
                                                 json.dumps(stored), table))  # fmt: skip
            self._restore_log(conn, dump, source=source, user=user)
        integrity.forget(self._key)

    def backup(self, target: Path, *, user: str) -> Path:
        """The whole workspace copied into a new GeoPackage workspace at ``target``; admins only."""
        from zgc_geo.workspace.gpkg_store import GeoPackageStore  # noqa: PLC0415 - the backup format

        dump = self.dump(user=user)
        target = backup_target(Path(target), "zgc_geo_workspace")
        with gpkg_format.temporary_beside(target) as temporary:
            copy = GeoPackageStore(temporary)
            copy.init()
            copy.restore(dump, source=self.address, user=user)
            gpkg_format.fsync(temporary)
            temporary.replace(target)
        gpkg_format.fsync(target.parent)
        return target

    def _insert_audit(self, conn: psycopg.Connection, sealed: list[tuple[object, ...]]) -> None:
        """Insert sealed rows as they are, with COPY: a copied log may hold hundreds of thousands."""
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY zgc_audit ({_AUDIT_COLUMNS_SQL}) FROM STDIN") as copy,
        ):
            for row in sealed:
                copy.write_row(row)

    @property
    def _key(self) -> str:
        return f"postgis:{self._url}"

    def _writing(self) -> contextlib.AbstractContextManager[psycopg.Connection]:
        return self._transaction()

    def _reading(self) -> contextlib.AbstractContextManager[psycopg.Connection]:
        return self._transaction()

    def _lock_chain(self, conn: psycopg.Connection) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (postgis_schema.AUDIT_LOCK,))

    def _head(self, conn: psycopg.Connection) -> tuple[int, str] | None:
        row = conn.execute("SELECT last_id, last_hash FROM zgc_head WHERE id = 1").fetchone()
        return None if row is None or not row[0] else (int(row[0]), str(row[1]))

    def _set_head(self, conn: psycopg.Connection, last_id: int, last_hash: str) -> None:
        conn.execute("UPDATE zgc_head SET last_id = %s, last_hash = %s WHERE id = 1", (last_id, last_hash))

    def _infos(self, conn: psycopg.Connection) -> list[InventoryInfo]:
        rows = conn.execute(
            "SELECT name, title, source, imported_at, imported_by, plot_count, synthetic FROM zgc_inventories"
        ).fetchall()
        return [InventoryInfo(n, t, s, at, by, int(c), bool(syn)) for n, t, s, at, by, c, syn in rows]

    def _copy_features(self, conn: psycopg.Connection, features: Features) -> tuple[str, list[list[str]]]:
        """COPY the plots into a new staging table; its name and [name, stored name, dtype] per column."""
        staging = f"zgc_staging_{uuid.uuid4().hex[:16]}"
        names = _stored_names([column for column, _, _ in features.columns])
        columns = sql.SQL("").join(
            sql.SQL(", {} {}").format(sql.Identifier(stored), sql.SQL(_PG_TYPES.get(kind, "text")))
            for stored, (_, kind, _) in zip(names, features.columns, strict=True)
        )
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (fid bigserial PRIMARY KEY, geom geometry(MultiPolygon, 4326){})"
            ).format(sql.Identifier(staging), columns)
        )
        geometry = _multipolygon_ewkb(features.geometries)
        target = sql.SQL("COPY {} (geom{}) FROM STDIN").format(
            sql.Identifier(staging),
            sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(n)) for n in names),
        )
        with conn.cursor() as cursor, cursor.copy(target) as copy:
            for wkb, row in zip(geometry, features.cells(), strict=True):
                copy.write_row((wkb, *row))
        index = uuid.uuid4().hex[:16]
        conn.execute(sql.SQL("CREATE INDEX {} ON {} USING gist (geom)").format(
            sql.Identifier(f"zgc_geom_{index}"), sql.Identifier(staging)))  # fmt: skip
        conn.execute(sql.SQL("CREATE UNIQUE INDEX {} ON {} (plot_id)").format(
            sql.Identifier(f"zgc_plot_id_{index}"), sql.Identifier(staging)))  # fmt: skip
        if "park_id" in names:
            conn.execute(sql.SQL("CREATE INDEX {} ON {} (park_id)").format(
                sql.Identifier(f"zgc_park_{index}"), sql.Identifier(staging)))  # fmt: skip
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(staging)))
        stored = [
            [column, name, dtype] for name, (column, _, dtype) in zip(names, features.columns, strict=True)
        ]
        return staging, stored

    def _read_features(
        self, conn: psycopg.Connection, name: str, where: PlotFilter | None
    ) -> gpd.GeoDataFrame:
        """The plots of ``name`` in insertion order, dtypes restored, ``where`` applied in SQL."""
        row = conn.execute(
            "SELECT columns, feature_table FROM zgc_inventories WHERE name = %s", (name,)
        ).fetchone()
        if row is None:
            known = [r[0] for r in conn.execute("SELECT name FROM zgc_inventories ORDER BY name")]
            raise unknown_inventory(name, known, self.address)
        stored, table = json.loads(row[0]), row[1]
        clauses, params = _filter_sql(name, {s for _, s, _ in stored}, where)
        rows = sql.SQL("FROM {} AS p {} ORDER BY p.fid").format(sql.Identifier(table), sql.SQL(clauses))
        query = sql.SQL("SELECT ST_AsBinary(p.geom){} {}").format(
            sql.SQL("").join(sql.SQL(", p.{}").format(sql.Identifier(s)) for _, s, _ in stored), rows
        )
        cursor = conn.execute(query, params)

        def reread(index: int) -> list[object]:
            column = sql.SQL("SELECT p.{} {}").format(sql.Identifier(stored[index][1]), rows)
            return [cell[0] for cell in conn.execute(column, params).fetchall()]

        restored, geometry = columns_from_chunks(
            iter(lambda: cursor.fetchmany(gpkg_format.CHUNK_ROWS), []),
            [dtype for _, _, dtype in stored],
            _geometries,
            reread,
        )
        return features_frame(dict(zip([column for column, _, _ in stored], restored, strict=True)), geometry)

    def _require_inventory(self, conn: psycopg.Connection, name: str) -> str:
        row = conn.execute("SELECT feature_table FROM zgc_inventories WHERE name = %s", (name,)).fetchone()
        if row is None:
            known = [r[0] for r in conn.execute("SELECT name FROM zgc_inventories ORDER BY name")]
            raise unknown_inventory(name, known, self.address)
        return str(row[0])

    def _plot_park(self, conn: psycopg.Connection, name: str, plot_id: str) -> str | None:
        row = conn.execute(
            "SELECT feature_table, columns FROM zgc_inventories WHERE name = %s", (name,)
        ).fetchone()
        if row is None:
            self._require_inventory(conn, name)  # raises, naming the inventories there are
        table, columns = row  # type: ignore[misc]
        has_park = any(stored == "park_id" for _, stored, _ in json.loads(columns))
        park = sql.Identifier("park_id") if has_park else sql.SQL("NULL")
        query = sql.SQL("SELECT {} FROM {} WHERE plot_id = %s").format(park, sql.Identifier(table))
        row = conn.execute(query, (plot_id,)).fetchone()
        return None if row is None else park_of(row[0])

    @contextlib.contextmanager
    def _transaction(self, *, checked: bool = True, snapshot: bool = False) -> Iterator[psycopg.Connection]:
        """A fresh connection in one transaction: committed on success, rolled back on any exception."""
        try:
            conn = psycopg.connect(
                self._url, connect_timeout=CONNECT_TIMEOUT_S, application_name="zgc-geo",
                options=f"-c search_path={postgis_schema.SCHEMA},public",
            )  # fmt: skip
        except psycopg.Error as error:
            raise WorkspaceError(
                f"cannot connect to the PostGIS workspace {self.address} ({_first_line(error)}); check "
                "that the server runs, and the host, port, database, user and password in ZGC_GEO_WORKSPACE"
            ) from error
        try:
            if snapshot:  # one consistent state for a whole verify or dump, even while others write
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            with conn:
                if checked:
                    self._check_schema(conn)
                yield conn
        except psycopg.errors.InsufficientPrivilege as error:
            raise WorkspaceError(
                f"the PostGIS workspace {self.address} refused this: {_first_line(error)}; the role needs "
                "to be a member of zgc_geo_app (createuser --role=zgc_geo_app NAME) to edit, or of "
                "zgc_geo_reader to read"
            ) from error
        except psycopg.Error as error:
            raise WorkspaceError(
                f"the PostGIS workspace {self.address} refused the change ({_first_line(error)}); "
                "nothing was changed"
            ) from error
        finally:
            conn.close()

    def _check_schema(self, conn: psycopg.Connection) -> None:
        """Once per process: the database holds a workspace of this version (made now if it may be)."""
        with _CHECKED_LOCK:
            if self._url in _CHECKED:
                return
        version = postgis_schema.schema_version(conn)
        if version is None:
            with contextlib.suppress(psycopg.errors.InsufficientPrivilege), conn.transaction():
                postgis_schema.create(conn, user_name(), self.address, _park_ids())
            version = postgis_schema.schema_version(conn)
        postgis_schema.check_current(version, self.address)
        with _CHECKED_LOCK:
            _CHECKED.add(self._url)


def _park_ids() -> list[str]:
    """The shipped sub-parks' ids: each gets a database role confined to its own plots."""
    from zgc_geo.catalogue import shipped_layer  # noqa: PLC0415 - plan layers only when a workspace is made

    return sorted(str(p) for p in shipped_layer("parks")["park_id"])


def _filter_sql(name: str, stored: set[str], where: PlotFilter | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if where is not None and where.park_ids is not None:
        if "park_id" in stored:
            clauses.append("p.park_id = ANY(%s)")
            params.append(list(where.park_ids))
        else:
            clauses.append("false")
    if where is not None and where.review_statuses is not None:
        clauses.append(
            "coalesce((SELECT d.review_status FROM zgc_decisions AS d WHERE d.inventory = %s AND "
            f"d.plot_id = p.plot_id), '{DEFAULT_REVIEW_STATUS}') = ANY(%s)"
        )
        params += [name, list(where.review_statuses)]
    if where is not None and where.bbox is not None:
        clauses.append("p.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) AND "
                       "ST_Intersects(p.geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))")  # fmt: skip
        params += [float(v) for v in where.bbox] * 2
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _stored_names(columns: Sequence[str]) -> list[str]:
    """Column names as PostgreSQL keeps them: at most 63 UTF-8 bytes, cut at a character, made unique."""
    names: list[str] = []
    for column in columns:
        name = column.encode("utf-8")[:MAX_IDENTIFIER_BYTES].decode("utf-8", "ignore")
        suffix = 2
        while name in names:
            tail = f"_{suffix}"
            name = column.encode("utf-8")[: MAX_IDENTIFIER_BYTES - len(tail)].decode("utf-8", "ignore") + tail
            suffix += 1
        names.append(name)
    return names


def _geometries(cells: Sequence[Any]) -> np.ndarray:
    """Geometries from the WKB cells psycopg returns (memoryviews; None where missing)."""
    return shapely.from_wkb(np.array([None if g is None else bytes(g) for g in cells], dtype=object))


def _multipolygon_ewkb(geometries: np.ndarray) -> list[str | None]:
    """Hex EWKB (SRID 4326) of each geometry as a MultiPolygon; polygons are wrapped, others refused."""
    present = ~shapely.is_missing(geometries)
    kinds = shapely.get_type_id(geometries)
    polygon = kinds == shapely.GeometryType.POLYGON
    other = present & ~polygon & (kinds != shapely.GeometryType.MULTIPOLYGON)
    if other.any():
        row = int(np.flatnonzero(other)[0])
        raise OptionError(
            f"a PostGIS workspace stores plots as polygons, but plot row {row + 1} is a "
            f"{shapely.get_type_id(geometries[row])} geometry ({geometries[row].geom_type}); import polygons"
        )
    multi = geometries.copy()
    if polygon.any():
        indices = np.flatnonzero(polygon)
        multi[indices] = shapely.multipolygons(geometries[indices], indices=np.arange(len(indices)))
    multi = shapely.set_srid(multi, 4326)
    encoded = shapely.to_wkb(multi, hex=True, include_srid=True, flavor="extended")
    return [None if not keep else str(value) for value, keep in zip(encoded, present, strict=True)]


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
