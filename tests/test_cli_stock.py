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


def test_the_stored_inventory_reuses_the_import_outlines_only_when_they_are_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reused = []
    real = stock_cli._outlines_of
    monkeypatch.setattr(stock_cli, "_outlines_of", lambda *a: reused.append(real(*a)) or reused[-1])
    args = ["stock", str(DEMO), "--reference-year", "2026", "--workspace", str(tmp_path / "ws.gpkg")]
    assert main([*args, "--out", str(tmp_path / "reused.gpkg")]) == 0
    assert reused[-1] is not None  # a load right after the save: the import's own geometries
    monkeypatch.setattr(stock_cli, "_outlines_of", lambda *_: None)  # measured afresh, as before
    assert main([*args, "--out", str(tmp_path / "afresh.gpkg")]) == 0
    capsys.readouterr()
    reused_file = gpkg_contents(tmp_path / "reused.gpkg")
    afresh_file = gpkg_contents(tmp_path / "afresh.gpkg")
    assert reused_file.pop("reused") == afresh_file.pop("afresh")  # every row, blob for blob
    store = GeoPackageStore(tmp_path / "ws.gpkg")
    first, second = (store.load_inventory("demo_stock_inventory") for _ in range(2))  # read, not reused
    assert real(first, first, first.geometry) is not None
    assert real(first, second, first.geometry) is None  # equal outlines, other objects


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
