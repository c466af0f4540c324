"""The stock page under AppTest: demo out of the box, record panel, decisions, conflicts, undo."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from zgc_geo.i18n import translate
from zgc_geo.mapping.stock_map import plot_tooltips
from zgc_geo.ui.i18n import LANG_KEY
from zgc_geo.ui.stock_panel import park_bars
from zgc_geo.ui.workspace_labels import beijing_time
from zgc_geo.workspace import GeoPackageStore

PAGE = str(Path(__file__).resolve().parents[2] / "zgc_geo" / "ui" / "pages" / "stock.py")
PLOT = "demo-haidian-001"


@pytest.fixture
def workspace_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ws.gpkg"
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", str(path))
    monkeypatch.setenv("ZGC_GEO_USER", "planner-a")
    return path


def _page(selected: str | None = None, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state[LANG_KEY] = lang
    if selected:
        at.session_state["stock_selected"] = selected
    return at.run()


def _plots_table(at: AppTest):
    return next(d.value for d in at.dataframe if "priority_rank" in d.value.columns)


def _record(at: AppTest, status: str, note: str, lang: str = "zh") -> AppTest:
    next(s for s in at.selectbox if s.label == translate("stock.review_status", lang)).set_value(status)
    at.text_area[0].input(note)
    next(b for b in at.button if b.label == translate("stock.record", lang)).click()
    return at.run()


def test_demo_inventory_works_out_of_the_box(workspace_file: Path) -> None:
    at = _page()
    assert not at.exception, at.exception
    assert at.warning[0].value == translate("stock.synthetic_warning", "zh")
    assert at.selectbox(key="stock_inventory").value == "demo"
    assert at.info[0].value == translate("stock.click_hint", "zh")
    summary = at.dataframe[-1].value
    assert "海淀园" in set(summary["name_zh"])
    assert workspace_file.exists()


def test_recording_a_decision_is_stored_and_audited(workspace_file: Path) -> None:
    at = _record(_page(PLOT), "recommended", "容积率调整后自主开发")
    assert not at.exception and not at.error
    assert at.success[0].value == "已记录：demo-haidian-001 → 拟盘活"
    store = GeoPackageStore(workspace_file)
    decision = store.decision("demo", PLOT)
    assert (decision.review_status, decision.updated_by, decision.version) == ("recommended", "planner-a", 1)
    log = store.audit_log("demo", PLOT)
    assert set(log["field"]) == {"review_status", "note"}
    assert (log["note"] == "容积率调整后自主开发").all()


def test_a_stale_form_gets_a_clear_conflict_message(workspace_file: Path) -> None:
    at = _page(PLOT)  # the form holds version 0
    GeoPackageStore(workspace_file).grant("planner-b", "editor", ("haidian",), by="planner-a")
    GeoPackageStore(workspace_file).record_decision(
        "demo", PLOT, {"review_status": "deferred"}, expected_version=0, user="planner-b"
    )
    at = _record(at, "recommended", "mine")
    assert not at.exception
    assert at.error and "planner-b" in at.error[0].value
    assert GeoPackageStore(workspace_file).decision("demo", PLOT).review_status == "deferred"


def test_undo_reverts_my_last_decision(workspace_file: Path) -> None:
    at = _record(_page(PLOT), "not_suitable", "")
    at.button(key="stock_undo").click()
    at.run()
    assert not at.exception
    assert at.success[0].value == "已撤销：demo-haidian-001"
    assert [t.value for t in at.toast] == ["已撤销：demo-haidian-001"]  # seen wherever the user scrolled
    assert GeoPackageStore(workspace_file).decision("demo", PLOT).review_status == "unreviewed"


def test_after_recording_the_note_box_is_empty_and_a_toast_confirms(workspace_file: Path) -> None:
    at = _record(_page(PLOT), "recommended", "容积率调整后自主开发")
    assert [t.value for t in at.toast] == ["已记录：demo-haidian-001 → 拟盘活"]
    assert at.text_area[0].value == ""  # the note was saved; the box is ready for the next one
    at.text_area[0].input("第二条意见").run()
    at.button(key="stock_undo").click()
    at.run()
    assert at.text_area[0].value == ""


def test_a_refused_change_keeps_the_note_typed(workspace_file: Path) -> None:
    at = _page(PLOT)  # the form holds version 0
    GeoPackageStore(workspace_file).record_decision(
        "demo", PLOT, {"review_status": "deferred"}, expected_version=0, user="planner-a"
    )
    at = _record(at, "recommended", "我的意见")
    assert at.error and at.text_area[0].value == "我的意见"


def test_filters_narrow_the_table(workspace_file: Path) -> None:
    at = _page()
    before = len(_plots_table(at))
    at.multiselect(key="f_parks").set_value(["haidian"]).run()
    after = _plots_table(at)
    assert 0 < len(after) < before
    assert set(after["analysis_park_id"]) == {"海淀园"}  # the park by name, not by its id


def test_the_per_park_chart_shows_parks_only_and_says_what_is_outside() -> None:
    summary = pd.DataFrame(
        {
            "park_id": ["haidian", "fengtai", "(outside all parks)", "(total)"],
            "name_zh": ["海淀园", "丰台园", "", ""],
            "name_en": ["Haidian Park", "Fengtai Park", "", ""],
            "extra_floor_area_m2": [1200.0, 300.0, 96_000_000.0, 96_001_500.0],
        }
    )
    bars, outside = park_bars(summary, "name_zh", "extra_floor_area_m2")
    assert bars.to_dict() == {"海淀园": 1200.0, "丰台园": 300.0}
    assert outside == 96_000_000.0


def test_the_stock_page_chart_has_the_sixteen_parks_and_no_total(workspace_file: Path) -> None:
    at = _page()
    chart = at.get("vega_lite_chart")[0].proto
    bars = pa.ipc.open_stream(chart.datasets[0].data.data).read_all().to_pandas()
    names = bars.iloc[:, 0].tolist()
    assert len(names) == 16 and "海淀园" in names and "" not in names
    assert bars["extra_floor_area_m2"].max() < bars["extra_floor_area_m2"].sum() / 2  # no total bar


def test_the_plots_audit_trail_names_things_and_uses_beijing_time(workspace_file: Path) -> None:
    at = _record(_page(PLOT), "recommended", "先行")
    at.button(key="stock_undo").click()
    at.run()
    trail = at.table[0].value
    text = trail.to_string()
    assert "审查状态" in text and "待审查" in text and "拟盘活" in text  # no review_status, unreviewed …
    assert "review_status" not in text and "unreviewed" not in text and "undo of change" not in text
    times = trail.iloc[:, 0].tolist()
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", t) for t in times), times  # no "T…Z"
    assert any(note.startswith("撤销 ") for note in trail.iloc[:, 5]), trail


def test_audit_times_are_beijing_time() -> None:
    assert beijing_time("2026-12-06T17:40:18.025Z") == "2026-12-07 01:40:18"
    assert beijing_time("") == "" and beijing_time("not a time") == "not a time"


def _search(at: AppTest, query: str) -> AppTest:
    at.text_input(key="stock_search").input(query)
    return at.run()


def _selected_heading(at: AppTest) -> str:
    return next(h.value for h in at.subheader if "·" in h.value)


def test_search_finds_a_plot_by_id_and_selects_and_focuses_it(workspace_file: Path) -> None:
    at = _search(_page(), "DEMO-haidian-026")  # any case: ids are matched case-folded
    assert not at.exception, at.exception
    assert at.session_state["stock_selected"] == "demo-haidian-026"
    assert _selected_heading(at).endswith("· demo-haidian-026")  # the plot record opened
    view = at.session_state["stock_map_view"]  # the map is sent to the plot, zoomed right in
    assert view["zoom"] >= 15
    assert 39.4 < view["center"][0] < 40.3 and 115.9 < view["center"][1] < 116.8


def test_search_finds_a_plot_by_its_chinese_name(workspace_file: Path) -> None:
    at = _search(_page(), "海淀园 闲置厂房 ２６号")  # a full-width digit typed by a Chinese IME
    assert not at.exception, at.exception
    assert at.session_state["stock_selected"] == "demo-haidian-026"
    assert "海淀园 闲置厂房 26号" in _selected_heading(at)


def test_search_with_several_matches_lets_one_be_picked(workspace_file: Path) -> None:
    at = _search(_page(), "海淀园")
    hits = next(s for s in at.selectbox if s.label.startswith("找到 "))
    assert len(hits.options) > 1 and all("海淀园" in o and "（demo-haidian-" in o for o in hits.options)
    assert at.session_state["stock_selected"] == hits.value  # the best match is taken at once
    second = hits.options[1]
    hits.set_value(next(v for v in hits.options if v == second))
    at.run()
    assert second.endswith(f"（{at.session_state['stock_selected']}）")


def test_search_without_a_match_says_so(workspace_file: Path) -> None:
    at = _search(_page(), "不存在的地块")
    assert "stock_selected" not in at.session_state
    assert any("不存在的地块" in c.value for c in at.caption)


#: snake_case codes (industrial_m1, daxing_yizhuang, review_status …) standing on their own.
CODE = re.compile(r"(?<![\w\-.])[a-z]+_[a-z0-9_]+(?![\w\-])")
#: Where an id may appear as secondary detail: a rule's id after its explanation, a file name.
SECONDARY = (
    re.compile(r"规则编号 [a-z0-9_]+$"),
    re.compile(r"rule id [a-z0-9_]+$"),
    re.compile(r"\S+\.[a-z]{2,7}\b"),
)


def _texts(at: AppTest) -> Iterator[str]:
    """Everything a person reads on the page: texts, labels, options, metrics and table cells."""
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "success",
        "error",
    ):
        yield from (e.value for e in at.get(kind))
    yield from (t.value for t in at.toast)
    for kind in ("selectbox", "multiselect", "radio", "text_input", "text_area", "button", "slider"):
        for widget in at.get(kind):
            yield widget.label
            yield from (str(o) for o in getattr(widget, "options", []))
    for kind in ("metric", "expander"):
        for element in at.get(kind):
            yield element.label
            yield str(getattr(element, "value", ""))
    for table in at.table:
        yield from (str(c) for c in table.value.columns)
        yield from (str(v) for v in table.value.to_numpy().ravel())
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        for column in frame.value.columns:
            shown = config.get(str(column), {})
            if shown.get("hidden"):
                continue
            yield shown.get("label", str(column))
            yield from (v for v in frame.value[column].to_numpy() if isinstance(v, str))


def _codes_shown(at: AppTest) -> set[str]:
    found = set()
    for text in _texts(at):
        plain = text.replace("\\", "")  # Markdown escapes are not seen
        for pattern in SECONDARY:
            plain = pattern.sub("", plain)
        found |= set(CODE.findall(plain))
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_code_stands_alone_on_the_stock_page(lang: str, workspace_file: Path) -> None:
    at = _page(lang=lang)  # nothing selected: the inventory's audit log is a table
    store = GeoPackageStore(workspace_file)
    store.grant("王工", "editor", ("haidian",), by="planner-a")
    changes = {"review_status": "recommended", "mode": "cooperative", "note": "先行"}
    store.record_decision("demo", PLOT, changes, expected_version=0, user="王工")
    store.undo_last("demo", "王工")
    at.run()
    assert not at.exception, at.exception
    assert _codes_shown(at) == set()
    log = next(frame.value for frame in at.dataframe if "audit_id" in frame.value.columns)
    assert len(log) == 7  # the import, the decision's three fields and their undo
    assert translate("stock.plot_count", lang, count=300) in set(log["new_value"])  # not "300 plots"
    at = _record(_page(PLOT, lang), "not_suitable", "", lang)  # a plot's record, rules, form, audit trail
    assert not at.exception, at.exception
    assert _codes_shown(at) == set()


def test_rule_conditions_are_in_the_pages_language(workspace_file: Path) -> None:
    at = _page(PLOT)
    rules = " ".join(m.value for m in at.markdown if "§" in m.value).replace("\\", "")  # as shown
    # Fields by their names in layers/export_fields.csv, as the workbooks word the same conditions.
    assert "容积率提升空间 > 0（本地块：" in rules and "权利人已填（本地块：" in rules, rules
    assert "this plot" not in rules and "not missing" not in rules and "far_headroom" not in rules
    at = _page(PLOT, "en")
    rules = " ".join(m.value for m in at.markdown if "§" in m.value).replace("\\", "")
    assert "FAR headroom > 0 (this plot: " in rules and "Owner is given (this plot: " in rules, rules
    assert not re.search(r"[\u4e00-\u9fff]", rules.split("—")[0]), rules  # the mode is named in English too


def test_hover_text_names_the_park_not_its_id() -> None:
    plots = pd.DataFrame(
        {
            "plot_id": ["P1", "P2"],
            "name": ["甲", "乙"],
            "analysis_park_id": ["daxing_yizhuang", None],
            "area_ha": [1.0, 2.0],
            "review_status": ["unreviewed", "recommended"],
            "priority_score": [50.0, 60.0],
        }
    )
    parks = {"daxing_yizhuang": "大兴-亦庄园", "": "园外"}
    tips = plot_tooltips(plots, {"unreviewed": "待审查"}, park_labels=parks)
    assert "大兴-亦庄园" in tips["P1"] and "daxing_yizhuang" not in tips["P1"]
    assert "园外" in tips["P2"]
