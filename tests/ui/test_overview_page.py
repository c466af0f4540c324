"""The overview page under Streamlit's AppTest: figures, tables, and errors shown as messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from zgc_geo.mapping.web_assets import STATIC_DIR_ENV

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _run() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120).run()


def test_overview_shows_headline_figures_and_tables() -> None:
    at = _run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    figures = {m.label: m.value for m in at.metric}
    assert figures["分园"] == "16"
    assert figures["产业集群"] == "6"
    assert int(figures["特色园区"]) >= 50
    assert figures["合作区 4+N"] == "6"
    assert figures["面积 km²"].endswith("/ 488")
    park_table = at.dataframe[0].value
    assert len(park_table) == 16
    assert "海淀园" in set(park_table["name"])
    assert at.title[0].value == "一区多园总览"


def test_basemap_defaults_to_offline_and_can_be_switched() -> None:
    at = _run()
    basemap = at.sidebar.radio(key="basemap")
    assert basemap.value == "none"
    basemap.set_value("osm").run()
    assert not at.exception


def test_broken_layer_is_a_message_not_a_traceback(data_copy: Path) -> None:
    (data_copy / "layers" / "innovation_centres.csv").write_text("centre_id,name_zh\nx,y\n", encoding="utf-8")
    at = _run()
    assert not at.exception
    assert at.error and "innovation_centres.csv" in at.error[0].value
    assert "missing required field(s)" in at.error[0].value


def test_missing_web_assets_say_how_to_install_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STATIC_DIR_ENV, str(tmp_path))
    at = _run()
    assert not at.exception
    assert at.error and "npm ci --prefix static" in at.error[0].value
