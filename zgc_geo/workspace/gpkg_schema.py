"""The GeoPackage workspace's schema versions and the steps that upgrade an older file.

Why a small versioned-migration table and not Alembic: Alembic drives SQLAlchemy, which
zgc-geo does not otherwise use, and its autogenerate cannot see the GeoPackage registration
tables (``gpkg_contents``) or triggers that each step must keep in line; a handful of explicit,
tested steps per backend is less to trust. ``zgc_meta`` holds the current version, and
``zgc_schema_history`` records each step applied (when, by whom). A file made by this version
is made by running every step on the version-1 schema, so a new file and an upgraded one are
the same.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, Final

from zgc_geo.errors import WorkspaceError
from zgc_geo.workspace.audit_chain import GENESIS, row_hash, seal
from zgc_geo.workspace.store import AUDIT_COLUMNS, SCHEMA_VERSION, WORKSPACE_SCOPE, utc_now

#: The head of the audit chain, "<last audit_id>:<its hash>", kept in zgc_meta by every write.
HEAD_KEY: Final = "audit_head"
_AUDITED_DECISION: Final = (
    "WHEN NOT EXISTS (SELECT 1 FROM zgc_audit WHERE inventory = NEW.inventory AND plot_id = NEW.plot_id "
    "AND version = NEW.version) BEGIN SELECT RAISE(ABORT, 'zgc_decisions changes only with its audit row: "
    "a decision was written without one'); END"
)
_APPEND_ONLY: Final = (
    "CREATE TRIGGER zgc_audit_no_update BEFORE UPDATE ON zgc_audit BEGIN "
    "SELECT RAISE(ABORT, 'zgc_audit is append-only: audit rows cannot be changed'); END"
)
_V2_TABLES: Final = (
    "CREATE TABLE zgc_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)",
    "CREATE TABLE zgc_schema_history (version INTEGER PRIMARY KEY NOT NULL, applied_at DATETIME NOT NULL, "
    "applied_by TEXT NOT NULL, description TEXT NOT NULL)",
    "ALTER TABLE zgc_audit ADD COLUMN hash TEXT",
    f"CREATE TRIGGER zgc_decisions_audited_insert BEFORE INSERT ON zgc_decisions {_AUDITED_DECISION}",
    f"CREATE TRIGGER zgc_decisions_audited_update BEFORE UPDATE ON zgc_decisions {_AUDITED_DECISION}",
    "CREATE TRIGGER zgc_decisions_no_delete BEFORE DELETE ON zgc_decisions BEGIN "
    "SELECT RAISE(ABORT, 'decisions are never deleted (orphaned ones are kept)'); END",
)
#: Who may do what (:mod:`zgc_geo.workspace.rights`); ``parks`` is comma-separated, for editors.
GRANTS_TABLE: Final = (
    "CREATE TABLE zgc_grants (user_name TEXT PRIMARY KEY NOT NULL, "
    "role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')), parks TEXT NOT NULL DEFAULT '', "
    "granted_by TEXT, granted_at TEXT)"
)
_V2_CONTENTS: Final = (
    ("zgc_meta", "schema version, audit chain head, creator (zgc-geo workspace)"),
    ("zgc_schema_history", "schema upgrades applied (zgc-geo workspace)"),
)


def schema_version(conn: sqlite3.Connection) -> int:
    """The schema version of the open workspace (1 for files made before versions were recorded)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'zgc_meta'").fetchone():
        return 1
    row = conn.execute("SELECT value FROM zgc_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 1


def check_version(version: int, where: str) -> None:
    """Refuse a workspace made by a newer zgc-geo: its rules would be broken by this one's writes."""
    if version > SCHEMA_VERSION:
        raise WorkspaceError(
            f"the workspace {where} has schema version {version}, made by a newer zgc-geo (this one knows "
            f"up to {SCHEMA_VERSION}); upgrade zgc-geo (pip install -U zgc-geo) before opening it"
        )


def upgrade(conn: sqlite3.Connection, user: str, where: str) -> int:
    """Apply every missing step inside the caller's write transaction; return the version reached."""
    version = schema_version(conn)
    check_version(version, where)
    for target, description, step in _STEPS:
        if version < target:
            step(conn, user)
            conn.execute("INSERT OR REPLACE INTO zgc_meta VALUES ('schema_version', ?)", (str(target),))
            conn.execute(
                "INSERT INTO zgc_schema_history VALUES (?, ?, ?, ?)", (target, utc_now(), user, description)
            )
            version = target
    return version


def head(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """The chain head recorded beside the log, or None before the first audit row."""
    row = conn.execute("SELECT value FROM zgc_meta WHERE key = ?", (HEAD_KEY,)).fetchone()
    if row is None:
        return None
    last_id, _, last_hash = str(row[0]).partition(":")
    return int(last_id), last_hash


def set_head(conn: sqlite3.Connection, last_id: int, last_hash: str) -> None:
    conn.execute("INSERT OR REPLACE INTO zgc_meta VALUES (?, ?)", (HEAD_KEY, f"{last_id}:{last_hash}"))


def creator(conn: sqlite3.Connection) -> str | None:
    """Who created the workspace (its first admin), if recorded."""
    row = conn.execute("SELECT value FROM zgc_meta WHERE key = 'created_by'").fetchone()
    return None if row is None else str(row[0])


def _to_version_2(conn: sqlite3.Connection, user: str) -> None:
    """Hash-chain the existing log (taken as it stands), record its head, guard the decisions."""
    for statement in _V2_TABLES:
        conn.execute(statement)
    conn.executemany(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES (?, 'attributes', ?, ?)",
        [(table, table, description) for table, description in _V2_CONTENTS],
    )
    first = conn.execute('SELECT "user", time FROM zgc_audit ORDER BY audit_id LIMIT 1').fetchone()
    conn.executemany(
        "INSERT INTO zgc_meta VALUES (?, ?)",
        [("created_by", first[0] if first else user), ("created_at", first[1] if first else utc_now())],
    )
    columns = ", ".join(f'"{c}"' for c in AUDIT_COLUMNS)
    rows = conn.execute(f"SELECT {columns} FROM zgc_audit ORDER BY audit_id").fetchall()
    conn.execute("DROP TRIGGER zgc_audit_no_update")
    last_id, last_hash = 0, GENESIS
    hashes = []
    for row in rows:
        last_id, last_hash = int(row[0]), row_hash(last_hash, row)
        hashes.append((last_hash, last_id))
    conn.executemany("UPDATE zgc_audit SET hash = ? WHERE audit_id = ?", hashes)
    conn.execute(_APPEND_ONLY)
    if rows:  # an upgrade of a used file is itself an event of the log
        note = (
            f"schema upgraded from 1 to 2: the {len(rows)} existing audit row(s) were hash-chained as found"
        )
        upgrade_row = ("upgraded", utc_now(), user, WORKSPACE_SCOPE, None, "schema_version", "1", "2", note,
                       "upgrade", None, None)  # fmt: skip
        sealed = seal([upgrade_row], last_id, last_hash)
        insert_sealed(conn, sealed)
        last_id, last_hash = int(sealed[-1][0]), str(sealed[-1][-1])
    if last_id:
        set_head(conn, last_id, last_hash)


def insert_sealed(conn: sqlite3.Connection, sealed: list[tuple[Any, ...]]) -> None:
    """Insert sealed rows (AUDIT_COLUMNS + hash) as they are."""
    columns = ", ".join(f'"{c}"' for c in (*AUDIT_COLUMNS, "hash"))
    marks = ", ".join("?" * (len(AUDIT_COLUMNS) + 1))
    conn.executemany(f"INSERT INTO zgc_audit ({columns}) VALUES ({marks})", sealed)


def _to_version_3(conn: sqlite3.Connection, user: str) -> None:
    """Roles and per-park rights: the grants table, its creator's admin grant, grant rows findable."""
    conn.execute(GRANTS_TABLE)
    conn.execute("CREATE INDEX zgc_audit_field ON zgc_audit (field, audit_id)")
    conn.execute("CREATE INDEX zgc_audit_action ON zgc_audit (action, audit_id)")
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES ('zgc_grants', 'attributes', 'zgc_grants', 'roles and per-park rights (zgc-geo workspace)')"
    )
    admin = creator(conn) or user
    conn.execute("INSERT INTO zgc_grants VALUES (?, 'admin', '', ?, ?)", (admin, admin, utc_now()))


def _to_version_4(conn: sqlite3.Connection, user: str) -> None:
    """The project register lives in the audit log (zgc_geo.workspace.projects): nothing to create here; the
    step keeps the two backends' version numbers alike (PostGIS adds row-level security on the log)."""


_STEPS: Final[tuple[tuple[int, str, Callable[[sqlite3.Connection, str], None]], ...]] = (
    (2, "hash-chained audit log, chain head, audited decisions", _to_version_2),
    (3, "roles and per-park rights; the workspace's creator is its first admin", _to_version_3),
    (4, "the project register kept in the audit log", _to_version_4),
)
