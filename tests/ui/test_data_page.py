"""The Data page under AppTest: upload, choose a CRS, read the report, see the cleaned table."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.fixture_files import write_gbk_plot_zip
from tests.importing.corpus import gcj02_geojson, swapped_plots_geojson, zip_two_shapefiles
from zgc_geo.i18n import translate

PAGE = str(Path(__file__).resolve().parents[2] / "zgc_geo" / "ui" / "pages" / "data.py")


def _page(lang: str = "zh") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = lang
    return at.run()


CLI_FLAG = re.compile(r"--[a-z]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _shown_texts(at: AppTest) -> list[str]:
    """Every text the page shows: messages, captions, widget labels and help, report table cells."""
    texts = [
        e.value
        for kind in ("error", "warning", "info", "success", "caption", "markdown")
        for e in at.get(kind)
    ]
    for kind in ("button", "checkbox", "selectbox", "radio", "download_button"):
        for widget in at.get(kind):
            texts += [widget.label, widget.help or ""]
            texts += [str(o) for o in getattr(widget, "options", [])]
    for table in at.dataframe:
        texts += [str(v) for v in table.value.astype(str).to_numpy().ravel()]
    return texts


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload").set_value((name, data, "application/octet-stream"))
    return at.run()


def _report(at: AppTest) -> list[dict[str, object]]:
    """The report table's rows (the table with a message column)."""
    tables = [t.value for t in at.dataframe if "message" in t.value.columns]
    assert len(tables) == 1
    return tables[0].to_dict("records")


def test_without_upload_the_page_explains_what_to_do() -> None:
    at = _page()
    assert not at.exception
    assert at.info[0].value == translate("data.upload_hint", "zh")


def test_bureau_zip_without_prj_asks_for_the_crs_then_imports(tmp_path: Path) -> None:
    archive = write_gbk_plot_zip(tmp_path, with_prj=False)
    at = _upload(_page(), archive.name, archive.read_bytes())
    assert not at.exception
    assert at.error[0].value.startswith("不可用：")  # the verdict in the page's language
    crs_box = at.selectbox(key="import_crs")
    # The best candidate comes first, after "(file)", by name with its code as detail.
    assert crs_box.options[1] == "2000国家大地坐标系 3度带 第39带 含带号 (EPSG:4527)"
    crs_box.set_value("EPSG:4527").run()
    assert not at.exception
    assert at.success[0].value.startswith("可用：bureau_plots.zip")
    cleaned = at.dataframe[-1].value
    assert "海淀园闲置厂房" in set(cleaned["name"])
    assert set(cleaned["land_use_class"]) == {"industrial_m1"}
    labels = [b.label for b in at.get("download_button")]
    assert translate("data.cleaned", "zh", suffix=".gpkg") in labels


def test_encoding_choice_is_offered_with_what_was_detected(tmp_path: Path) -> None:
    archive = write_gbk_plot_zip(tmp_path)
    at = _upload(_page(), archive.name, archive.read_bytes())
    encoding = at.selectbox(key="import_encoding")
    assert "gb18030" in encoding.help
    assert at.success and at.success[0].value.startswith("可用：")


def test_hostile_archive_is_a_message_not_a_traceback() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../../etc/evil.shp", b"x")
    at = _upload(_page(), "evil.zip", buffer.getvalue())
    assert not at.exception
    assert at.error and "evil" in at.error[0].value


