"""The PostGIS workspace's schema: tables, roles, privileges and triggers, created and upgraded by zgc-geo.

Why a small versioned-migration table and not Alembic: see :mod:`zgc_geo.workspace.gpkg_schema`
(the same reasoning; the two backends keep the same version numbers). Everything lives in the
schema ``zgc_geo``, so QGIS and the city's systems find it in one place.

Who may do what is the point of this module. ``init`` runs as the database's owner or a
superuser; the app runs as a login role that is a member of :data:`APP_ROLE`, which may
only SELECT and INSERT the audit log (no UPDATE, DELETE or TRUNCATE) and may insert and update
decisions but never delete them. Triggers back the privileges up for the owner itself, and a
deferred constraint trigger makes a decision change commit only together with its audit row.
:data:`READER_ROLE` reads everything (for QGIS connected read-only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import psycopg
from psycopg import sql

from zgc_geo.errors import WorkspaceError
from zgc_geo.workspace.rights import OUTSIDE
from zgc_geo.workspace.store import SCHEMA_VERSION, utc_now

SCHEMA: Final = "zgc_geo"
#: Group role of the app's login roles (``createuser --role=zgc_geo_app NAME``).
APP_ROLE: Final = "zgc_geo_app"
#: Group role of read-only users, e.g. QGIS (``createuser --role=zgc_geo_reader NAME``).
READER_ROLE: Final = "zgc_geo_reader"
#: One advisory lock serialises every audited write: the chain needs the previous row's hash.
AUDIT_LOCK: Final = 0x7A6763_0001

_TABLES: Final = (
    "CREATE TABLE zgc_meta (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE TABLE zgc_schema_history (version integer PRIMARY KEY, applied_at text NOT NULL, "
    "applied_by text NOT NULL, description text NOT NULL)",
    "CREATE TABLE zgc_head (id integer PRIMARY KEY CHECK (id = 1), last_id bigint NOT NULL, "
    "last_hash text NOT NULL)",
    "CREATE TABLE zgc_inventories (name text PRIMARY KEY, title text NOT NULL, source text NOT NULL, "
    "imported_at text NOT NULL, imported_by text NOT NULL, plot_count integer NOT NULL, "
    "synthetic boolean NOT NULL, columns text NOT NULL, feature_table text NOT NULL)",
    "CREATE TABLE zgc_decisions (inventory text NOT NULL, plot_id text NOT NULL, "
    "review_status text NOT NULL, note text, mode text, version integer NOT NULL, "
    "updated_at text NOT NULL, updated_by text NOT NULL, "
    "PRIMARY KEY (inventory, plot_id))",
    # Times are the ISO text zgc-geo wrote, not timestamptz: the hash covers the exact text.
    "CREATE TABLE zgc_audit (audit_id bigint PRIMARY KEY, change_id text NOT NULL, time text NOT NULL, "
    '"user" text NOT NULL, inventory text NOT NULL, plot_id text, field text, old_value text, '
    "new_value text, note text NOT NULL DEFAULT '', action text NOT NULL, version integer, "
    "reverts text, hash text NOT NULL, "
    "xact xid8 NOT NULL DEFAULT pg_current_xact_id())",
    "CREATE INDEX zgc_audit_plot ON zgc_audit (inventory, plot_id)",
    "CREATE INDEX zgc_audit_change ON zgc_audit (change_id)",
    "CREATE INDEX zgc_audit_reverts ON zgc_audit (reverts)",
    "CREATE FUNCTION zgc_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'zgc_audit is append-only: audit rows cannot be changed, deleted or truncated'; END $$",
    "CREATE TRIGGER zgc_audit_no_change BEFORE UPDATE OR DELETE ON zgc_audit FOR EACH ROW "
    "EXECUTE FUNCTION zgc_audit_append_only()",
    "CREATE TRIGGER zgc_audit_no_truncate BEFORE TRUNCATE ON zgc_audit FOR EACH STATEMENT "
    "EXECUTE FUNCTION zgc_audit_append_only()",
    "CREATE FUNCTION zgc_decision_audited() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF NOT EXISTS (SELECT 1 FROM zgc_geo.zgc_audit a WHERE a.inventory = NEW.inventory AND "
    "a.plot_id = NEW.plot_id AND a.version = NEW.version AND a.xact = pg_current_xact_id()) THEN "
    "RAISE EXCEPTION 'a decision changes only in the transaction that writes its audit row "
    "(plot %, version %)', "
    "NEW.plot_id, NEW.version; END IF; RETURN NULL; END $$",
    "CREATE CONSTRAINT TRIGGER zgc_decisions_audited AFTER INSERT OR UPDATE ON zgc_decisions "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION zgc_decision_audited()",
    "CREATE FUNCTION zgc_decision_kept() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'decisions are never deleted (orphaned ones are kept)'; END $$",
    "CREATE TRIGGER zgc_decisions_no_delete BEFORE DELETE ON zgc_decisions FOR EACH ROW "
    "EXECUTE FUNCTION zgc_decision_kept()",
)
_APP_GRANTS: Final = (
    "GRANT USAGE, CREATE ON SCHEMA zgc_geo TO {app}",
    "GRANT SELECT, INSERT ON zgc_audit TO {app}",
    "GRANT SELECT, INSERT, UPDATE ON zgc_decisions TO {app}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON zgc_inventories TO {app}",
    "GRANT SELECT, UPDATE ON zgc_head TO {app}",
    "GRANT SELECT ON zgc_meta, zgc_schema_history TO {app}",
    "GRANT USAGE ON SCHEMA zgc_geo TO {reader}",
    "GRANT SELECT ON ALL TABLES IN SCHEMA zgc_geo TO {reader}",
    "ALTER DEFAULT PRIVILEGES FOR ROLE {app} IN SCHEMA zgc_geo GRANT SELECT ON TABLES TO {reader}",
)


#: Park roles are named ``zgc_geo_park_<park_id>`` (``zgc_geo_park_outside`` for plots outside every park).
PARK_ROLE_PREFIX: Final = "zgc_geo_park_"
_MAY_CHANGE: Final = (
    "zgc_geo.zgc_restricted_parks() IS NULL OR zgc_geo.zgc_may_change_decision(inventory, plot_id)"
)
_V3_STATEMENTS: Final = (
    "CREATE TABLE zgc_grants (user_name text PRIMARY KEY, "
    "role text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')), parks text NOT NULL DEFAULT '', "
    "granted_by text, granted_at text)",
    "CREATE INDEX zgc_audit_field ON zgc_audit (field, audit_id)",
    "CREATE INDEX zgc_audit_action ON zgc_audit (action, audit_id)",
    # The parks the connected role is confined to (the park roles it is a member of); NULL: not confined.
    "CREATE FUNCTION zgc_geo.zgc_restricted_parks() RETURNS text[] LANGUAGE sql STABLE "
    "SET search_path = pg_catalog, pg_temp AS $$ "
    "SELECT array_agg(substr(r.rolname, 14) ORDER BY r.rolname) FROM pg_roles AS r "
    "WHERE r.rolname LIKE 'zgc\\_geo\\_park\\_%' AND pg_has_role(current_user, r.oid, 'MEMBER') $$",
    # The park of a plot, read from its inventory's feature table ('outside' without a park_id).
    "CREATE FUNCTION zgc_geo.zgc_plot_park(inv text, plot text) RETURNS text LANGUAGE plpgsql STABLE "
    "SET search_path = pg_catalog, pg_temp AS $$ DECLARE t text; p text; BEGIN "
    "SELECT feature_table INTO t FROM zgc_geo.zgc_inventories WHERE name = inv; "
    "IF t IS NULL OR NOT EXISTS (SELECT 1 FROM pg_attribute "
    "WHERE attrelid = to_regclass(format('zgc_geo.%I', t)) AND attname = 'park_id' "
    "AND NOT attisdropped) THEN RETURN 'outside'; END IF; "
    "EXECUTE format('SELECT park_id::text FROM zgc_geo.%I WHERE plot_id = $1', t) INTO p USING plot; "
    "RETURN coalesce(nullif(btrim(p), ''), 'outside'); END $$",
    "CREATE FUNCTION zgc_geo.zgc_may_change_decision(inv text, plot text) RETURNS boolean LANGUAGE plpgsql "
    "STABLE SET search_path = pg_catalog, pg_temp AS $$ "
    "DECLARE parks text[] := zgc_geo.zgc_restricted_parks(); "
    "BEGIN RETURN parks IS NULL OR zgc_geo.zgc_plot_park(inv, plot) = ANY (parks); END $$",
    "ALTER TABLE zgc_decisions ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY zgc_decisions_read ON zgc_decisions FOR SELECT USING (true)",
    # The plain SQL test first: a role not confined to parks (the app's) never runs the plpgsql one.
    f"CREATE POLICY zgc_decisions_insert ON zgc_decisions FOR INSERT WITH CHECK ({_MAY_CHANGE})",
    f"CREATE POLICY zgc_decisions_update ON zgc_decisions FOR UPDATE USING ({_MAY_CHANGE}) "
    f"WITH CHECK ({_MAY_CHANGE})",
)
#: Version 4: the project register's rows and the plan's actual values in the log
#: (zgc_geo.workspace.projects, .plan_actuals) obey the park roles as decisions do (a trigger on inserts).
#: A park's role may add a project row only for a project of its park: the project's park is the last
#: park_id row of its log (a new project's park_id row comes first); a move must land in its parks. It
#: may set actual values of its own park only.
_V4_STATEMENTS: Final = (
    "CREATE FUNCTION zgc_geo.zgc_project_park(project text) RETURNS text LANGUAGE sql STABLE "
    "SET search_path = pg_catalog, pg_temp AS $$ "
    "SELECT coalesce(nullif(btrim(a.new_value), ''), 'outside') FROM zgc_geo.zgc_audit AS a "
    "WHERE a.inventory = '#projects' AND a.plot_id = project AND a.field = 'park_id' "
    "AND a.action = 'project' ORDER BY a.audit_id DESC LIMIT 1 $$",
    "CREATE FUNCTION zgc_geo.zgc_may_add_project_row(project text, field text, new_value text) "
    "RETURNS boolean LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$ "
    "DECLARE parks text[] := zgc_geo.zgc_restricted_parks(); "
    "now_in text := zgc_geo.zgc_project_park(project); "
    "BEGIN IF parks IS NULL THEN RETURN true; END IF; "
    "IF now_in IS NOT NULL AND NOT now_in = ANY (parks) THEN RETURN false; END IF; "
    "IF field = 'park_id' THEN "
    "RETURN coalesce(nullif(btrim(new_value), ''), 'outside') = ANY (parks); END IF; "
    "RETURN coalesce(now_in, 'outside') = ANY (parks); END $$",
    # A trigger, not row-level security: COPY (how a copied log is loaded) refuses tables with policies.
    # Rows other than the register's are checked where they take effect (zgc_decisions' policies, verify).
    "CREATE FUNCTION zgc_geo.zgc_project_row_allowed() RETURNS trigger LANGUAGE plpgsql "
    "SET search_path = pg_catalog, pg_temp AS $$ "
    "DECLARE parks text[] := zgc_geo.zgc_restricted_parks(); BEGIN "
    "IF NEW.inventory = '#projects' AND NOT zgc_geo.zgc_may_add_project_row(NEW.plot_id, NEW.field, "
    "NEW.new_value) THEN RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = format("
    "'row-level rights: %s may not change project %s of another park', current_user, NEW.plot_id); "
    "END IF; "
    # the plan's actual values (zgc_geo.workspace.plan_actuals): a park role sets its own park's only
    "IF NEW.inventory = '#targets' AND parks IS NOT NULL "
    "AND NOT split_part(NEW.plot_id, '@', 2) = ANY (parks) "
    "THEN RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = format("
    "'row-level rights: %s may not set the values %s of another park', current_user, NEW.plot_id); "
    "END IF; RETURN NEW; END $$",
    "CREATE TRIGGER zgc_audit_project_rights BEFORE INSERT ON zgc_audit FOR EACH ROW "
    "EXECUTE FUNCTION zgc_geo.zgc_project_row_allowed()",
)
_V3_GRANTS: Final = (
    "GRANT SELECT, INSERT, UPDATE, DELETE ON zgc_grants TO {app}",
    "GRANT SELECT ON zgc_grants TO {reader}",
)
#: What a park's role may do: read everything, and change decisions (row-level security: its park's).
_PARK_GRANTS: Final = (
    "GRANT {reader} TO {park}",
    "GRANT INSERT ON zgc_audit TO {park}",
    "GRANT INSERT, UPDATE ON zgc_decisions TO {park}",
    "GRANT UPDATE ON zgc_head TO {park}",
)


def schema_version(conn: psycopg.Connection) -> int | None:
    """The workspace's schema version, or None when the database has no zgc-geo workspace yet."""
    if conn.execute("SELECT to_regclass('zgc_geo.zgc_meta')").fetchone()[0] is None:  # type: ignore[index]
        return None
    row = conn.execute("SELECT value FROM zgc_geo.zgc_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def create(conn: psycopg.Connection, user: str, where: str, park_ids: Sequence[str]) -> None:
    """Create the schema, its tables and roles inside the caller's transaction, at the current version.

    Version 2 is made first and then upgraded step by step, so a new workspace is exactly an
    upgraded one. Roles are created when the connected role may (a superuser or CREATEROLE);
    otherwise the tables are still made and the report of ``verify`` says the connected role
    owns the log.
    """
    _require_postgis(conn, where)
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    conn.execute(f"SET LOCAL search_path = {SCHEMA}, public")
    for statement in _TABLES:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO zgc_meta VALUES ('schema_version', '2'), ('created_by', %s), ('created_at', %s)",
        (user, utc_now()),
    )
    conn.execute("INSERT INTO zgc_head VALUES (1, 0, %s)", ("0" * 64,))  # the chain's start: no row yet
    conn.execute(
        "INSERT INTO zgc_schema_history VALUES (2, %s, %s, %s)",
        (utc_now(), user, "PostGIS workspace: hash-chained audit log, chain head, audited decisions"),
    )
    if _ensure_roles(conn):
        for grant in _APP_GRANTS:
            conn.execute(
                sql.SQL(grant).format(app=sql.Identifier(APP_ROLE), reader=sql.Identifier(READER_ROLE))
            )
    upgrade(conn, user, where, park_ids)


