"""One contract, two backends: GeoPackage and PostGIS store, filter, chain and verify the same way."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import pytest
import shapely

from tests.postgis_server import PostgisDatabase
from tests.workspace.test_gpkg_store import make_plots
from zgc_geo.errors import ConcurrentEditError, OptionError, WorkspaceError, WorkspaceIntegrityError
from zgc_geo.workspace import (
    AUDIT_EXPORT_COLUMNS,
    SCHEMA_VERSION,
    PlotFilter,
    WorkspaceStore,
    copy_workspace,
    open_workspace,
    redacted,
)
from zgc_geo.workspace.audit_chain import GENESIS, canonical, row_hash

ADMIN = "管理员"
PLANNERS = ("王工", "李工", "u")
Tamper = Callable[[str], None]


@pytest.fixture(autouse=True)
def admin_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workspaces are created by ADMIN, who is therefore their admin."""
    monkeypatch.setenv("ZGC_GEO_USER", ADMIN)


@pytest.fixture(params=["gpkg", "postgis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Tamper]]:
    """(address of a new, initialised workspace, a function running raw SQL behind zgc-geo's back)."""
    if request.param == "gpkg":
        path = tmp_path / "workspace.gpkg"
        open_workspace(path).init()

        def sqlite_tamper(statement: str) -> None:
            with sqlite3.connect(path) as conn:
                for trigger in [
                    r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
                ]:
                    conn.execute(f"DROP TRIGGER {trigger}")
                conn.execute(statement)

        yield str(path), sqlite_tamper
    else:
        database: PostgisDatabase = request.getfixturevalue("postgis_db")
        open_workspace(database.admin_url).init()

        def superuser_tamper(statement: str) -> None:
            with psycopg.connect(database.admin_url, options="-c search_path=zgc_geo,public") as conn:
                conn.execute("SET session_replication_role = replica")  # what a superuser can do: no triggers
                conn.execute(statement)  # type: ignore[arg-type]

        yield database.app_url, superuser_tamper


def with_planners(store: WorkspaceStore) -> WorkspaceStore:
    """``store`` with the planners of these tests made admins by ADMIN (rights: test_rights.py)."""
    for planner in PLANNERS:
        store.grant(planner, "admin", by=ADMIN)
    return store


@pytest.fixture
def store(backend: tuple[str, Tamper]) -> WorkspaceStore:
    store = with_planners(open_workspace(backend[0]))
    store.save_inventory(
        "haidian", make_plots(), title="海淀园闲置地块", source="区规自分局 2024", user="王工"
    )
    return store


def decide_a_little(store: WorkspaceStore) -> None:
    store.record_decision("haidian", "P1", {"review_status": "recommended"}, expected_version=0, user="王工")
    store.record_decision(
        "haidian", "P2", {"review_status": "deferred", "note": "待评估"}, expected_version=None, user="李工"
    )
    store.record_decision("haidian", "P3", {"mode": "合作开发"}, expected_version=0, user="王工")
    store.undo_last("haidian", "王工")


def comparable_log(store: WorkspaceStore) -> pd.DataFrame:
    """The log without what differs by nature between runs (ids, times, hashes)."""
    log = store.audit_log()
    return log.drop(columns=["change_id", "time", "hash", "reverts", "note"]).reset_index(drop=True)


# -- the same behaviour on both ------------------------------------------------------------------


def test_both_backends_store_and_audit_identically(tmp_path: Path, backend: tuple[str, Tamper]) -> None:
    reference = with_planners(open_workspace(tmp_path / "reference.gpkg"))
    other = with_planners(open_workspace(backend[0]))
    for store in (reference, other):
        store.save_inventory("haidian", make_plots(), title="海淀", source="s", user="王工")
        decide_a_little(store)
    plots, expected = other.load_inventory("haidian"), reference.load_inventory("haidian")
    plain = [c for c in expected.columns if c not in ("geometry", "decided_at")]
    pd.testing.assert_frame_equal(pd.DataFrame(plots[plain]), pd.DataFrame(expected[plain]))
    assert shapely.equals(plots.geometry.values, expected.geometry.values).all()
    pd.testing.assert_frame_equal(comparable_log(other), comparable_log(reference))
    assert other.verify().intact


def test_postgis_stores_multipolygons_with_a_gist_index(postgis_db: PostgisDatabase) -> None:
    open_workspace(postgis_db.admin_url).init()
    store = with_planners(open_workspace(postgis_db.app_url))
    store.save_inventory("haidian", make_plots(), title="t", source="s", user="王工")
    with psycopg.connect(postgis_db.admin_url) as conn:
        kind = conn.execute(
            "SELECT type, srid FROM geometry_columns "
            "WHERE f_table_schema = 'zgc_geo' AND f_table_name = 'plots__haidian'"
        ).fetchone()
        indexes = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'plots__haidian'"
        ).fetchall()
    assert kind == ("MULTIPOLYGON", 4326)
    assert any("USING gist (geom)" in row[0] for row in indexes)
    with (
        psycopg.connect(postgis_db.admin_url, autocommit=True) as conn,  # a QGIS login, read-only
        contextlib.suppress(psycopg.errors.DuplicateObject),
    ):
        conn.execute("CREATE ROLE zgc_qgis LOGIN IN ROLE zgc_geo_reader")
    reader = postgis_db.url("zgc_qgis")
    with psycopg.connect(reader, options="-c search_path=zgc_geo,public") as conn:
        assert conn.execute("SELECT count(*) FROM plots__haidian").fetchone() == (6,)
        grants_and_import = 1 + len(PLANNERS)
        assert conn.execute("SELECT count(*) FROM zgc_audit").fetchone() == (grants_and_import,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM plots__haidian")
    with pytest.raises(WorkspaceError, match="needs to be a member of zgc_geo_app"):
        open_workspace(reader).record_decision(
            "haidian", "P1", {"note": "x"}, expected_version=None, user="u"
        )


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (PlotFilter(review_statuses=("recommended",)), ["P1"]),
        (PlotFilter(review_statuses=("unreviewed",)), ["P0", "P2", "P3", "P4", "P5"]),
        (PlotFilter(park_ids=("park_id-2", "park_id-4")), ["P2", "P4"]),
        (PlotFilter(park_ids=()), []),
        (PlotFilter(bbox=(116.3009, 39.9806, 116.3021, 39.9815)), ["P1", "P2"]),
        (PlotFilter(park_ids=("park_id-1", "park_id-2"), review_statuses=("recommended",)), ["P1"]),
    ],
)
def test_filters_give_the_same_plots_on_both(
    store: WorkspaceStore, where: PlotFilter, expected: list[str]
) -> None:
    store.record_decision("haidian", "P1", {"review_status": "recommended"}, expected_version=0, user="王工")
    assert store.load_inventory("haidian", where)["plot_id"].tolist() == expected


