"""The project register on both backends: audited changes, rights, versions, reviews, stages, and
a project reaching 投产 marking its plot 已盘活; the register travels with a copied workspace."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import psycopg
import pytest

from tests.postgis_server import PostgisDatabase
from tests.workspace.test_rights import ADMIN, HAIDIAN_EDITOR, VIEWER
from zgc_geo.errors import AccessRefusedError, ConcurrentEditError, OptionError, WorkspaceError
from zgc_geo.workspace import copy_workspace, open_workspace
from zgc_geo.workspace.postgis_schema import park_role
from zgc_geo.workspace.projects import PROJECT_SCOPE


@pytest.fixture(autouse=True)
def created_by_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workspaces are made by ADMIN, who is therefore their first admin (``address``: conftest.py)."""
    monkeypatch.setenv("ZGC_GEO_USER", ADMIN)


FIELDS = {
    "name": "人工智能算法平台", "enterprise": "示例科技", "industry_code": "6513", "park_id": "haidian",
    "inventory": "parks", "plot_id": "H1", "land_area_mu": "30", "investment_wan": 60000, "jobs": 800,
}  # fmt: skip


def test_a_project_is_created_changed_and_every_change_audited(address: str) -> None:
    store = open_workspace(address)
    created = store.save_project("p-1", FIELDS, expected_version=0, user=HAIDIAN_EDITOR, note="签约前登记")
    assert created.version == 1 and created.value("name") == "人工智能算法平台"
    assert created.number("land_area_mu") == 30.0 and created.value("investment_wan") == "60000.0"
    changed = store.save_project(
        "p-1", {"jobs": 900, "name": "人工智能算法平台"}, expected_version=1, user=ADMIN
    )
    assert changed.version == 2 and changed.number("jobs") == 900.0
    assert (
        store.save_project("p-1", {"jobs": "900"}, expected_version=2, user=ADMIN).version == 2
    )  # no change
    log = store.audit_log(PROJECT_SCOPE, "p-1")
    assert list(log["action"]) == ["project"] * (len(FIELDS) + 1)
    assert log.iloc[-1][["field", "old_value", "new_value", "user"]].tolist() == [
        "jobs",
        "800.0",
        "900.0",
        ADMIN,
    ]
    with pytest.raises(ConcurrentEditError, match="now version 2; you loaded version 1"):
        store.save_project("p-1", {"jobs": 1}, expected_version=1, user=ADMIN)
    assert [p.project_id for p in store.projects()] == ["p-1"]
    assert store.verify().intact


def test_rights_follow_the_projects_park(address: str) -> None:
    store = open_workspace(address)
    with pytest.raises(AccessRefusedError):
        store.save_project("p-f", {**FIELDS, "park_id": "fengtai"}, expected_version=0, user=HAIDIAN_EDITOR)
    with pytest.raises(AccessRefusedError):
        store.save_project("p-v", FIELDS, expected_version=0, user=VIEWER)
    store.save_project("p-h", FIELDS, expected_version=0, user=HAIDIAN_EDITOR)
    with pytest.raises(AccessRefusedError):  # moving it to a park they may not edit
        store.save_project("p-h", {"park_id": "fengtai"}, expected_version=1, user=HAIDIAN_EDITOR)
    refused = store.audit_log()
    assert (refused["action"] == "refuse").sum() == 3
    assert [p.project_id for p in store.projects()] == ["p-h"]


