"""The GeoPackage side of the workspace: the file, its tables, geometry encoding and column types.

Everything here follows OGC GeoPackage 1.3 so that QGIS and GDAL open a workspace (or its
backup) as they would any GeoPackage: the file header ids, the three mandatory spatial
reference systems, ``gpkg_contents`` and ``gpkg_geometry_columns``, and geometries as
GeoPackage binary (a small header with the envelope, then ISO WKB). Encoding and decoding
are vectorised over numpy arrays and SQL, because an inventory may hold 200,000 plots. A new
file is built aside and linked into place complete; an existing one is checked once per process.
"""

from __future__ import annotations

import contextlib
import json
import operator
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from zgc_geo.crs import STORAGE_CRS, require_crs
from zgc_geo.errors import OptionError, WorkspaceError
from zgc_geo.settings import user_name
from zgc_geo.workspace import gpkg_schema
from zgc_geo.workspace.roundtrip import columns_from_chunks, features_frame
from zgc_geo.workspace.store import DECISION_COLUMNS, SCHEMA_VERSION

GPKG_APPLICATION_ID: Final = 0x47504B47  # 'GPKG'
GPKG_USER_VERSION: Final = 10300  # GeoPackage 1.3: read by every GDAL and QGIS still in use
SRS_ID: Final = 4326
#: How long a write waits for another session's write to finish before giving up: long enough for
#: a 300,000-plot import to be stored beside it (the whole file is locked while it is written).
BUSY_TIMEOUT_S: Final = 120.0
#: (path, device, inode) of the files that passed PRAGMA quick_check in this process.
_VERIFIED: set[tuple[str, int, int]] = set()
_VERIFIED_LOCK: Final = threading.Lock()
#: Feature table of inventory ``name``; the prefix keeps inventories apart from other tables.
TABLE_PREFIX: Final = "plots__"
ZGC_TABLES: Final = ("zgc_inventories", "zgc_decisions", "zgc_audit")
#: Rows converted to Python values and inserted at a time (see :class:`Features`).
CHUNK_ROWS: Final = 50_000
#: Column names an inventory may not bring: the feature table's own and the decision columns.
RESERVED_COLUMNS: Final = frozenset({"fid", "geom", "geometry", *DECISION_COLUMNS})
#: The WKB after a GeoPackage header, whose length follows from the envelope code (flag bits 1–3).
WKB_SQL: Final = (
    "substr(geom, 9 + (CASE (instr('0123456789ABCDEF', substr(hex(substr(geom, 4, 1)), 2, 1)) - 1) / 2 "
    "WHEN 0 THEN 0 WHEN 1 THEN 32 WHEN 4 THEN 64 ELSE 48 END))"
)
#: GeoPackage binary header: 'GP', version 0, flags, srs_id, envelope [minx maxx miny maxy].
_HEADER: Final = np.dtype(
    [("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"), ("envelope", "<f8", (4,))]
)
_LITTLE_ENDIAN_XY_ENVELOPE: Final = 0b0000_0011
_EMPTY_FLAG: Final = 0b0001_0000
#: shapely type id → GeoPackage geometry type name (2, a linear ring, is stored as a line string).
_TYPE_NAMES: Final = dict(enumerate((
    "POINT", "LINESTRING", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON",
    "GEOMETRYCOLLECTION",
)))  # fmt: skip
#: A layer mixing single and multi parts is declared as the multi type; any other mixture as GEOMETRY.
_MULTI_OF: Final = {frozenset({0, 4}): "MULTIPOINT", frozenset({1, 5}): "MULTILINESTRING",
                    frozenset({3, 6}): "MULTIPOLYGON"}  # fmt: skip
#: SQL type of an object column by what pandas infers it holds; anything else is TEXT.
_OBJECT_TYPES: Final = {"integer": "INTEGER", "floating": "REAL", "mixed-integer-float": "REAL",
                        "boolean": "BOOLEAN"}  # fmt: skip