def test_unsupported_upload_name_is_refused_clearly() -> None:
    at = _page()
    at.file_uploader(key="upload").set_value(("plots.exe.zip", b"not a zip", "application/zip"))
    at.run()
    assert not at.exception
    assert at.error and "plots.exe.zip" in at.error[0].value


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_swapped_axes_is_one_cause_in_the_page_language_with_a_fix_that_works(
    lang: str, tmp_path: Path
) -> None:
    path = swapped_plots_geojson(tmp_path)
    at = _upload(_page(lang), path.name, path.read_bytes())
    assert not at.exception
    size = translate("import.verdict_size", lang, count=0)
    verdict = translate("import.verdict_not_usable", lang, source=path.name, size=size, errors=1, warnings=0)
    assert at.error[0].value == verdict  # one error: the cause, not also "zero area" per swapped outline
    rows = _report(at)
    errors = [r for r in rows if r["severity"] == translate("data.severity.error", lang)]
    assert len(errors) == 1, errors
    cause = errors[0]
    assert cause["message"].startswith("24 ")
    swapped_words = {"zh": "经度和纬度写反了", "en": "with longitude and latitude swapped"}[lang]
    assert swapped_words in cause["message"]
    button = translate("data.fix.swap_axes", lang)
    assert button in cause["hint"]  # the hint names the page's control …
    texts = _shown_texts(at)
    assert [t for t in texts if CLI_FLAG.search(t)] == []  # … never a command-line flag such as --crs
    findings = [str(r[c]) for r in rows for c in ("message", "hint")] + [b.label for b in at.button]
    if lang == "en":  # the file's own names and cells stay as they are; the findings are English
        assert [t for t in findings if CJK.search(t)] == []
    else:
        assert all(CJK.search(str(r["message"])) for r in rows), rows
    swap = [b for b in at.button if b.label == button]
    assert len(swap) == 1
    swap[0].click().run()
    assert not at.exception
    assert at.checkbox(key="import_swap_axes").value is True
    size = translate("import.verdict_size", lang, count=24)
    usable = translate("import.verdict_usable", lang, source=path.name, size=size, errors=0, warnings=0)
    assert at.success[0].value == usable
    assert len(at.dataframe[-1].value) == 24  # every plot now in place
    assert [b for b in at.button if b.label == button] == []  # nothing left to fix


@pytest.mark.parametrize(
    ("lang", "name"),
    [
        ("zh", "2000国家大地坐标系 3度带 第39带 含带号 (EPSG:4527)"),
        ("en", "CGCS2000 3° GK zone 39, with zone prefix (EPSG:4527)"),
    ],
)
def test_missing_crs_offers_candidates_by_name_as_one_click_fixes(
    lang: str, name: str, tmp_path: Path
) -> None:
    archive = write_gbk_plot_zip(tmp_path, with_prj=False)
    at = _upload(_page(lang), archive.name, archive.read_bytes())
    assert not at.exception
    fixes = [b for b in at.button if b.label == translate("data.fix.use_crs", lang, crs=name)]
    assert len(fixes) == 1
    texts = _shown_texts(at)
    assert [t for t in texts if re.search(r"(?<!\()EPSG:\d+", t)] == []  # codes only as detail after a name
    assert [t for t in texts if CLI_FLAG.search(t)] == []
    fixes[0].click().run()
    assert not at.exception
    assert at.selectbox(key="import_crs").value == "EPSG:4527"
    assert at.success[0].value.startswith(
        translate("import.verdict_usable", lang, source="", size="", errors=0, warnings=0)[:2]
    )


def test_a_guessed_encoding_offers_the_other_encodings_as_one_click_fixes(tmp_path: Path) -> None:
    archive = write_gbk_plot_zip(tmp_path)  # GBK text without a .cpg: the encoding is guessed
    at = _upload(_page(), archive.name, archive.read_bytes())
    rows = _report(at)
    guessed = [r for r in rows if r["message"] == "文本编码是推测的（gb18030）"]
    assert len(guessed) == 1 and "“修正”" in guessed[0]["hint"] and "--encoding" not in guessed[0]["hint"]
    labels = [b.label for b in at.button if b.key and b.key.startswith("fix_encoding_")]
    assert labels == ["按 UTF-8 编码读取", "按 GBK 编码读取", "按 BIG5 编码读取"]  # not the one in use
    next(b for b in at.button if b.label == "按 GBK 编码读取").click().run()
    assert not at.exception
    assert at.selectbox(key="import_encoding").value == "GBK"
    messages = [r["message"] for r in _report(at)]
    assert "属性文本按 gb18030 解码" in messages  # GBK is read with its superset
    assert "文本编码是推测的（gb18030）" not in messages  # chosen now, not guessed
    assert not [b for b in at.button if b.key and b.key.startswith("fix_encoding_")]  # nothing guessed now


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_wrong_encoding_is_explained_in_the_page_language_with_encoding_fixes(
    lang: str, tmp_path: Path
) -> None:
    archive = write_gbk_plot_zip(tmp_path)
    at = _upload(_page(lang), archive.name, archive.read_bytes())
    at.selectbox(key="import_encoding").set_value("UTF-8").run()  # the wrong one for GBK text
    assert not at.exception
    assert (
        at.error[0].value == translate("import.failure.not_in_encoding", lang, encoding="utf-8").capitalize()
    )
    assert [t for t in _shown_texts(at) if CLI_FLAG.search(t)] == []  # not "pass --encoding"
    gbk = next(b for b in at.button if b.label == translate("data.fix.use_encoding", lang, encoding="GBK"))
    assert translate("data.fix.detect_encoding", lang) in [b.label for b in at.button]
    gbk.click().run()
    assert not at.exception
    assert at.selectbox(key="import_encoding").value == "GBK"
    size = translate("import.verdict_size", lang, count=16)
    assert at.success[0].value.startswith(
        translate("import.verdict_usable", lang, source="", size="", errors=0, warnings=0)[:2]
    )
    assert size in at.success[0].value
    assert "海淀园闲置厂房" in set(at.dataframe[-1].value["name"])