def test_reviews_and_stages_replay_and_production_revitalises_the_plot(address: str) -> None:
    store = open_workspace(address)
    store.save_project("p-1", FIELDS, expected_version=0, user=ADMIN)
    store.record_review("p-1", "发改", date="2026-01-10", opinion="approve", expected_version=1, user=ADMIN)
    project = store.record_review(
        "p-1", "生态环境", date="2026-01-12", opinion="approve_with_conditions", conditions="环评批复后开工",
        expected_version=2, user=HAIDIAN_EDITOR,
    )  # fmt: skip
    assert project.reviews["生态环境"].conditions == "环评批复后开工" and len(project.reviews) == 2
    store.record_stage(
        "p-1", "signed", planned="2026-02-01", actual="2026-02-03", expected_version=3, user=ADMIN
    )
    store.record_stage(
        "p-1", "land_supplied", planned="2026-05-01", actual=None, expected_version=4, user=ADMIN
    )
    assert store.project("p-1").stage == "signed"
    assert store.decision("parks", "H1").review_status == "unreviewed"
    done = store.record_stage(
        "p-1",
        "production_started",
        planned=None,
        actual="2028-06-30",
        expected_version=5,
        user=HAIDIAN_EDITOR,
    )
    assert done.stage == "production_started" and done.stages["land_supplied"].planned == "2026-05-01"
    decision = store.decision("parks", "H1")
    assert decision.review_status == "revitalised" and decision.updated_by == HAIDIAN_EDITOR
    plot_log = store.audit_log("parks", "H1")
    assert "p-1" in plot_log["note"].iloc[-1] and "投产" in plot_log["note"].iloc[-1]
    with pytest.raises(OptionError, match="unknown stage"):
        store.record_stage(
            "p-1", "opened", planned=None, actual="2026-01-01", expected_version=None, user=ADMIN
        )
    with pytest.raises(OptionError, match="not a date"):
        store.record_stage(
            "p-1", "completed", planned="31/12/2027", actual=None, expected_version=None, user=ADMIN
        )
    with pytest.raises(OptionError, match="unknown opinion"):
        store.record_review(
            "p-1", "经信", date="2026-01-01", opinion="maybe", expected_version=None, user=ADMIN
        )
    with pytest.raises(WorkspaceError, match="no project 'p-x'"):
        store.record_stage(
            "p-x", "signed", planned=None, actual="2026-01-01", expected_version=None, user=ADMIN
        )
    assert store.verify().intact


def test_production_on_a_plot_the_writer_may_not_decide_changes_nothing(address: str) -> None:
    store = open_workspace(address)
    store.save_project(
        "p-2", {**FIELDS, "plot_id": "F1"}, expected_version=0, user=ADMIN
    )  # 海淀 project, 丰台 plot
    with pytest.raises(AccessRefusedError):
        store.record_stage(
            "p-2",
            "production_started",
            planned=None,
            actual="2028-01-01",
            expected_version=1,
            user=HAIDIAN_EDITOR,
        )
    assert store.project("p-2").version == 1 and store.decision("parks", "F1").version == 0


def test_the_register_travels_with_a_copy(address: str, tmp_path: Path) -> None:
    store = open_workspace(address)
    store.save_project("p-1", FIELDS, expected_version=0, user=ADMIN)
    store.record_stage("p-1", "signed", planned=None, actual="2026-02-03", expected_version=1, user=ADMIN)
    copied = tmp_path / "copy.gpkg"
    assert copy_workspace(address, copied, user=ADMIN).intact
    assert open_workspace(copied).projects() == store.projects()


