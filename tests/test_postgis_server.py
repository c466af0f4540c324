"""The PostGIS test server itself: a real PostgreSQL with PostGIS, the app's roles, separate databases."""

from __future__ import annotations

import psycopg
import pytest

from tests.postgis_server import PostgisDatabase, PostgisServer


def test_private_postgis_server_has_postgis_roles_and_separate_databases(
    postgis_server: PostgisServer, postgis_db: PostgisDatabase
) -> None:
    # PostGIS works in the fresh database: its version, and an area computed by it.
    with psycopg.connect(postgis_db.admin_url, autocommit=True) as conn:
        user, database, version = conn.execute(
            "SELECT current_user, current_database(), postgis_version()"
        ).fetchone() or ("", "", "")
        assert (user, database) == ("postgres", postgis_db.name)
        assert version.startswith("3.")
        area = conn.execute("SELECT ST_Area(ST_GeomFromText('POLYGON((0 0, 4 0, 4 3, 0 3, 0 0))', 4547))")
        assert area.fetchone() == (12.0,)
        assert conn.execute("SELECT srid FROM spatial_ref_sys WHERE srid = 4547").fetchone() == (4547,)

    # The app connects as zgc_app (trust, no password), a member of zgc_geo_app, and cannot create databases.
    with psycopg.connect(postgis_db.app_url, autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("zgc_app",)
        assert conn.execute("SELECT pg_has_role('zgc_app', 'zgc_geo_app', 'MEMBER')").fetchone() == (True,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE DATABASE zgc_app_should_not_make_this")
    with psycopg.connect(postgis_db.other_url, autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("zgc_other",)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE public.nope (id int)")

    # Two databases from new_database() are separate: a table made in one is not in the other.
    second = postgis_server.new_database()
    try:
        assert second.name != postgis_db.name
        assert second.port == postgis_db.port == postgis_server.port
        with psycopg.connect(postgis_db.admin_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE only_here (id int)")
        with psycopg.connect(second.admin_url, autocommit=True) as conn:
            assert conn.execute("SELECT to_regclass('public.only_here')").fetchone() == (None,)
            assert conn.execute("SELECT postgis_version() IS NOT NULL").fetchone() == (True,)
    finally:
        postgis_server.drop_database(second)