def test_an_archive_with_two_datasets_offers_the_choice_on_the_page(tmp_path: Path) -> None:
    archive = zip_two_shapefiles(tmp_path)
    at = _upload(_page(), archive.name, archive.read_bytes())
    assert not at.exception
    assert at.error[0].value == "压缩包中有 2 个数据集（海淀地块.shp, 昌平地块.shp），一次只能导入一个"
    assert [t for t in _shown_texts(at) if CLI_FLAG.search(t)] == []  # not "--layer"
    at.selectbox(key="import_layer").set_value("昌平地块").run()
    assert not at.exception
    assert at.success[0].value.startswith("可用：两个图层.zip/昌平地块.shp：12 个要素")


def test_a_crs_the_page_cannot_use_is_explained_with_the_crs_choice(tmp_path: Path) -> None:
    archive = write_gbk_plot_zip(tmp_path)
    at = _upload(_page(), archive.name, archive.read_bytes())
    at.selectbox(key="import_crs").set_value("other").run()
    at.text_input(key="import_crs_other").input("EPSG:99999").run()
    assert not at.exception
    assert at.error[0].value == "“EPSG:99999”不是可识别的坐标系"
    assert [t for t in _shown_texts(at) if CLI_FLAG.search(t)] == []  # not "--crs 'EPSG:99999'"
    at.selectbox(key="import_crs").set_value("(file)").run()
    assert not at.exception
    assert at.success[0].value.startswith("可用：bureau_plots.zip")


@pytest.mark.parametrize(
    ("lang", "plot_id", "area"), [("zh", "地块编号", "面积（m²）"), ("en", "Plot ID", "Area (m²)")]
)
def test_mapping_and_cleaned_table_name_fields_in_the_page_language(
    lang: str, plot_id: str, area: str, tmp_path: Path
) -> None:
    archive = write_gbk_plot_zip(tmp_path)
    at = _upload(_page(lang), archive.name, archive.read_bytes())
    mapping = at.selectbox(key="map_plot_id")
    assert mapping.label == plot_id and "(plot_id)" in (mapping.help or "")  # the code only as detail
    cleaned = at.dataframe[-1]
    headings = {c: v.get("label") for c, v in json.loads(cleaned.proto.columns).items()}
    assert headings["plot_id"] == plot_id and headings["area_m2"] == area
    assert set(headings) == set(cleaned.value.columns)  # every canonical column has a heading


def test_a_gcj02_offset_is_fixed_by_reading_the_file_as_gcj02_by_name(tmp_path: Path) -> None:
    path = gcj02_geojson(tmp_path)
    at = _upload(_page(), path.name, path.read_bytes())
    assert not at.exception
    offset = [
        r for r in _report(at) if str(r["message"]).startswith("坐标看起来是 高德、腾讯火星坐标，不是 WGS84")
    ]
    assert len(offset) == 1 and "“按 高德、腾讯火星坐标 读取”" in offset[0]["hint"]
    fix = next(b for b in at.button if b.label == "按 高德、腾讯火星坐标 读取")
    fix.click().run()
    assert not at.exception
    assert at.selectbox(key="import_crs").value == "gcj02"
    messages = [str(r["message"]) for r in _report(at)]
    assert "坐标已从 高德、腾讯火星坐标 转换为 WGS84 经纬度（偏移约 0.5–1 km）" in messages
    assert not [m for m in messages if m.startswith("坐标看起来是")]  # the offset is gone once converted
