"""The Data page under AppTest: upload, choose a CRS, read the report, see the cleaned table."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.fixture_files import write_gbk_plot_zip
from zgc_geo.i18n import translate

PAGE = str(Path(__file__).resolve().parents[2] / "zgc_geo" / "ui" / "pages" / "data.py")


def _page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=120).run()


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload").set_value((name, data, "application/octet-stream"))
    return at.run()


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
    assert crs_box.options[1] == "EPSG:4527"  # the best candidate comes first, after "(file)"
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