@pytest.mark.postgis
def test_a_parks_database_role_adds_register_rows_for_its_own_parks_projects_only(
    postgis_db: PostgisDatabase,
) -> None:
    open_workspace(postgis_db.admin_url).init()
    store = open_workspace(postgis_db.app_url)
    store.save_project("p-h", FIELDS, expected_version=0, user=ADMIN)
    store.save_project("p-f", {**FIELDS, "park_id": "fengtai"}, expected_version=0, user=ADMIN)
    with psycopg.connect(postgis_db.admin_url) as conn:
        conn.execute(f"CREATE ROLE haidian_desk LOGIN PASSWORD 'desk' IN ROLE {park_role('haidian')}")
    desk = postgis_db.admin_url.replace(postgis_db.admin_url.split("@")[0], "postgresql://haidian_desk:desk")
    row = (
        'INSERT INTO zgc_audit (audit_id, change_id, time, "user", inventory, plot_id, field, old_value, '
        "new_value, action, version, hash) SELECT max(audit_id) + 1, 'x', 't', 'desk', '#projects', %s, %s, "
        "NULL, %s, 'project', 9, 'h' FROM zgc_audit"
    )
    refused = [("p-f", "jobs", "1"), ("p-h", "park_id", "fengtai"), ("p-new", "park_id", "fengtai"),
               ("p-none", "name", "no park")]  # fmt: skip
    for values in refused:
        with (
            psycopg.connect(desk, options="-c search_path=zgc_geo,public") as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="of another park"),
        ):
            conn.execute(row, values)
    with psycopg.connect(desk, options="-c search_path=zgc_geo,public") as conn:
        conn.execute(row, ("p-h", "jobs", "1"))  # its own park's project
        conn.execute(row, ("p-new", "park_id", "haidian"))  # a new project in its park
        conn.rollback()


def test_actual_values_are_audited_with_rights_and_replayed(address: str) -> None:
    store = open_workspace(address)
    values = pd.DataFrame(
        {"indicator_id": ["new_tech_firms", "rd_intensity"], "year": [2018, 2018], "value": [3.1, 11.0],
         "park_id": [None, "haidian"], "source": ["统计年鉴 2019", ""]}
    )  # fmt: skip
    with pytest.raises(AccessRefusedError):  # zone-wide values are the admins'
        store.record_actuals(values, user=HAIDIAN_EDITOR)
    assert store.record_actuals(values.iloc[1:], user=HAIDIAN_EDITOR) == 1
    assert store.record_actuals(values, user=ADMIN) == 1  # the park's value is unchanged
    with pytest.raises(AccessRefusedError):
        store.record_actuals(values.iloc[1:].assign(park_id="fengtai"), user=HAIDIAN_EDITOR)
    assert store.record_actuals(values.iloc[:1].assign(value=3.2), user=ADMIN) == 1
    found = store.plan_actuals().astype(object)
    found = found.where(found.notna(), None)
    assert found[["indicator_id", "year", "value", "park_id"]].values.tolist() == [
        ["new_tech_firms", 2018, 3.2, None], ["rd_intensity", 2018, 11.0, "haidian"]
    ]  # fmt: skip
    log = store.audit_log("#targets")
    assert (log["action"] == "refuse").sum() == 2
    log = log[log["action"] == "actual"]
    assert [None if pd.isna(v) else v for v in log["old_value"]] == [None, None, "3.1"] and log["note"].iloc[
        1
    ] == "统计年鉴 2019"
    assert store.verify().intact


@pytest.mark.postgis
def test_a_parks_database_role_sets_its_own_parks_values_only(postgis_db: PostgisDatabase) -> None:
    open_workspace(postgis_db.admin_url).init()
    with psycopg.connect(postgis_db.admin_url) as conn:
        conn.execute(f"CREATE ROLE haidian_stats LOGIN PASSWORD 'stats' IN ROLE {park_role('haidian')}")
    stats = postgis_db.admin_url.replace(
        postgis_db.admin_url.split("@")[0], "postgresql://haidian_stats:stats"
    )
    row = (
        'INSERT INTO zgc_audit (audit_id, change_id, time, "user", inventory, plot_id, field, old_value, '
        "new_value, action, version, hash) SELECT coalesce(max(audit_id), 0) + 1, 'x', 't', 's', "
        "'#targets', %s, '2018', NULL, '1.0', 'actual', NULL, 'h' FROM zgc_audit"
    )
    for key in ("rd_intensity@fengtai", "rd_intensity@*"):
        with (
            psycopg.connect(stats, options="-c search_path=zgc_geo,public") as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="of another park"),
        ):
            conn.execute(row, (key,))
    with psycopg.connect(stats, options="-c search_path=zgc_geo,public") as conn:
        conn.execute(row, ("rd_intensity@haidian",))
        conn.rollback()