_SCHEMA: Final = (
    "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, "
    "organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, "
    "description TEXT)",
    "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, "
    "identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT "
    "(strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, "
    "srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))",
    "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
    "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, "
    "CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name "
    "UNIQUE (table_name), CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name), "
    "CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))",
    "CREATE TABLE zgc_inventories (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, "
    "title TEXT NOT NULL, source TEXT NOT NULL, imported_at DATETIME NOT NULL, imported_by TEXT NOT NULL, "
    "plot_count INTEGER NOT NULL, synthetic BOOLEAN NOT NULL, columns TEXT NOT NULL)",
    "CREATE TABLE zgc_decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, inventory TEXT NOT NULL, "
    "plot_id TEXT NOT NULL, review_status TEXT NOT NULL, note TEXT, mode TEXT, version INTEGER NOT NULL, "
    "updated_at DATETIME NOT NULL, updated_by TEXT NOT NULL, UNIQUE (inventory, plot_id))",
    "CREATE TABLE zgc_audit (audit_id INTEGER PRIMARY KEY AUTOINCREMENT, change_id TEXT NOT NULL, "
    'time DATETIME NOT NULL, "user" TEXT NOT NULL, inventory TEXT NOT NULL, plot_id TEXT, field TEXT, '
    "old_value TEXT, new_value TEXT, note TEXT NOT NULL DEFAULT '', action TEXT NOT NULL, version INTEGER, "
    "reverts TEXT)",
    "CREATE INDEX zgc_audit_plot ON zgc_audit (inventory, plot_id)",
    "CREATE INDEX zgc_audit_change ON zgc_audit (change_id)",
    "CREATE INDEX zgc_audit_reverts ON zgc_audit (reverts)",
    "CREATE TRIGGER zgc_audit_no_update BEFORE UPDATE ON zgc_audit BEGIN "
    "SELECT RAISE(ABORT, 'zgc_audit is append-only: audit rows cannot be changed'); END",
    "CREATE TRIGGER zgc_audit_no_delete BEFORE DELETE ON zgc_audit BEGIN "
    "SELECT RAISE(ABORT, 'zgc_audit is append-only: audit rows cannot be deleted'); END",
)
#: The three spatial reference systems every GeoPackage must define (EPSG:4326 is one of them).
_SRS_ROWS: Final = (
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic"),
    ("WGS 84 geodetic", SRS_ID, "EPSG", SRS_ID, STORAGE_CRS.to_wkt("WKT1_GDAL"), "longitude/latitude"),
)
_TABLE_ROWS: Final = (
    ("zgc_inventories", "imported plot inventories (zgc-geo workspace)"),
    ("zgc_decisions", "current review decision per plot (zgc-geo workspace)"),
    ("zgc_audit", "append-only audit log of every change (zgc-geo workspace)"),
)


@dataclass(frozen=True)
class Features:
    """An inventory ready to insert: typed columns, ids, extent; its rows are made chunk by chunk.

    The cells are turned into Python values only while they are inserted (:meth:`rows`), a chunk
    at a time: the whole inventory as Python tuples would double an import's memory (about
    0.5 GB for a million plots), and the conversion is no slower in chunks.
    """

    columns: list[tuple[str, str, str]]  # name, SQL type, pandas dtype (restored on load)
    data: pd.DataFrame  # the columns as typed for storing (plot_id as text), in EPSG:4326 row order
    plot_ids: pd.Series
    geometry_type: str
    z: int
    bounds: tuple[float | None, ...]
    geometries: np.ndarray  # the shapely geometries, for backends that encode them their own way
    sources: list[tuple[pd.Series, str]]  # per column: the series to convert and how (_cells_of)

    @property
    def count(self) -> int:
        """How many plots."""
        return len(self.geometries)

    def rows(self) -> Iterator[tuple[object, ...]]:
        """Every row as inserted: the GeoPackage geometry blob, then the cells (None where missing)."""
        for start in range(0, self.count, CHUNK_ROWS):
            part = slice(start, start + CHUNK_ROWS)
            yield from zip(_blobs(self.geometries[part]), *self._chunk(part), strict=True)

    def cells(self) -> Iterator[tuple[object, ...]]:
        """Every row's cells without the geometry, for backends that encode it their own way."""
        for start in range(0, self.count, CHUNK_ROWS):
            yield from zip(*self._chunk(slice(start, start + CHUNK_ROWS)), strict=True)

    def _chunk(self, part: slice) -> list[list[object]]:
        return [_cells_of(series.iloc[part], how) for series, how in self.sources]


def initialise(conn: sqlite3.Connection, user: str) -> None:
    """Make the empty database behind ``conn`` an empty zgc-geo workspace GeoPackage (``user`` its creator).

    The version-1 tables are created and then upgraded step by step, so that a new file is
    exactly what an upgraded one is.
    """
    conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("BEGIN")
    for statement in _SCHEMA:
        conn.execute(statement)
    conn.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", _SRS_ROWS)
    conn.executemany(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES (?, 'attributes', ?, ?)",
        [(table, table, description) for table, description in _TABLE_ROWS],
    )
    gpkg_schema.upgrade(conn, user, "being created")
    conn.execute("COMMIT")


