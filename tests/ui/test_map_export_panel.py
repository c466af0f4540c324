"""The export panel, as an official uses it: a file to download, or an error that says why."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from zgc_geo.i18n import translate
from zgc_geo.mapping.print_layout import PrintView
from zgc_geo.ui.map_export import export_file_name

PAGE = str(Path(__file__).resolve().parents[2] / "zgc_geo" / "ui" / "pages" / "bth.py")
KEY = "bth_export"


@pytest.fixture(autouse=True)
def private_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", str(tmp_path / "ws.gpkg"))


def _bth(basemap: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.session_state["lang"] = "en"
    at.session_state["basemap"] = basemap
    return at.run()


def _downloads(at: AppTest) -> set[str]:
    return {b.key for b in at.get("download_button")}


def test_the_file_is_made_by_the_button_and_kept_across_reruns() -> None:
    at = _bth("none")
    at.selectbox(key=f"{KEY}_fmt").set_value(".html").run()
    at.text_input(key=f"{KEY}_title_en").set_value("Coordination meeting <draft>").run()
    at.button(key=f"{KEY}_go").click().run()
    assert not at.exception and not at.error
    choices, name, data, mime = at.session_state[f"{KEY}_file"]
    assert choices.fmt == ".html" and choices.lang == "en" and mime == "text/html"
    assert re.fullmatch(r"zgc-geo_bth_Coordination_meeting_draft_\d{4}-\d\d-\d\d\.html", name), name
    assert data.startswith(b"<!DOCTYPE html>")
    at.run()  # any later rerun (the map reporting its view, a widget) still offers the file
    assert f"{KEY}_dl" in _downloads(at)


@pytest.mark.slow
def test_an_online_basemap_is_refused_for_print_with_the_reason() -> None:
    at = _bth("osm")
    at.selectbox(key=f"{KEY}_fmt").set_value(".pdf").run()
    at.button(key=f"{KEY}_go").click().run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and "tile.openstreetmap.org" in at.error[0].value, [e.value for e in at.error]
    assert f"{KEY}_dl" not in _downloads(at)
    # With the offline basemap the same button works, and the old error is gone.
    at.session_state["basemap"] = "none"
    at.selectbox(key=f"{KEY}_fmt").set_value(".html").run()
    at.button(key=f"{KEY}_go").click().run()
    assert not at.error and f"{KEY}_dl" in _downloads(at)


def test_the_download_is_withdrawn_when_a_choice_changes() -> None:
    at = _bth("none")
    at.selectbox(key=f"{KEY}_fmt").set_value(".html").run()
    at.button(key=f"{KEY}_go").click().run()
    assert f"{KEY}_dl" in _downloads(at)
    at.selectbox(key=f"{KEY}_fmt").set_value(".png").run()  # the HTML file is not a PNG
    assert f"{KEY}_dl" not in _downloads(at)
    assert translate("export.stale", "en") in [c.value for c in at.caption]
    at.selectbox(key=f"{KEY}_fmt").set_value(".html").run()  # back to what the file was made with
    assert f"{KEY}_dl" in _downloads(at)


def test_file_names_say_page_content_and_date() -> None:
    day = dt.date(2026, 6, 30)
    assert export_file_name("overview", "中关村示范区 一区十六园", ".pdf", day) == (
        "zgc-geo_overview_中关村示范区_一区十六园_2026-06-30.pdf"
    )
    assert export_file_name("stock", 'a/b\\c:*?"<>|', ".png", day) == "zgc-geo_stock_a_b_c_2026-06-30.png"
    assert export_file_name("bth", "   ", ".html", day) == "zgc-geo_bth_map_2026-06-30.html"


#: A view of the BTH map as the browser would report it: zoomed in on Beijing, city names off.
VIEW = PrintView(bounds=(39.8, 116.2, 40.1, 116.6), hidden=frozenset({"City names"}))
VIEW_FIT = "fitBounds(\n                [[39.8, 116.2], [40.1, 116.6]]"


def test_the_panel_prints_the_view_on_screen_or_the_full_extent() -> None:
    at = _bth("none")
    extent = at.radio(key=f"{KEY}_extent")
    assert extent.options == [translate("export.extent_view", "en"), translate("export.extent_full", "en")]
    assert extent.value == "view"  # what is on screen, unless the user asks for the whole map
    at.session_state["bth_map_print_view"] = VIEW  # what the map component reported
    at.selectbox(key=f"{KEY}_fmt").set_value(".html").run()
    at.button(key=f"{KEY}_go").click().run()
    assert not at.exception and not at.error
    choices, _, data, _ = at.session_state[f"{KEY}_file"]
    page = data.decode("utf-8")
    assert choices.view == VIEW
    assert VIEW_FIT in page  # opens where the user was
    city_group = re.search(r'"City names"\s*:\s*(feature_group_\w+)', page)  # in the layer control
    assert city_group is not None
    assert f"{city_group.group(1)}.addTo(" not in page  # the layer they switched off stays off

    at.radio(key=f"{KEY}_extent").set_value("full").run()
    assert f"{KEY}_dl" not in _downloads(at)  # the file shows the view, not the full extent: stale
    at.button(key=f"{KEY}_go").click().run()
    choices, _, data, _ = at.session_state[f"{KEY}_file"]
    assert choices.view == PrintView(hidden=VIEW.hidden)
    assert VIEW_FIT not in data.decode("utf-8")


def test_making_the_file_shows_its_steps() -> None:
    at = _bth("none")
    at.selectbox(key=f"{KEY}_fmt").set_value(".html").run()
    at.button(key=f"{KEY}_go").click().run()
    (status,) = at.status
    assert status.label == translate("export.done", "en") and status.state == "complete"
    steps = [m.value for m in status.markdown]
    assert steps == [translate("export.step_map", "en"), translate("export.step_html", "en")]
    assert f"{KEY}_request" not in at.session_state  # done: the next run does not make it again
    at.run()
    assert not at.status and f"{KEY}_dl" in _downloads(at)
