"""The GeoPackage workspace: round trips, a valid GeoPackage, audited decisions, conflicts, undo, crashes."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from zgc_geo import settings
from zgc_geo.errors import ConcurrentEditError, CRSError, OptionError, WorkspaceError
from zgc_geo.importing.plots import OUTPUT_COLUMNS
from zgc_geo.workspace import DECISION_COLUMNS, GeoPackageStore, WorkspaceStore, open_workspace

REPO_ROOT = Path(__file__).resolve().parents[2]
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
NUMBERS = ("area_m2", "area_mu", "area_reported_m2", "far_current", "far_permitted", "floor_area_m2",
           "output_per_mu_wan", "tax_per_mu_wan")  # fmt: skip


def make_plots(ids: list[str] | int = 6) -> gpd.GeoDataFrame:
    """Plots in the canonical schema plus extra columns; one MultiPolygon, awkward Chinese text."""
    ids = [f"P{i}" for i in range(ids)] if isinstance(ids, int) else ids
    n = len(ids)
    x = 116.30 + np.arange(n) * 1e-3 + 1.23456789e-5
    y = 39.98 + np.arange(n) * 7e-4
    geoms = list(shapely.box(x, y, x + 5e-4, y + 4e-4))
    geoms[min(1, n - 1)] = shapely.MultiPolygon(
        [geoms[min(1, n - 1)], shapely.box(x[0], y[0] - 1e-3, x[0] + 1e-4, y[0] - 9e-4)]
    )
    data = {c: pd.array([f"{c}-{i}" for i in range(n)], dtype="string") for c in OUTPUT_COLUMNS}
    data |= {c: np.linspace(0.5, 3.5, n) for c in NUMBERS}
    data["plot_id"] = pd.array(ids, dtype="string")
    data["name"] = pd.array(
        ["中关村软件园", "上地“信息”产业基地", None, *(["永丰'基地"] * (n - 3))][:n], dtype="string"
    )
    data["status"] = pd.array(["闲置"] * n, dtype="string")  # the bureau's own field
    data["area_reported_m2"][0] = np.nan
    data["idle_since"] = pd.array([2015, None, *([2020] * (n - 2))][:n], dtype="Int64")
    data["in_core_zone"] = np.arange(n) % 2 == 0
    data['备注 "原文"'] = ["地上建筑拟拆除"] * n
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")


#: Who makes the tests' workspaces (and so is their first admin), and colleagues they make admins too.
CREATOR = "王工"
COLLEAGUES = ("李工", "u")


@pytest.fixture(autouse=True)
def created_by_wang(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workspaces are made by CREATOR: the login name of whoever runs the tests must not matter."""
    monkeypatch.setenv(settings.USER_ENV, CREATOR)


def with_colleagues(store: WorkspaceStore) -> WorkspaceStore:
    """``store`` with the COLLEAGUES made admins by CREATOR (rights are tested in test_rights.py)."""
    for colleague in COLLEAGUES:
        store.grant(colleague, "admin", by=CREATOR)
    return store


@pytest.fixture
def store(tmp_path: Path) -> GeoPackageStore:
    store = GeoPackageStore(tmp_path / "workspace.gpkg")
    store.save_inventory(
        "haidian", make_plots(), title="海淀园闲置地块", source="区规自分局 2024", user="王工"
    )
    with_colleagues(store)
    return store


def assert_same_plots(loaded: gpd.GeoDataFrame, original: gpd.GeoDataFrame) -> None:
    plain = [c for c in original.columns if c != "geometry"]
    assert list(loaded.columns) == [*plain, *DECISION_COLUMNS, "geometry"]
    pd.testing.assert_frame_equal(pd.DataFrame(loaded[plain]), pd.DataFrame(original[plain]))
    assert str(loaded.crs) == "EPSG:4326"
    assert list(loaded.geom_type) == list(original.geom_type)
    difference = shapely.get_coordinates(loaded.geometry.values) - shapely.get_coordinates(
        original.geometry.values
    )
    assert np.abs(difference).max() <= 1e-7