def test_conflicts_and_undo_on_both(store: WorkspaceStore) -> None:
    store.record_decision("haidian", "P1", {"review_status": "recommended"}, expected_version=0, user="王工")
    with pytest.raises(ConcurrentEditError, match="was changed by 王工"):
        store.record_decision("haidian", "P1", {"review_status": "deferred"}, expected_version=0, user="李工")
    assert store.decision("haidian", "P1").version == 1
    with pytest.raises(WorkspaceError, match="has no plot 'P99'"):
        store.record_decision("haidian", "P99", {"note": "x"}, expected_version=None, user="u")
    undone = store.undo_last("haidian", "王工")
    assert undone is not None and undone.review_status == "unreviewed" and undone.version == 2


def test_replacing_keeps_decisions_and_says_how_many(store: WorkspaceStore) -> None:
    store.record_decision("haidian", "P5", {"review_status": "recommended"}, expected_version=0, user="王工")
    store.record_decision("haidian", "P1", {"review_status": "deferred"}, expected_version=0, user="王工")
    store.save_inventory("haidian", make_plots(4), title="t2", source="s2", user="王工", replace=True)
    loaded = store.load_inventory("haidian")
    assert loaded.set_index("plot_id").loc["P1", "review_status"] == "deferred"
    note = store.audit_log("haidian")["note"].iloc[-1]
    assert "kept the decisions of 1 plot(s); 1 orphaned" in note and "P5" in note
    with pytest.raises(WorkspaceError, match="already has an inventory 'haidian'"):
        store.save_inventory("haidian", make_plots(4), title="t", source="s", user="王工")
    assert store.verify().intact


