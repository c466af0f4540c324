"""``zgc-geo stock``: summary printed, results written, workspace decisions kept, exit codes as validate."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pyogrio
import pytest

from tests.test_exporting import gpkg_contents
from tests.workbooks import canonical_sheet
from zgc_geo.catalogue import layer_spec
from zgc_geo.cli import main
from zgc_geo.cli import stock as stock_cli
from zgc_geo.settings import user_name
from zgc_geo.workspace import GeoPackageStore

DEMO = layer_spec("demo_stock_inventory").path


def test_stock_prints_the_summary_and_writes_all_sheets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.xlsx"
    assert main(["stock", str(DEMO), "--out", str(out), "--reference-year", "2026", "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].startswith("USABLE: demo_stock_inventory.geojson: 300 feature(s)")
    assert "per-park summary" in printed and "haidian" in printed
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["Features", "Per-park summary", "Parameters", "Fields"]
    columns = set(canonical_sheet(out, "Features").columns)
    assert {"priority_score", "suggested_modes", "extra_floor_area_m2", "efficiency_class"} <= columns


def test_scenario_file_changes_the_potential(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "far3.json"
    scenario.write_text(json.dumps({"scenario": {"name": "far3", "mode": "set_far", "value": 3.0}}), "utf-8")
    base, raised = tmp_path / "base.gpkg", tmp_path / "raised.gpkg"
    assert main(["stock", str(DEMO), "--out", str(base)]) == 0
    assert main(["stock", str(DEMO), "--out", str(raised), "--scenario", str(scenario)]) == 0
    capsys.readouterr()
    before = pyogrio.read_dataframe(base, layer="base")["extra_floor_area_m2"].sum()
    after = pyogrio.read_dataframe(raised, layer="raised")["extra_floor_area_m2"].sum()
    assert after > before


def test_workspace_keeps_decisions_across_reimports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = tmp_path / "ws.gpkg"
    args = ["stock", str(DEMO), "--out", str(tmp_path / "r.geojson"), "--workspace", str(workspace)]
    assert main(args) == 0
    store = GeoPackageStore(workspace)
    store.record_decision(
        "demo_stock_inventory",
        "demo-haidian-001",
        {"review_status": "deferred"},
        expected_version=0,
        user=user_name(),  # who ran the stock command made the workspace, and is its admin
    )
    assert main(args) == 0
    assert "stored as inventory 'demo_stock_inventory'" in capsys.readouterr().out
    assert store.decision("demo_stock_inventory", "demo-haidian-001").review_status == "deferred"
    results = pyogrio.read_dataframe(tmp_path / "r.geojson")
    assert set(results.loc[results["plot_id"] == "demo-haidian-001", "review_status"]) == {"deferred"}


def test_the_workspace_run_keeps_the_analysis_made_while_storing_only_when_it_is_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The imported plots are analysed while the store writes; that analysis is kept when the stored
    plots are the imported ones plus the decisions, and its output is the fresh analysis's, row for row."""
    args = ["stock", str(DEMO), "--reference-year", "2026", "--workspace", str(tmp_path / "ws.gpkg")]
    assert main([*args, "--out", str(tmp_path / "first.gpkg")]) == 0
    store = GeoPackageStore(tmp_path / "ws.gpkg")
    store.record_decision(
        "demo_stock_inventory", "demo-haidian-001", {"review_status": "deferred"}, expected_version=0,
        user=user_name(),
    )  # fmt: skip
    carried = []
    real = stock_cli.with_passed_columns
    monkeypatch.setattr(stock_cli, "with_passed_columns", lambda *a: carried.append(real(*a)) or carried[-1])
    carried_out, afresh_out = tmp_path / "carried" / "r.gpkg", tmp_path / "afresh" / "r.gpkg"
    carried_out.parent.mkdir(), afresh_out.parent.mkdir()  # one name: the layer is named after the file
    assert main([*args, "--out", str(carried_out)]) == 0
    assert carried[-1] is not None  # a load right after the save: the import's own values and outlines
    monkeypatch.setattr(stock_cli, "with_passed_columns", lambda *_: None)  # analysed afresh, as stored
    assert main([*args, "--out", str(afresh_out)]) == 0
    capsys.readouterr()
    assert gpkg_contents(carried_out) == gpkg_contents(afresh_out)  # every table and row, blob for blob
    results = pyogrio.read_dataframe(carried_out, layer="r")
    assert set(results.loc[results["plot_id"] == "demo-haidian-001", "review_status"]) == {"deferred"}


def test_a_refused_store_stops_the_run_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = tmp_path / "ws.gpkg"
    assert main(["stock", str(DEMO), "--out", str(tmp_path / "a.gpkg"), "--workspace", str(workspace)]) == 0
    monkeypatch.setenv("ZGC_GEO_USER", "visitor")
    out = tmp_path / "b.gpkg"
    assert main(["stock", str(DEMO), "--out", str(out), "--workspace", str(workspace)]) != 0
    assert "admin" in capsys.readouterr().err
    assert not out.exists()


def test_inventory_with_errors_exits_1_and_unreadable_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    points = tmp_path / "points.geojson"
    points.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"地块编号": "A1"},
                        "geometry": {"type": "Point", "coordinates": [116.3, 39.98]},
                    },
                ],
            }
        ),
        "utf-8",
    )
    assert main(["stock", str(points), "--out", str(tmp_path / "x.gpkg")]) == 1
    assert "nothing analysed" in capsys.readouterr().out
    (tmp_path / "empty.geojson").write_bytes(b"")
    assert main(["stock", str(tmp_path / "empty.geojson"), "--out", str(tmp_path / "y.gpkg")]) == 2
    assert not (tmp_path / "x.gpkg").exists()