# -- inventories ---------------------------------------------------------------------------------


def test_save_and_load_round_trip(store: GeoPackageStore) -> None:
    loaded = store.load_inventory("haidian")
    assert_same_plots(loaded, make_plots())
    assert loaded["name"].iloc[1] == "上地“信息”产业基地" and pd.isna(loaded["name"].iloc[2])
    assert loaded["review_status"].tolist() == ["unreviewed"] * 6
    assert loaded["decision_version"].dtype == "int64" and loaded["decision_version"].eq(0).all()
    assert loaded[["review_note", "review_mode", "decided_by", "decided_at"]].isna().all().all()
    [info] = store.inventories()
    assert (info.name, info.title, info.source, info.imported_by, info.plot_count, info.synthetic) == (
        "haidian", "海淀园闲置地块", "区规自分局 2024", "王工", 6, False,
    )  # fmt: skip
    assert ISO_UTC.fullmatch(info.imported_at)
    assert isinstance(store, WorkspaceStore)


def test_other_column_types_round_trip_or_become_text(tmp_path: Path) -> None:
    when = pd.to_datetime(["2024-01-02 03:04:05.123", None, "2020-01-01 00:00:00.000"])
    extras = {
        "plot_id": [1, 2, 3],  # ids are always stored and returned as text
        "tags": [["工业", "M1"], {"k": 1}, None],
        "when": when.tz_localize("Asia/Shanghai"),
        "naive": when,
        "flag": pd.array([True, None, False], dtype="boolean"),
        "count": pd.Series([1, None, 3], dtype=object),
        "mixed": pd.Series([1, "x", 2.5], dtype=object),
        "small": np.array([1, 2, 3], dtype="uint8"),
    }
    geoms = [shapely.Point(116.3, 39.9).buffer(1e-3), None, shapely.Polygon()]
    plots = gpd.GeoDataFrame(extras, geometry=geoms, crs="EPSG:4326")
    store = GeoPackageStore(tmp_path / "w.gpkg")
    store.save_inventory("odd", plots, title="t", source="s", user="王工")
    loaded = store.load_inventory("odd")
    assert loaded["plot_id"].tolist() == ["1", "2", "3"] and loaded["plot_id"].dtype == "string"
    assert loaded["tags"].tolist() == ['["工业", "M1"]', '{"k": 1}', None]
    assert loaded["mixed"].tolist() == ["1", "x", "2.5"] and loaded["count"].tolist() == [1, None, 3]
    for column in ("when", "naive", "flag", "small"):
        pd.testing.assert_series_equal(loaded[column], plots[column])
    assert loaded.geometry.iloc[0].equals_exact(geoms[0], 0) and loaded.geometry.iloc[1] is None
    assert loaded.geometry.iloc[2].is_empty
    store.save_inventory("none", plots.iloc[:0], title="t", source="s", user="王工")
    assert store.load_inventory("none").empty and store.inventories()[0].plot_count == 0