# -- the hash chain ------------------------------------------------------------------------------


def test_each_row_is_chained_to_the_one_before(store: WorkspaceStore) -> None:
    decide_a_little(store)
    log = store.audit_log()
    previous = GENESIS
    for row in log.itertuples(index=False):
        values = [None if pd.isna(v) else v for v in row]
        content = values[: len(AUDIT_EXPORT_COLUMNS) - 1]
        content[0], content[11] = int(content[0]), None if content[11] is None else int(content[11])
        expected = hashlib.sha256(previous.encode() + canonical(content)).hexdigest()
        assert values[-1] == expected
        previous = expected
    assert log["audit_id"].tolist() == list(range(1, len(log) + 1))
    report = store.verify()
    assert report.intact and report.rows_checked == len(log) and report.head == (len(log), previous)


def test_the_canonical_form_and_hash_are_pinned() -> None:
    """Changing either would make every existing workspace fail verification."""
    row = (3, "c0ffee", "2026-01-02T03:04:05.678Z", "王工", "haidian", "P1", "note", None, '拟"盘活"',
           "", "decide", 2, None)  # fmt: skip
    text = (
        '[3,"c0ffee","2026-01-02T03:04:05.678Z","王工","haidian","P1","note",null,'
        '"拟\\"盘活\\"","","decide",2,null]'
    )
    assert canonical(row) == text.encode("utf-8")
    expected = hashlib.sha256(GENESIS.encode() + text.encode("utf-8")).hexdigest()
    assert (
        row_hash(GENESIS, row)
        == expected
        == "68d291871f36280879a11f1140d6d1af06c38ebb29db62474e9b13ffd38e888a"
    )


def test_changed_rows_and_decisions_are_named_and_block_edits_until_acknowledged(
    store: WorkspaceStore, backend: tuple[str, Tamper]
) -> None:
    decide_a_little(store)
    assert store.verify().intact
    tamper = backend[1]
    row = int(store.audit_log().query("action == 'decide'")["audit_id"].iloc[0])  # P1's decision
    tamper(f"UPDATE zgc_audit SET \"user\" = 'mallory' WHERE audit_id = {row}")
    tamper("UPDATE zgc_decisions SET review_status = 'revitalised' WHERE plot_id = 'P2'")
    report = open_workspace(backend[0]).verify()
    # P1's decision was made in that row, so its "decided by" now disagrees with the (altered) log too
    assert [(f.kind, f.plot_id) for f in report.findings] == [("audit_row", "P1"), ("decision", "P1"),
                                                               ("decision", "P2")]  # fmt: skip
    message = report.findings[0].message
    assert report.findings[0].audit_id == row and f"audit row {row} (decide by mallory" in message
    assert "by 王工" in report.findings[1].message and "by mallory" in report.findings[1].message
    assert "is review status revitalised" in report.findings[2].message
    with pytest.raises(WorkspaceIntegrityError, match=f"audit row {row}"):
        store.record_decision("haidian", "P4", {"note": "x"}, expected_version=None, user="王工")
    with pytest.raises(WorkspaceError, match="needs the admin role"):
        store.acknowledge(report, user="路人", note="看过了")
    store.acknowledge(report, user=ADMIN, note="已核实：测试篡改")
    store.record_decision("haidian", "P4", {"note": "x"}, expected_version=None, user="王工")
    after = store.verify()
    assert not after.intact and not after.unacknowledged and len(after.acknowledged) == 3
    acknowledged = store.audit_log()
    assert (
        acknowledged["action"].tolist()[-2] == "acknowledge" and "已核实" in acknowledged["note"].tolist()[-2]
    )
    tamper("UPDATE zgc_decisions SET review_status = 'not_suitable' WHERE plot_id = 'P2'")  # new damage
    assert [f.plot_id for f in open_workspace(backend[0]).verify().unacknowledged] == ["P2"]


