"""Coverage and Beijing–Tianjin–Hebei pages under AppTest."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.page_runs import run_page
from zgc_geo.coverage.findings import FINDING_KINDS, plan_findings
from zgc_geo.coverage.spatial import what_if
from zgc_geo.i18n import translate
from zgc_geo.plan_data import plan_from_catalogue
from zgc_geo.ui import coverage_panel, tables

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


def _findings_text(at: AppTest) -> str:
    """Everything the findings section writes (the markdown after its heading)."""
    return "\n".join(m.value for m in at.markdown)


def test_findings_cite_sections_and_include_the_yanqing_case() -> None:
    at = _coverage()
    findings = plan_findings(plan_from_catalogue())
    yanqing = next(f for f in findings if f.park_id == "yanqing" and f.cluster_id == "frontier_it")
    text = _findings_text(at).replace("\\", "")
    # In full (no cell cuts it short), with its sections.
    assert yanqing.message_zh in text and "§五(一)1" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_findings_are_translated_and_follow_the_chosen_cluster(lang: str) -> None:
    at = run_page("coverage", lang=lang)
    findings = plan_findings(plan_from_catalogue())
    text = _findings_text(at).replace("\\", "")
    message = "message_zh" if lang == "zh" else "message_en"
    for kind in FINDING_KINDS:
        assert kind not in text  # never a snake_case code
    assert translate("coverage.finding.feature_park_outside_core", lang) in text
    # The default cluster is the first, frontier_it: its findings only.
    mine = [getattr(f, message) for f in findings if "frontier_it" in f.cluster_ids]
    others = [getattr(f, message) for f in findings if "frontier_it" not in f.cluster_ids]
    assert mine and all(m in text for m in mine)
    assert not any(m in text for m in others)
    if lang == "en":
        outside_sections = re.sub(r"§[^ ,;)）]*", "", text)
        assert not re.search(r"[\u4e00-\u9fff]", outside_sections), "Chinese in the English findings"
    at.toggle(key="cov_findings_only").set_value(False).run()
    everything = _findings_text(at).replace("\\", "")
    assert all(getattr(f, message) in everything for f in findings)


def test_another_cluster_shows_its_own_findings() -> None:
    at = _coverage()
    at.selectbox(key="cov_cluster").set_value("bio_health").run()
    findings = plan_findings(plan_from_catalogue())
    text = _findings_text(at).replace("\\", "")
    assert all(f.message_zh in text for f in findings if "bio_health" in f.cluster_ids)
    assert not any(f.message_zh in text for f in findings if "bio_health" not in f.cluster_ids)


def test_coverage_figures_are_rounded_for_reading() -> None:
    at = _coverage()
    table = next(d.value for d in at.dataframe if "covered_share" in d.value.columns)
    for column, decimals in (("covered_km2", 2), ("park_area_km2", 2), ("covered_share", 1)):
        values = table[column].dropna().to_numpy(dtype=float)
        assert (abs(values * 10**decimals - (values * 10**decimals).round()) < 1e-6).all(), column
    # Shares are shown in percent.
    assert table["covered_share"].max() > 1.0
    assert list(table.columns)[-1] == "park_id"  # the id is secondary detail, after the name


def test_what_if_site_raises_coverage_of_a_park() -> None:
    at = _coverage()
    at.selectbox(key="cov_cluster").set_value("bio_health").run()
    at.number_input(key="cov_lon").set_value(116.17)  # 房山园 良乡, far from the bio-health feature parks
    at.number_input(key="cov_lat").set_value(39.744)
    at.button(key="cov_add_site").click().run()
    table = next(d.value for d in at.dataframe if "covered_share_change" in d.value.columns)
    fangshan = table.set_index("park_id").loc["fangshan"]
    assert fangshan["covered_share_before"] < fangshan["covered_share_after"]
    assert len(at.get("download_button")) == 2  # the comparison as CSV and Excel
    at.button(key="cov_clear_sites").click().run()
    assert len(at.get("download_button")) == 0
    assert not any("covered_share_change" in d.value.columns for d in at.dataframe)


def test_bth_page_lists_zones_distances_and_steering() -> None:
    at = AppTest.from_file(str(PAGES / "bth.py"), default_timeout=300).run()
    assert not at.exception and not at.error
    zones = at.dataframe[0].value
    assert len(zones) == 6
    tianjin = zones.set_index("name_zh").loc["天津滨海－中关村科技园"]
    assert 100 < tianjin["km_to_core"] < 200
    assert any("§六(一)1" in m.value for m in at.markdown)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bth_zone_table_names_groups_and_accuracy_in_words(lang: str) -> None:
    at = run_page("bth", lang=lang)
    zones = at.dataframe[0].value
    raw = {"approximate (±5 km)", "administrative boundary", "indicative (±15 km)", "approximate (±10 km)"}
    if lang == "zh":
        assert not set(zones["location_accuracy"]) & raw
        assert all(re.search(r"[\u4e00-\u9fff]", a) for a in zones["location_accuracy"])
    else:
        assert "drawn as the administrative boundary" in set(zones["location_accuracy"])
    assert not set(zones["group"]) & {"4", "N", "winter_olympics"}


def test_what_if_files_are_headed_in_the_language_and_rounded(monkeypatch: pytest.MonkeyPatch) -> None:
    english = lambda key, **fmt: translate(key, "en", **fmt)  # noqa: E731
    monkeypatch.setattr(coverage_panel, "tr", english)
    monkeypatch.setattr(tables, "tr", english)
    monkeypatch.setattr(coverage_panel, "local", lambda zh, en: en)
    monkeypatch.setattr(coverage_panel, "current_lang", lambda: "en")
    plan = plan_from_catalogue()
    table = what_if(plan, "bio_health", 3000, [(116.17, 39.744)])
    csv, xlsx = coverage_panel.what_if_files(
        plan, table, sites=[(116.17, 39.744)], cluster_name="Bio-health", radius_km=3.0
    )
    frame = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    share = translate(
        "coverage.percent_heading", "en", heading=translate("coverage.col.covered_share_after", "en")
    )
    assert share in frame.columns
    assert frame[share].max() > 1.0 and (frame[share] * 10 == (frame[share] * 10).round()).all()
    assert "Fangshan Park" in set(frame[translate("coverage.col.park", "en")])
    assert not any("_" in c for c in frame.columns[:-1])  # headings, not column ids
    sheets = pd.read_excel(io.BytesIO(xlsx), sheet_name=None)
    assert list(sheets) == [
        translate("coverage.sheet_comparison", "en"),
        translate("coverage.sheet_sites", "en"),
        "Fields",  # every workbook says which field each heading shows
    ]
    assert "covered_share_after" in set(sheets["Fields"]["Field"])
    sites = sheets[translate("coverage.sheet_sites", "en")]
    assert sites.iloc[0][translate("coverage.longitude", "en")] == pytest.approx(116.17)


@pytest.mark.parametrize(
    ("row", "english"),
    [
        ({"role": "core", "feature_parks": 1, "innovation_centres": 1}, "core · 1 place · 1 centre"),
        (
            {"role": "focus", "feature_parks": 0, "innovation_centres": 2},
            "focus · 0 places · 2 centres",
        ),
        ({"role": "", "feature_parks": 3, "innovation_centres": 0}, "3 places"),
        ({"role": "", "feature_parks": 0, "innovation_centres": 0}, ""),
    ],
)
def test_matrix_cells_count_in_good_english(
    row: dict[str, object], english: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(coverage_panel, "tr", lambda key, **fmt: translate(key, "en", **fmt))
    assert coverage_panel.cell_text(row) == english


def test_rounded_keeps_figures_to_reading_precision() -> None:
    table = pd.DataFrame(
        {
            "park_id": ["a"],
            "covered_km2_before": [1.234567],
            "covered_share_change": [0.123456],
            "plot_area_covered_ha_after": [12.3456],
            "plots_covered": [3],
        }
    )
    shown = coverage_panel.rounded(table).iloc[0]
    assert shown["covered_km2_before"] == 1.23
    assert shown["covered_share_change"] == 12.3  # percent
    assert shown["plot_area_covered_ha_after"] == 12.3
    assert shown["plots_covered"] == 3
    assert table.iloc[0]["covered_km2_before"] == 1.234567  # the analysis keeps full precision
