"""Roles and per-park rights, enforced by the store on both backends, and row-level security on PostGIS."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest

from tests.postgis_server import PostgisDatabase
from tests.workspace.test_gpkg_store import make_plots
from zgc_geo.errors import AccessRefusedError, OptionError, WorkspaceError, WorkspaceIntegrityError
from zgc_geo.workspace import SCHEMA_VERSION, WorkspaceStore, copy_workspace, open_workspace
from zgc_geo.workspace.postgis_schema import park_role
from zgc_geo.workspace.rights import Grant, checked_grant, park_of

ADMIN = "管理员"
HAIDIAN_EDITOR = "海淀编辑"
VIEWER = "只读者"
STRANGER = "路人"


def park_plots() -> gpd.GeoDataFrame:
    """Plots H1, H2 in 海淀, F1 in 丰台 and O1 outside every park (an empty park_id)."""
    plots = make_plots(["H1", "H2", "F1", "O1"])
    plots["park_id"] = ["haidian", "haidian", "fengtai", ""]
    return plots


@pytest.fixture(autouse=True)
def created_by_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workspaces are made by ADMIN, who is therefore their first admin."""
    monkeypatch.setenv("ZGC_GEO_USER", ADMIN)


def refusals(store: WorkspaceStore) -> list[dict[str, object]]:
    log = store.audit_log()
    return log[log["action"] == "refuse"][["user", "plot_id", "field", "old_value", "new_value"]].to_dict(
        "records"
    )


def test_the_creator_is_the_first_admin_and_anyone_else_only_views(address: str) -> None:
    store = open_workspace(address)
    assert store.rights(ADMIN) == Grant(ADMIN, "admin", (), ADMIN, store.rights(ADMIN).granted_at)
    assert store.rights(STRANGER).role == "viewer" and not store.rights(STRANGER).edits
    assert [g.user for g in store.grants()] == sorted([ADMIN, HAIDIAN_EDITOR, VIEWER])


@pytest.mark.parametrize("user", [VIEWER, STRANGER])
def test_a_viewer_and_a_user_without_a_grant_change_nothing(address: str, user: str) -> None:
    store = open_workspace(address)
    before = store.load_inventory("parks")
    for plot in ("H1", "F1", "O1"):
        with pytest.raises(AccessRefusedError) as refused:
            store.record_decision(
                "parks", plot, {"review_status": "deferred"}, expected_version=None, user=user
            )
        assert refused.value.user == user and refused.value.plot_id == plot
    with pytest.raises(AccessRefusedError, match="admin role"):
        store.save_inventory("other", park_plots(), title="t", source="s", user=user)
    with pytest.raises(AccessRefusedError, match="admin role"):
        store.grant(user, "admin", by=user)
    with pytest.raises(AccessRefusedError, match="admin role"):
        store.dump(user=user)
    assert store.undo_last("parks", user) is None
    after = store.load_inventory("parks")
    assert after["review_status"].tolist() == before["review_status"].tolist() == ["unreviewed"] * 4
    assert [i.name for i in store.inventories()] == ["parks"]
    logged = refusals(store)
    assert [r["plot_id"] for r in logged[:3]] == ["H1", "F1", "O1"]
    assert {r["user"] for r in logged} == {user}
    assert logged[1]["field"] == "right:edit_park:fengtai"
    assert store.verify().intact  # refusals are log rows like any other: the chain holds


def test_an_editor_changes_only_plots_of_their_parks(address: str) -> None:
    store = open_workspace(address)
    decided = store.record_decision(
        "parks", "H1", {"review_status": "recommended"}, expected_version=0, user=HAIDIAN_EDITOR
    )
    assert decided.updated_by == HAIDIAN_EDITOR
    with pytest.raises(AccessRefusedError) as refused:
        store.record_decision(
            "parks", "F1", {"review_status": "deferred"}, expected_version=0, user=HAIDIAN_EDITOR
        )
    message = str(refused.value)
    for named in (HAIDIAN_EDITOR, "editor:haidian", "'F1'", "'fengtai'", "right to edit park 'fengtai'"):
        assert named in message
    assert (refused.value.park, refused.value.right) == ("fengtai", "edit_park:fengtai")
    with pytest.raises(AccessRefusedError, match="'outside'"):
        store.record_decision(
            "parks", "O1", {"review_status": "deferred"}, expected_version=0, user=HAIDIAN_EDITOR
        )
    store.grant(HAIDIAN_EDITOR, "editor", ("haidian", "outside"), by=ADMIN)
    store.record_decision(
        "parks", "O1", {"review_status": "deferred"}, expected_version=0, user=HAIDIAN_EDITOR
    )
    statuses = store.load_inventory("parks").set_index("plot_id")["review_status"].to_dict()
    assert statuses == {"H1": "recommended", "H2": "unreviewed", "F1": "unreviewed", "O1": "deferred"}
    assert store.verify().intact


