"""``zgc-geo projects screen``: the output's columns and values in each language, and the exit codes."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pyogrio
import pytest

from tests.projects.conftest import HAIDIAN, PROJECTS, write_csv
from zgc_geo.catalogue import layer_spec
from zgc_geo.cli import main

EN_RESULT = ["verdict", "scope", "rules", "cluster_fit"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_english_output_has_the_contract_columns_and_values(
    tmp_path: Path, catalogue_csv: Path, projects_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "screened.csv"
    args = ["projects", "screen", str(projects_csv), "--out", str(out), "--catalogue", str(catalogue_csv)]
    assert main([*args, "--lang", "en"]) == 1  # two rows have errors; the rest are screened
    printed = capsys.readouterr().out
    assert "row 11:" in printed and "row 12:" in printed and "prohibited: 4" in printed
    rows = _rows(out)
    assert len(rows) == len(PROJECTS)
    assert list(rows[0])[:7] == [
        "项目名称",
        "行业代码",
        "经度",
        "纬度",
        "用地面积(公顷)",
        "投资额(亿元)",
        "容积率",
    ]
    assert all(c in rows[0] for c in EN_RESULT)
    assert [r["verdict"] for r in rows] == [p[3] or "" for p in PROJECTS]
    assert rows[0]["scope"] == "central area; Haidian"
    assert "T-1 中心城区制造业" in rows[0]["rules"] and rows[0]["rules"].startswith("prohibited: ")
    assert {r["cluster_fit"] for r in rows} <= {"fits", "other_cluster", "no_cluster", "outside_parks", ""}
    assert "not an industry code" in rows[9]["errors"]


def test_chinese_output_has_chinese_headers_and_verdicts(
    tmp_path: Path, catalogue_csv: Path, projects_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "结果.xlsx"
    args = ["projects", "screen", str(projects_csv), "--out", str(out), "--catalogue", str(catalogue_csv)]
    assert main(args) == 1
    capsys.readouterr()
    book = openpyxl.load_workbook(out, read_only=True)
    header, *body = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    verdicts = [row[header.index("结论")] for row in body]
    assert verdicts[:3] == ["禁止", "限制", "禁止"] and "允许" in verdicts
    assert "适用范围" in header and "命中条目" in header and "集群契合" in header
    assert body[0][header.index("适用范围")] == "中心城区；海淀区"


def test_a_clean_list_exits_0_and_a_geopackage_holds_the_sites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    projects = write_csv(
        tmp_path / "p.csv", ["name", "industry_code", "lon", "lat"], [["=HYPERLINK(1)", "6513", *HAIDIAN]]
    )
    out = tmp_path / "p.gpkg"
    assert main(["projects", "screen", str(projects), "--out", str(out), "--lang", "en"]) == 0
    capsys.readouterr()
    layer = pyogrio.read_dataframe(out)
    assert list(layer["verdict"]) == ["allowed"]
    assert layer.geometry.iloc[0].x == pytest.approx(HAIDIAN[0])
    csv_out = tmp_path / "p.csv.out.csv"
    assert main(["projects", "screen", str(projects), "--out", str(csv_out)]) == 0
    assert _rows(csv_out)[0]["name"] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it


def test_unreadable_input_and_bad_usage_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    no_code = write_csv(tmp_path / "x.csv", ["name", "lon", "lat"], [["a", *HAIDIAN]])
    assert main(["projects", "screen", str(no_code), "--out", str(tmp_path / "o.csv")]) == 2
    assert "no industry-code column" in capsys.readouterr().err
    good = write_csv(tmp_path / "g.csv", ["name", "industry_code", "lon", "lat"], [["a", "6513", *HAIDIAN]])
    assert main(["projects", "screen", str(good), "--out", str(tmp_path / "o.txt")]) == 2
    bad_catalogue = write_csv(tmp_path / "c.csv", ["code", "measure"], [["30", "禁止"]])
    args = [
        "projects",
        "screen",
        str(good),
        "--out",
        str(tmp_path / "o.csv"),
        "--catalogue",
        str(bad_catalogue),
    ]
    assert main(args) == 2
    assert "missing: scope" in capsys.readouterr().err
    assert main(["projects"]) == 2
    assert not (tmp_path / "o.csv").exists()


def test_a_plot_id_needs_a_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZGC_GEO_WORKSPACE", raising=False)
    projects = write_csv(
        tmp_path / "p.csv", ["项目名称", "行业代码", "地块编号"], [["a", "6513", "demo-haidian-001"]]
    )
    out = tmp_path / "o.csv"
    assert main(["projects", "screen", str(projects), "--out", str(out), "--lang", "en"]) == 1
    capsys.readouterr()
    assert "needs a workspace" in _rows(out)[0]["errors"]


def test_a_plot_id_is_found_in_the_workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = tmp_path / "ws.gpkg"
    demo = layer_spec("demo_stock_inventory").path
    assert main(["stock", str(demo), "--out", str(tmp_path / "s.gpkg"), "--workspace", str(workspace)]) == 0
    projects = write_csv(
        tmp_path / "p.csv",
        ["项目名称", "行业代码", "地块编号"],
        [["a", "6513", "demo-haidian-001"], ["b", "6513", "nope"]],
    )
    out = tmp_path / "o.csv"
    args = [
        "projects",
        "screen",
        str(projects),
        "--out",
        str(out),
        "--lang",
        "en",
        "--workspace",
        str(workspace),
    ]
    assert main(args) == 1
    capsys.readouterr()
    found, missing = _rows(out)
    assert found["verdict"] == "allowed" and found["scope"].endswith("Haidian")
    assert "no plot nope in the workspace" in missing["errors"]
