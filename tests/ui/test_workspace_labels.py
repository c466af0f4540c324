"""Verification findings in the page's language: every sentence the store can produce has a translation."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st

from zgc_geo.ui.i18n import LANG_KEY
from zgc_geo.ui.workspace_labels import FINDING_TEXTS, finding_text
from zgc_geo.workspace import AUDIT_COLUMNS
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
