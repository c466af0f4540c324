"""Many ``zgc-geo workspace decide`` processes at once lose no update; tampering is found and refused.

The writers are real processes running the real command (``python -m zgc_geo``), on a GeoPackage file
and on PostGIS (as the restricted app role), on overlapping plots; a 300 000-plot import runs beside
them on PostGIS. Every edit carries a unique note, so each applied row can be found in the audit log.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pytest

from tests.postgis_server import PostgisDatabase
from tests.test_cli_workspace import (
    ADMIN,
    INVENTORY,
    PLANNER,
    Workspace,
    new_workspace,
    read_report,
    write_edits,
)
from tests.workspace.test_gpkg_store import make_plots
from zgc_geo.cli import main
from zgc_geo.settings import USER_ENV
from zgc_geo.workspace import REVIEW_STATUSES, WorkspaceStore, open_workspace

REPO_ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 8
EDITS_PER_PROCESS = 250
#: Plots every writer edits (so they collide), and one plot of its own per writer.
SHARED = [f"S{i:02d}" for i in range(24)]
STATUSES = list(REVIEW_STATUSES)
WRITER_TIMEOUT_S = 300
BIG_IMPORT_PLOTS = 300_000
#: Builds the big inventory vectorised, says so, then stores it (argv: workspace URL, plot count).
BIG_IMPORT = """
import sys
import geopandas as gpd, numpy as np, pandas as pd, shapely
from zgc_geo.workspace import open_workspace