def test_undo_undoes_only_the_callers_own_change(address: str) -> None:
    store = open_workspace(address)
    store.record_decision("parks", "H1", {"review_status": "recommended"}, expected_version=0, user=ADMIN)
    store.record_decision(
        "parks", "H2", {"review_status": "deferred"}, expected_version=0, user=HAIDIAN_EDITOR
    )
    undone = store.undo_last("parks", HAIDIAN_EDITOR)
    assert undone is not None and undone.plot_id == "H2"
    assert store.undo_last("parks", HAIDIAN_EDITOR) is None  # the admin's change is not theirs to undo
    assert store.decision("parks", "H1").review_status == "recommended"
    assert store.undo_last("parks", VIEWER) is None


def test_an_editor_whose_park_was_taken_away_cannot_undo_there(address: str) -> None:
    store = open_workspace(address)
    store.record_decision(
        "parks", "H1", {"review_status": "recommended"}, expected_version=0, user=HAIDIAN_EDITOR
    )
    store.grant(HAIDIAN_EDITOR, "viewer", by=ADMIN)
    with pytest.raises(AccessRefusedError, match="undo plot 'H1'"):
        store.undo_last("parks", HAIDIAN_EDITOR)
    assert store.decision("parks", "H1").review_status == "recommended"


def test_grants_are_audited_and_the_last_admin_stays(address: str) -> None:
    store = open_workspace(address)
    with pytest.raises(OptionError, match="last admin"):
        store.revoke(ADMIN, by=ADMIN)
    with pytest.raises(OptionError, match="last admin"):
        store.grant(ADMIN, "viewer", by=ADMIN)
    store.grant("副管理员", "admin", by=ADMIN)
    assert store.revoke(ADMIN, by="副管理员") is not None
    assert store.rights(ADMIN).role == "viewer"
    log = store.audit_log()
    grants = log[log["action"].isin(["grant", "revoke"])].astype(object)
    grants = grants.where(grants.notna(), None)
    assert grants[["user", "field", "old_value", "new_value", "action"]].values.tolist()[-2:] == [
        ["管理员", "role:副管理员", None, "admin", "grant"],
        ["副管理员", "role:管理员", "admin", None, "revoke"],
    ]
    assert store.verify().intact


