"""The park × cluster matrix against the plan text (§五(一)1–6, §五(二)1), cell by hand-checked cell."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.coverage import tiny_plan
from zgc_geo.coverage.matrix import (
    CENTRE_NOTE,
    cell_label,
    coverage_matrix,
    matrix_wide,
    places_for_cell,
)
from zgc_geo.errors import OptionError
from zgc_geo.i18n import PLAN_REFERENCE
from zgc_geo.plan_data import PlanData


@pytest.fixture(scope="module")
def matrix(plan: PlanData) -> pd.DataFrame:
    return coverage_matrix(plan)


CJK = re.compile(r"[\u4e00-\u9fff]")


def cell(matrix: pd.DataFrame, park_id: str, cluster_id: str) -> pd.Series:
    return matrix.set_index(["park_id", "cluster_id"]).loc[(park_id, cluster_id)]


def test_every_park_meets_every_cluster_once(matrix: pd.DataFrame) -> None:
    assert len(matrix) == 16 * 6
    assert not matrix.duplicated(["park_id", "cluster_id"]).any()
    assert matrix["park_id"].iloc[0] == "dongcheng"  # shipped order, not alphabetical
    # §五(一)1, 2, 5 say 以……为核心 (3 + 4 + 6 parks); §五(一)3, 4, 6 say 为重点 (7 + 5 + 7)
    assert (matrix["role"] == "core").sum() == 13
    assert (matrix["role"] == "focus").sum() == 19


def test_frontier_it_in_haidian_holds_the_parks_named_in_section_1(matrix: pd.DataFrame) -> None:
    row = cell(matrix, "haidian", "frontier_it")
    assert row["role"] == "core"  # 以海淀园、朝阳园、亦庄园等园区为核心
    # §五(一)1's places in 海淀, plus 中关村科学城, which the layer also files under frontier_it
    assert set(row["feature_park_ids"]) == {
        "zgc_big_data_park",
        "xiaomi_mobile_internet_park",
        "xisanqi_jinyu_park",
        "zgc_mobile_internet_base",
        "ic_design_park",
        "smart_hardware_accelerator",
        "zgc_science_city",
    }
    assert row["feature_parks"] == 7
    assert row["centre_names"] == ["大数据与人工智能创新中心", "集成电路与智能硬件创新中心"]
    assert row["sections"] == ["§五(一)1", "§五(二)1"]


def test_hand_checked_cells(matrix: pd.DataFrame) -> None:
    chaoyang = cell(matrix, "chaoyang", "frontier_it")  # core, but no §五(一)1 place lies in 朝阳
    assert (chaoyang["role"], chaoyang["feature_parks"], chaoyang["innovation_centres"]) == ("core", 0, 2)
    yanqing = cell(matrix, "yanqing", "frontier_it")  # 延庆园—中关村长城脚下创新家园, not a core park
    assert (yanqing["role"], yanqing["feature_park_ids"], yanqing["innovation_centres"]) == (
        "",
        ["yanqing_great_wall_home"],
        0,
    )
    # §五(一)4: 延庆园 is a focus park; 延庆北京新能源产业基地与智能微电网产业园; one centre
    energy = cell(matrix, "yanqing", "eco_energy")
    assert (energy["role"], energy["feature_parks"], energy["centre_names"]) == (
        "focus",
        2,
        ["节能环保和新能源创新中心"],
    )
    # §五(一)5: three centres (轨道交通、卫星应用与位置服务、新能源汽车)
    assert cell(matrix, "fengtai", "modern_transport")["innovation_centres"] == 3
    # §五(一)6 为重点: 东城园 is named but hosts none of the section's places
    dongcheng = cell(matrix, "dongcheng", "emerging_services")
    assert (dongcheng["role"], dongcheng["feature_parks"], dongcheng["innovation_centres"]) == ("focus", 0, 0)
    assert cell(matrix, "dongcheng", "frontier_it")["sections"] == ["§五(一)1", "§五(二)1"]


def test_centres_are_counted_for_named_parks_only_and_say_why(matrix: pd.DataFrame) -> None:
    named = matrix["role"] != ""
    assert (matrix.loc[~named, "innovation_centres"] == 0).all()
    assert (matrix.loc[named, "centre_note"] == CENTRE_NOTE).all()
    assert (matrix.loc[~named, "centre_note"] == "").all()
    assert "not to parks" in CENTRE_NOTE.text("en") and "未落到分园" in CENTRE_NOTE.text("zh")
    assert not CJK.search(PLAN_REFERENCE.sub("", CENTRE_NOTE.text("en")))  # one language per file
    # each named park of a cluster carries all the cluster's centres: 10 centres in all (§五(一))
    per_cluster = matrix[named].groupby("cluster_id")["innovation_centres"].max()
    assert per_cluster.sum() == 10


def test_wide_matrix_keeps_the_plan_order(matrix: pd.DataFrame) -> None:
    wide = matrix_wide(matrix)
    assert wide.shape == (16, 6)
    assert wide.index[0] == "东城园" and wide.index[-1] == "延庆园"
    assert list(wide.columns) == [
        "前沿信息",
        "生物健康",
        "智能制造和新材料",
        "生态环境和新能源",
        "现代交通",
        "新兴服务业",
    ]
    assert wide.loc["海淀园", "前沿信息"] == 7
    assert matrix_wide(matrix, "role").loc["朝阳园", "前沿信息"] == "core"
    with pytest.raises(OptionError, match="no column 'nope'"):
        matrix_wide(matrix, "nope")


def test_cell_labels(matrix: pd.DataFrame) -> None:
    assert cell_label(cell(matrix, "chaoyang", "frontier_it")) == "核心 · 0 特色园区 · 2 创新中心"
    assert cell_label(cell(matrix, "haidian", "modern_transport")) == "核心 · 3 特色园区 · 3 创新中心"
    assert cell_label(cell(matrix, "xicheng", "emerging_services")) == "重点 · 2 特色园区"
    assert cell_label(cell(matrix, "yanqing", "frontier_it")) == "1 特色园区"
    assert cell_label(cell(matrix, "dongcheng", "frontier_it")) == ""


def test_places_behind_a_cell(plan: PlanData) -> None:
    places = places_for_cell(plan, "yanqing", "frontier_it")
    assert places["name_zh"].tolist() == ["延庆园—中关村长城脚下创新家园"]
    assert places.crs.to_epsg() == 4326
    assert places_for_cell(plan, "chaoyang", "frontier_it").empty
    with pytest.raises(OptionError, match="unknown park 'atlantis'"):
        places_for_cell(plan, "atlantis", "frontier_it")
    with pytest.raises(OptionError, match="unknown cluster"):
        places_for_cell(plan, "haidian", "quantum")


def test_tiny_plan_matrix(plan: PlanData) -> None:
    tiny = coverage_matrix(tiny_plan(plan)).set_index(["park_id", "cluster_id"])
    assert tiny.loc[("pa", "c1"), ["role", "feature_parks", "innovation_centres"]].tolist() == ["core", 1, 1]
    assert tiny.loc[("pb", "c2"), ["role", "feature_parks", "innovation_centres"]].tolist() == ["focus", 1, 0]
    assert tiny.loc[("pa", "c2"), ["role", "feature_parks"]].tolist() == ["", 0]
