"""Every page on a PostGIS workspace: the same page code, the same elements as on a GeoPackage file.

The database is a real private PostgreSQL + PostGIS (tests/postgis_server.py): initialised by its
superuser, then used by the app as the login role ``zgc_app``, as a deployment would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from streamlit.testing.v1 import AppTest

from tests.fixture_files import write_gbk_plot_zip
from tests.postgis_server import PostgisDatabase
from tests.ui.workspaces import INTRUDER, seed_elsewhere
from zgc_geo.i18n import translate
from zgc_geo.settings import USER_ENV, WORKSPACE_ENV
from zgc_geo.ui.markdown_text import escaped
from zgc_geo.workspace import open_workspace

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = ROOT / "zgc_geo" / "ui" / "pages"
PLOT = "demo-haidian-001"
ADMIN = "admin-li"
SECRET = "s3cret-pw"
#: Elements whose kind and text must be the same on both backends (maps and tables are compared apart).
TEXT_KINDS = ("title", "header", "subheader", "info", "warning", "success", "error", "exception")
WIDGET_KINDS = ("selectbox", "multiselect", "radio", "slider", "number_input", "text_input", "text_area",
                "toggle", "checkbox", "button", "download_button", "metric", "expander")  # fmt: skip


@pytest.fixture
def postgis_workspace(postgis_db: PostgisDatabase, monkeypatch: pytest.MonkeyPatch) -> PostgisDatabase:
    """``ZGC_GEO_WORKSPACE`` set to the app role's URL of a workspace ADMIN initialised."""
    monkeypatch.setenv(USER_ENV, ADMIN)
    open_workspace(postgis_db.admin_url).init()
    monkeypatch.setenv(WORKSPACE_ENV, postgis_db.app_url)
    return postgis_db


def _run(page: str, **state: Any) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=300)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _elements(at: AppTest) -> list[tuple[str, str]]:
    """What the page shows, kind and text, in order; tables by their columns and length."""
    shown = [(kind, str(e.value)) for kind in TEXT_KINDS for e in at.get(kind)]
    shown += [(kind, str(w.label)) for kind in WIDGET_KINDS for w in at.get(kind)]
    shown += [("dataframe", f"{list(d.value.columns)} × {len(d.value)}") for d in at.dataframe]
    shown += [("map", str(len(json.loads(c.proto.json_args)))) for c in at.get("component_instance")]
    return shown


def _all_text(node: Any) -> Iterator[str]:
    """Every element's full content (its protobuf as text), sidebar included."""
    proto = getattr(node, "proto", None)
    if proto is not None:
        yield str(proto)
    for child in getattr(node, "children", {}).values():
        yield from _all_text(child)


@pytest.mark.parametrize("page", ["overview", "stock", "siting", "coverage", "bth", "data"])
def test_every_page_shows_the_same_on_postgis_as_on_geopackage(
    page: str, postgis_workspace: PostgisDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_postgis = _elements(_run(page))
    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "ws.gpkg"))
    on_geopackage = _elements(_run(page))
    assert on_postgis == on_geopackage


def test_the_stock_page_lists_the_demo_and_records_into_the_postgis_log(
    postgis_workspace: PostgisDatabase,
) -> None:
    at = _run("stock", stock_selected=PLOT)
    assert at.selectbox(key="stock_inventory").value == "demo"
    assert at.warning[0].value == translate("stock.synthetic_warning", "zh")
    plots = next(d.value for d in at.dataframe if "priority_rank" in d.value.columns)
    assert len(plots) == 300

    next(s for s in at.selectbox if s.label == translate("stock.review_status", "zh")).set_value("deferred")
    next(t for t in at.text_area if t.label == translate("stock.note", "zh")).input("PostGIS 上的决定")
    next(b for b in at.button if b.label == translate("stock.record", "zh")).click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value == "已记录：demo-haidian-001 → 暂缓"

    store = open_workspace(postgis_workspace.admin_url)
    log = store.audit_log("demo", PLOT)
    assert set(log["field"]) == {"review_status", "note"}
    assert set(log["user"]) == {ADMIN} and set(log["action"]) == {"decide"}
    assert store.decision("demo", PLOT).review_status == "deferred"

    at.button(key="stock_undo").click()
    at.run()
    assert at.success[0].value == "已撤销：demo-haidian-001"
    assert store.decision("demo", PLOT).review_status == "unreviewed"


