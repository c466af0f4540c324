"""Workbook exports in the reader's language (#13 item 8): headers, sheet names, a 字段说明 / Fields sheet,
number formats and rounded values, no folder of the server; contract columns and GIS formats unchanged."""

from __future__ import annotations

import io
import re
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest

from tests.workbooks import canonical_sheet, every_cell, fields_sheet, header, misworded_cells
from zgc_geo.catalogue import layer_spec
from zgc_geo.cli import main
from zgc_geo.export.labels import field_labels
from zgc_geo.export.layers import write_layer
from zgc_geo.export.tables import write_tables
from zgc_geo.export.workbook import without_paths
from zgc_geo.i18n import PLAN_REFERENCE, Lang
from zgc_geo.importing.report import ImportReport, Problem
from zgc_geo.importing.report_export import report_bytes
from zgc_geo.settings import USER_ENV
from zgc_geo.workspace import AUDIT_EXPORT_COLUMNS

DEMO = layer_spec("demo_stock_inventory").path
REPO = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
SITE = ["site", "frontier_it", "--plots", str(DEMO)]


def run(*args: str) -> None:
    assert main(list(args)) == 0


@pytest.fixture
def audited_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A GeoPackage workspace holding the demo inventory, imported from an absolute path."""
    monkeypatch.setenv(USER_ENV, "王工")
    workspace = tmp_path / "server" / "data" / "workspace.gpkg"
    workspace.parent.mkdir(parents=True)
    run("workspace", "import", str(DEMO), "--name", "demo", "--workspace", str(workspace))
    return workspace


def workbook(kind: str, out: Path, lang: str, workspace: Path | None = None) -> Path:
    """Write the workbook of one command in ``lang`` and return it."""
    commands = {
        "stock": ["stock", str(DEMO), "--out", str(out), "--reference-year", "2026"],
        "site": [*SITE, "--out", str(out)],
        "coverage": ["coverage", "--out", str(out), "--plots", str(DEMO)],
        "validate": ["validate", str(DEMO), "--report", str(out)],
        "convert": ["convert", str(DEMO), str(out)],
        "audit": ["workspace", "audit", "demo", "--out", str(out), "--workspace", str(workspace)],
    }
    run(*commands[kind], "--lang", lang)
    return out


#: Per command: the first sheet's name, a header it must show, and a column with its number format.
CHINESE = {
    "stock": ("要素", "地块编号", ("area_m2", "#,##0", 0)),
    "site": ("要素", "适宜性得分", ("score", "0.0", 1)),
    "coverage": ("分园×集群矩阵", "分园", None),
    "validate": ("检查报告", "级别", None),
    "convert": ("要素", "地块编号", ("lon", "0.000000", 6)),
    "audit": ("审计日志", "审计编号", None),
}


@pytest.mark.parametrize("kind", list(CHINESE))
def test_every_command_writes_a_chinese_workbook(
    kind: str, tmp_path: Path, audited_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = workbook(kind, tmp_path / f"{kind}.xlsx", "zh", audited_workspace)
    capsys.readouterr()
    first, shown, formatted = CHINESE[kind]
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == first and book.sheetnames[-1] == "字段说明"
    assert all(CJK.search(name) for name in book.sheetnames), book.sheetnames
    assert shown in header(out)
    for name in book.sheetnames:  # every header is Chinese: each field has its row in export_fields.csv
        unlabelled = [h for h in header(out, name) if not CJK.search(str(h))]
        assert unlabelled == [], (name, unlabelled)
    fields = fields_sheet(out)
    assert set(fields["sheet"]) == set(book.sheetnames[:-1])
    assert fields["header"].map(bool).all() and fields["field"].map(bool).all()
    if formatted:
        field, number_format, decimals = formatted
        column = [c.value for c in book[first][1]].index(field_labels()[field].label_zh) + 1
        cells = [row[0] for row in book[first].iter_rows(min_row=2, min_col=column, max_col=column)]
        assert {c.number_format for c in cells if c.value is not None} == {number_format}
        values = pd.Series([c.value for c in cells], dtype=float).dropna()
        if decimals is not None:
            assert (values == values.round(decimals)).all()
    texts = [str(v) for v in every_cell(out) if isinstance(v, str)]
    for folder in (str(tmp_path), str(REPO), "/tmp/", "/work/", "/home/"):
        assert not [t for t in texts if folder in t], folder


def test_numbers_are_rounded_to_the_format_of_their_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = workbook("stock", tmp_path / "stock.xlsx", "zh")
    capsys.readouterr()
    summary = canonical_sheet(out, "分园汇总")
    for field in ("idle_area_ha", "idle_area_mu", "mean_priority", "extra_floor_area_m2"):
        decimals = field_labels()[field].decimals
        assert decimals is not None
        values = summary[field].dropna()
        assert (values == values.round(decimals)).all(), field
    sheet = openpyxl.load_workbook(out)["分园汇总"]
    formats = {c.value: sheet.cell(2, c.column).number_format for c in sheet[1]}
    assert formats["闲置面积（公顷）"] == "#,##0.00" and formats["平均优先得分"] == "0.0"
    assert formats["分园"] == "General"  # text stays text


def test_ids_get_their_name_in_the_language_beside_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = (("zh", "东城园", "一类工业用地"), ("en", "Dongcheng Park", "Class 1 industrial"))
    for lang, park, land_use in expected:
        out = workbook("stock", tmp_path / f"stock_{lang}.xlsx", lang)
        plots = canonical_sheet(out)
        first = plots.iloc[0]
        columns = list(plots.columns)
        assert columns.index("park_id_name") == columns.index("park_id") + 1
        assert (first["park_id"], first["park_id_name"]) == ("dongcheng", park)
        assert first["land_use_class_name"].startswith(land_use)
        named = plots.dropna(subset=["inefficiency_kind"])
        assert named["inefficiency_kind_name"].notna().all() and named["land_rights_name"].notna().all()
        assert not named["inefficiency_kind_name"].isin(named["inefficiency_kind"]).any()
    many = plots[plots["suggested_modes"].str.contains(";", na=False)].iloc[0]  # English, the last one
    modes = many["suggested_modes"].split(";")
    shown = many["suggested_modes_name"]
    assert shown.count("; ") == len(modes) - 1 and "_" not in shown
    coverage = workbook("coverage", tmp_path / "coverage.xlsx", "zh")
    findings = canonical_sheet(coverage, "规划一致性发现")
    assert set(findings["kind_name"]) >= {"特色园区不在集群核心（重点）分园"}
    assert set(canonical_sheet(coverage, "空间覆盖")["role_name"].dropna()) == {"核心", "重点"}
    capsys.readouterr()


def test_english_workbooks_are_labelled_and_contracts_keep_their_names(
    tmp_path: Path, audited_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stock = workbook("stock", tmp_path / "stock.xlsx", "en")
    sheets = ["Features", "Per-park summary", "Parameters", "Fields"]
    assert openpyxl.load_workbook(stock).sheetnames == sheets
    assert {"Plot ID", "Priority score", "Extra floor area"} <= set(header(stock))
    # The ranking (`site`) and the audit log are contracts: English keeps their names and values.
    ranked_gpkg = tmp_path / "ranked.gpkg"
    run(*SITE, "--out", str(ranked_gpkg))
    site = workbook("site", tmp_path / "site.xlsx", "en")
    ranking = pyogrio.read_dataframe(ranked_gpkg, layer="ranked")
    assert header(site) == [*(c for c in ranking.columns if c != "geometry"), "lon", "lat", "wkt"]
    written = pd.read_excel(site, sheet_name="Features")
    assert written["score"].tolist() == pytest.approx(ranking["score"].tolist(), abs=1e-12)
    audit = workbook("audit", tmp_path / "audit.xlsx", "en", audited_workspace)
    assert header(audit, "Audit log") == list(AUDIT_EXPORT_COLUMNS)
    about = dict(list(openpyxl.load_workbook(audit)["Export"].iter_rows(values_only=True))[1:])
    assert about["workspace"] == "workspace.gpkg"  # the file's name, not the server's folders
    capsys.readouterr()


@pytest.mark.parametrize(
    ("kind", "lang"),
    [("stock", "zh"), ("stock", "en"), ("audit", "zh"), ("audit", "en"), ("site", "zh"), ("coverage", "zh")],
)
def test_every_cell_a_person_reads_is_in_the_workbook_language(
    kind: str, lang: str, tmp_path: Path, audited_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Parameters, reasons, scenario notes, the audit's Export sheet, the siting factors' sources: no English
    words in a Chinese workbook, no Chinese in an English one — ids and codes beside their names, data, file
    names and units aside. (English rankings and coverage hold Chinese-only data names: plots, centres.)"""
    out = workbook(kind, tmp_path / f"{kind}_{lang}.xlsx", lang, audited_workspace)
    capsys.readouterr()
    assert misworded_cells(out, lang) == []
    if kind == "stock" and lang == "zh":  # the analysis' own sentences, worded in Chinese
        plots, parameters = canonical_sheet(out), canonical_sheet(out, "参数")
        assert plots["inefficiency_reason"].str.contains("用而未尽：现状容积率").any()
        assert set(plots["efficiency_reason"].str[:9]) == {"相对法：综合百分位", "无亩均效益指标"}
        assert set(parameters["group"]) == {
            "运行",
            "容积率情景",
            "亩均效益",
            "低效用地",
            "优先级",
            "盘活方式",
        }
        assert plots["suggestion_rules_name"].str.contains("集体土地", na=False).any()
    if kind == "audit" and lang == "zh":
        about = dict(list(openpyxl.load_workbook(out)["导出信息"].iter_rows(values_only=True))[1:])
        assert about["工作区"] == "workspace.gpkg" and about["清单"] == "demo"
        assert canonical_sheet(out)["new_value"].tolist() == ["300 个地块"]


