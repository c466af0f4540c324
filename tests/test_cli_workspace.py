"""``zgc-geo workspace``: every command and exit code, on a GeoPackage file and on a PostGIS database."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.postgis_server import PostgisDatabase
from tests.workspace.test_gpkg_store import make_plots
from zgc_geo.catalogue import layer_spec
from zgc_geo.cli import main
from zgc_geo.cli.workspace import REPORT_COLUMNS
from zgc_geo.errors import WorkspaceError
from zgc_geo.settings import USER_ENV
from zgc_geo.workspace import (
    AUDIT_EXPORT_COLUMNS,
    SCHEMA_VERSION,
    GeoPackageStore,
    WorkspaceStore,
    open_workspace,
)

DEMO = layer_spec("demo_stock_inventory").path
#: The workspace's creator, and so its admin (the only one who may acknowledge findings).
ADMIN = "王工"
PLANNER = "li"
INVENTORY = "haidian"
SUMMARY_KINDS = ("applied", "conflict", "refused", "error")


@dataclass(frozen=True)
class Workspace:
    """A workspace as the tests use it: planners work at ``address``; ``admin`` made it (and may tamper)."""

    backend: str
    address: str
    admin: str

    def store(self) -> WorkspaceStore:
        return open_workspace(self.address)


def new_workspace(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    """A workspace made with ``zgc-geo workspace init`` by ADMIN, who makes PLANNER an admin too;
    ZGC_GEO_USER is PLANNER afterwards (rights are tested in test_cli_roles.py).

    PostGIS: ``init`` as the superuser, then the planners connect as ``zgc_app`` (a member of the
    group role ``init`` grants its restricted rights to).
    """
    if kind == "gpkg":
        path = str(tmp_path / "workspace.gpkg")
        workspace = Workspace("GeoPackage", path, path)
    else:
        database: PostgisDatabase = request.getfixturevalue("postgis_db")
        workspace = Workspace("PostGIS", database.app_url, database.admin_url)
    monkeypatch.setenv(USER_ENV, ADMIN)
    assert main(["workspace", "init", "--workspace", workspace.admin]) == 0
    assert main(["workspace", "grant", PLANNER, "--role", "admin", "--workspace", workspace.address]) == 0
    monkeypatch.setenv(USER_ENV, PLANNER)
    return workspace


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def workspace_address(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Workspace:
    workspace = new_workspace(request.param, tmp_path, request, monkeypatch)
    capsys.readouterr()
    return workspace


@pytest.fixture
def gpkg_workspace(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    return new_workspace("gpkg", tmp_path, request, monkeypatch)


@pytest.fixture
def with_inventory(workspace_address: Workspace) -> Workspace:
    """The workspace with inventory ``haidian``: plots P0 … P5, none decided."""
    workspace_address.store().save_inventory(
        INVENTORY, make_plots(), title="海淀园", source="test", user=PLANNER
    )
    return workspace_address


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["workspace", *args])
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def write_edits(
    path: Path, rows: list[tuple[str, ...]], header: str = "plot_id,review_status,note,mode,expected_version"
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header.split(","))
        writer.writerows(rows)
    return path


def read_report(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


# -- init ----------------------------------------------------------------------------------------


def test_init_prints_backend_address_and_version(
    workspace_address: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "init", "--workspace", workspace_address.admin)
    assert code == 0
    assert out.strip() == (
        f"{workspace_address.backend} workspace {workspace_address.admin}: schema version {SCHEMA_VERSION}"
    )


def test_init_uses_the_settings_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", str(tmp_path / "from_env.gpkg"))
    code, out, _ = run(capsys, "init")
    assert code == 0 and (tmp_path / "from_env.gpkg").is_file()
    assert str(tmp_path / "from_env.gpkg") in out


def test_a_password_is_never_printed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "verify", "--workspace", "postgresql://zgc:s3cret@127.0.0.1:1/ws")
    assert code == 1
    assert "s3cret" not in out + err
    assert "cannot connect to the PostGIS workspace postgresql://zgc:***@127.0.0.1:1/ws" in err


@pytest.mark.postgis
def test_a_password_in_a_working_url_is_hidden(
    postgis_db: PostgisDatabase, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(USER_ENV, ADMIN)
    url = f"postgresql://postgres:s3cret@{postgis_db.host}:{postgis_db.port}/{postgis_db.name}"
    code, out, err = run(capsys, "init", "--workspace", url)
    assert code == 0
    assert out.strip() == (
        f"PostGIS workspace postgresql://postgres:***@{postgis_db.host}:{postgis_db.port}/{postgis_db.name}: "
        f"schema version {SCHEMA_VERSION}"
    )
    code, out, err = run(capsys, "verify", "--workspace", url)
    assert code == 0 and "s3cret" not in out + err and "postgres:***@" in out


def test_workspace_alone_shows_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 2
    assert all(
        command in err for command in ("init", "import", "decide", "audit", "verify", "acknowledge", "copy")
    )


# -- import --------------------------------------------------------------------------------------


def test_import_validates_then_stores(
    workspace_address: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    args = (
        "import",
        str(DEMO),
        "--name",
        "demo",
        "--title",
        "演示清单",
        "--workspace",
        workspace_address.address,
    )
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert out.splitlines()[0].startswith("USABLE: demo_stock_inventory.geojson: 300 feature(s)")
    assert f"stored 300 plot(s) as inventory 'demo' in {workspace_address.backend} workspace" in out
    (info,) = workspace_address.store().inventories()
    assert (info.name, info.title, info.imported_by, info.plot_count) == ("demo", "演示清单", PLANNER, 300)
    code, _, err = run(capsys, *args)
    assert code == 1 and "already has an inventory 'demo'" in err
    code, _, _ = run(capsys, *args, "--replace")
    assert code == 0
    assert list(workspace_address.store().audit_log("demo")["action"]) == ["import", "replace"]


def test_import_takes_the_reading_options_of_validate(
    gpkg_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "plots.csv"
    table.write_text(
        'plot_id,wkt\nA1,"POLYGON((116.3 39.98,116.301 39.98,116.301 39.981,116.3 39.98))"\n', "utf-8"
    )
    args = ("import", str(table), "--name", "wkt", "--workspace", gpkg_workspace.address)
    code, out, _ = run(capsys, *args, "--wkt-column", "wkt", "--crs", "EPSG:4326")
    assert code == 0 and "stored 1 plot(s)" in out
    assert gpkg_workspace.store().inventories()[0].title == "plots.csv"


def test_import_stores_nothing_from_a_file_with_errors(
    gpkg_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    points = tmp_path / "points.geojson"
    feature = {
        "type": "Feature",
        "properties": {"地块编号": "A1"},
        "geometry": {"type": "Point", "coordinates": [116.3, 39.98]},
    }
    points.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    code, out, _ = run(capsys, "import", str(points), "--name", "pts", "--workspace", gpkg_workspace.address)
    assert code == 1
    assert out.splitlines()[0].startswith("NOT USABLE: points.geojson: 0 feature(s); 1 error(s)")
    assert "nothing stored: fix the errors in points.geojson first" in out
    assert gpkg_workspace.store().inventories() == []


def test_import_of_an_unreadable_file_or_with_a_bad_name_exits_2(
    gpkg_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.geojson").write_bytes(b"")
    code, _, _ = run(
        capsys,
        "import",
        str(tmp_path / "empty.geojson"),
        "--name",
        "e",
        "--workspace",
        gpkg_workspace.address,
    )
    assert code == 2
    code, _, err = run(
        capsys, "import", str(DEMO), "--name", "Haidian 2024", "--workspace", gpkg_workspace.address
    )
    assert code == 2 and "inventory name 'Haidian 2024' is not valid" in err
    assert gpkg_workspace.store().inventories() == []


# -- decide --------------------------------------------------------------------------------------


def test_decide_reports_every_row(
    with_inventory: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edits = write_edits(
        tmp_path / "edits.csv",
        [
            ("P0", "deferred", "", "", ""),
            ("P1", "暂缓", "待规划调整", "协议出让", "0"),  # a Chinese label is accepted
            ("P1", "recommended", "", "", "0"),  # stale: P1 is at version 1 now
            ("P9", "deferred", "", "", ""),  # no such plot
            ("P2", "approved", "", "", ""),  # no such status
            ("P3", "deferred", "", "", "latest"),  # not a version
            ("P4", "", "", "", ""),  # nothing to change
        ],
    )
    report = tmp_path / "report.csv"
    code, out, _ = run(capsys, "decide", INVENTORY, "--from", str(edits), "--report", str(report),
                       "--workspace", with_inventory.address)  # fmt: skip
    assert code == 1
    table = read_report(report)
    assert tuple(table.columns) == REPORT_COLUMNS
    assert list(table["plot_id"]) == ["P0", "P1", "P1", "P9", "P2", "P3", "P4"]
    assert list(table["result"]) == [
        "applied",
        "applied",
        "conflict",
        "refused",
        "refused",
        "refused",
        "refused",
    ]
    assert list(table["version"]) == ["1", "1", "1", "", "", "", ""]
    assert "changed by li" in table["message"][2] and "you loaded version 0" in table["message"][2]
    assert "has no plot 'P9'" in table["message"][3]
    assert "unknown review status 'approved'; valid: unreviewed (待审查)" in table["message"][4]
    assert "expected_version 'latest' is not a whole number" in table["message"][5]
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines[:4]] == list(SUMMARY_KINDS)
    assert lines[0].startswith("applied: 2 row(s)") and lines[1].startswith("conflict: 1 row(s)")
    assert lines[2].startswith("refused: 4 row(s)") and lines[3].startswith("error: 0 row(s)")
    assert "row 4, plot P1: conflict:" in out and f"report written to {report}" in out
    store = with_inventory.store()
    p1 = store.decision(INVENTORY, "P1")
    assert (p1.review_status, p1.note, p1.mode, p1.version, p1.updated_by) == (
        "deferred",
        "待规划调整",
        "协议出让",
        1,
        PLANNER,
    )
    assert store.decision(INVENTORY, "P2").version == 0
    audit = store.audit_log(INVENTORY)
    assert set(audit.loc[audit["action"] == "decide", "note"]) == {
        "zgc-geo workspace decide edits.csv row 2", "zgc-geo workspace decide edits.csv row 3",
    }  # fmt: skip


def test_decide_exits_0_when_every_row_applied_and_prints_the_report(
    with_inventory: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_edits(tmp_path / "a.csv", [("P0", "under_review", "现场踏勘", "", "")])
    assert (
        run(capsys, "decide", INVENTORY, "--from", str(first), "--workspace", with_inventory.address)[0] == 0
    )
    # An empty note or mode cell leaves the field as it is; expected_version may be a column of its own.
    second = write_edits(
        tmp_path / "b.csv", [("P0", "recommended", "1")], header="plot_id,review_status,expected_version"
    )
    code, out, err = run(
        capsys, "decide", INVENTORY, "--from", str(second), "--workspace", with_inventory.address
    )
    assert code == 0
    table = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert tuple(table.columns) == REPORT_COLUMNS
    assert table.to_dict("records") == [
        {
            "plot_id": "P0",
            "result": "applied",
            "version": "2",
            "message": "now version 2: review status recommended",
        }
    ]
    assert err.splitlines()[0].startswith("applied: 1 row(s)")  # stdout stays a clean CSV
    decision = with_inventory.store().decision(INVENTORY, "P0")
    assert (decision.review_status, decision.note, decision.version) == ("recommended", "现场踏勘", 2)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"plot_id,status\nP0,deferred\n",
            "lacks the column(s) review_status; it has 'plot_id', 'status'",
        ),
        ("plot_id,review_status,note\nP0,deferred,待定\n".encode("gbk"), "It looks like GBK/GB18030"),
        (b"", "the edits file is empty"),
    ],
    ids=["missing-column", "gbk", "empty"],
)
def test_decide_refuses_an_unusable_edits_file(
    gpkg_workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    message: str,
) -> None:
    gpkg_workspace.store().save_inventory(INVENTORY, make_plots(), title="t", source="s", user=PLANNER)
    edits = tmp_path / "edits.csv"
    edits.write_bytes(content)
    code, out, err = run(
        capsys, "decide", INVENTORY, "--from", str(edits), "--workspace", gpkg_workspace.address
    )
    assert code == 2
    assert message in err and out == ""
    if "GBK" in message:
        assert "not UTF-8 text" in err and "save it as 'CSV UTF-8'" in err
    assert list(gpkg_workspace.store().audit_log()["action"]) == ["grant", "import"]


def test_decide_usage_errors_exit_2_before_any_edit(
    gpkg_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gpkg_workspace.store().save_inventory(INVENTORY, make_plots(), title="t", source="s", user=PLANNER)
    edits = write_edits(tmp_path / "edits.csv", [("P0", "deferred", "", "", "")])
    where = ("--workspace", gpkg_workspace.address)
    code, _, err = run(capsys, "decide", "chaoyang", "--from", str(edits), *where)
    assert code == 2 and "has no inventory 'chaoyang'; it has: haidian" in err
    code, _, err = run(
        capsys, "decide", INVENTORY, "--from", str(edits), "--report", str(tmp_path / "r.txt"), *where
    )
    assert code == 2 and "use .csv" in err
    code, _, err = run(capsys, "decide", INVENTORY, "--from", str(tmp_path / "missing.csv"), *where)
    assert code == 2 and "edits file not found" in err
    assert list(gpkg_workspace.store().audit_log()["action"]) == ["grant", "import"]


def test_decide_reads_a_bom_and_trims_cells(
    gpkg_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gpkg_workspace.store().save_inventory(INVENTORY, make_plots(), title="t", source="s", user=PLANNER)
    edits = tmp_path / "excel.csv"
    edits.write_bytes("Plot_ID, Review_Status ,备注\r\n P0 , deferred ,x\r\n".encode("utf-8-sig"))
    code, _, err = run(
        capsys, "decide", INVENTORY, "--from", str(edits), "--workspace", gpkg_workspace.address
    )
    assert code == 0
    assert "ignored column(s) '备注'" in err
    assert gpkg_workspace.store().decision(INVENTORY, "P0").review_status == "deferred"


def test_decide_report_is_formula_safe_and_written_atomically(
    gpkg_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gpkg_workspace.store().save_inventory(INVENTORY, make_plots(), title="t", source="s", user=PLANNER)
    folder = tmp_path / "out"
    folder.mkdir()
    report = folder / "report.csv"
    report.write_text("old content", "utf-8")
    edits = write_edits(tmp_path / "edits.csv", [('=HYPERLINK("http://x")', "deferred", "", "", "")])
    code, _, _ = run(capsys, "decide", INVENTORY, "--from", str(edits), "--report", str(report),
                     "--workspace", gpkg_workspace.address)  # fmt: skip
    assert code == 1
    raw = report.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows reads UTF-8 only with a BOM
    table = read_report(report)
    assert table["plot_id"][0] == '\'=HYPERLINK("http://x")' and table["result"][0] == "refused"
    assert [p.name for p in folder.iterdir()] == ["report.csv"]


def test_a_storage_failure_is_an_error_and_the_batch_goes_on(
    gpkg_workspace: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    gpkg_workspace.store().save_inventory(INVENTORY, make_plots(), title="t", source="s", user=PLANNER)
    original = GeoPackageStore.record_decision

    def failing(self: GeoPackageStore, name: str, plot_id: str, *args: object, **kwargs: object) -> object:
        if plot_id == "P1":
            raise WorkspaceError(
                "the workspace refused the change (disk I/O error)"
            ) from sqlite3.OperationalError("disk I/O error")
        return original(self, name, plot_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GeoPackageStore, "record_decision", failing)
    edits = write_edits(
        tmp_path / "edits.csv", [(plot, "deferred", "", "", "") for plot in ("P0", "P1", "P2")]
    )
    code, out, err = run(
        capsys, "decide", INVENTORY, "--from", str(edits), "--workspace", gpkg_workspace.address
    )
    assert code == 1
    assert list(pd.read_csv(io.StringIO(out))["result"]) == ["applied", "error", "applied"]
    assert "error: 1 row(s)" in err and "disk I/O error" in err


# -- audit ---------------------------------------------------------------------------------------


def test_audit_exports_the_inventory_and_the_workspace_rows(
    with_inventory: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = with_inventory.store()
    store.save_inventory("chaoyang", make_plots(["C1"]), title="朝阳园", source="test", user=PLANNER)
    store.record_decision(
        "chaoyang", "C1", {"review_status": "deferred"}, expected_version=None, user=PLANNER
    )
    store.record_decision(INVENTORY, "P0", {"note": "=1+2"}, expected_version=0, user=PLANNER)
    store.acknowledge(store.verify(), user=ADMIN, note="drill")  # a workspace-level ("*") row
    csv_out, xlsx_out = tmp_path / "audit.csv", tmp_path / "audit.xlsx"
    for out in (csv_out, xlsx_out):  # the contract: the same columns in CSV and in an English workbook
        code, printed, _ = run(
            capsys,
            "audit",
            INVENTORY,
            "--out",
            str(out),
            "--workspace",
            with_inventory.address,
            "--lang",
            "en",
        )
        assert code == 0
        assert printed.strip().startswith(
            f"wrote 4 audit row(s) of inventory '{INVENTORY}' (2 of them workspace-level)"
        )
    table = pd.read_csv(csv_out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert tuple(table.columns) == AUDIT_EXPORT_COLUMNS
    assert list(table["action"]) == ["grant", "import", "decide", "acknowledge"]
    assert list(table["inventory"]) == ["*", INVENTORY, INVENTORY, "*"]
    assert table["new_value"][2] == "'=1+2"  # a spreadsheet shows it, never runs it
    expected = store.audit_log()
    assert list(table["hash"]) == [
        h for h, inv in zip(expected["hash"], expected["inventory"], strict=True) if inv != "chaoyang"
    ]
    book = openpyxl.load_workbook(xlsx_out, read_only=True)
    rows = list(book["Audit log"].iter_rows(values_only=True))
    assert rows[0] == AUDIT_EXPORT_COLUMNS and len(rows) == 5
    assert rows[3][AUDIT_EXPORT_COLUMNS.index("new_value")] == "'=1+2"
    about = dict(list(book["Export"].iter_rows(values_only=True))[1:])
    assert about["inventory"] == INVENTORY and about["backend"] == with_inventory.backend
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_audit_usage_errors_exit_2(
    gpkg_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gpkg_workspace.store().save_inventory(INVENTORY, make_plots(), title="t", source="s", user=PLANNER)
    where = ("--workspace", gpkg_workspace.address)
    code, _, err = run(capsys, "audit", INVENTORY, "--out", str(tmp_path / "audit.json"), *where)
    assert code == 2 and "files ending in .json are not supported; use .csv or .xlsx" in err
    code, _, err = run(capsys, "audit", "chaoyang", "--out", str(tmp_path / "audit.csv"), *where)
    assert code == 2 and "has no inventory 'chaoyang'" in err
    code, _, err = run(capsys, "audit", INVENTORY, "--out", str(tmp_path / "no" / "audit.csv"), *where)
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "audit.csv").exists()


# -- verify, acknowledge, copy -------------------------------------------------------------------


def test_verify_intact_prints_the_head_to_record(
    with_inventory: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    store = with_inventory.store()
    store.record_decision(INVENTORY, "P0", {"review_status": "deferred"}, expected_version=0, user=PLANNER)
    last = store.audit_log().iloc[-1]
    code, out, _ = run(capsys, "verify", "--workspace", with_inventory.address)
    assert code == 0
    assert out.splitlines()[0] == f"{with_inventory.backend} workspace {with_inventory.address}"
    assert f"  schema version: {SCHEMA_VERSION}" in out and "  audit rows checked: 3" in out
    assert f"  head: row {last['audit_id']} hash {last['hash']}" in out
    assert "INTACT: the audit chain is unbroken and every decision equals the replay of its log" in out
    assert "  note: " in out or with_inventory.backend == "PostGIS"  # zgc_app cannot rewrite the log: no note


def test_acknowledge_with_nothing_to_acknowledge_exits_0(
    workspace_address: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "acknowledge", "--note", "drill", "--workspace", workspace_address.address)
    assert code == 0 and "is intact: nothing to acknowledge" in out
    assert list(workspace_address.store().audit_log()["action"]) == ["grant"]


@pytest.mark.postgis
def test_copy_goes_both_ways_and_verifies_as_the_source(
    postgis_db: PostgisDatabase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(USER_ENV, ADMIN)
    source = GeoPackageStore(tmp_path / "source.gpkg")
    source.save_inventory(INVENTORY, make_plots(), title="海淀园", source="test", user=ADMIN)
    for plot_id in ("P0", "P1"):
        source.record_decision(
            INVENTORY, plot_id, {"review_status": "deferred"}, expected_version=0, user=ADMIN
        )
    code, out, _ = run(capsys, "copy", str(source.path), postgis_db.admin_url)
    assert code == 0
    assert out.splitlines()[0] == (
        f"copied 1 inventory(ies) (6 plot(s)), 2 decision(s), 1 role(s) and 3 audit row(s) from GeoPackage "
        "workspace "
        f"{source.path} to PostGIS workspace {postgis_db.admin_url}"
    )
    assert "INTACT" in out and "the copy verifies as the source does" in out
    back = tmp_path / "back.gpkg"
    code, out, _ = run(capsys, "copy", postgis_db.app_url, str(back))
    assert (
        code == 0
        and "copied 1 inventory(ies) (6 plot(s)), 2 decision(s), 1 role(s) and 4 audit row(s)" in out
    )
    assert GeoPackageStore(back).decision(INVENTORY, "P1").review_status == "deferred"
    code, _, _ = run(capsys, "audit", INVENTORY, "--out", str(tmp_path / "a.csv"), "--workspace", str(back))
    audit = pd.read_csv(tmp_path / "a.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(audit["action"]) == ["import", "decide", "decide", "copy", "copy"]
    assert list(audit["inventory"][-2:]) == ["*", "*"] and audit["hash"][2] == source.audit_log()["hash"][2]
    code, _, err = run(capsys, "copy", str(source.path), str(back))
    assert code == 1 and "is not empty" in err


@pytest.mark.postgis
def test_stock_stores_the_inventory_in_a_database(
    postgis_db: PostgisDatabase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(USER_ENV, ADMIN)
    assert main(["workspace", "init", "--workspace", postgis_db.admin_url]) == 0
    args = ["stock", str(DEMO), "--out", str(tmp_path / "r.geojson"), "--workspace", postgis_db.app_url]
    assert main(args) == 0
    assert f"stored as inventory 'demo_stock_inventory' in {postgis_db.app_url}" in capsys.readouterr().out
    assert [i.plot_count for i in open_workspace(postgis_db.app_url).inventories()] == [300]


def test_a_missing_workspace_file_is_not_created_by_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.gpkg"
    code, _, err = run(capsys, "verify", "--workspace", str(missing))
    assert code == 2 and f"there is no workspace {missing}" in err
    code, _, err = run(capsys, "copy", str(missing), str(tmp_path / "copy.gpkg"))
    assert code == 2
    assert not missing.exists() and not (tmp_path / "copy.gpkg").exists()


@pytest.mark.postgis
def test_a_role_without_rights_is_told_which_role_to_join(
    postgis_db: PostgisDatabase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(USER_ENV, ADMIN)
    assert main(["workspace", "init", "--workspace", postgis_db.admin_url]) == 0
    open_workspace(postgis_db.app_url).save_inventory(
        INVENTORY, make_plots(), title="t", source="s", user=ADMIN
    )
    edits = write_edits(tmp_path / "edits.csv", [("P0", "deferred", "", "", "")])
    capsys.readouterr()
    code, out, err = run(
        capsys, "decide", INVENTORY, "--from", str(edits), "--workspace", postgis_db.other_url
    )
    assert code == 1 and out == ""
    assert "member of zgc_geo_app" in err
    assert open_workspace(postgis_db.app_url).decision(INVENTORY, "P0").version == 0