n = int(sys.argv[2])
i = np.arange(n)
x, y = 116.0 + (i % 1000) * 6e-4, 39.5 + (i // 1000) * 6e-4
ids = pd.array(np.char.add("B", np.char.zfill(i.astype(str), 6)), dtype="string")
boxes = shapely.box(x, y, x + 5e-4, y + 5e-4)
plots = gpd.GeoDataFrame({"plot_id": ids, "park_id": "haidian"}, geometry=boxes, crs="EPSG:4326")
store = open_workspace(sys.argv[1])
store.save_inventory("zone", plots, title="synthetic zone", source="test", user="王工", synthetic=True)
"""


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def workspace_address(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    workspace = new_workspace(request.param, tmp_path, request, monkeypatch)
    plots = make_plots([*SHARED, *(own_plot(k) for k in range(PROCESSES)), "P0", "P1", "P2", "P3"])
    workspace.store().save_inventory(INVENTORY, plots, title="海淀园", source="test", user=PLANNER)
    return workspace


def own_plot(writer: int) -> str:
    return f"W{writer}"


def edits_for(writer: int, count: int) -> list[tuple[str, ...]]:
    """Deterministic edits of one writer: every 10th on its own plot with the version it expects
    (always current), every 10th (offset 5) on a shared plot with a guessed version, the rest on
    shared plots without one. Each note is unique, so every edit changes its plot."""
    rng = np.random.default_rng(writer)
    rows: list[tuple[str, ...]] = []
    own_version = 0
    for i in range(count):
        status = STATUSES[int(rng.integers(len(STATUSES)))]
        note, shared = f"w{writer}-e{i}", SHARED[int(rng.integers(len(SHARED)))]
        if i % 10 == 0:
            rows.append((own_plot(writer), status, note, "", str(own_version)))
            own_version += 1
        elif i % 10 == 5:
            rows.append((shared, status, note, "", str(int(rng.integers(0, 12)))))
        else:
            rows.append((shared, status, note, f"m{writer}" if i % 3 == 0 else "", ""))
    return rows


def start_writers(address: str, folder: Path, count: int) -> list[tuple[subprocess.Popen[str], Path, Path]]:
    store = open_workspace(address)
    for writer in range(PROCESSES):  # the plots' park ids are synthetic: the writers are admins
        store.grant(f"writer{writer}", "admin", by=ADMIN)
    writers = []
    for writer in range(PROCESSES):
        edits = write_edits(folder / f"edits{writer}.csv", edits_for(writer, count))
        report = folder / f"report{writer}.csv"
        command = [sys.executable, "-m", "zgc_geo", "workspace", "decide", INVENTORY, "--from", str(edits),
                   "--report", str(report), "--workspace", address]  # fmt: skip
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=os.environ | {USER_ENV: f"writer{writer}"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        writers.append((process, edits, report))
    return writers


def finish_writers(writers: list[tuple[subprocess.Popen[str], Path, Path]]) -> pd.DataFrame:
    """Wait for every writer; its edits beside its report, one frame (writer, line, edit, result …)."""
    frames = []
    for writer, (process, edits, report) in enumerate(writers):
        out, err = process.communicate(timeout=WRITER_TIMEOUT_S)
        assert process.returncode in (0, 1), f"writer {writer} exited {process.returncode}:\n{out}\n{err}"
        done = read_report(report)
        asked = pd.read_csv(edits, dtype=str, keep_default_na=False)
        assert list(done["plot_id"]) == list(asked["plot_id"])
        frames.append(asked.join(done[["result", "version", "message"]]).assign(writer=writer))
    return pd.concat(frames, ignore_index=True)


def assert_no_lost_update(store: WorkspaceStore, results: pd.DataFrame) -> None:
    """Each applied edit is exactly one change of the log, versions run 1…n per plot, decisions = replay."""
    failed = results[~results["result"].isin(["applied", "conflict"])]
    assert failed.empty, failed[["writer", "plot_id", "result", "message"]].head(3).to_dict("records")
    assert (results.loc[results["expected_version"] == "", "result"] == "applied").all()
    assert (results.loc[results["plot_id"].str.startswith("W"), "result"] == "applied").all()
    applied = results[results["result"] == "applied"].astype({"version": int})
    audit = store.audit_log(INVENTORY)
    decided = audit[audit["action"] == "decide"]
    changes = decided.drop_duplicates("change_id")
    assert len(changes) == len(applied)
    assert not changes.duplicated(["plot_id", "version"]).any()
    for plot_id, versions in changes.groupby("plot_id")["version"]:
        assert sorted(versions) == list(range(1, len(versions) + 1)), plot_id
    notes = decided[decided["field"] == "note"].set_index(["plot_id", "version"])["new_value"]
    assert notes.index.is_unique
    found = [notes.get((row.plot_id, row.version)) for row in applied.itertuples()]
    assert found == list(applied["note"])  # every applied edit, exactly where its report says
    replayed: dict[str, dict[str, object]] = {}
    for row in applied.sort_values("version").itertuples():
        state = replayed.setdefault(row.plot_id, {"mode": None})
        state |= {"review_status": row.review_status, "note": row.note, "version": row.version}
        if row.mode:
            state["mode"] = row.mode
    plots = store.load_inventory(INVENTORY).set_index("plot_id")
    for plot_id, state in replayed.items():
        stored = plots.loc[plot_id]
        assert (stored["review_status"], stored["review_note"], stored["decision_version"]) == (
            state["review_status"], state["note"], state["version"])  # fmt: skip
        assert (None if pd.isna(stored["review_mode"]) else stored["review_mode"]) == state["mode"]


@pytest.mark.slow
def test_parallel_writers_lose_no_update(
    workspace_address: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = finish_writers(start_writers(workspace_address.address, tmp_path, EDITS_PER_PROCESS))
    assert len(results) == PROCESSES * EDITS_PER_PROCESS
    assert_no_lost_update(workspace_address.store(), results)
    assert (results["result"] == "conflict").any()  # the guessed versions did collide
    capsys.readouterr()
    assert main(["workspace", "verify", "--workspace", workspace_address.address]) == 0
    assert "INTACT" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.postgis
def test_a_big_import_beside_the_writers_fails_none_of_them(
    postgis_db: PostgisDatabase,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = new_workspace("postgis", tmp_path, request, monkeypatch)
    plots = make_plots([*SHARED, *(own_plot(k) for k in range(PROCESSES))])
    store = workspace.store()
    store.save_inventory(INVENTORY, plots, title="海淀园", source="test", user=PLANNER)
    writers = start_writers(workspace.address, tmp_path, 150)
    deadline = time.monotonic() + WRITER_TIMEOUT_S
    while len(store.audit_log(INVENTORY)) < 40:  # the writers are writing: start the import among them
        assert time.monotonic() < deadline and all(p.poll() is None for p, _, _ in writers), (
            "the writers stopped early"
        )
        time.sleep(0.2)
    importer = subprocess.run(
        [sys.executable, "-c", BIG_IMPORT, workspace.address, str(BIG_IMPORT_PLOTS)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=WRITER_TIMEOUT_S, check=False,
    )  # fmt: skip
    assert importer.returncode == 0, importer.stderr
    results = finish_writers(writers)
    assert_no_lost_update(store, results)
    audit = store.audit_log()
    imported = int(
        audit.loc[(audit["inventory"] == "zone") & (audit["action"] == "import"), "audit_id"].iloc[0]
    )
    decided = audit.loc[audit["action"] == "decide", "audit_id"]
    assert decided.min() < imported < decided.max()  # the writers wrote before and after the import
    assert [i.plot_count for i in store.inventories() if i.name == "zone"] == [BIG_IMPORT_PLOTS]
    assert main(["workspace", "verify", "--workspace", workspace.address]) == 0


# -- tampering -----------------------------------------------------------------------------------


def tamper(workspace: Workspace, audit_id: int, plot_id: str) -> None:
    """Behind zgc-geo's back: rename the user of one audit row, change one plot's review status."""
    statements = [
        ('UPDATE zgc_audit SET "user" = {m} WHERE audit_id = {m}', ("mallory", audit_id)),
        ("UPDATE zgc_decisions SET review_status = 'revitalised' WHERE inventory = {m} AND plot_id = {m}",
         (INVENTORY, plot_id)),
    ]  # fmt: skip
    if workspace.backend == "GeoPackage":
        with contextlib.closing(sqlite3.connect(workspace.admin)) as conn:
            for trigger in ("zgc_audit_no_update", "zgc_decisions_audited_update"):
                conn.execute(f"DROP TRIGGER {trigger}")
            for statement, params in statements:
                assert conn.execute(statement.format(m="?"), params).rowcount == 1
            conn.commit()
        return
    with psycopg.connect(workspace.admin, options="-c search_path=zgc_geo") as conn:
        conn.execute("SET session_replication_role = replica")  # the superuser silences the triggers
        for statement, params in statements:
            assert conn.execute(statement.format(m="%s"), params).rowcount == 1


def test_tampering_is_found_and_refused_until_the_admin_acknowledges(
    workspace_address: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    where = ("--workspace", workspace_address.address)
    decisions = [("P0", "deferred"), ("P1", "recommended"), ("P2", "deferred")]
    edits = write_edits(tmp_path / "edits.csv", [(plot, status, "", "", "") for plot, status in decisions])
    assert main(["workspace", "decide", INVENTORY, "--from", str(edits), *where]) == 0
    audit = workspace_address.store().audit_log(INVENTORY, "P1")
    row = int(audit["audit_id"].iloc[0])
    tamper(workspace_address, row, "P2")
    capsys.readouterr()

    assert main(["workspace", "verify", *where]) == 1
    out = capsys.readouterr().out
    assert f"BROKEN: 3 finding(s), 3 not acknowledged; first broken audit row: {row}" in out
    assert f"audit row {row} (decide by mallory at" in out and "does not match its hash" in out
    assert (
        "the decision of plot 'P1' in inventory 'haidian' is review status recommended" in out
    )  # by li, log: mallory
    assert "the decision of plot 'P2' in inventory 'haidian' is review status revitalised" in out

    report = tmp_path / "report.csv"
    later = write_edits(tmp_path / "later.csv", [("P3", "deferred", "", "", "")])
    assert (
        main(["workspace", "decide", INVENTORY, "--from", str(later), "--report", str(report), *where]) == 1
    )
    refused = read_report(report)
    assert list(refused["result"]) == ["refused"]
    assert "failed verification, so edits are refused until an admin acknowledges it" in refused["message"][0]
    monkeypatch.setenv(USER_ENV, "路人")
    assert main(["workspace", "acknowledge", "--note", "not me", *where]) == 1
    assert "'路人' (viewer) may not acknowledge: it needs the admin role" in capsys.readouterr().err

    monkeypatch.setenv(USER_ENV, ADMIN)
    assert main(["workspace", "acknowledge", "--note", "mallory was a drill", *where]) == 0
    assert "acknowledged 3 finding(s)" in capsys.readouterr().out
    monkeypatch.setenv(USER_ENV, PLANNER)
    assert (
        main(["workspace", "decide", INVENTORY, "--from", str(later), "--report", str(report), *where]) == 0
    )
    assert list(read_report(report)["result"]) == ["applied"]
    assert main(["workspace", "verify", *where]) == 1  # acknowledged damage is still damage
    out = capsys.readouterr().out
    assert (
        "BROKEN: 3 finding(s), 0 not acknowledged" in out and out.count(f"(acknowledged by {ADMIN} at ") == 3
    )


def test_a_copy_of_a_tampered_workspace_verifies_as_it_did(
    gpkg_workspace_with_plots: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = gpkg_workspace_with_plots.store()
    store.record_decision(INVENTORY, "P0", {"review_status": "deferred"}, expected_version=0, user=PLANNER)
    tamper(gpkg_workspace_with_plots, 2, "P0")
    capsys.readouterr()
    assert main(["workspace", "copy", gpkg_workspace_with_plots.address, str(tmp_path / "copy.gpkg")]) == 0
    out = capsys.readouterr().out
    assert "BROKEN: 2 finding(s)" in out and "the copy verifies as the source does" in out


@pytest.fixture
def gpkg_workspace_with_plots(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    workspace = new_workspace("gpkg", tmp_path, request, monkeypatch)
    workspace.store().save_inventory(INVENTORY, make_plots(), title="海淀园", source="test", user=PLANNER)
    return workspace


# -- the database's own refusals -------------------------------------------------------------------


@pytest.mark.postgis
def test_the_app_role_cannot_rewrite_the_log_or_decide_without_it(
    postgis_db: PostgisDatabase,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = new_workspace("postgis", tmp_path, request, monkeypatch)
    store = workspace.store()
    store.save_inventory(INVENTORY, make_plots(), title="海淀园", source="test", user=PLANNER)
    store.record_decision(INVENTORY, "P0", {"review_status": "deferred"}, expected_version=0, user=PLANNER)
    with psycopg.connect(workspace.address, autocommit=True, options="-c search_path=zgc_geo") as conn:
        for statement in (
            "UPDATE zgc_audit SET \"user\" = 'mallory'",
            "DELETE FROM zgc_audit",
            "TRUNCATE zgc_audit",
        ):
            with pytest.raises(
                psycopg.errors.InsufficientPrivilege, match="permission denied for table zgc_audit"
            ):
                conn.execute(statement)
        with pytest.raises(
            psycopg.errors.RaiseException, match="only in the transaction that writes its audit row"
        ):
            conn.execute("UPDATE zgc_decisions SET review_status = 'revitalised' WHERE plot_id = 'P0'")
    assert store.decision(INVENTORY, "P0").review_status == "deferred"
    assert list(store.audit_log()["action"]) == ["grant", "import", "decide"]
    assert store.verify().intact