def test_the_file_is_a_geopackage_that_gdal_reads(store: GeoPackageStore) -> None:
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        assert conn.execute("PRAGMA user_version").fetchone()[0] in {10300, 10400}
        assert {r[0] for r in conn.execute("SELECT srs_id FROM gpkg_spatial_ref_sys")} == {-1, 0, 4326}
        contents = dict(conn.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
        geometry = conn.execute("SELECT * FROM gpkg_geometry_columns").fetchall()
    assert contents == {"plots__haidian": "features", "zgc_inventories": "attributes",
                        "zgc_decisions": "attributes", "zgc_audit": "attributes", "zgc_meta": "attributes",
                        "zgc_schema_history": "attributes", "zgc_grants": "attributes"}  # fmt: skip
    assert geometry == [("plots__haidian", "geom", "MULTIPOLYGON", 4326, 0, 0)]
    layers = dict(pyogrio.list_layers(store.path).tolist())
    assert layers == {"plots__haidian": "MultiPolygon", "zgc_inventories": None, "zgc_decisions": None,
                      "zgc_audit": None, "zgc_meta": None, "zgc_schema_history": None,
                      "zgc_grants": None}  # fmt: skip
    read = pyogrio.read_dataframe(store.path, layer="plots__haidian")
    original = make_plots()
    assert str(read.crs) == "EPSG:4326"
    assert read["name"].tolist()[:2] == original["name"].tolist()[:2]
    assert read["idle_since"].tolist()[0] == 2015 and read["in_core_zone"].tolist() == [True, False] * 3
    assert shapely.equals_exact(read.geometry.values, original.geometry.values, tolerance=0).all()
    assert len(pyogrio.read_dataframe(store.path, layer="zgc_audit")) == 1 + len(COLLEAGUES)  # import, grants


def test_plots_are_reprojected_and_need_a_crs(tmp_path: Path) -> None:
    store = GeoPackageStore(tmp_path / "w.gpkg")
    metric = make_plots().to_crs("EPSG:4548")
    store.save_inventory("metric", metric, title="t", source="s", user="王工")
    loaded = store.load_inventory("metric")
    expected = metric.to_crs("EPSG:4326")
    assert (
        np.abs(
            shapely.get_coordinates(loaded.geometry.values)
            - shapely.get_coordinates(expected.geometry.values)
        ).max()
        < 1e-9
    )
    with pytest.raises(CRSError, match="no coordinate reference system"):
        store.save_inventory(
            "bare", make_plots().set_crs(None, allow_override=True), title="t", source="s", user="王工"
        )


BAD_INVENTORIES = {
    "taken": (lambda p: p, r"already has an inventory 'haidian'; replace it .*--replace.* or choose another"),
    "duplicates": (
        lambda p: p.assign(plot_id=["A", "B", "A", "C", "B", "A"]),
        r"plot ids must be unique; duplicated: 'A' \(3×\), 'B' \(2×\)",
    ),
    "no ids": (lambda p: p.drop(columns="plot_id"), "no plot_id column; map a column to plot_id"),
    "empty ids": (
        lambda p: p.assign(plot_id=["A", " ", None, "D", "E", "F"]),
        r"2 plot\(s\) have an empty plot_id \(row\(s\) 2, 3\)",
    ),
    "reserved": (lambda p: p.assign(review_status="x"), "reserved column.* review_status; rename"),
    "case": (lambda p: p.assign(Name="x"), "column names differ only in case: Name, name"),
}


@pytest.mark.parametrize("case", BAD_INVENTORIES)
def test_bad_inventories_are_refused(store: GeoPackageStore, case: str) -> None:
    change, message = BAD_INVENTORIES[case]
    with pytest.raises(WorkspaceError, match=message):
        name = "haidian" if case == "taken" else "other"
        store.save_inventory(name, change(make_plots()), title="t", source="s", user="u")
    assert [i.name for i in store.inventories()] == ["haidian"]


def test_inventory_names_are_slugs(store: GeoPackageStore) -> None:
    for bad in ("Haidian", "海淀", "1st", "a-b", "x" * 49, "a;drop table zgc_audit"):
        with pytest.raises(OptionError, match="lower-case ASCII letters, digits or underscores"):
            store.save_inventory(bad, make_plots(), title="t", source="s", user="u")
    with pytest.raises(WorkspaceError, match=r"has no inventory 'chaoyang'; it has: haidian"):
        store.load_inventory("chaoyang")


# -- decisions and the audit log -----------------------------------------------------------------


def test_every_changed_field_is_audited(store: GeoPackageStore) -> None:
    everything = {"review_status": "recommended", "note": "先行", "mode": "M0"}
    store.record_decision("haidian", "P1", everything, expected_version=0, user="王工", note="现场踏勘")
    status = {"review_status": "deferred", "note": "先行"}
    second = store.record_decision(
        "haidian", "P1", status, expected_version=1, user="李工", note="资金未落实"
    )
    assert (second.review_status, second.note, second.mode, second.version, second.updated_by) == (
        "deferred", "先行", "M0", 2, "李工"
    )  # fmt: skip
    assert store.decision("haidian", "P1") == second
    log = store.audit_log("haidian", "P1")
    assert log[["field", "old_value", "new_value", "user", "note", "action", "version"]].astype(object).where(
        log.notna(), None).values.tolist() == [
        ["review_status", "unreviewed", "recommended", "王工", "现场踏勘", "decide", 1],
        ["note", None, "先行", "王工", "现场踏勘", "decide", 1],
        ["mode", None, "M0", "王工", "现场踏勘", "decide", 1],
        ["review_status", "recommended", "deferred", "李工", "资金未落实", "decide", 2],
    ]  # fmt: skip
    assert log["change_id"].nunique() == 2 and log["change_id"].iloc[0] == log["change_id"].iloc[2]
    assert log["time"].str.fullmatch(ISO_UTC.pattern).all() and log["audit_id"].is_monotonic_increasing
    assert list(store.audit_log()["action"]) == [
        "import",
        "grant",
        "grant",
        "decide",
        "decide",
        "decide",
        "decide",
    ]
    loaded = store.load_inventory("haidian").set_index("plot_id")
    assert loaded.loc["P1", ["review_status", "review_note", "review_mode", "decided_by"]].tolist() == [
        "deferred", "先行", "M0", "李工",
    ]  # fmt: skip
    assert loaded.loc["P1", "decision_version"] == 2 and loaded.loc["P1", "decided_at"] == second.updated_at
    assert loaded.loc["P0", "review_status"] == "unreviewed" and (loaded["status"] == "闲置").all()


def test_a_change_that_changes_nothing_records_nothing(store: GeoPackageStore) -> None:
    decided = store.record_decision("haidian", "P2", {"note": "待定 "}, expected_version=0, user="王工")
    again = store.record_decision(
        "haidian", "P2", {"note": "待定", "mode": ""}, expected_version=1, user="李工"
    )
    assert again == decided and decided.note == "待定"
    assert len(store.audit_log("haidian", "P2")) == 1


def test_invalid_changes_are_refused(store: GeoPackageStore) -> None:
    with pytest.raises(
        OptionError, match=r"unknown decision field\(s\) 'status'; valid: review_status, note, mode"
    ):
        store.record_decision("haidian", "P1", {"status": "x"}, expected_version=0, user="u")
    valid = r"valid: unreviewed \(待审查\), .* recommended \(拟盘活\), .*revitalised \(已盘活\)"
    with pytest.raises(OptionError, match=rf"unknown review status 'approved'; {valid}"):
        store.record_decision("haidian", "P1", {"review_status": "approved"}, expected_version=0, user="u")
    with pytest.raises(WorkspaceError, match="inventory 'haidian' has no plot 'P99'"):
        store.record_decision("haidian", "P99", {"note": "x"}, expected_version=0, user="u")
    with pytest.raises(OptionError, match="user name is empty"):
        store.record_decision("haidian", "P1", {"note": "x"}, expected_version=0, user=" ")
    assert store.audit_log()["action"].tolist() == ["import", "grant", "grant"]


def test_the_audit_log_is_append_only(store: GeoPackageStore) -> None:
    store.record_decision("haidian", "P1", {"note": "x"}, expected_version=0, user="u")
    with sqlite3.connect(store.path) as conn:
        for statement in ("UPDATE zgc_audit SET user = 'someone else'", "DELETE FROM zgc_audit"):
            with pytest.raises(sqlite3.DatabaseError, match="zgc_audit is append-only"):
                conn.execute(statement)
    assert store.audit_log()["user"].tolist() == ["王工", "王工", "王工", "u"]


# -- concurrent edits ----------------------------------------------------------------------------


def test_the_second_of_two_sessions_is_told_and_saves_nothing(store: GeoPackageStore) -> None:
    mine, theirs = GeoPackageStore(store.path), GeoPackageStore(store.path)
    seen = mine.decision("haidian", "P3").version
    won = theirs.record_decision("haidian", "P3", {"review_status": "recommended", "note": "先行"},
                                 expected_version=seen, user="王工")  # fmt: skip
    with pytest.raises(ConcurrentEditError) as refused:
        mine.record_decision(
            "haidian", "P3", {"review_status": "not_suitable"}, expected_version=seen, user="李工"
        )
    assert str(refused.value) == (
        f"plot 'P3' of inventory 'haidian' was changed by 王工 at {won.updated_at} (now version 1; you "
        "loaded version 0). It is now: review status recommended (拟盘活), note 先行, mode —. Your change "
        "was not saved: reload the plot and apply your change again."
    )
    assert store.decision("haidian", "P3") == won and len(store.audit_log("haidian", "P3")) == 2
    redone = mine.record_decision(
        "haidian", "P3", {"review_status": "not_suitable"}, expected_version=1, user="李工"
    )
    assert (redone.version, redone.note) == (2, "先行")


def test_threads_racing_on_one_plot_exactly_one_wins(store: GeoPackageStore) -> None:
    barrier, results = threading.Barrier(8), []

    def edit(who: int) -> None:
        session = GeoPackageStore(store.path)
        barrier.wait()
        try:
            results.append(
                session.record_decision(
                    "haidian", "P4", {"note": f"#{who}"}, expected_version=0, user=CREATOR
                )
            )
        except ConcurrentEditError as error:
            results.append(error)

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [winner] = [r for r in results if not isinstance(r, Exception)]
    assert sum(isinstance(r, ConcurrentEditError) for r in results) == 7
    assert store.decision("haidian", "P4") == winner and winner.version == 1
    assert store.audit_log("haidian", "P4")["new_value"].tolist() == [winner.note]


RACER = """
import sys, time
from pathlib import Path
from zgc_geo.errors import ConcurrentEditError
from zgc_geo.workspace import GeoPackageStore
path, go, who = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
store = GeoPackageStore(path)
store.decision("haidian", "P5")  # imports and the first-open check happen before the start
print("ready", flush=True)
while not go.exists():
    time.sleep(0.001)
try:
    won = store.record_decision("haidian", "P5", {"note": who}, expected_version=0, user="王工")
    print("won", won.version)
except ConcurrentEditError as error:
    print("lost", error)
"""


def run_python(script: str, *args: object) -> subprocess.Popen[str]:
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


@pytest.mark.slow
def test_processes_racing_on_one_plot_exactly_one_wins(store: GeoPackageStore, tmp_path: Path) -> None:
    go = tmp_path / "go"
    racers = [run_python(RACER, store.path, go, f"proc{i}") for i in range(4)]
    for racer in racers:
        assert racer.stdout is not None and racer.stdout.readline() == "ready\n", racer.communicate()[1]
    go.touch()
    outcomes = [racer.communicate(timeout=60)[0] for racer in racers]
    assert sorted(o.split()[0] for o in outcomes) == ["lost", "lost", "lost", "won"], outcomes
    assert all("reload the plot and apply your change again" in o for o in outcomes if o.startswith("lost"))
    winner = f"proc{[o.startswith('won') for o in outcomes].index(True)}"
    assert store.decision("haidian", "P5").note == winner and len(store.audit_log("haidian", "P5")) == 1


# -- undo ----------------------------------------------------------------------------------------


def test_undo_reverts_the_users_own_decisions_last_first(store: GeoPackageStore) -> None:
    first = store.record_decision("haidian", "P1", {"review_status": "recommended", "mode": "M1"},
                                  expected_version=0, user="王工")  # fmt: skip
    second = store.record_decision("haidian", "P2", {"note": "x"}, expected_version=0, user="王工")
    theirs = store.record_decision("haidian", "P3", {"note": "y"}, expected_version=0, user="李工")
    undone = store.undo_last("haidian", "王工")
    assert undone is not None and (undone.plot_id, undone.note, undone.version) == ("P2", None, 2)
    log = store.audit_log("haidian")
    assert log.iloc[-1][["action", "field", "old_value", "new_value", "user"]].tolist() == [
        "undo", "note", "x", pd.NA, "王工",
    ]  # fmt: skip
    assert log.iloc[-1]["reverts"] == store.audit_log("haidian", "P2")["change_id"].iloc[0]
    assert second.version == 1
    undone = store.undo_last("haidian", "王工")
    assert undone is not None and (undone.plot_id, undone.review_status, undone.mode) == (
        "P1",
        "unreviewed",
        None,
    )
    assert undone.version == first.version + 1
    assert store.undo_last("haidian", "王工") is None
    assert store.decision("haidian", "P3") == theirs


def test_undo_is_refused_after_someone_else_changed_the_plot(store: GeoPackageStore) -> None:
    store.record_decision("haidian", "P1", {"review_status": "recommended"}, expected_version=0, user="王工")
    theirs = store.record_decision("haidian", "P1", {"note": "不同意"}, expected_version=1, user="李工")
    with pytest.raises(ConcurrentEditError, match=r"cannot undo your change of .* to plot 'P1' of inventory "
                       r"'haidian': 李工 changed the plot after it, at .*Nothing was undone"):  # fmt: skip
        store.undo_last("haidian", "王工")
    assert store.decision("haidian", "P1") == theirs


# -- replace -------------------------------------------------------------------------------------


def test_replacing_keeps_the_decisions_of_remaining_plots(store: GeoPackageStore) -> None:
    store.record_decision("haidian", "P1", {"review_status": "deferred"}, expected_version=0, user="王工")
    kept = store.record_decision(
        "haidian", "P2", {"review_status": "recommended"}, expected_version=0, user="王工"
    )
    new = make_plots(["P2", "P3", "P4", "P5", "P6", "P7"])
    info = store.save_inventory("haidian", new, title="2025 版", source="复核", user="李工", replace=True)
    assert info.plot_count == 6 and store.inventories() == [info]
    loaded = store.load_inventory("haidian")
    assert_same_plots(loaded, new)
    assert loaded.set_index("plot_id").loc["P2", "review_status"] == "recommended"
    assert store.decision("haidian", "P2") == kept
    last = store.audit_log("haidian").iloc[-1]
    assert last[["action", "old_value", "new_value", "user"]].tolist() == [
        "replace",
        "6 plots",
        "6 plots",
        "李工",
    ]
    assert (
        last["note"]
        == "2025 版 — 复核; kept the decisions of 1 plot(s); 1 orphaned (plot no longer in the inventory: P1)"
    )
    with pytest.raises(WorkspaceError, match="has no plot 'P1'"):
        store.decision("haidian", "P1")


# -- files: backup, damage, creation -------------------------------------------------------------


def test_backup_is_a_complete_workspace(store: GeoPackageStore, tmp_path: Path) -> None:
    store.record_decision("haidian", "P1", {"review_status": "recommended"}, expected_version=0, user="王工")
    folder = tmp_path / "backups"
    folder.mkdir()
    for target in (folder, tmp_path / "copy.gpkg"):
        copy = store.backup(target, user=CREATOR)
        assert copy.suffix == ".gpkg" and copy.parent == (folder if target == folder else tmp_path)
        restored = GeoPackageStore(copy)
        pd.testing.assert_frame_equal(restored.load_inventory("haidian"), store.load_inventory("haidian"))
        pd.testing.assert_frame_equal(restored.audit_log(), store.audit_log())
        assert restored.inventories() == store.inventories()
        assert dict(pyogrio.list_layers(copy).tolist())["plots__haidian"] == "MultiPolygon"
    assert not list(tmp_path.rglob("*.tmp")) and len(list(folder.iterdir())) == 1
    with pytest.raises(OptionError, match=r"must end in \.gpkg"):
        store.backup(tmp_path / "copy.zip", user=CREATOR)
    with pytest.raises(WorkspaceError, match="is the workspace itself"):
        store.backup(store.path, user=CREATOR)


def test_files_that_are_not_workspaces_are_refused(store: GeoPackageStore, tmp_path: Path) -> None:
    text = tmp_path / "notes.gpkg"
    text.write_text("这不是数据库" * 100)
    plain = tmp_path / "plain.gpkg"
    with sqlite3.connect(plain) as conn:
        conn.execute("CREATE TABLE t (x)")
    other = tmp_path / "other.gpkg"
    pyogrio.write_dataframe(make_plots(), other)
    damaged = tmp_path / "damaged.gpkg"
    store.save_inventory("big", make_plots(2000), title="t", source="s", user="u")
    shutil.copy(store.path, damaged)
    with damaged.open("r+b") as file:
        file.seek(damaged.stat().st_size // 2)
        file.write(os.urandom(64 * 1024))
    expected = {
        text: "is damaged or not a workspace .*restore it from a backup",
        plain: "is not a GeoPackage",
        other: "is a GeoPackage but not a zgc-geo workspace",
        damaged: "is damaged .*restore it from a backup",
    }
    for path, message in expected.items():
        with pytest.raises(WorkspaceError, match=f"{re.escape(str(path))}.*{message}"):
            GeoPackageStore(path).inventories()
    with pytest.raises(WorkspaceError, match=r"the folder .* does not exist; create it"):
        GeoPackageStore(tmp_path / "missing" / "w.gpkg").inventories()


def test_sessions_creating_the_workspace_together_get_one_file(tmp_path: Path) -> None:
    path, barrier, seen = tmp_path / "new.gpkg", threading.Barrier(6), []

    def first_use() -> None:
        barrier.wait()
        seen.append(GeoPackageStore(path).inventories())

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [[]] * 6 and [p.name for p in tmp_path.iterdir()] == ["new.gpkg"]
    assert path.stat().st_mode & 0o044 == 0o044 & ~current_umask()  # colleagues may read it, as usual


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- crashes -------------------------------------------------------------------------------------

HANG_IN_TRANSACTION = """
import os, sys, time
from pathlib import Path
import geopandas as gpd, numpy as np, shapely
from zgc_geo.workspace.gpkg_store import GeoPackageStore
path, marker, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
x, y = 116.0 + np.arange(n) % 1000 * 1e-3, 39.5 + np.arange(n) // 1000 * 1e-3
plots = gpd.GeoDataFrame({"plot_id": [f"B{i}" for i in range(n)], "name": ["大批量"] * n},
                         geometry=shapely.box(x, y, x + 5e-4, y + 5e-4), crs="EPSG:4326")
write = GeoPackageStore._write_features
def write_then_hang(self, conn, *args):
    write(self, conn, *args)  # every plot is inserted and the transaction is still open
    marker.write_text(str(conn.in_transaction))
    time.sleep(600)
GeoPackageStore._write_features = write_then_hang
GeoPackageStore(path).save_inventory("haidian", plots, title="huge", source="s", user="王工", replace=True)
"""


def snapshot(store: GeoPackageStore) -> tuple[gpd.GeoDataFrame, pd.DataFrame, list[object]]:
    return store.load_inventory("haidian"), store.audit_log(), list(store.inventories())


def assert_intact(
    store: GeoPackageStore, before: tuple[gpd.GeoDataFrame, pd.DataFrame, list[object]]
) -> None:
    after = snapshot(store)  # the first opening rolls the half transaction back from the journal
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])
    assert after[2] == before[2]
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {t for t in tables if t.startswith("plots__")} == {"plots__haidian"}
    assert not Path(f"{store.path}-journal").exists()