def create_feature_table(conn: sqlite3.Connection, name: str, title: str, features: Features) -> None:
    """Create the feature table of inventory ``name``, insert every plot and register the table.

    One INSERT statement run over the rows as they are made, in the caller's transaction; the
    plot id index is built after the rows are in.
    """
    table = TABLE_PREFIX + name
    columns = "".join(f", {quote(column)} {kind}" for column, kind, _ in features.columns)
    conn.execute(
        f"CREATE TABLE {quote(table)} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
        f"geom {features.geometry_type}{columns})"
    )
    names = ", ".join(quote(column) for column, _, _ in features.columns)
    marks = ", ".join("?" * (len(features.columns) + 1))
    conn.executemany(f"INSERT INTO {quote(table)} (geom, {names}) VALUES ({marks})", features.rows())
    # built once over the loaded rows (one sort), not grown row by row; the ids are already unique
    conn.execute(f"CREATE UNIQUE INDEX {quote(table + '_plot_id')} ON {quote(table)} (plot_id)")
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, "
        "max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?)",
        (table, table, title, *features.bounds, SRS_ID),
    )
    conn.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, ?, 0)",
        (table, features.geometry_type, SRS_ID, features.z),
    )


def drop_feature_table(conn: sqlite3.Connection, name: str) -> None:
    """Remove the feature table of inventory ``name`` and its registration."""
    table = TABLE_PREFIX + name
    conn.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = ?", (table,))
    conn.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (table,))
    conn.execute(f"DROP TABLE {quote(table)}")


def read_features(
    conn: sqlite3.Connection,
    name: str,
    schema: dict[str, str],
    where: str = "",
    params: Sequence[object] = (),
) -> gpd.GeoDataFrame:
    """The feature table of ``name`` (as ``p``, filtered by ``where``) in insertion order, dtypes restored.

    Rows are fetched a chunk at a time, and the columns whose cells convert one by one (numbers,
    booleans, text: :func:`~zgc_geo.workspace.roundtrip.converts_cell_by_cell`) and the geometries
    are converted chunk by chunk, so a million plots are never all Python objects at once. A column
    a chunk of which pandas refuses is read again whole and converted as before (to object).
    """
    table = f"{quote(TABLE_PREFIX + name)} AS p {where} ORDER BY p.fid"
    columns = ", ".join(f"p.{quote(column)}" for column in schema)
    cursor = conn.execute(
        f"SELECT {WKB_SQL.replace('geom', 'p.geom')}, {columns} FROM {table}", tuple(params)
    )
    names = list(schema)

    def reread(index: int) -> list[object]:
        query = f"SELECT p.{quote(names[index])} FROM {table}"
        return [row[0] for row in conn.execute(query, tuple(params))]

    restored, geometry = columns_from_chunks(
        iter(lambda: cursor.fetchmany(CHUNK_ROWS), []),
        list(schema.values()),
        lambda cells: shapely.from_wkb(np.array(cells, dtype=object)),
        reread,
    )
    return features_frame(dict(zip(names, restored, strict=True)), geometry)


def prepare_features(plots: gpd.GeoDataFrame) -> Features:
    """Check and encode an inventory (before any lock is taken): ids, column names and types, geometry."""
    if not isinstance(plots, gpd.GeoDataFrame):
        raise OptionError(f"plots must be a GeoDataFrame, not {type(plots).__name__}")
    if not CRS.from_user_input(require_crs(plots, "plot inventory")).equals(STORAGE_CRS):
        plots = plots.to_crs(STORAGE_CRS)
    ids = _plot_ids(plots)
    data = pd.DataFrame(plots.drop(columns=plots.geometry.name)).assign(plot_id=ids)
    data.columns = [str(column) for column in data.columns]
    if reserved := sorted(set(data.columns) & RESERVED_COLUMNS):
        raise WorkspaceError(f"the plots have reserved column(s) {', '.join(reserved)}; rename them")
    lowered = pd.Series([column.lower() for column in data.columns])
    if lowered.duplicated().any():
        twins = sorted(c for c, low in zip(data.columns, lowered, strict=True) if (lowered == low).sum() > 1)
        raise WorkspaceError(f"column names differ only in case: {', '.join(twins)}; rename all but one")
    columns, sources = [], []
    for column in data.columns:
        kind, source = _cells(data[column])
        columns.append((column, kind, "string" if column == "plot_id" else str(data[column].dtype)))
        sources.append(source)
    geoms = plots.geometry.to_numpy()
    present = geoms[~shapely.is_missing(geoms)]
    kinds = frozenset(np.unique(shapely.get_type_id(present)).tolist())
    kind = _TYPE_NAMES[next(iter(kinds))] if len(kinds) == 1 else _MULTI_OF.get(kinds, "GEOMETRY")
    bounds = tuple(None if np.isnan(v) else float(v) for v in plots.geometry.total_bounds)
    z = 2 * int(shapely.has_z(present).any())
    return Features(columns, data, ids, kind, z, bounds, geoms, sources)


