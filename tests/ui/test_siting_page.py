"""The siting page under AppTest: run on the demo inventory, AHP weights with CR, stale-result warning."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.siting.tied_plots import tied_plots
from zgc_geo.i18n import translate
from zgc_geo.settings import USER_ENV, WORKSPACE_ENV
from zgc_geo.workspace import open_workspace

PAGE = str(Path(__file__).resolve().parents[2] / "zgc_geo" / "ui" / "pages" / "siting.py")


@pytest.fixture(autouse=True)
def private_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZGC_GEO_WORKSPACE", str(tmp_path / "ws.gpkg"))


def _run_siting(lang: str = "zh") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    at.button(key="site_run").click().run()
    assert not at.exception, at.exception
    return at


def test_ranked_candidates_with_robustness_figure() -> None:
    at = _run_siting()
    ranking = next(d.value for d in at.dataframe if "score" in d.value.columns)
    assert ranking["rank"].iloc[0] == 1
    assert {"contrib_near_feature_parks", "contrib_in_core_parks", "contrib_near_parks"} <= set(
        ranking.columns
    )
    assert at.info and "权重 ±20% 变动下" in at.info[0].value  # the verdict, in the page's language
    labels = [b.label for b in at.get("download_button")]
    assert any("GeoTIFF" in label for label in labels) and any(".xlsx" in label for label in labels)


@pytest.mark.parametrize(
    ("lang", "gap", "robust"),
    [
        ("zh", re.compile(r"比 .+ 高 [\d.]+ 分"), "并列第一"),  # 4 demo plots in Haidian score 100
        ("en", re.compile(r" beats .+ by [\d.]+ points"), "tie for first place"),
    ],
)
def test_why_this_plot_and_not_that_one(lang: str, gap: re.Pattern[str], robust: str) -> None:
    """The comparison and the robustness findings come from the analysis, worded in the page's language."""
    at = _run_siting(lang)
    why_b = at.selectbox(key="why_b")
    why_b.select_index(len(why_b.options) - 1).run()
    lines = [m.value for m in at.markdown]
    assert any(gap.search(line) for line in lines), lines[:5]
    assert any(robust in line for line in lines), lines


def test_ahp_weights_show_the_consistency_ratio_and_flag_inconsistency() -> None:
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    at.toggle(key="site_use_ahp").set_value(True).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[translate("siting.cr", "zh")] == "0.000"  # all judgements 1: perfectly consistent
    assert metrics["距中关村园区距离"] == "0.333"  # equal weights until the user judges otherwise, by name


