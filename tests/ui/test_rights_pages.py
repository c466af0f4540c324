"""The pages under each role: what a viewer, a park's editor and an admin are offered (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.page_runs import run_page
from tests.ui.test_stock_page import _record
from zgc_geo.i18n import translate
from zgc_geo.settings import USER_ENV, WORKSPACE_ENV
from zgc_geo.workspace import open_workspace

ADMIN, EDITOR, VIEWER = "规划管理员", "海淀编辑", "只读者"
HAIDIAN_PLOT, FENGTAI_PLOT = "demo-haidian-001", "demo-fengtai-001"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace whose demo inventory ADMIN put in, with a 海淀 editor and a viewer."""
    path = tmp_path / "ws.gpkg"
    monkeypatch.setenv(WORKSPACE_ENV, str(path))
    monkeypatch.setenv(USER_ENV, ADMIN)
    page("stock")  # the first admin to open a page puts the demo in
    store = open_workspace(path)
    store.grant(EDITOR, "editor", ("haidian",), by=ADMIN)
    store.grant(VIEWER, "viewer", by=ADMIN)
    return path


def page(name: str, selected: str | None = None, lang: str = "zh") -> AppTest:
    return run_page(name, selected, lang, timeout=180)


def labels(at: AppTest) -> set[str]:
    return {b.label for b in at.button} | {b.label for b in at.get("form_submit_button")}


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


@pytest.mark.parametrize("user", [VIEWER, "没有授权的人"])
def test_a_viewer_is_offered_no_edit_controls(
    workspace: Path, user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_ENV, user)
    at = page("stock", HAIDIAN_PLOT)
    offered = labels(at)
    for control in ("stock.record", "stock.undo", "stock.backup"):
        assert translate(control, "zh") not in offered
    assert any("只读" in text and "海淀园" in text for text in infos(at))
    assert translate("rights.view_only", "zh", role="只读") in [c.value for c in at.caption]


def test_an_editor_may_decide_in_their_park_only(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_ENV, EDITOR)
    at = page("stock", HAIDIAN_PLOT)
    assert translate("stock.record", "zh") in labels(at) and translate("stock.undo", "zh") in labels(at)
    assert translate("stock.backup", "zh") not in labels(at)  # the whole workspace is an admin's
    at = _record(at, "recommended", "海淀编辑的意见")
    assert not at.error and open_workspace(workspace).decision("demo", HAIDIAN_PLOT).updated_by == EDITOR
    elsewhere = page("stock", FENGTAI_PLOT)
    assert translate("stock.record", "zh") not in labels(elsewhere)
    expected = translate("rights.cannot_edit_plot", "zh", role="编辑（海淀园）", park="丰台园")
    assert expected in infos(elsewhere)
    english = page("stock", FENGTAI_PLOT, lang="en")
    assert translate(
        "rights.cannot_edit_plot", "en", role="Editor (Haidian Park)", park="Fengtai Park"
    ) in infos(english)


def test_an_admin_manages_members_on_the_data_page(workspace: Path) -> None:
    at = page("data")
    at.text_input[0].input("新编辑")
    at.selectbox[0].select("editor")
    at.multiselect[0].select("fengtai").select("outside")
    next(b for b in at.get("form_submit_button") if b.label == translate("rights.grant", "zh")).click()
    at.run()
    assert not at.exception, at.exception
    assert translate("rights.granted", "zh", user="新编辑", role="编辑（丰台园、园区外）") in [
        s.value for s in at.success
    ]
    assert open_workspace(workspace).rights("新编辑").parks == ("fengtai", "outside")
    members = next(d.value for d in at.dataframe if "granted_by" in d.value.columns)
    assert members.set_index("user").at["新编辑", "role"] == "编辑（丰台园、园区外）"


def test_a_non_admin_sees_the_members_but_cannot_grant(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_ENV, EDITOR)
    at = page("data")
    assert translate("rights.admins_only", "zh") in [c.value for c in at.caption]
    assert translate("rights.grant", "zh") not in labels(at)