def upgrade(conn: psycopg.Connection, user: str, where: str, park_ids: Sequence[str]) -> int:
    """Apply every missing step inside the caller's transaction (run as the owner); the version reached."""
    conn.execute(f"SET LOCAL search_path = {SCHEMA}, public")
    version = schema_version(conn) or 2
    if version > SCHEMA_VERSION:
        check_current(version, where)
    for target, description, step in _STEPS:
        if version < target:
            step(conn, user, park_ids)
            conn.execute("UPDATE zgc_meta SET value = %s WHERE key = 'schema_version'", (str(target),))
            conn.execute(
                "INSERT INTO zgc_schema_history VALUES (%s, %s, %s, %s)",
                (target, utc_now(), user, description),
            )
            version = target
    return version


def park_role(park_id: str) -> str:
    """The database role of one park's office: a login in it may change only that park's decisions."""
    return PARK_ROLE_PREFIX + park_id


def _to_version_3(conn: psycopg.Connection, user: str, park_ids: Sequence[str]) -> None:
    """Roles and per-park rights: grants, the creator as first admin, park roles, row-level security."""
    for statement in _V3_STATEMENTS:
        conn.execute(statement)
    admin = creator(conn) or user
    conn.execute("INSERT INTO zgc_grants VALUES (%s, 'admin', '', %s, %s)", (admin, admin, utc_now()))
    if not _ensure_roles(conn):
        return
    for grant in _V3_GRANTS:
        conn.execute(sql.SQL(grant).format(app=sql.Identifier(APP_ROLE), reader=sql.Identifier(READER_ROLE)))
    existing = {
        r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'zgc\\_geo\\_park\\_%'")
    }
    for park in sorted({*park_ids, OUTSIDE}):
        role = sql.Identifier(park_role(park))
        if park_role(park) not in existing:
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(role))
        for grant in _PARK_GRANTS:
            conn.execute(sql.SQL(grant).format(park=role, reader=sql.Identifier(READER_ROLE)))