def quote(identifier: str) -> str:
    """``identifier`` as an SQL identifier, whatever characters it holds (Chinese headers, quotes)."""
    return '"' + identifier.replace('"', '""') + '"'


def connect(path: Path) -> sqlite3.Connection:
    """A new connection to the workspace ``path`` (created if missing), checked and set up for durability.

    An older workspace is upgraded to the current schema the first time this process opens it
    (one transaction, audited); one from a newer zgc-geo is refused.
    """
    if not path.exists():
        create_file(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as error:
        raise WorkspaceError(f"cannot open the workspace {path} ({error}); check its permissions") from error
    try:
        conn.execute("PRAGMA synchronous = FULL")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "delete":
            conn.execute("PRAGMA journal_mode = DELETE")
        verify(conn, path)
    except BaseException as error:
        conn.close()
        if isinstance(error, sqlite3.Error):
            raise storage_error(path, error) from error
        raise
    return conn


def create_file(path: Path) -> None:
    """Build an empty workspace in a temporary file and link it into place only when complete."""
    if not path.parent.is_dir():
        raise WorkspaceError(
            f"cannot create the workspace {path}: the folder {path.parent} does not exist; "
            "create it, or set ZGC_GEO_WORKSPACE to a file in an existing folder"
        )
    with temporary_beside(path) as temporary:
        with contextlib.closing(sqlite3.connect(temporary, isolation_level=None)) as conn:
            initialise(conn, user_name())
        fsync(temporary)
        try:
            os.link(temporary, path)  # unlike a rename, never replaces one another session made
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                temporary.replace(path)
    fsync(path.parent)


def verify(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse files that are not zgc-geo GeoPackages; quick_check each file once per process."""
    if conn.execute("PRAGMA application_id").fetchone()[0] != GPKG_APPLICATION_ID:
        raise WorkspaceError(
            f"{path} is not a GeoPackage (its application id is not 'GPKG'); set ZGC_GEO_WORKSPACE "
            "to a zgc-geo workspace, restore one from a backup, or move the file away to start anew"
        )
    status = path.stat()
    key = (str(path.resolve()), status.st_dev, status.st_ino)
    if key in _VERIFIED:
        return
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        detail = "; ".join(line for problem in problems for line in problem.splitlines() if "***" not in line)
        raise storage_error(path, sqlite3.DatabaseError(detail))
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if missing := [table for table in ZGC_TABLES if table not in tables]:
        raise WorkspaceError(
            f"{path} is a GeoPackage but not a zgc-geo workspace (no table {', '.join(missing)}); "
            "set ZGC_GEO_WORKSPACE to a workspace file: zgc-geo does not write into other GeoPackages"
        )
    version = gpkg_schema.schema_version(conn)
    gpkg_schema.check_version(version, str(path))
    if version < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            gpkg_schema.upgrade(conn, user_name(), str(path))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    with _VERIFIED_LOCK:
        _VERIFIED.add(key)


def storage_error(path: Path, error: sqlite3.Error) -> WorkspaceError:
    """The user's words for an SQLite error on the workspace ``path``: what happened and the fix."""
    text = str(error)
    if isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return WorkspaceError(
            f"the workspace {path} stayed locked by another session for {BUSY_TIMEOUT_S:g} s; "
            "nothing was changed: try again in a moment"
        )
    if isinstance(error, sqlite3.OperationalError) and ("disk" in text or "full" in text):
        return WorkspaceError(
            f"cannot write the workspace {path} ({text}); the last saved state is intact: free "
            "disk space or fix the folder's permissions, then try again"
        )
    if isinstance(error, sqlite3.OperationalError | sqlite3.IntegrityError | sqlite3.ProgrammingError):
        return WorkspaceError(f"the workspace {path} refused the change ({text}); nothing was changed")
    return WorkspaceError(
        f"the workspace {path} is damaged or not a workspace ({text}); restore it from a backup "
        "(copy the backup over it), or move it away to start a new workspace"
    )


@contextlib.contextmanager
def temporary_beside(beside: Path) -> Iterator[Path]:
    """A new file name in ``beside``'s folder (so the final rename is atomic), removed if left over.

    SQLite creates the file, so it gets the usual permissions (mkstemp's 0600 would hide a
    shared workspace from colleagues).
    """
    path = beside.with_name(f".{beside.name}.{uuid.uuid4().hex}.tmp")
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
        Path(f"{path}-journal").unlink(missing_ok=True)


def fsync(path: Path) -> None:
    """Flush a file or folder to disk, so that a rename is durable and not only atomic."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:  # folders cannot be opened on some platforms (Windows)
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _plot_ids(plots: gpd.GeoDataFrame) -> pd.Series:
    """The plot ids as text; decisions are kept per plot id, so they must exist and be unique."""
    if "plot_id" not in plots.columns:
        raise WorkspaceError("the plots have no plot_id column; map a column to plot_id when importing")
    ids = plots["plot_id"].astype("string")
    empty = np.flatnonzero((ids.isna() | (ids.str.strip() == "")).to_numpy(dtype=bool))
    if len(empty):
        rows = ", ".join(str(r + 1) for r in empty[:10]) + (" …" if len(empty) > 10 else "")
        raise WorkspaceError(
            f"{len(empty)} plot(s) have an empty plot_id (row(s) {rows}); give every plot an id"
        )
    counts = ids.value_counts()
    if (twice := counts[counts > 1]).size:
        shown = ", ".join(f"{i!r} ({n}×)" for i, n in twice.head(10).items())
        raise WorkspaceError(f"plot ids must be unique; duplicated: {shown}; fix them and import again")
    return ids


def _cells(series: pd.Series) -> tuple[str, tuple[pd.Series, str]]:
    """The SQL type of a column, and the series :func:`_cells_of` turns into its cells, with how."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        text = series.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"
        return "DATETIME", (text.astype(object).where(series.notna(), None), "values")
    if pd.api.types.is_datetime64_dtype(dtype):
        text = series.dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
        return "TEXT", (text.astype(object).where(series.notna(), None), "values")
    if pd.api.types.is_bool_dtype(dtype):
        kind = "BOOLEAN"
    elif pd.api.types.is_integer_dtype(dtype):
        kind = "INTEGER"
    elif pd.api.types.is_float_dtype(dtype):
        kind = "REAL"
    elif pd.api.types.is_object_dtype(dtype):
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        kind = _OBJECT_TYPES.get(inferred, "TEXT")
        if kind == "TEXT" and inferred not in {"string", "empty"}:  # lists, dicts, dates, mixtures
            return kind, (series, "text")
    else:
        kind, series = "TEXT", series.astype("string")
    return kind, (series, "values")


def _cells_of(series: pd.Series, how: str) -> list[object]:
    """The cells of (a chunk of) a column as Python values, None where missing: cell by cell, so
    converting a column in chunks gives what converting it whole would."""
    if how == "text":
        return [_text(value) for value in series.tolist()]
    return series.astype(object).where(series.notna(), None).tolist()


def _text(value: object) -> str | None:
    """A cell of a mixed column as text: lists and dicts as JSON (Chinese kept), the rest as str."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return None if pd.api.types.is_scalar(value) and pd.isna(value) else str(value)


def _blobs(geoms: np.ndarray) -> list[bytes | None]:
    """GeoPackage binary of every geometry: the 40-byte headers built as one numpy array, then ISO WKB."""
    wkb = shapely.to_wkb(geoms, flavor="iso", byte_order=1)
    header = np.zeros(len(geoms), _HEADER)
    header["magic"], header["srs_id"] = b"GP", SRS_ID
    header["flags"] = _LITTLE_ENDIAN_XY_ENVELOPE | np.where(shapely.is_empty(geoms), _EMPTY_FLAG, 0)
    header["envelope"] = shapely.bounds(geoms)[:, [0, 2, 1, 3]]  # NaN for empty geometries, as required
    heads = header.view(np.dtype((np.void, _HEADER.itemsize))).tolist()
    missing = shapely.is_missing(geoms)
    if not missing.any():
        return list(map(operator.add, heads, wkb))
    return [None if gone else head + body for head, body, gone in zip(heads, wkb, missing, strict=True)]
