"""The export panel, as an official uses it: a file to download, or an error that says why."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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
    lang, name, data, mime = at.session_state[f"{KEY}_file"]
    assert (lang, name, mime) == ("en", f"{KEY}.html", "text/html")
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