def test_only_the_pairs_are_judged_and_the_lower_triangle_is_their_reciprocal() -> None:
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    at.toggle(key="site_use_ahp").set_value(True).run()
    judged = next(d for d in at.dataframe if "judgement" in d.value.columns)
    assert list(judged.value.columns) == ["a", "b", "judgement"] and len(judged.value) == 3  # 3 factors
    at.session_state["siting_ahp"] = {
        "edited_rows": {0: {"judgement": "3"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, at.exception
    matrix = next(d.value for d in at.dataframe if "距中关村园区距离" in d.value.columns)
    first, second = matrix.columns[-3], matrix.columns[-2]  # the factors, in the order they were judged
    assert (matrix[second].iloc[0], matrix[first].iloc[1]) == ("3", "1/3")
    weights = {m.label: float(m.value) for m in at.metric if m.label != translate("siting.cr", "zh")}
    assert weights[first] > weights[second]


def test_changing_a_setting_marks_the_result_stale() -> None:
    at = _run_siting()
    at.slider(key="site_perturb").set_value(30).run()
    assert translate("siting.stale", "zh") in [w.value for w in at.warning]


#: A code as the analysis keys it (near_feature_parks, exclusion_zone …): never what a person reads.
CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
#: Markdown escapes, undone to compare with what the reader sees.
ESCAPE = re.compile(r"\\(.)")


def _shown_texts(at: AppTest) -> list[str]:
    """Every text the page shows: prose, notices, widget labels and options, metric labels, headings."""
    texts = [ESCAPE.sub(r"\1", m.value) for m in at.markdown]
    texts += [
        e.value
        for kind in ("title", "caption", "subheader", "info", "warning", "error")
        for e in at.get(kind)
    ]
    for kind in ("selectbox", "radio", "slider", "number_input", "toggle", "button", "text_input"):
        for widget in at.get(kind):
            texts.append(str(widget.label))
            texts += [str(option) for option in getattr(widget, "options", [])]
    texts += [m.label for m in at.metric] + [p.proto.text for p in at.get("progress")]
    for frame in at.dataframe:  # a column shows its configured label, or its id when it has none
        config = json.loads(frame.proto.columns or "{}")
        for column in frame.value.columns:
            seen = config.get(str(column), {})
            if not seen.get("hidden"):
                texts.append(seen.get("label", str(column)))
    return texts


def test_tied_plots_share_a_rank_and_the_page_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    """14 plots saturate every factor (#13 item 16): shared rank 1, the statement, no false robustness."""
    monkeypatch.setenv(USER_ENV, "planner")
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.session_state["lang"] = "zh"
    at.run()  # creates the workspace (planner is its admin) with the demo inventory
    open_workspace(os.environ[WORKSPACE_ENV]).save_inventory(
        "tied", tied_plots(), title="海淀闲置地块", source="test", user="planner"
    )
    at.run()
    at.selectbox(key="site_inv").set_value("tied").run()
    at.button(key="site_run").click().run()
    assert not at.exception, at.exception
    ranking = next(d.value for d in at.dataframe if "score" in d.value.columns)
    assert ranking["rank"].head(15).to_list() == [1] * 14 + [15]
    assert ranking["tied"].head(15).to_list() == [True] * 14 + [False]
    lines = [ESCAPE.sub(r"\1", m.value) for m in at.markdown]
    assert "**得分相同、无法区分的地块**" in lines
    assert any(
        line.startswith("- 14 个地块得分相同（100.0 分），并列第 1 名，按得分无法区分") for line in lines
    )
    assert any("距前沿信息特色园区距离：都不超过 500 m（满分）" in line for line in lines), lines
    assert any("更细的分辨率也分不开它们：调整" in line for line in lines), lines
    verdict = at.info[0].value
    assert verdict.startswith("14 个候选得分相同，并列第 1 名") and "保持不变" not in verdict
    assert not any("保持第一" in line for line in lines)  # no "BJ-000101 stays first" from a tie-break


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_code_is_shown_as_a_name(lang: str) -> None:
    """Factors, constraints, progress steps and AHP pairs by name in the page's language (item 7)."""
    at = _run_siting(lang)
    at.toggle(key="site_use_ahp").set_value(True).run()
    at.session_state["siting_ahp"] = {  # 9, 1/9, 9: as inconsistent as judgements get
        "edited_rows": {0: {"judgement": "9"}, 1: {"judgement": "1/9"}, 2: {"judgement": "9"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="site_run").click().run()
    assert not at.exception, at.exception
    plot_ids = next(d.value for d in at.dataframe if "score" in d.value.columns)["plot_id"]
    texts = _shown_texts(at)
    for plot_id in plot_ids:  # a plot's id, after its name, is the one code a reader may see
        texts = [t.replace(plot_id, "") for t in texts]
    assert any(translate("siting.inconsistent", lang, pairs="")[:8] in t for t in texts)  # the AHP warning
    codes = sorted({code for text in texts for code in CODE.findall(text)})
    assert codes == [], codes
    progress = [p.proto.text for p in at.get("progress")]
    assert progress == [translate("siting.progress.done", lang)]
    if lang == "zh":  # the old bilingual labels: "因子 Factor 1/3", "exclusion zone 排除区" …
        english = re.compile(r"\b(?:Factor|Building|Scoring|Sensitivity|Done|exclusion|protected|outside)\b")
        assert not [t for t in texts if english.search(t)]
