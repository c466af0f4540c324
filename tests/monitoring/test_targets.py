"""Progress against the 2020 targets: paths, statuses known in advance, the ``zgc-geo targets`` contract."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from zgc_geo.catalogue import layer_spec, load_layer
from zgc_geo.cli import main
from zgc_geo.monitoring.progress import COLUMNS, load_thresholds, required_value, status_of
from zgc_geo.monitoring.report import make_report, report_html

ACTUALS = """指标,年份,数值,分园,来源
new_tech_firms,2018,3.4,,clearly ahead: 3.4 against about 2.74 required
modern_services_revenue_share,2018,66.0,,behind: 66 against 68.28 required (within 10 %)
实现亿元收入需要从业人员数,2016,30,,the first value: the path starts here (no 2015 baseline)
实现亿元收入需要从业人员数,2018,40,,lower is better and behind: 40 against 30
技术交易合同成交额,2017,3500,,steady growth asked: above the 2015 baseline 2905.5
技术交易合同成交额,2018,3400,,below the year before but within 10 %: at risk
vc_share_of_national,2018,25.0,,keep about a third: 25 is 25 % away
new_tech_firms,2018,1.0,haidian,a park's value: not the zone's
"""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_paths_compound_linear_growth_and_maintain() -> None:
    assert required_value("compound", 2018, (2015, 2.4), 3.0, None) == pytest.approx(2.4 * 1.25**0.6)
    assert required_value("linear", 2018, (2015, 65.7), 70.0, None) == pytest.approx(68.28)
    assert required_value("linear", 2016, (2016, 30.0), 30.0, None) == 30.0
    assert required_value("linear", 2023, (2015, 65.7), 70.0, None) == 70.0  # past the horizon: the target
    assert required_value("growth", 2018, (2015, 2905.5), None, 3500.0) == 3500.0
    assert required_value("maintain", 2017, None, 33.3, None) == 33.3
    assert required_value("linear", 2014, (2015, 65.7), 70.0, None) is None


def test_statuses_with_the_shipped_thresholds() -> None:
    t = load_thresholds()
    assert status_of("linear", "higher", 68.28, 70.0, t) == "on_track"
    assert status_of("linear", "higher", 68.28, 66.0, t) == "at_risk"
    assert status_of("linear", "higher", 68.28, 50.0, t) == "off_track"
    assert status_of("linear", "lower", 30.0, 29.0, t) == "on_track"
    assert status_of("linear", "lower", 30.0, 40.0, t) == "off_track"
    assert status_of("maintain", "higher", 33.3, 34.0, t) == "on_track"
    assert status_of("maintain", "higher", 33.3, 25.0, t) == "off_track"
    assert status_of("linear", "higher", 68.28, None, t) is None


def test_the_cli_judges_an_unseen_actuals_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    out = tmp_path / "progress.csv"
    assert (
        main(["targets", "--actuals", str(actuals), "--out", str(out), "--year", "2018", "--lang", "en"]) == 0
    )
    capsys.readouterr()
    rows = {r["indicator_id"]: r for r in _rows(out)}
    assert list(next(iter(rows.values()))) == list(COLUMNS)
    assert rows["new_tech_firms"]["status"] == "on_track" and rows["new_tech_firms"]["actual"] == "3.4"
    assert rows["modern_services_revenue_share"]["status"] == "at_risk"
    assert rows["staff_per_100m_yuan_revenue"]["status"] == "off_track"
    assert rows["staff_per_100m_yuan_revenue"]["unit"] == "persons"
    assert rows["tech_contract_value"]["status"] == "at_risk"
    assert rows["vc_share_of_national"]["status"] == "off_track"
    assert rows["rd_intensity"]["status"] == "" and rows["rd_intensity"]["actual"] == ""
    assert {r["year"] for r in rows.values()} == {"2018"} and len(rows) == 18


def test_chinese_headers_every_year_and_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS + "不存在的指标,2018,1,,\nnew_tech_firms,二〇一八,1,,\n", encoding="utf-8")
    out = tmp_path / "进度.xlsx"
    assert main(["targets", "--actuals", str(actuals), "--out", str(out)]) == 1  # two rows listed
    printed = capsys.readouterr().out
    assert "row 10, column 指标: '不存在的指标'" in printed and "row 11, column 年份" in printed
    book = openpyxl.load_workbook(out, read_only=True)
    header, *body = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    assert header == [
        "指标编号",
        "指标名称",
        "单位",
        "2015年基数",
        "2020年目标",
        "年份",
        "应达值",
        "实际值",
        "进度",
    ]
    assert {row[5] for row in body} == {2016, 2017, 2018} and len(body) == 3 * 18
    statuses = {row[8] for row in body}
    assert {"正常", "有风险", "滞后"} <= statuses
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["targets", "--actuals", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    assert main(["targets", "--actuals", str(actuals), "--out", str(tmp_path / "o.pdf")]) == 2


def test_the_template_lists_every_indicator_and_reads_as_nothing_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = Path(__file__).resolve().parents[2] / "templates" / "actuals_template.csv"
    with template.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 18
    assert main(["targets", "--actuals", str(template), "--out", str(tmp_path / "o.csv")]) == 1
    assert "no zone-wide value to judge" in capsys.readouterr().out


@pytest.mark.browser
@pytest.mark.slow
def test_the_pdf_report_embeds_a_cjk_font_and_shows_the_map_and_the_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZGC_GEO_WORKSPACE", raising=False)
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    out = tmp_path / "评估报告.pdf"
    assert main(["report", "--year", "2018", "--actuals", str(actuals), "--out", str(out)]) == 0
    assert "on_track 1, at_risk 2, off_track 2" in capsys.readouterr().out
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and re.search(
        rb"/FontName\s*/[A-Z]{6}\+(NotoSansCJK|NotoSerifCJK|WenQuanYi)", data
    )
    # embedded, not referenced: a subset (its tag) as a font file, or as Type3 glyphs (Chromium, CFF CJK)
    assert re.search(rb"/FontFile[23]?\s", data) or re.search(rb"/Subtype\s*/Type3", data)
    assert re.search(rb"/Subtype\s*/Image", data)  # the league map, printed from its own page
    word = tmp_path / "评估报告.docx"
    assert (
        main(["report", "--year", "2018", "--actuals", str(actuals), "--out", str(word), "--lang", "en"]) == 0
    )
    document = docx.Document(str(word))
    assert document.paragraphs[0].text.startswith("Zhongguancun Demonstration Zone plan")
    assert (
        len(document.inline_shapes) == 1 and len(document.tables) == 2
    )  # the map; the chart's figures and the indicators (no workspace: no third)


def test_the_report_html_holds_the_chart_and_escapes_every_text() -> None:
    values = pd.DataFrame(
        [("new_tech_firms", 2018, 3.4, None, "<script>x</script>"),
         ("staff_per_100m_yuan_revenue", 2016, 30.0, None, ""),
         ("staff_per_100m_yuan_revenue", 2018, 40.0, None, "")],
        columns=["indicator_id", "year", "value", "park_id", "source"],
    )  # fmt: skip
    report = make_report(values, 2018, load_thresholds(), measures=None, park_names={}, lang="zh",
                         today=dt.date(2026, 12, 7))  # fmt: skip
    page = report_html(report, b"\x89PNG")
    assert "<rect" in page and 'fill="#1a9641"' in page and 'fill="#d7191c"' in page  # on and off track
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    assert "data:image/png;base64," in page and "2026-12-07" in page


def test_the_docx_and_xlsx_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZGC_GEO_WORKSPACE", raising=False)
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    book = tmp_path / "report.xlsx"
    assert (
        main(["report", "--year", "2018", "--actuals", str(actuals), "--out", str(book), "--lang", "en"]) == 0
    )
    sheets = openpyxl.load_workbook(book, read_only=True)
    assert len(sheets.sheetnames) >= 2
    sheets.close()
    assert main(["report", "--year", "2018", "--out", str(tmp_path / "r.txt")]) == 2
    capsys.readouterr()


def test_the_shipped_public_figures_each_cite_a_source_and_are_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public = load_layer("actuals_public")
    assert len(public) >= 3 and (public["来源"].str.len() > 20).all()  # every figure with its report
    out = tmp_path / "p.csv"
    assert (
        main(
            [
                "targets",
                "--actuals",
                str(layer_spec("actuals_public").path),
                "--out",
                str(out),
                "--lang",
                "en",
            ]
        )
        == 0
    )
    capsys.readouterr()
    judged = [r for r in _rows(out) if r["actual"]]
    assert {r["status"] for r in judged} == {"on_track"} and len(judged) == len(public)
