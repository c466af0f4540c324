"""``zgc-geo workspace grant|revoke|users``, and ``workspace decide`` under each role, on both backends."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.postgis_server import PostgisDatabase
from tests.workspace.test_rights import park_plots
from zgc_geo.cli import main
from zgc_geo.settings import USER_ENV
from zgc_geo.workspace import open_workspace

ADMIN = "王工"
EDITOR = "海淀编辑"
VIEWER = "只读者"


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def address(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A workspace made by ADMIN with the park plots (海淀 H1 H2, 丰台 F1, outside O1)."""
    monkeypatch.setenv(USER_ENV, ADMIN)
    if request.param == "gpkg":
        admin_url = app_url = str(tmp_path / "workspace.gpkg")
    else:
        database: PostgisDatabase = request.getfixturevalue("postgis_db")
        admin_url, app_url = database.admin_url, database.app_url
    assert main(["workspace", "init", "--workspace", admin_url]) == 0
    open_workspace(app_url).save_inventory("parks", park_plots(), title="分园地块", source="t", user=ADMIN)
    return app_url


def edits_file(tmp_path: Path, plots: list[str]) -> Path:
    path = tmp_path / "edits.csv"
    pd.DataFrame({"plot_id": plots, "review_status": ["recommended"] * len(plots)}).to_csv(path, index=False)
    return path


def decide_as(user: str, address: str, edits: Path, report: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv(USER_ENV, user)
    return main(["workspace", "decide", "parks", "--from", str(edits), "--report", str(report),
                 "--workspace", address])  # fmt: skip


def test_grant_users_and_revoke(address: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workspace", "grant", EDITOR, "--role", "editor", "--parks", "haidian,outside",
                 "--workspace", address]) == 0  # fmt: skip
    assert "editor (编辑): haidian (海淀园), outside (园区外)" in capsys.readouterr().out
    assert main(["workspace", "grant", VIEWER, "--role", "viewer", "--workspace", address]) == 0
    assert main(["workspace", "users", "--workspace", address]) == 0
    out = capsys.readouterr().out
    assert "3 user(s) with a role" in out
    for line in (f"{ADMIN}\tadmin (管理员)", f"{EDITOR}\teditor (编辑)", f"{VIEWER}\tviewer (只读)"):
        assert line in out
    assert main(["workspace", "revoke", VIEWER, "--workspace", address]) == 0
    assert "they can now only view" in capsys.readouterr().out
    assert main(["workspace", "revoke", VIEWER, "--workspace", address]) == 0
    assert "nothing to revoke" in capsys.readouterr().out
    assert [g.user for g in open_workspace(address).grants()] == sorted([ADMIN, EDITOR])


def test_only_an_admin_grants_and_bad_usage_exits_2(
    address: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["workspace", "grant", EDITOR, "--role", "editor", "--parks", "haidain",
                 "--workspace", address]) == 2  # fmt: skip
    assert "unknown park id(s) 'haidain'" in capsys.readouterr().err
    assert main(["workspace", "grant", EDITOR, "--role", "editor", "--workspace", address]) == 2
    with pytest.raises(SystemExit) as bad_role:
        main(["workspace", "grant", EDITOR, "--role", "owner", "--workspace", address])
    assert bad_role.value.code == 2
    assert main(["workspace", "revoke", ADMIN, "--workspace", address]) == 2  # the last admin
    monkeypatch.setenv(USER_ENV, EDITOR)
    assert main(["workspace", "grant", EDITOR, "--role", "admin", "--workspace", address]) == 1
    assert "needs the admin role" in capsys.readouterr().err
    log = open_workspace(address).audit_log()
    assert log["action"].tolist()[-1] == "refuse" and log["user"].tolist()[-1] == EDITOR


def test_decide_as_an_editor_refuses_plots_outside_their_parks_and_changes_nothing(
    address: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["workspace", "grant", EDITOR, "--role", "editor", "--parks", "haidian",
                 "--workspace", address]) == 0  # fmt: skip
    report = tmp_path / "report.csv"
    outside_theirs = edits_file(tmp_path, ["F1", "O1"])
    assert decide_as(EDITOR, address, outside_theirs, report, monkeypatch) == 1
    rows = pd.read_csv(report, dtype=str, keep_default_na=False)
    assert rows["result"].tolist() == ["refused", "refused"]
    assert "right to edit park 'fengtai'" in rows["message"][0]
    assert "right to edit park 'outside'" in rows["message"][1]
    store = open_workspace(address)
    assert set(store.load_inventory("parks")["review_status"]) == {"unreviewed"}
    mixed = edits_file(tmp_path, ["H1", "F1"])
    assert decide_as(EDITOR, address, mixed, report, monkeypatch) == 1
    assert pd.read_csv(report)["result"].tolist() == ["applied", "refused"]
    statuses = store.load_inventory("parks").set_index("plot_id")["review_status"].to_dict()
    assert statuses == {"H1": "recommended", "H2": "unreviewed", "F1": "unreviewed", "O1": "unreviewed"}
    assert store.verify().intact


@pytest.mark.parametrize("user", [VIEWER, "没有授权的人"])
def test_decide_as_a_viewer_or_without_a_grant_changes_nothing(
    address: str, user: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["workspace", "grant", VIEWER, "--role", "viewer", "--workspace", address]) == 0
    report = tmp_path / "report.csv"
    assert decide_as(user, address, edits_file(tmp_path, ["H1", "F1", "O1"]), report, monkeypatch) == 1
    assert pd.read_csv(report)["result"].tolist() == ["refused"] * 3
    store = open_workspace(address)
    assert set(store.load_inventory("parks")["review_status"]) == {"unreviewed"}
    refused = store.audit_log().query("action == 'refuse'")
    assert refused["user"].tolist() == [user] * 3 and refused["plot_id"].tolist() == ["H1", "F1", "O1"]