def test_the_backup_of_a_postgis_workspace_is_a_geopackage(
    postgis_workspace: PostgisDatabase, tmp_path: Path
) -> None:
    at = _run("stock")
    at.button(key="stock_backup_go").click()
    at.run()
    assert not at.exception, at.exception
    name, data = at.session_state["stock_backup"]
    assert name.endswith(".gpkg") and data.startswith(b"SQLite format 3")
    assert at.get("download_button")  # offered
    copy = tmp_path / name
    copy.write_bytes(data)
    assert [i.name for i in open_workspace(copy).inventories()] == ["demo"]
    assert open_workspace(copy).verify().intact


def test_an_upload_is_saved_into_the_postgis_workspace(
    postgis_workspace: PostgisDatabase, tmp_path: Path
) -> None:
    archive = write_gbk_plot_zip(tmp_path)
    at = _run("data")
    at.file_uploader(key="upload").set_value((archive.name, archive.read_bytes(), "application/zip")).run()
    at.text_input(key="save_name").input("bureau_2024")
    at.button(key="save_go").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[-1].value.startswith("已将 16 个地块保存为“bureau_2024”")
    store = open_workspace(postgis_workspace.admin_url)
    assert "bureau_2024" in {i.name for i in store.inventories()}
    log = store.audit_log("bureau_2024")
    assert list(log["action"]) == ["import"] and list(log["user"]) == [ADMIN]


@pytest.mark.parametrize("form", ["in_user_info", "as_parameter"])
def test_the_sidebar_names_the_backend_and_never_the_password(
    postgis_workspace: PostgisDatabase, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    url, where = postgis_workspace.app_url, f"127.0.0.1:{postgis_workspace.port}/{postgis_workspace.name}"
    if form == "in_user_info":
        with_password, shown = url.replace("zgc_app@", f"zgc_app:{SECRET}@"), f"zgc_app:***@{where}"
    else:  # libpq's own form
        with_password, shown = f"{url}?password={SECRET}", f"zgc_app@{where}?password=***"
    monkeypatch.setenv(WORKSPACE_ENV, with_password)  # trust authentication ignores the password
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.sidebar.caption]
    shown = escaped(f"postgresql://{shown}")
    assert translate("sidebar.workspace", "zh", backend="PostGIS 数据库", address=shown) in captions
    for page in ("stock", "coverage", "data"):
        at.switch_page(f"zgc_geo/ui/pages/{page}.py").run()
        assert not at.exception, at.exception
        assert not [text for text in _all_text(at._tree) if SECRET in text], page

    at.sidebar.get("button_group")[0].set_value("en").run()
    assert any(c.value.startswith("Workspace: PostGIS database · ") for c in at.sidebar.caption)


def test_the_banner_shows_on_a_tampered_postgis_workspace(postgis_db: PostgisDatabase) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv(USER_ENV, ADMIN)
        env.setenv(WORKSPACE_ENV, postgis_db.app_url)
        open_workspace(postgis_db.admin_url).init()
        seed_elsewhere(postgis_db.app_url, ADMIN)
        with psycopg.connect(postgis_db.admin_url, autocommit=True) as conn:
            conn.execute("ALTER TABLE zgc_geo.zgc_audit DISABLE TRIGGER zgc_audit_no_change")
            conn.execute('UPDATE zgc_geo.zgc_audit SET "user" = %s WHERE audit_id = 1', (INTRUDER,))
        at = AppTest.from_file(str(PAGES / "stock.py"), default_timeout=300).run()
        assert not at.exception, at.exception
        banner = next(e.value for e in at.error if translate("integrity.broken", "zh", count=1) in e.value)
        assert escaped("审计记录第 1 行（导入，mallory，") in banner

        at.text_area(key="integrity_note").input("核实后确认")
        next(b for b in at.button if b.key.startswith("integrity_acknowledge_")).click()
        at.run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        log = open_workspace(postgis_db.admin_url).audit_log()
        assert log.iloc[-1]["action"] == "acknowledge" and log.iloc[-1]["user"] == ADMIN
