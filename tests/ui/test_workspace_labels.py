"""Verification findings in the page's language: every sentence the store can produce has a translation."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from zgc_geo.catalogue import load_layer
from zgc_geo.importing.plots import LAND_RIGHTS_WORDS
from zgc_geo.stock.bulk import OUTSIDE as OUTSIDE_ALL_PARKS
from zgc_geo.stock.filters import NO_CLASS
from zgc_geo.stock.inefficiency import KINDS
from zgc_geo.stock.redevelopment import MODES, Condition
from zgc_geo.stock.summary import TOTAL
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.code_labels import CODE_COLUMNS, condition_text, for_display, names_of
from zgc_geo.ui.i18n import LANG_KEY
from zgc_geo.ui.workspace_labels import FINDING_TEXTS, audit_for_people, finding_text
from zgc_geo.workspace import AUDIT_COLUMNS, REVIEW_STATUSES, GeoPackageStore
from zgc_geo.workspace.audit_chain import (
    DECISION_ROW,
    GENESIS,
    ChainState,
    check_rows,
    decision_findings,
    grant_finding,
    head_findings,
    seal,
)
from zgc_geo.workspace.rights import Grant

AT = "2026-01-02T03:04:05.678Z"
DATA_PAGE = Path(__file__).resolve().parents[2] / "zgc_geo" / "ui" / "pages" / "data.py"
ROW = ("c1", AT, "王工", "haidian", "P1", "review_status", "unreviewed", "recommended", "", "decide", 1, None)


def every_kind_of_finding() -> list:
    sealed = seal([ROW, ROW, ROW], 0, GENESIS)
    changed = [sealed[0], (*sealed[1][:2], "2000-01-01T00:00:00.000Z", *sealed[1][3:]), sealed[2]]
    findings = list(check_rows(ChainState(), changed).findings)  # row 2 edited
    findings += check_rows(ChainState(), [sealed[0], sealed[2]]).findings  # a gap
    findings += head_findings(ChainState(3, sealed[2][-1]), (5, "f" * 64))  # rows cut off the end
    findings += head_findings(ChainState(3, sealed[2][-1]), (2, "f" * 64))  # head behind the log
    audit = pd.DataFrame([r[:-1] for r in sealed], columns=list(AUDIT_COLUMNS))
    decisions = pd.DataFrame(
        [("haidian", "P1", "deferred", None, None, 3, AT, "王工"),
         ("haidian", "P9", "recommended", None, None, 1, AT, "mallory")],
        columns=list(DECISION_ROW),
    )  # fmt: skip
    findings += decision_findings(decisions, audit)
    findings += decision_findings(decisions.iloc[:0], audit)  # the decision deleted
    findings.append(
        grant_finding("王工", Grant("王工", "admin"), Grant("王工", "editor", ("haidian", "outside")))
    )
    return findings


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_finding_is_said_in_the_pages_language(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(st.session_state, LANG_KEY, lang)
    findings = every_kind_of_finding()
    assert {f.template for f in findings} == set(FINDING_TEXTS)
    for finding in findings:
        text = finding_text(finding)
        has_chinese = any("\u4e00" <= ch <= "\u9fff" for ch in text.replace("王工", ""))
        assert has_chinese == (lang == "zh"), text
        assert "{" not in text and "None" not in text, text
    changed = next(f for f in findings if f.template == "decision_changed")
    expected = "暂缓" if lang == "zh" else "Deferred"
    assert expected in finding_text(changed)


# --- codes named on the Stock page and the Data page's workspace panels (#13 item 7) ---------------

SNAKE = re.compile(r"^[a-z]+_[a-z0-9_]+$")


def _vocabulary_codes() -> dict[str, list[str]]:
    """Every code each vocabulary of CODE_COLUMNS can meet, from the data and the code that make them."""
    return {
        "park": [*cached_plan().parks["park_id"].astype(str), OUTSIDE_ALL_PARKS, TOTAL],
        "land_use": list(load_layer("land_use_classes")["class_id"]),
        "status": list(REVIEW_STATUSES),
        "inefficiency": list(KINDS),
        "efficiency": [*"ABCD", NO_CLASS],
        "mode": list(MODES),
        "land_rights": [word for word, _ in LAND_RIGHTS_WORDS],
        "yes_no": ["True", "False"],
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_code_of_every_coded_column_has_a_name(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(st.session_state, LANG_KEY, lang)
    codes = _vocabulary_codes()
    assert set(CODE_COLUMNS.values()) == set(codes)
    for kind, values in codes.items():
        names = names_of(kind)
        for code in values:
            name = names.get(code)
            assert name and not SNAKE.match(name), (kind, code, name)
            has_chinese = bool(re.search(r"[\u4e00-\u9fff]", name))
            assert has_chinese == (lang == "zh") or (kind in ("efficiency", "park") and not has_chinese), name


def test_a_frame_of_codes_is_shown_by_name_and_in_beijing_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(st.session_state, LANG_KEY, "zh")
    frame = pd.DataFrame(
        {
            "plot_id": ["P1", "P2"],
            "analysis_park_id": ["daxing_yizhuang", None],
            "land_use_class": ["industrial_m1", "logistics_warehouse"],
            "review_status": ["unreviewed", "not_suitable"],
            "inefficiency_kind": ["built_not_operating", None],
            "efficiency_class": ["D", NO_CLASS],
            "review_mode": ["startup_community", None],
            "granted_at": ["2026-01-02T03:04:05.678Z", ""],
        }
    )
    shown = for_display(frame)
    assert shown.loc[0].tolist() == [
        "P1", "大兴-亦庄园", "一类工业用地", "待审查", "建而未投", "D", "创业社区试点", "2026-01-02 11:04:05",
    ]  # fmt: skip
    assert shown.loc[1, "analysis_park_id"] == "园外" and shown.loc[1, "efficiency_class"] == "无等级"
    assert frame.loc[0, "land_use_class"] == "industrial_m1"  # the analysis keeps its codes


def test_a_grant_in_the_audit_log_is_said_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(st.session_state, LANG_KEY, "zh")
    log = pd.DataFrame(
        [(1, "c1", AT, "王工", "*", None, "role:bob", None, "editor:haidian", "", "grant", None, None)],
        columns=AUDIT_COLUMNS,
    )
    row = audit_for_people(log).iloc[0]
    assert row["field"] == "bob 的角色"
    assert "海淀园" in row["new_value"] and "editor" not in row["new_value"]
    assert row["time"] == "2026-01-02 11:04:05"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", "闲置年数 ≥ 5（本地块：12）"),
        ("en", "Years idle ≥ 5 (this plot: 12)"),
    ],
)
def test_a_rule_condition_is_said_in_the_pages_language(
    lang: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(st.session_state, LANG_KEY, lang)
    assert condition_text(Condition("years_idle", ">=", 5), 12.0) == expected
    inside = condition_text(Condition("analysis_park_id", "in", ["haidian", "changping"]), "haidian")
    assert "haidian" not in inside and ("海淀园" in inside if lang == "zh" else "Haidian" in inside)
    assert "collective" not in condition_text(Condition("land_rights", "==", "collective"), None)
    assert "not_missing" not in condition_text(Condition("owner", "not_missing"), "某公司")


def test_the_data_pages_members_table_names_roles_and_uses_beijing_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", str(tmp_path / "ws.gpkg"))
    monkeypatch.setenv("ZGC_GEO_USER", "planner-a")
    GeoPackageStore(tmp_path / "ws.gpkg").grant("王工", "editor", ("daxing_yizhuang",), by="planner-a")
    at = AppTest.from_file(str(DATA_PAGE), default_timeout=120).run()
    assert not at.exception, at.exception
    members = next(frame for frame in at.dataframe if "granted_at" in frame.value.columns).value
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", t) for t in members["granted_at"]), members
    roles = " ".join(members["role"])
    assert "大兴-亦庄园" in roles and "daxing_yizhuang" not in roles and "editor" not in roles
