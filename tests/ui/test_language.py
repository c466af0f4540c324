"""中文 / English: every page in both languages, the sidebar toggle, maps and exports, presentation mode."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import pytest
from streamlit.testing.v1 import AppTest

from tests.fixture_files import write_gbk_plot_zip
from zgc_geo.i18n import PLAN_REFERENCE, translate
from zgc_geo.mapping.map_controls import Legend
from zgc_geo.mapping.overview_map import build_overview_map
from zgc_geo.plan_data import PlanData
from zgc_geo.ui.map_view import PRESENTATION_HEIGHT

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = ROOT / "zgc_geo" / "ui" / "pages"
TITLES = {
    "overview": "overview.title",
    "stock": "stock.title",
    "siting": "siting.title",
    "coverage": "coverage.title",
    "bth": "bth.title",
    "data": "data.title",
}
WIDGETS = (
    "selectbox",
    "multiselect",
    "radio",
    "slider",
    "number_input",
    "text_input",
    "text_area",
    "toggle",
    "checkbox",
    "button",
    "download_button",
    "metric",
    "expander",
)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def private_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", str(tmp_path / "ws.gpkg"))


def _page(name: str, lang: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=300)
    at.session_state["lang"] = lang
    return at.run()


def _chinese(text: str) -> bool:
    return CJK.search(PLAN_REFERENCE.sub("", text)) is not None


def _interface_texts(at: AppTest) -> list[str]:
    """Titles, subheaders, widget labels, messages and table headings: the text the UI itself writes."""
    texts = [t.value for t in at.title] + [s.value for s in at.subheader]
    texts += [w.label for kind in WIDGETS for w in at.get(kind)]
    texts += [m.value for kind in ("info", "warning", "success") for m in at.get(kind)]
    for frame in at.dataframe:
        texts += [c["label"] for c in json.loads(frame.proto.columns or "{}").values() if "label" in c]
    return texts


def _map_args(at: AppTest) -> dict:
    component = next(e for e in at.main if getattr(e, "type", "") == "component_instance")
    return json.loads(component.proto.json_args)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", list(TITLES))
def test_every_page_runs_in_both_languages(page: str, lang: str) -> None:
    at = _page(page, lang)
    assert not at.exception, at.exception
    assert at.title[0].value == translate(TITLES[page], lang)
    texts = _interface_texts(at)
    assert texts, "nothing to check"
    if lang == "en":
        assert [t for t in texts if _chinese(t)] == []
    else:
        assert any(_chinese(t) for t in texts[1:])


def test_english_pages_after_interaction_stay_english(tmp_path: Path) -> None:
    """The parts that appear only after a click or an upload: record panel, results, report."""
    stock = AppTest.from_file(str(PAGES / "stock.py"), default_timeout=300)
    stock.session_state["lang"] = "en"
    stock.session_state["stock_selected"] = "demo-haidian-001"
    stock.run()
    siting = _page("siting", "en")
    siting.button(key="site_run").click().run()
    coverage = _page("coverage", "en")
    coverage.session_state["cov_matrix"] = {
        "selection": {"rows": [], "columns": [], "cells": [(15, "Frontier IT")]}
    }
    coverage.run()
    coverage.button(key="cov_add_site").click().run()
    data = _page("data", "en")
    archive = write_gbk_plot_zip(tmp_path)
    data.file_uploader(key="upload").set_value((archive.name, archive.read_bytes(), "application/zip")).run()
    for at in (stock, siting, coverage, data):
        assert not at.exception, at.exception
        # Data values: a plot's name (its heading) and the uploaded file's (the import verdict).
        named = [t for t in _interface_texts(at) if "demo-haidian-001" in t or archive.name in t]
        assert [t for t in _interface_texts(at) if _chinese(t) and t not in named] == []
    assert coverage.info[0].value.startswith("Yanqing Park × Frontier IT: ")
    headings = "".join(d.proto.columns for d in siting.dataframe)
    assert "Distance to the Frontier IT feature parks (points)" in headings


def test_titles_are_the_issues_examples() -> None:
    assert _page("overview", "zh").title[0].value == "一区多园总览"
    assert _page("overview", "en").title[0].value == "One zone, many parks"


def test_english_pages_name_data_by_their_english_columns() -> None:
    at = _page("overview", "en")
    parks = at.dataframe[0].value
    assert "Haidian Park" in set(parks["name"]) and "海淀园" not in set(parks["name"])
    bth = _page("bth", "en")
    zones = bth.dataframe[0].value
    assert json.loads(bth.dataframe[0].proto.columns)["name_zh"] == {"hidden": True}
    assert "Tianjin Binhai–Zhongguancun Science Park" in set(zones["name_en"])


def test_the_sidebar_toggle_switches_the_overview() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    toggle = at.sidebar.get("button_group")[0]
    assert (toggle.key, toggle.value) == ("lang", "zh")
    assert "分园" in {m.label for m in at.metric}
    toggle.set_value("en").run()
    assert not at.exception, at.exception
    labels = {m.label for m in at.metric}
    assert {"Parks", "Clusters", "Feature parks", "Area km²"} <= labels
    assert at.title[0].value == "One zone, many parks"
    basemaps = at.sidebar.radio(key="basemap")
    assert basemaps.label == "Basemap"
    sidebar = [*basemaps.options, *(c.value for c in at.sidebar.caption), at.sidebar.toggle[0].label]
    assert "No basemap (works offline)" in sidebar and not any(_chinese(text) for text in sidebar)
    assert "One zone, many parks" not in _map_args(at)["script"]  # the map, not the page title …
    assert "Feature parks by cluster" in _map_args(at)["script"]  # … speaks English too


def test_choices_survive_a_change_of_language() -> None:
    """The browser keeps a choice by its shown text: after a switch it must be sent the new text."""
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page("zgc_geo/ui/pages/stock.py").run()
    at.radio(key="stock_colour").set_value("review_status").run()
    at.multiselect(key="f_status").set_value(["deferred"]).run()
    at.sidebar.get("button_group")[0].set_value("en").run()
    assert not at.exception, at.exception
    colour = at.radio(key="stock_colour")
    assert (colour.value, colour.proto.set_value, colour.proto.raw_value) == (
        "review_status",
        True,
        "Review status",
    )
    statuses = at.multiselect(key="f_status")
    assert statuses.value == ["deferred"] and list(statuses.proto.raw_values) == ["Deferred"]


def test_an_english_map_has_english_labels_legend_and_layer_names(plan: PlanData) -> None:
    m = build_overview_map(plan, lang="en")
    labels = [
        e.icon.options["html"]
        for e in _walk(m)
        if isinstance(e, folium.Marker) and e.icon.options.get("class_name") == "zgc-label"
    ]
    assert len(labels) == len(plan.parks)
    assert "<b>Haidian Park</b>" in labels and not any(_chinese(label) for label in labels)
    legend = next(e for e in _walk(m) if isinstance(e, Legend))
    body = json.loads(legend.body_json.replace("<\\/", "</"))
    assert "Sub-parks" in body and "Feature parks by cluster" in body and not _chinese(body)
    layer_names = [e.layer_name for e in m._children.values() if isinstance(e, folium.FeatureGroup)]
    assert "The 16 sub-parks" in layer_names and not any(_chinese(name) for name in layer_names)
    parks = next(e for e in _walk(m) if isinstance(e, folium.GeoJson) and e.layer_name == "parks")
    tip = parks.data["features"][0]["properties"]["tooltip"]
    assert "<th>District</th>" in tip and "Dongcheng Park" in tip


def test_a_chinese_map_is_the_default(plan: PlanData) -> None:
    m = build_overview_map(plan)
    labels = [e.icon.options["html"] for e in _walk(m) if isinstance(e, folium.Marker)]
    assert "<b>海淀园</b>" in labels and "<b>Haidian Park</b>" not in labels
    legend = next(e for e in _walk(m) if isinstance(e, Legend))
    assert "特色园区（按集群）" in json.loads(legend.body_json.replace("<\\/", "</"))


def test_the_html_export_follows_the_language() -> None:
    at = _page("overview", "en")
    at.selectbox(key="overview_export_fmt").set_value(".html").run()
    at.button(key="overview_export_go").click().run()
    assert not at.exception, at.exception
    choices, name, data, mime = at.session_state["overview_export_file"]
    page = data.decode("utf-8")
    assert (choices.lang, mime) == ("en", "text/html") and name.startswith("zgc-geo_overview_")
    assert "Feature parks by cluster" in page and "特色园区（按集群）" not in page
    labels = {b.key: b.label for b in at.get("download_button")}
    assert labels["overview_export_dl"] == f"Download {name}"
    at.session_state["lang"] = "zh"
    at.run()  # a file made in English is not offered once the page is in Chinese
    assert "overview_export_dl" not in {b.key for b in at.get("download_button")}


def test_presentation_mode_gives_the_taller_map() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert _map_args(at)["height"] == 640
    at.sidebar.toggle(key="presentation").set_value(True).run()
    assert not at.exception, at.exception
    assert _map_args(at)["height"] == PRESENTATION_HEIGHT
    assert any('header[data-testid="stHeader"]' in m.value for m in at.markdown)
    assert ".zgc-label { font-size: 18px" in _map_args(at)["header"]


def _walk(element: object) -> list[object]:
    children = getattr(element, "_children", {})
    return [element, *(e for child in children.values() for e in _walk(child))]


INVENTORY_PICKERS = {
    "stock": "stock.inventory",
    "siting": "siting.inventory",
    "coverage": "coverage.inventory",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", list(INVENTORY_PICKERS))
def test_the_demo_inventory_is_named_in_the_pages_language(page: str, lang: str) -> None:
    """The demo's stored title is bilingual; each page's picker shows only its own language's title."""
    at = _page(page, lang)
    if page == "siting":  # the inventory picker appears once candidates come from an inventory
        next(r for r in at.radio if r.label == translate("siting.source", lang)).set_value("inventory").run()
    picker = next(s for s in at.selectbox if s.label == translate(INVENTORY_PICKERS[page], lang))
    demo = translate("stock.demo_inventory_title", lang)
    assert demo in picker.options
    other = "en" if lang == "zh" else "zh"
    assert not [o for o in picker.options if translate("stock.demo_inventory_title", other) in o]
    if lang == "zh":
        assert not [o for o in picker.options if re.search(r"[A-Za-z]{3,}", o)], picker.options
    else:
        assert not [o for o in picker.options if _chinese(o)], picker.options