def test_a_grant_written_behind_zgc_geos_back_gives_no_right_and_is_found(
    address: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store = open_workspace(address)
    statement = f"UPDATE zgc_grants SET role = 'admin', parks = '' WHERE user_name = '{VIEWER}'"
    if address.startswith("postgresql"):
        database: PostgisDatabase = request.getfixturevalue("postgis_db")
        with psycopg.connect(database.admin_url, options="-c search_path=zgc_geo,public") as conn:
            conn.execute(statement)  # type: ignore[arg-type]
    else:
        with sqlite3.connect(address) as conn:
            conn.execute(statement)
    with pytest.raises(AccessRefusedError):  # rights follow the log, not the table
        store.record_decision(
            "parks", "H1", {"review_status": "deferred"}, expected_version=None, user=VIEWER
        )
    report = store.verify()
    assert [f.template for f in report.findings] == ["grant_changed"]
    assert VIEWER in report.findings[0].message
    with pytest.raises(WorkspaceIntegrityError, match="grants were changed"):
        store.record_decision("parks", "H1", {"review_status": "deferred"}, expected_version=None, user=ADMIN)
    store.acknowledge(report, user=ADMIN, note="授权表被改，已核实")
    store.record_decision("parks", "H1", {"review_status": "deferred"}, expected_version=None, user=ADMIN)


@pytest.mark.postgis
def test_copies_keep_the_roles_both_ways(tmp_path: Path, postgis_db: PostgisDatabase) -> None:
    source = tmp_path / "source.gpkg"
    store = open_workspace(source)
    store.save_inventory("parks", park_plots(), title="分园地块", source="test", user=ADMIN)
    store.grant(HAIDIAN_EDITOR, "editor", ("haidian",), by=ADMIN)
    store.grant("二号管理员", "admin", by=ADMIN)
    with pytest.raises(AccessRefusedError):
        copy_workspace(source, postgis_db.admin_url, user=HAIDIAN_EDITOR)
    copy_workspace(source, postgis_db.admin_url, user=ADMIN)
    back = tmp_path / "back.gpkg"
    copy_workspace(postgis_db.admin_url, back, user="二号管理员")
    for address in (postgis_db.app_url, str(back)):
        copied = open_workspace(address)
        assert copied.verify().intact
        assert {g.user: g.summary for g in copied.grants()} == {
            ADMIN: "admin", HAIDIAN_EDITOR: "editor:haidian", "二号管理员": "admin"
        }  # fmt: skip
        with pytest.raises(AccessRefusedError):
            copied.record_decision(
                "parks", "F1", {"review_status": "deferred"}, expected_version=0, user=HAIDIAN_EDITOR
            )


@pytest.mark.postgis
def test_a_parks_database_role_cannot_change_another_parks_decisions_in_plain_sql(
    postgis_db: PostgisDatabase,
) -> None:
    open_workspace(postgis_db.admin_url).init()
    store = open_workspace(postgis_db.app_url)
    store.save_inventory("parks", park_plots(), title="分园地块", source="test", user=ADMIN)
    for plot in ("H1", "F1"):
        store.record_decision("parks", plot, {"review_status": "recommended"}, expected_version=0, user=ADMIN)
    with psycopg.connect(postgis_db.admin_url) as conn:
        conn.execute(f"CREATE ROLE haidian_office LOGIN PASSWORD 'office' IN ROLE {park_role('haidian')}")
    office = postgis_db.admin_url.replace(
        postgis_db.admin_url.split("@")[0], "postgresql://haidian_office:office"
    )
    audit = (
        'INSERT INTO zgc_audit (audit_id, change_id, time, "user", inventory, plot_id, field, old_value, '
        "new_value, action, version, hash) SELECT max(audit_id) + 1, 'x', 't', 'office', 'parks', %s, "
        "'review_status', 'recommended', 'deferred', 'decide', 2, 'h' FROM zgc_audit"
    )
    update = (
        "UPDATE zgc_decisions SET review_status = 'deferred', version = 2 "
        "WHERE inventory = 'parks' AND plot_id = %s"
    )
    with psycopg.connect(office, options="-c search_path=zgc_geo,public") as conn:
        conn.execute(audit, ("F1",))
        assert conn.execute(update, ("F1",)).rowcount == 0  # row-level security hides 丰台's row
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO zgc_decisions VALUES ('parks', 'O1', 'deferred', NULL, NULL, 1, 't', 'x')"
            )
    with psycopg.connect(office, options="-c search_path=zgc_geo,public") as conn:
        conn.execute(audit, ("H1",))
        assert conn.execute(update, ("H1",)).rowcount == 1  # its own park's row it may change
        conn.rollback()
    with (
        psycopg.connect(office, options="-c search_path=zgc_geo,public") as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("UPDATE zgc_grants SET role = 'admin'")
    assert store.decision("parks", "F1").review_status == "recommended"


def test_grant_arguments_are_checked() -> None:
    assert checked_grant("u", "editor", ["haidian", "changping", "haidian", " "]) == (
        "editor", ("changping", "haidian")
    )  # fmt: skip
    with pytest.raises(OptionError, match="needs the parks"):
        checked_grant("u", "editor", [])
    with pytest.raises(OptionError, match="editors only"):
        checked_grant("u", "viewer", ["haidian"])
    with pytest.raises(OptionError, match="unknown role"):
        checked_grant("u", "owner", None)
    with pytest.raises(OptionError, match="not valid"):
        checked_grant("u", "editor", ["海淀"])
    assert [park_of(v) for v in (None, "", "  ", float("nan"), "haidian")] == [
        "outside", "outside", "outside", "outside", "haidian"
    ]  # fmt: skip


@pytest.mark.postgis
def test_a_version_2_postgis_workspace_is_upgraded_by_init(
    postgis_db: PostgisDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zgc_geo.workspace import postgis_schema, postgis_store  # noqa: PLC0415

    with monkeypatch.context() as old_zgc_geo:  # what the previous version made: no step to 3
        old_zgc_geo.setattr(postgis_schema, "_STEPS", ())
        old_zgc_geo.setattr(postgis_schema, "SCHEMA_VERSION", 2)
        open_workspace(postgis_db.admin_url).init()
    postgis_store._CHECKED.clear()
    app = open_workspace(postgis_db.app_url)
    with pytest.raises(WorkspaceError, match=rf"schema version 2; this zgc-geo needs {SCHEMA_VERSION}.*init"):
        app.inventories()
    assert open_workspace(postgis_db.admin_url).init() == SCHEMA_VERSION
    postgis_store._CHECKED.clear()
    assert [g.summary for g in app.grants()] == ["admin"] and app.rights(ADMIN).administers
    app.save_inventory("parks", park_plots(), title="分园地块", source="test", user=ADMIN)
    assert app.verify().intact