def _to_version_4(conn: psycopg.Connection, user: str, park_ids: Sequence[str]) -> None:
    """The project register's rows in the log obey the park roles (a trigger on the log's inserts)."""
    for statement in _V4_STATEMENTS:
        conn.execute(statement)


_STEPS: Final[tuple[tuple[int, str, Callable[[psycopg.Connection, str, Sequence[str]], None]], ...]] = (
    (3, "roles and per-park rights: grants, park roles, row-level security on decisions", _to_version_3),
    (
        4,
        "the project register in the audit log; a park's role adds register rows for its park only",
        _to_version_4,
    ),
)


def check_current(version: int | None, where: str) -> None:
    """Refuse a database without a workspace, or one of another schema version, saying what to run."""
    if version is None:
        raise WorkspaceError(
            f"the database {where} has no zgc-geo workspace yet; create it once, as the database's owner: "
            f"zgc-geo workspace init --workspace {where}"
        )
    if version > SCHEMA_VERSION:
        raise WorkspaceError(
            f"the workspace {where} has schema version {version}, made by a newer zgc-geo (this one "
            f"knows up to {SCHEMA_VERSION}); upgrade zgc-geo before opening it"
        )
    if version < SCHEMA_VERSION:
        raise WorkspaceError(
            f"the workspace {where} has schema version {version}; this zgc-geo needs {SCHEMA_VERSION}. "
            f"Upgrade it once, as the database's owner: zgc-geo workspace init --workspace {where}"
        )


