"""Park, cluster and target tables summarise the plan correctly."""

from __future__ import annotations

from zgc_geo.catalogue import layer_spec
from zgc_geo.plan_data import PlanData
from zgc_geo.plan_tables import cluster_table, headline, park_table, targets_table


def test_park_table_marks_core_and_focus_clusters(plan: PlanData) -> None:
    table = park_table(plan).set_index("park_id")
    assert len(table) == 16
    haidian = table.loc["haidian", "产业集群 Clusters"]
    assert "前沿信息产业创新集群（核心）" in haidian and "智能制造和新材料产业创新集群（重点）" in haidian
    assert haidian.count("（") == 6  # Haidian is in all six clusters
    assert table.loc["pinggu", "产业集群 Clusters"] == ""  # named in no cluster's core list
    assert table.loc["fengtai", "批复面积 Approved km²"] == 17.63


def test_cluster_table_lists_centres_and_parks(plan: PlanData) -> None:
    table = cluster_table(plan).set_index("cluster_id")
    assert "轨道交通创新中心" in table.loc["modern_transport", "创新中心 Innovation centres"]
    assert (
        table.loc["bio_health", "核心/重点园区 Core or focus parks"] == "海淀园、昌平园、大兴-亦庄园、通州园"
    )
    assert (table["特色园区数 Feature parks"] > 0).all()


def test_targets_table_has_the_eighteen_indicators_of_box_one(plan: PlanData) -> None:
    table = targets_table(plan)
    assert len(table) == 18
    row = table[table["指标 Indicator"] == "现代服务业收入占总收入比重"].iloc[0]
    assert row["2015 基期 Baseline"] == 65.7 and row["2020 目标 Target"] == ">70"


def test_headline_figures(plan: PlanData) -> None:
    figures = headline(plan, layer_spec("parks"))
    assert (figures.parks, figures.clusters, figures.innovation_centres) == (16, 6, 10)
    assert figures.approved_area_km2 == 488
    assert 0 < figures.located_feature_parks <= figures.feature_parks
    assert 100 < figures.drawn_area_km2 < 976  # within a factor of two of the approved total
