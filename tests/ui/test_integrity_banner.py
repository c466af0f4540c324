"""A damaged workspace under AppTest: the red banner, refused edits, the admin's logged acknowledgement."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.fixture_files import write_gbk_plot_zip
from tests.ui.page_runs import run_page
from tests.ui.workspaces import INTRUDER, seed_elsewhere, tamper_gpkg
from zgc_geo.errors import AccessRefusedError
from zgc_geo.i18n import translate
from zgc_geo.settings import USER_ENV, WORKSPACE_ENV
from zgc_geo.ui.markdown_text import escaped
from zgc_geo.workspace import open_workspace

PAGES = Path(__file__).resolve().parents[2] / "zgc_geo" / "ui" / "pages"
PLOT = "demo-haidian-001"
ADMIN = "admin-wang"
#: The start of the store's finding for a changed audit row (zgc_geo/workspace/audit_chain.py).
CHANGED_ROW = "audit row 1 (import by mallory"
#: The same finding as the Chinese page shows it (zgc_geo/ui/workspace_labels.py).
CHANGED_ROW_SHOWN = "审计记录第 1 行（导入，mallory，"


@pytest.fixture
def damaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A GeoPackage workspace made by ADMIN, whose first audit row was then changed outside zgc-geo."""
    path = tmp_path / "ws.gpkg"
    monkeypatch.setenv(WORKSPACE_ENV, str(path))
    monkeypatch.setenv(USER_ENV, ADMIN)
    seed_elsewhere(path, ADMIN)
    tamper_gpkg(path)
    return path


def _stock(selected: str | None = PLOT, lang: str = "zh") -> AppTest:
    return run_page("stock", selected, lang)


def _record(at: AppTest, status: str, note: str = "") -> AppTest:
    next(s for s in at.selectbox if s.label == translate("stock.review_status", "zh")).set_value(status)
    next(t for t in at.text_area if t.label == translate("stock.note", "zh")).input(note)
    next(b for b in at.button if b.label == translate("stock.record", "zh")).click()
    at.run()
    assert not at.exception, at.exception
    return at


def _acknowledge_button(at: AppTest):
    return next(b for b in at.button if b.key.startswith("integrity_acknowledge"))


def _acknowledge(at: AppTest, note: str) -> AppTest:
    at.text_area(key="integrity_note").input(note)
    _acknowledge_button(at).click()
    at.run()
    assert not at.exception, at.exception
    return at


def _banner(at: AppTest, count: int = 1) -> str:
    heading = translate("integrity.broken", "zh", count=count)
    return next(e.value for e in at.error if heading in e.value)


def test_an_intact_workspace_shows_no_banner() -> None:
    at = _stock(selected=None)
    assert not at.error and not [w for w in at.warning if "zgc-geo" in w.value]


def test_the_banner_names_what_broke_and_edits_are_refused(damaged: Path) -> None:
    at = _stock()
    banner = _banner(at)
    assert escaped(CHANGED_ROW_SHOWN) in banner
    assert translate("integrity.refused", "zh") in banner
    assert _acknowledge_button(at).label == translate("integrity.acknowledge", "zh")

    at = _record(at, "recommended", "审查意见")
    refusal = next(e.value for e in at.error if e.value.startswith(translate("integrity.edit_refused", "zh")))
    assert "edits are refused until an admin acknowledges it" in refusal
    assert escaped(CHANGED_ROW) in refusal
    store = open_workspace(damaged)
    assert store.decision("demo", PLOT).version == 0
    assert set(store.audit_log()["action"]) == {"import"}


def test_the_admin_acknowledges_then_edits_work_again(damaged: Path) -> None:
    at = _acknowledge(_stock(), "已核实：测试中有意改动")
    assert not at.error, [e.value for e in at.error]
    assert at.success[0].value == translate("integrity.acknowledged_now", "zh", count=1)
    acknowledged = next(w.value for w in at.warning if w.value.startswith("此工作区曾在 zgc-geo 之外被改动"))
    assert escaped(ADMIN) in acknowledged

    log = open_workspace(damaged).audit_log()
    row = log[log["action"] == "acknowledge"].iloc[-1]
    assert (row["user"], row["inventory"]) == (ADMIN, "*")
    assert row["note"].startswith("已核实：测试中有意改动") and CHANGED_ROW in row["note"]

    at = _record(at, "recommended", "确认后继续审查")
    assert not at.error, [e.value for e in at.error]
    decision = open_workspace(damaged).decision("demo", PLOT)
    assert (decision.review_status, decision.updated_by) == ("recommended", ADMIN)


def test_damage_found_after_the_banner_was_drawn_is_not_acknowledged_unseen(damaged: Path) -> None:
    at = _stock()
    with sqlite3.connect(damaged) as conn:  # a forged row appended while the admin reads the banner
        conn.execute(
            'INSERT INTO zgc_audit (audit_id, change_id, time, "user", inventory, field, note, action, hash) '
            "VALUES (2, 'c', '2024-01-01T00:00:00.000Z', ?, '*', 'x', 'forged', 'import', 'forged')",
            (INTRUDER,),
        )
    conn.close()
    at = _acknowledge(at, "I saw one finding")
    assert "acknowledge" not in set(open_workspace(damaged).audit_log()["action"])
    assert escaped("审计记录第 2 行（导入，mallory，") in _banner(at, count=3)  # the row, and the head