@pytest.mark.parametrize(
    ("lang", "matrix", "distances"),
    [("zh", "矩阵明细", "京津冀距离"), ("en", "Matrix (long)", "BTH distances")],
)
def test_coverage_notes_are_in_the_workbook_language(
    lang: str, matrix: str, distances: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The centres note and where BTH distances start: one language per file (were bilingual / English)."""
    out = workbook("coverage", tmp_path / f"coverage_{lang}.xlsx", lang)
    capsys.readouterr()
    notes = set(canonical_sheet(out, matrix)["centre_note"].dropna()) | set(
        canonical_sheet(out, distances)["measured_from"]
    )
    assert len(notes) >= 3
    foreign = re.compile(r"[A-Za-z]{4,}") if lang == "zh" else CJK
    assert [n for n in notes if foreign.search(PLAN_REFERENCE.sub("", n))] == []


def test_csv_and_gis_formats_keep_the_canonical_field_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ranked_csv, stock_csv = tmp_path / "ranked.csv", tmp_path / "stock.csv"
    run(*SITE, "--out", str(ranked_csv), "--lang", "zh")
    run("stock", str(DEMO), "--out", str(stock_csv), "--lang", "zh")
    ranked = pd.read_csv(ranked_csv, encoding="utf-8-sig")
    assert {"plot_id", "score", "rank", "eligible", "failed_constraints"} <= set(ranked.columns)
    for path in (ranked_csv, stock_csv):
        columns = pd.read_csv(path, encoding="utf-8-sig", nrows=0).columns
        assert not [c for c in columns if CJK.search(c)]
    for suffix in (".gpkg", ".geojson", ".zip"):
        out = tmp_path / f"stock{suffix}"
        run("stock", str(DEMO), "--out", str(out), "--lang", "zh")
        source = f"/vsizip/{out}/stock.shp" if suffix == ".zip" else out
        columns = list(pyogrio.read_info(source, layer="stock")["fields"])
        assert {"plot_id", "park_id", "area_m2", "is_idle"} <= set(columns), suffix
        assert not [c for c in columns if CJK.search(c)], suffix
    capsys.readouterr()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("/work/main/layers/stock_rules.toml", "stock_rules.toml"),
        ("rules from /srv/zgc/rules.toml (edited)", "rules from rules.toml (edited)"),
        (r"C:\Users\王工\清单.xlsx", "清单.xlsx"),
        ("https://example.org/a/b.html", "https://example.org/a/b.html"),
        ("万元/亩, ratio 1/9, 合成数据 / synthetic", "万元/亩, ratio 1/9, 合成数据 / synthetic"),
    ],
)
def test_a_file_path_becomes_the_file_name(text: str, shown: str) -> None:
    assert without_paths(text) == shown


def test_any_workbook_is_formula_safe_and_path_free_in_either_language(tmp_path: Path) -> None:
    table = pd.DataFrame({"park_id": ["haidian", "nowhere"], "note": ["=1+1", "/var/lib/zgc/ws.gpkg"]})
    langs: tuple[Lang, ...] = ("zh", "en")
    for lang in langs:
        out = tmp_path / f"t_{lang}.xlsx"
        write_tables(out, {"parameters": table}, lang=lang)
        rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
        park = "海淀园" if lang == "zh" else "Haidian Park"
        assert rows[1] == ("haidian", park, "'=1+1") and rows[2] == ("nowhere", None, "ws.gpkg")


def test_the_field_table_explains_every_field_once() -> None:
    labels = field_labels()
    assert all(row.label_zh and row.label_en and row.meaning_zh and row.meaning_en for row in labels.values())
    assert not [row.field for row in labels.values() if CJK.search(row.label_en + row.meaning_en)]
    formats = {row.number_format for row in labels.values()} - {""}
    assert formats <= {"0", "#,##0", "0.0", "0.00", "#,##0.0", "#,##0.00", "0.0%", "0.000000"}


def test_a_layer_workbook_round_trips_through_its_fields_sheet(tmp_path: Path) -> None:
    plots = gpd.read_file(DEMO).head(3)
    out = tmp_path / "plots.xlsx"
    write_layer(plots, out, lang="zh")
    back = canonical_sheet(out)
    assert back["plot_id"].tolist() == plots["plot_id"].tolist()
    assert back["far_current"].tolist() == pytest.approx(plots["far_current"].round(2).tolist())


@pytest.mark.parametrize(
    ("lang", "sheets", "shown"),
    [("zh", ["检查报告", "字段说明"], ["级别", "错误"]), ("en", ["Report", "Fields"], ["Severity", "error"])],
)
def test_the_import_report_workbook_is_in_its_language(lang: Lang, sheets: list, shown: list) -> None:
    report = ImportReport("/srv/uploads/地块.zip")
    report.add(Problem("error", "no_geometry", "=cmd|' /C calc'!A0 in /srv/uploads/地块.zip", "fix it"))
    book = openpyxl.load_workbook(io.BytesIO(report_bytes(report, ".xlsx", lang)))
    assert book.sheetnames == sheets
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][rows[0].index(shown[0]) - 1] is not None  # the code column stands before its name
    assert shown[0] in rows[0] and shown[1] in rows[1]
    message = next(v for v in rows[1] if isinstance(v, str) and "calc" in v)
    assert message.startswith("'=") and "/srv/" not in message and "地块.zip" in message


def test_every_workbook_is_written_by_the_one_writer() -> None:
    """Only zgc_geo/export/workbook.py writes XLSX, so no workbook can skip its language, Fields sheet,
    number formats, path and formula guards."""
    package = REPO / "zgc_geo"
    writers = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(r"\.to_excel\(|ExcelWriter\(|Workbook\(\)", path.read_text(encoding="utf-8"))
    ]
    assert writers == ["export/workbook.py"]
