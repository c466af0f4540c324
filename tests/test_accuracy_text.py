"""Location grades and zone groups are words in the page's language, never the layers' codes (#13 item 7)."""

from __future__ import annotations

import re

import pytest

from zgc_geo.coverage.bth import core_point, zone_distances
from zgc_geo.mapping.accuracy_text import accuracy_text
from zgc_geo.mapping.bth_map import build_bth_map
from zgc_geo.mapping.coverage_map import build_coverage_map
from zgc_geo.mapping.overview_text import zone_group_text
from zgc_geo.plan_data import PlanData

CJK = re.compile(r"[\u4e00-\u9fff]")


def _grades(plan: PlanData) -> set[str]:
    return {
        *plan.parks["accuracy"],
        *plan.feature_parks["location_accuracy"],
        *plan.cooperation_zones["location_accuracy"],
        *plan.military_civil_fusion["location_accuracy"],
    }


def test_every_shipped_grade_has_words_in_both_languages(plan: PlanData) -> None:
    for grade in _grades(plan):
        zh, en = accuracy_text(grade, "zh"), accuracy_text(grade, "en")
        assert CJK.search(zh), (grade, zh)
        assert zh != grade and not CJK.search(en), (grade, en)
    assert accuracy_text("approximate (±5 km)", "zh") == "近似位置（±5 km）"
    assert accuracy_text("approximate (±5 km)", "en") == "approximate (±5 km)"


def test_unknown_or_missing_grades_are_shown_as_written() -> None:
    assert accuracy_text("surveyed 2019", "zh") == "surveyed 2019"
    assert accuracy_text(None, "zh") == "—"
    assert accuracy_text(float("nan"), "en") == "—"


@pytest.mark.parametrize("group", ["4", "N", "winter_olympics"])
def test_zone_groups_are_words(group: str) -> None:
    for lang in ("zh", "en"):
        text = zone_group_text(group, lang)
        assert text != group and "_" not in text and len(text) > 5


def test_bth_and_coverage_maps_show_no_grade_codes_in_chinese(plan: PlanData) -> None:
    bth = build_bth_map(plan, zone_distances(plan), core_point(plan), lang="zh").get_root().render()
    coverage = build_coverage_map(plan, "frontier_it", lang="zh").get_root().render()
    for page in (bth, coverage):
        decoded = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
        for code in (
            "approximate (±",
            "administrative boundary",
            "indicative (±",
            ">uncertain<",
            "winter_olympics",
        ):
            assert code not in decoded, code