def test_someone_else_cannot_acknowledge(damaged: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_ENV, "planner-b")
    at = _stock()
    assert not [b for b in at.button if b.key.startswith("integrity_acknowledge")]  # no form offered
    assert translate("integrity.ask_an_admin", "zh") in [c.value for c in at.caption]
    assert _banner(at)  # still red
    store = open_workspace(damaged)
    with pytest.raises(AccessRefusedError):  # and the store refuses it from any other client too
        store.acknowledge(store.verify(), user="planner-b", note="not mine to do")
    assert "acknowledge" not in set(store.audit_log()["action"])


def test_the_banner_speaks_the_pages_language(damaged: Path) -> None:
    at = _stock(lang="en")
    banner = next(e.value for e in at.error if "failed verification" in e.value)
    assert banner.startswith(f"**{translate('integrity.broken', 'en', count=1)}**")
    assert escaped("audit row 1 (import by mallory at ") in banner
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in banner)  # no Chinese left in the English banner
    assert at.expander[0].label == translate("integrity.acknowledge_heading", "en")


@pytest.mark.parametrize("page", ["siting", "coverage", "data"])
def test_every_page_that_opens_the_workspace_shows_the_banner(damaged: Path, page: str) -> None:
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=300).run()
    assert not at.exception, at.exception
    assert escaped(CHANGED_ROW_SHOWN) in _banner(at)


def test_undo_is_refused_with_the_message(damaged: Path) -> None:
    store = open_workspace(damaged)
    at = _acknowledge(_stock(), "ok")  # so that a decision can be made, then damage it
    store.record_decision("demo", PLOT, {"review_status": "deferred"}, expected_version=0, user=ADMIN)
    newest = int(store.audit_log()["audit_id"].max())
    tamper_gpkg(damaged, newest, "recommended", column="new_value")
    at.button(key="stock_undo").click()
    at.run()
    assert not at.exception, at.exception
    refusal = next(e.value for e in at.error if e.value.startswith(translate("integrity.edit_refused", "zh")))
    assert escaped(f"audit row {newest} (decide by {ADMIN}") in refusal
    assert store.decision("demo", PLOT).version == 1


def test_saving_an_import_is_refused_with_the_message(damaged: Path, tmp_path: Path) -> None:
    archive = write_gbk_plot_zip(tmp_path)
    at = AppTest.from_file(str(PAGES / "data.py"), default_timeout=300).run()
    at.file_uploader(key="upload").set_value((archive.name, archive.read_bytes(), "application/zip")).run()
    at.button(key="save_go").click()
    at.run()
    assert not at.exception, at.exception
    refusal = next(e.value for e in at.error if e.value.startswith(translate("integrity.edit_refused", "zh")))
    assert escaped(CHANGED_ROW) in refusal
    assert [i.name for i in open_workspace(damaged).inventories()] == ["demo"]
    assert at.get("download_button")  # the cleaned downloads are still offered


def test_an_empty_damaged_workspace_still_offers_the_acknowledgement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo cannot be put in while edits are refused: the page says so instead of failing."""
    path = tmp_path / "ws.gpkg"
    monkeypatch.setenv(WORKSPACE_ENV, str(path))
    monkeypatch.setenv(USER_ENV, ADMIN)
    open_workspace(path).init()
    with sqlite3.connect(path) as conn:  # a row forged into the empty log
        conn.execute(
            'INSERT INTO zgc_audit (audit_id, change_id, time, "user", inventory, field, note, action, hash) '
            "VALUES (1, 'c', '2024-01-01T00:00:00.000Z', ?, '*', 'x', 'forged', 'import', 'forged')",
            (INTRUDER,),
        )
    conn.close()
    at = _stock(selected=None)
    assert escaped(CHANGED_ROW_SHOWN) in _banner(at)
    assert at.info[0].value == translate("integrity.no_inventory", "zh")
    at = _acknowledge(at, "forged row seen")
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="stock_inventory").value == "demo"


def test_a_finding_cannot_format_the_banner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The intruder writes the values the finding quotes: they show as text, never as a link."""
    path = tmp_path / "ws.gpkg"
    monkeypatch.setenv(WORKSPACE_ENV, str(path))
    seed_elsewhere(path, ADMIN)
    tamper_gpkg(path, user="[click](http://evil.example) **now**")
    banner = _banner(_stock(selected=None))
    assert "[click](http://evil.example)" not in banner and "**now**" not in banner
    assert r"\[click\]\(http\:" in banner


def test_the_audit_table_names_actions_in_the_pages_language(damaged: Path) -> None:
    at = _acknowledge(_stock(), "ok")
    at = _record(at, "deferred")
    table = next(t for t in at.table)
    assert translate("stock.action.decide", "zh") in set(table.value[translate("stock.col.action", "zh")])


def test_a_workspace_in_a_folder_that_cannot_be_made_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "missing-folder" / "ws.gpkg"))
    at = _stock(selected=None)
    assert at.error and not at.exception


def test_the_newest_row_changed_while_the_app_runs_is_found_on_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ws.gpkg"
    monkeypatch.setenv(WORKSPACE_ENV, str(path))
    at = _stock(selected=None)  # this process seeds the workspace and verifies it up to row 1
    assert not at.error
    tamper_gpkg(path)
    at.run()
    assert escaped(CHANGED_ROW_SHOWN) in _banner(at)