@pytest.mark.parametrize(
    ("statement", "kind", "words"),
    [
        ("DELETE FROM zgc_audit WHERE audit_id = 3", "audit_gap", "audit rows 3–3 are missing"),
        ("DELETE FROM zgc_audit WHERE audit_id = (SELECT max(audit_id) FROM zgc_audit)", "audit_head",
         "missing at the end of the log"),
        ("UPDATE zgc_audit SET hash = 'x' || substr(hash, 2) WHERE audit_id = 2", "audit_row",
         "audit row 3"),
    ],
)  # fmt: skip
def test_deleted_and_rehashed_rows_are_found(
    store: WorkspaceStore, backend: tuple[str, Tamper], statement: str, kind: str, words: str
) -> None:
    decide_a_little(store)
    backend[1](statement)
    findings = open_workspace(backend[0]).verify().findings
    assert kind in [f.kind for f in findings]
    assert any(words in f.message for f in findings)


def test_incremental_verification_restarts_when_its_last_row_changed(
    store: WorkspaceStore, backend: tuple[str, Tamper]
) -> None:
    decide_a_little(store)
    assert store.verify(incremental=True).intact
    last = int(store.audit_log()["audit_id"].max())
    backend[1](f"UPDATE zgc_audit SET note = 'rewritten' WHERE audit_id = {last}")
    report = store.verify(incremental=True)
    assert [f.audit_id for f in report.findings if f.kind == "audit_row"] == [last]


# -- copies, schema versions, privileges ---------------------------------------------------------


def test_copies_keep_the_chain_both_ways(
    tmp_path: Path, store: WorkspaceStore, backend: tuple[str, Tamper]
) -> None:
    decide_a_little(store)
    there = tmp_path / "copy.gpkg"
    report = copy_workspace(backend[0], there, user="王工")
    assert report.intact
    copied = open_workspace(there)
    original_log = store.audit_log()
    copied_log = copied.audit_log()
    pd.testing.assert_frame_equal(copied_log.iloc[: len(original_log)], original_log)
    assert (
        copied_log["action"].iloc[-1] == "copy" and backend[0].split("@")[-1] in copied_log["note"].iloc[-1]
    )
    back = tmp_path / "back.gpkg"
    assert copy_workspace(there, back, user="王工").intact
    pd.testing.assert_frame_equal(
        open_workspace(back).load_inventory("haidian").drop(columns="geometry"),
        store.load_inventory("haidian").drop(columns="geometry"),
    )
    with pytest.raises(WorkspaceError, match="is not empty"):
        copy_workspace(there, back, user="王工")


def test_backup_is_a_verified_geopackage_workspace(tmp_path: Path, store: WorkspaceStore) -> None:
    decide_a_little(store)
    backup = store.backup(user=ADMIN, target=tmp_path)
    assert backup.suffix == ".gpkg" and backup.parent == tmp_path
    copy = open_workspace(backup)
    assert copy.verify().intact
    assert len(copy.load_inventory("haidian")) == 6