def creator(conn: psycopg.Connection) -> str | None:
    """Who created the workspace (its first admin)."""
    row = conn.execute("SELECT value FROM zgc_meta WHERE key = 'created_by'").fetchone()
    return None if row is None else str(row[0])


def can_rewrite_log(conn: psycopg.Connection) -> bool:
    """Whether the connected role could change audit rows (it owns the table or is a superuser)."""
    row = conn.execute(
        "SELECT has_table_privilege('zgc_geo.zgc_audit', 'UPDATE') OR "
        "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR "
        "pg_has_role((SELECT tableowner FROM pg_tables WHERE schemaname = 'zgc_geo' "
        "AND tablename = 'zgc_audit'), 'USAGE')"
    ).fetchone()
    return bool(row and row[0])


def feature_table_owner(conn: psycopg.Connection, table: str) -> None:
    """Let readers (QGIS) see a new feature table; hand it to the app role so any member may replace it."""
    roles = {
        row[0]
        for row in conn.execute(
            "SELECT rolname FROM pg_roles WHERE rolname IN (%s, %s)", (APP_ROLE, READER_ROLE)
        )
    }
    if READER_ROLE in roles:
        conn.execute(
            sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier(table), sql.Identifier(READER_ROLE))
        )
    if APP_ROLE in roles:
        may = conn.execute(
            "SELECT rolsuper OR pg_has_role(current_user, %s, 'MEMBER') FROM pg_roles "
            "WHERE rolname = current_user",
            (APP_ROLE,),
        ).fetchone()
        if may and may[0]:
            conn.execute(
                sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.Identifier(table), sql.Identifier(APP_ROLE))
            )


def _require_postgis(conn: psycopg.Connection, where: str) -> None:
    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
        return
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION postgis")
    except psycopg.errors.InsufficientPrivilege as error:
        raise WorkspaceError(
            f"the database {where} does not have PostGIS and this role may not add it ({error}); run "
            "`zgc-geo workspace init` once with a superuser's URL, which adds it"
        ) from error
    except psycopg.errors.UndefinedFile as error:
        raise WorkspaceError(
            f"PostGIS is not installed on the server of {where}; install it there (Debian: apt-get install "
            "postgresql-15-postgis-3, for the server's PostgreSQL version) and run init again"
        ) from error


def _ensure_roles(conn: psycopg.Connection) -> bool:
    """Create the app and reader group roles if missing; False when this role may not create roles."""
    may = conn.execute(
        "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    existing = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname IN (%s, %s)",
                                          (APP_ROLE, READER_ROLE))}  # fmt: skip
    for role in (APP_ROLE, READER_ROLE):
        if role not in existing:
            if not (may and may[0]):
                return False
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    return True
