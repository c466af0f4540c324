"""Coverage and Beijing–Tianjin–Hebei pages under AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from zgc_geo.i18n import translate
from zgc_geo.ui import coverage_panel

PAGES = Path(__file__).resolve().parents[2] / "zgc_geo" / "ui" / "pages"


@pytest.fixture(autouse=True)
def private_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", str(tmp_path / "ws.gpkg"))


def _coverage() -> AppTest:
    at = AppTest.from_file(str(PAGES / "coverage.py"), default_timeout=300).run()
    assert not at.exception, at.exception
    return at


def test_matrix_cell_shows_its_places_and_switches_the_cluster() -> None:
    at = _coverage()
    at.session_state["cov_matrix"] = {"selection": {"rows": [], "columns": [], "cells": [(15, "前沿信息")]}}
    at.run()
    assert "延庆园 × 前沿信息：延庆园—中关村长城脚下创新家园" in at.info[0].value
    assert at.selectbox(key="cov_cluster").value == "frontier_it"


def test_findings_cite_sections_and_include_the_yanqing_case() -> None:
    at = _coverage()
    findings = next(d.value for d in at.dataframe if "kind" in d.value.columns)
    yanqing = findings[(findings["park_id"] == "yanqing") & (findings["cluster_id"] == "frontier_it")]
    assert len(yanqing) == 1 and "§五(一)1" in str(yanqing.iloc[0]["sections"])


def test_what_if_site_raises_coverage_of_a_park() -> None:
    at = _coverage()
    at.selectbox(key="cov_cluster").set_value("bio_health").run()
    at.number_input(key="cov_lon").set_value(116.17)  # 房山园 良乡, far from the bio-health feature parks
    at.number_input(key="cov_lat").set_value(39.744)
    at.button(key="cov_add_site").click().run()
    table = next(d.value for d in at.dataframe if "covered_share_change" in d.value.columns)
    fangshan = table.set_index("park_id").loc["fangshan"]
    assert fangshan["covered_share_before"] < fangshan["covered_share_after"]
    at.button(key="cov_clear_sites").click().run()
    assert not any("covered_share_change" in d.value.columns for d in at.dataframe)


def test_bth_page_lists_zones_distances_and_steering() -> None:
    at = AppTest.from_file(str(PAGES / "bth.py"), default_timeout=300).run()
    assert not at.exception and not at.error
    zones = at.dataframe[0].value
    assert len(zones) == 6
    tianjin = zones.set_index("name_zh").loc["天津滨海－中关村科技园"]
    assert 100 < tianjin["km_to_core"] < 200
    assert any("§六(一)1" in m.value for m in at.markdown)


@pytest.mark.parametrize(
    ("row", "english"),
    [
        ({"role": "core", "feature_parks": 1, "innovation_centres": 1}, "core · 1 feature park · 1 centre"),
        (
            {"role": "focus", "feature_parks": 0, "innovation_centres": 2},
            "focus · 0 feature parks · 2 centres",
        ),
        ({"role": "", "feature_parks": 3, "innovation_centres": 0}, "3 feature parks"),
        ({"role": "", "feature_parks": 0, "innovation_centres": 0}, ""),
    ],
)
def test_matrix_cells_count_in_good_english(
    row: dict[str, object], english: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(coverage_panel, "tr", lambda key, **fmt: translate(key, "en", **fmt))
    assert coverage_panel.cell_text(row) == english