def make_version_1_file(path: Path) -> None:
    """A workspace as the first release wrote it: no schema version, no hashes."""
    from zgc_geo.workspace import gpkg_format  # noqa: PLC0415 - its private v1 schema

    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute(f"PRAGMA application_id = {gpkg_format.GPKG_APPLICATION_ID}")
        for statement in gpkg_format._SCHEMA:
            conn.execute(statement)
        conn.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", gpkg_format._SRS_ROWS)
        conn.executemany(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES (?, 'attributes', ?)",
            [(t, t) for t in gpkg_format.ZGC_TABLES],
        )
        conn.execute(
            "INSERT INTO zgc_decisions (inventory, plot_id, review_status, version, updated_at, updated_by) "
            "VALUES ('haidian', 'P1', 'recommended', 1, '2025-01-01T00:00:00.000Z', '王工')"
        )
        conn.execute(
            'INSERT INTO zgc_audit (change_id, time, "user", inventory, plot_id, field, old_value, '
            "new_value, "
            "action, version) VALUES ('c1', '2025-01-01T00:00:00.000Z', '王工', 'haidian', 'P1', "
            "'review_status', 'unreviewed', 'recommended', 'decide', 1)"
        )


def test_a_version_1_geopackage_is_upgraded_on_open_and_verifies(tmp_path: Path) -> None:
    path = tmp_path / "old.gpkg"
    make_version_1_file(path)
    store = open_workspace(path)
    assert store.init() == SCHEMA_VERSION
    log = store.audit_log()
    assert log["action"].tolist() == ["decide", "upgrade"] and log["hash"].notna().all()
    assert "1 existing audit row(s) were hash-chained" in log["note"].iloc[-1]
    assert store.verify().intact
    with sqlite3.connect(path) as conn:
        history = conn.execute("SELECT version, applied_by FROM zgc_schema_history").fetchall()
    assert history == [(version, ADMIN) for version in range(2, SCHEMA_VERSION + 1)]


def test_a_workspace_from_a_newer_zgc_geo_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zgc_geo.workspace import gpkg_format  # noqa: PLC0415

    path = tmp_path / "new.gpkg"
    open_workspace(path).init()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE zgc_meta SET value = '99' WHERE key = 'schema_version'")
    monkeypatch.setattr(gpkg_format, "_VERIFIED", set())  # as another process would open it
    with pytest.raises(WorkspaceError, match="schema version 99, made by a newer zgc-geo"):
        open_workspace(path).inventories()


def test_postgis_without_a_workspace_says_to_run_init(postgis_db: PostgisDatabase) -> None:
    with pytest.raises(WorkspaceError, match=r"no zgc-geo workspace yet.*zgc-geo workspace init --workspace"):
        open_workspace(postgis_db.app_url).inventories()


def test_postgis_app_role_cannot_rewrite_the_log(postgis_db: PostgisDatabase) -> None:
    open_workspace(postgis_db.admin_url).init()
    store = with_planners(open_workspace(postgis_db.app_url))
    store.save_inventory("haidian", make_plots(), title="t", source="s", user="王工")
    decide_a_little(store)
    with psycopg.connect(postgis_db.app_url, options="-c search_path=zgc_geo,public") as conn:
        for statement in ("UPDATE zgc_audit SET \"user\" = 'm'", "DELETE FROM zgc_audit",
                          "TRUNCATE zgc_audit",
                          "DELETE FROM zgc_decisions"):  # fmt: skip
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)  # type: ignore[arg-type]
            conn.rollback()
        with pytest.raises(
            psycopg.errors.RaiseException, match="only in the transaction that writes its audit row"
        ):
            conn.execute("UPDATE zgc_decisions SET review_status = 'revitalised'")
            conn.commit()
    assert "could rewrite" not in " ".join(store.verify().notes)
    assert "could rewrite the log" in " ".join(open_workspace(postgis_db.admin_url).verify().notes)
    with pytest.raises(WorkspaceError, match="needs to be a member of zgc_geo_app"):
        open_workspace(postgis_db.other_url).inventories()


