"""The siting page under AppTest: run on the demo inventory, AHP weights with CR, stale-result warning."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from zgc_geo.i18n import translate

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
        ("zh", re.compile(r"比 .+ 高 [\d.]+ 分"), "运行中保持第一"),
        ("en", re.compile(r" beats .+ by [\d.]+ points"), "stays first"),
    ],
)
def test_why_this_plot_and_not_that_one(lang: str, gap: re.Pattern[str], robust: str) -> None:
    """The comparison and the robustness findings come from the analysis, worded in the page's language."""
    at = _run_siting(lang)
    last = at.selectbox(key="why_a").options[-1]
    at.selectbox(key="why_b").set_value(last).run()
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