@pytest.mark.slow
def test_a_write_killed_mid_transaction_leaves_the_last_good_state(
    store: GeoPackageStore, tmp_path: Path
) -> None:
    store.record_decision(
        "haidian", "P1", {"review_status": "recommended", "note": "先行"}, expected_version=0, user="王工"
    )
    store.record_decision("haidian", "P2", {"review_status": "deferred"}, expected_version=0, user="李工")
    before, size, marker = snapshot(store), store.path.stat().st_size, tmp_path / "inside"
    child = run_python(HANG_IN_TRANSACTION, store.path, marker, 200_000)
    deadline = time.monotonic() + 240
    while not marker.exists():
        assert child.poll() is None, child.communicate()[1]
        assert time.monotonic() < deadline, "the child never reached the transaction"
        time.sleep(0.05)
    assert marker.read_text() == "True"
    journal = Path(f"{store.path}-journal")
    assert journal.exists() and store.path.stat().st_size > size  # pages already written into the file
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL and journal.exists()  # a hot journal: nothing committed
    assert_intact(store, before)
    assert (
        store.record_decision("haidian", "P1", {"note": "还在"}, expected_version=1, user="王工").version == 2
    )


DECIDE_FOREVER = """
import sys
from pathlib import Path
from zgc_geo.workspace import GeoPackageStore
store, version = GeoPackageStore(Path(sys.argv[1])), 0
print("ready", flush=True)
while True:
    change = {"note": f"n{version}"}
    version = store.record_decision("haidian", "P0", change, expected_version=version, user="李工").version
    print(version, flush=True)
"""