def test_postgis_keeps_long_chinese_column_names_and_refuses_points(postgis_db: PostgisDatabase) -> None:
    open_workspace(postgis_db.admin_url).init()
    store = with_planners(open_workspace(postgis_db.app_url))
    plots = make_plots(3)
    long_name = "土地使用权人统一社会信用代码及其法定代表人联系方式" * 2
    plots[long_name] = ["a", "b", "c"]
    plots[long_name + "（二）"] = ["d", "e", "f"]
    store.save_inventory("haidian", plots, title="t", source="s", user="王工")
    loaded = store.load_inventory("haidian")
    assert loaded[long_name].tolist() == ["a", "b", "c"] and loaded[long_name + "（二）"].tolist() == [
        "d",
        "e",
        "f",
    ]
    points = gpd.GeoDataFrame({"plot_id": ["X1"]}, geometry=[shapely.Point(116.3, 39.9)], crs="EPSG:4326")
    with pytest.raises(OptionError, match="stores plots as polygons, but plot row 1 is a"):
        store.save_inventory("points", points, title="t", source="s", user="王工")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw@[::1]:5432/db", "postgresql://u:***@[::1]:5432/db"),
        (
            "postgresql://u@h:5/db?password=s3cret&sslmode=require",
            "postgresql://u@h:5/db?password=***&sslmode=require",
        ),
        ("postgres://a:b@h1:1,h2:2/db", "postgres://a:***@h1:1,h2:2/db"),
        ("postgresql://planner@db.example:5432/zgc", "postgresql://planner@db.example:5432/zgc"),
    ],
)
def test_addresses_are_shown_without_passwords(url: str, shown: str) -> None:
    assert redacted(url) == shown
    assert open_workspace(url).address == shown


def test_the_one_plot_check_finds_what_the_whole_check_finds(
    store: WorkspaceStore, backend: tuple[str, Tamper]
) -> None:
    """Before each write only the plot is checked; its finding must carry the same key, or an
    acknowledgement made from ``verify`` would not cover it."""
    decide_a_little(store)
    tamper = backend[1]
    tamper("UPDATE zgc_decisions SET review_status = 'revitalised' WHERE plot_id = 'P2'")
    tamper("UPDATE zgc_decisions SET version = 7 WHERE plot_id = 'P1'")
    tamper(
        "INSERT INTO zgc_decisions (inventory, plot_id, review_status, version, updated_at, updated_by) "
        "VALUES ('haidian', 'P5', 'recommended', 1, '2026-01-01T00:00:00.000Z', 'mallory')"
    )
    whole = {f.plot_id: f for f in open_workspace(backend[0]).verify().findings}
    assert sorted(whole) == ["P1", "P2", "P5"]
    for plot_id, expected in whole.items():
        with pytest.raises(WorkspaceIntegrityError) as refused:
            open_workspace(backend[0]).record_decision(
                "haidian", plot_id, {"note": "x"}, expected_version=None, user="u"
            )
        assert expected.message in str(refused.value)
    from zgc_geo.workspace.audit_chain import plot_finding  # noqa: PLC0415

    log = store.audit_log("haidian", "P2")
    changes = [
        (r.audit_id, r.time, r.user, r.field, None if pd.isna(r.new_value) else r.new_value, r.version)
        for r in log.itertuples()
    ]
    decision = store.decision("haidian", "P2")
    row = (decision.review_status, decision.note, decision.mode, decision.version, decision.updated_at,
           decision.updated_by)  # fmt: skip
    assert plot_finding("haidian", "P2", row, changes) == whole["P2"]


def test_postgis_init_by_a_role_that_may_not_create_says_who_must(postgis_db: PostgisDatabase) -> None:
    with pytest.raises(
        WorkspaceError, match=r"may not create or upgrade the workspace .* owner or a superuser"
    ):
        open_workspace(postgis_db.app_url).init()
    assert open_workspace(postgis_db.admin_url).init() == SCHEMA_VERSION
