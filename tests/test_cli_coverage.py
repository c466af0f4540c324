"""``zgc-geo coverage``: summary printed, all sheets written, exit codes as the other commands."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.workbooks import canonical_sheet
from zgc_geo.catalogue import layer_spec
from zgc_geo.cli import main
from zgc_geo.errors import OptionError
from zgc_geo.export.tables import write_tables

DEMO = str(layer_spec("demo_stock_inventory").path)
SHEETS = [
    "Park x cluster matrix",
    "Matrix (long)",
    "Findings",
    "Coverage",
    "BTH distances",
    "BTH steering",
    "Fields",
]


def test_writes_every_sheet_and_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "coverage.xlsx"
    assert main(["coverage", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "● core" in printed and "海淀园" in printed and "●7" in printed
    assert "17 feature_park_outside_core" in printed
    assert "within 3 km" in printed
    book = openpyxl.load_workbook(out, read_only=True)
    matrix = list(book["分园×集群矩阵"].iter_rows(values_only=True))
    assert matrix[0][:2] == ("分园", "前沿信息") and len(matrix) == 17
    assert matrix[3][:2] == ("朝阳园", "核心 · 0 特色园区 · 2 创新中心")
    findings = canonical_sheet(out, "规划一致性发现")
    assert {"kind", "message_zh", "sections"} <= set(findings.columns)
    assert "plots" not in canonical_sheet(out, "空间覆盖").columns
    assert findings["sections"].str.startswith("§").all()
    english = tmp_path / "coverage_en.xlsx"
    assert main(["coverage", "--out", str(english), "--lang", "en"]) == 0
    book = openpyxl.load_workbook(english, read_only=True)
    assert book.sheetnames == SHEETS
    matrix = list(book["Park x cluster matrix"].iter_rows(values_only=True))
    assert matrix[0][:2] == ("Park", "Frontier IT") and len(matrix) == 17
    assert matrix[3][:2] == ("Chaoyang Park", "core · 0 feature park(s) · 2 innovation centre(s)")
    assert not [p for p in tmp_path.iterdir() if p.name not in {out.name, english.name}]  # no staging left


def test_plots_and_radius_reach_the_coverage_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.xlsx"
    assert main(["coverage", "--out", str(out), "--plots", DEMO, "--radius-km", "1.5"]) == 0
    assert "USABLE: demo_stock_inventory.geojson" in capsys.readouterr().out
    coverage = canonical_sheet(out, "空间覆盖")
    assert {"plots", "plots_covered", "plot_area_covered_ha"} <= set(coverage.columns)
    assert coverage["radius_km"].iloc[0] == 1.5


@pytest.mark.parametrize("radius", ["0", "-2", "nan"])
def test_radius_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str], radius: str) -> None:
    out = tmp_path / "c.xlsx"
    assert main(["coverage", "--out", str(out), f"--radius-km={radius}"]) == 2
    assert "--radius-km must be a number above 0" in capsys.readouterr().err
    assert not out.exists()


def test_out_must_be_a_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--out", str(tmp_path / "c.csv")]) == 2
    assert "name it *.xlsx" in capsys.readouterr().err
    assert main(["coverage", "--out", str(tmp_path / "missing" / "c.xlsx")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_plots_with_errors_exit_1_and_unreadable_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    points = tmp_path / "points.geojson"
    feature = {
        "type": "Feature",
        "properties": {"地块编号": "A1"},
        "geometry": {"type": "Point", "coordinates": [116.3, 39.98]},
    }
    points.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    out = tmp_path / "c.xlsx"
    assert main(["coverage", "--out", str(out), "--plots", str(points)]) == 1
    assert "nothing written" in capsys.readouterr().out
    (tmp_path / "empty.geojson").write_bytes(b"")
    assert main(["coverage", "--out", str(out), "--plots", str(tmp_path / "empty.geojson")]) == 2
    assert not out.exists()


def test_table_writer_is_formula_safe_and_refuses_other_formats(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    table = pd.DataFrame({"text": ["=1+1", "ok"], "ids": [["a", "b"], []], "n": [-3.5, 2.0]})
    assert write_tables(out, {"a/b": table}) == []
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["a_b", "字段说明"]
    rows = list(book["a_b"].iter_rows(values_only=True))
    assert rows[1] == ("'=1+1", "a;b", -3.5)
    with pytest.raises(OptionError, match=r"written as \.xlsx"):
        write_tables(tmp_path / "t.csv", {"a": table})