@pytest.mark.slow
def test_a_decision_loop_killed_at_any_moment_loses_no_committed_decision(store: GeoPackageStore) -> None:
    child = run_python(DECIDE_FOREVER, store.path)
    assert child.stdout is not None and child.stdout.readline() == "ready\n", child.communicate()[1]
    committed = [child.stdout.readline() for _ in range(20)]
    time.sleep(0.137)
    child.send_signal(signal.SIGKILL)
    printed = [int(line) for line in "".join(committed).split() + child.communicate(timeout=30)[0].split()]
    decision = store.decision("haidian", "P0")
    assert decision.version in {printed[-1], printed[-1] + 1}  # the last commit may not have been printed
    assert decision.note == f"n{decision.version - 1}"
    log = store.audit_log("haidian", "P0")
    assert log["version"].tolist() == list(range(1, decision.version + 1)) and log["user"].eq("李工").all()
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


# -- speed and settings --------------------------------------------------------------------------


def test_twenty_thousand_plots_save_and_load_quickly(tmp_path: Path) -> None:
    store, plots = GeoPackageStore(tmp_path / "w.gpkg"), make_plots(20_000)
    started = time.perf_counter()
    store.save_inventory("big", plots, title="t", source="s", user="王工")
    saved = time.perf_counter()
    loaded = store.load_inventory("big")
    assert len(loaded) == 20_000 and loaded["plot_id"].iloc[-1] == "P19999"
    assert saved - started < 3 and time.perf_counter() - saved < 3  # ~0.15 s each on a 2-core machine


def test_settings_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(settings.WORKSPACE_ENV, raising=False)
    assert settings.workspace_path() == tmp_path / "workspace.gpkg"
    assert open_workspace().path == tmp_path / "workspace.gpkg"
    monkeypatch.setenv(settings.WORKSPACE_ENV, "data/zgc.gpkg")
    assert settings.workspace_path() == tmp_path / "data" / "zgc.gpkg"
    monkeypatch.setenv(settings.WORKSPACE_ENV, str(tmp_path / "elsewhere.gpkg"))
    assert settings.workspace_path() == tmp_path / "elsewhere.gpkg"
    monkeypatch.setenv(settings.USER_ENV, " 王工 ")
    assert settings.user_name() == "王工"
    monkeypatch.delenv(settings.USER_ENV)
    monkeypatch.setattr("getpass.getuser", lambda: "planner")
    assert settings.user_name() == "planner"

    def no_user() -> str:
        raise OSError("no user")

    monkeypatch.setattr("getpass.getuser", no_user)
    assert settings.user_name() == "unknown"
