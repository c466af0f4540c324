"""Plan-consistency findings against cases checked by hand in the plan text (§五(一)1–6, §五(二)1).

How the expected sets were made: for each cluster, the feature parks §五(一)n lists were
compared with the parks it names as core/focus (以……为核心 / 为重点) in the same paragraph,
and each park's lead industries in §五(二)1 with the clusters naming that park.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.coverage import tiny_plan
from zgc_geo.catalogue import load_layer
from zgc_geo.coverage.findings import (
    FINDING_KINDS,
    CoverageFinding,
    findings_for_cluster,
    findings_table,
    industry_clusters,
    plan_findings,
)
from zgc_geo.plan_data import PlanData

CLUSTERS = (
    "frontier_it",
    "bio_health",
    "smart_mfg_materials",
    "eco_energy",
    "modern_transport",
    "emerging_services",
)
#: Feature parks lying outside their cluster's core/focus parks, with the park that hosts them.
OUTSIDE_CORE = {
    # §五(一)1 (core: 海淀、朝阳、亦庄)
    ("frontier_it", "miyun_future_network_park", "miyun"),  # 密云未来网络产业园
    ("frontier_it", "intl_electronics_hq", "fengtai"),  # 国际电子总部
    ("frontier_it", "yanqing_great_wall_home", "yanqing"),  # 延庆园—中关村长城脚下创新家园
    # §五(一)2 (core: 海淀、昌平、大兴-亦庄、通州)
    ("bio_health", "yanqing_circular_agri_park", "yanqing"),  # 延庆循环农业科技示范园
    # §五(一)3 (focus: 海淀、昌平、大兴-亦庄、丰台、房山、顺义、门头沟)
    ("smart_mfg_materials", "pinggu_general_aviation_base", "pinggu"),
    ("smart_mfg_materials", "miyun_smart_equipment_park", "miyun"),
    ("smart_mfg_materials", "huairou_nano_park", "huairou"),
    # §五(一)4 (focus: 海淀、昌平、大兴-亦庄、石景山、延庆)
    ("eco_energy", "changxindian_eco_city", "fengtai"),
    ("eco_energy", "tongzhou_jinqiao_base", "tongzhou"),
    ("eco_energy", "huairou_yanqi_zone", "huairou"),
    ("eco_energy", "pinggu_mafang_park", "pinggu"),
    # §五(一)5 (core: 海淀、丰台、大兴-亦庄、房山、昌平、顺义)
    ("modern_transport", "tongzhou_iov_base", "tongzhou"),
    # §五(一)6 (focus: 海淀、东城、西城、朝阳、丰台、石景山、大兴-亦庄)
    ("emerging_services", "huairou_sci_tech_services_park", "huairou"),
    ("emerging_services", "mentougou_internet_services_base", "mentougou"),
    ("emerging_services", "miyun_eco_business_district", "miyun"),
    ("emerging_services", "fangshan_internet_finance_park", "fangshan"),
    ("emerging_services", "beijing_ecommerce_cbd", "tongzhou"),
}
#: Core/focus parks hosting none of the cluster's feature parks.
CORE_WITHOUT = {
    ("chaoyang", "frontier_it"),
    ("haidian", "bio_health"),
    ("haidian", "eco_energy"),
    ("shijingshan", "eco_energy"),
    ("dongcheng", "emerging_services"),
}
#: Lead industries of §五(二)1 outside every cluster the park is core/focus for.
UNMATCHED = {
    ("chaoyang", "生物医药"),
    ("fengtai", "应急救援"),
    ("fengtai", "军民融合"),
    ("shijingshan", "信息服务"),
    ("mentougou", "医药健康"),
    ("mentougou", "节能环保"),
    ("tongzhou", "信息服务"),
    ("tongzhou", "金融服务"),
    ("shunyi", "新一代信息技术"),
    ("daxing_yizhuang", "现代物流"),
    ("changping", "信息技术"),
    ("pinggu", "通用航空"),
    ("pinggu", "智能制造"),
    ("pinggu", "现代农业"),
    ("huairou", "纳米科技"),
    ("huairou", "文化创意"),
    ("huairou", "科技服务业"),
    ("miyun", "新一代信息技术"),
    ("miyun", "智能制造"),
    ("miyun", "生物医药"),
    ("yanqing", "现代服务业"),
}


@pytest.fixture(scope="module")
def findings(plan: PlanData) -> list[CoverageFinding]:
    return plan_findings(plan)


def of_kind(findings: list[CoverageFinding], kind: str) -> list[CoverageFinding]:
    return [f for f in findings if f.kind == kind]


def test_feature_parks_outside_their_clusters_core_parks(findings: list[CoverageFinding]) -> None:
    found = of_kind(findings, "feature_park_outside_core")
    assert {(f.cluster_id, f.place_ids[0], f.park_id) for f in found} == OUTSIDE_CORE
    great_wall = next(f for f in found if f.place_ids == ("yanqing_great_wall_home",))
    assert great_wall.sections == ("§五(一)1",)
    assert "延庆园—中关村长城脚下创新家园" in great_wall.message_zh
    assert "延庆园不在其列" in great_wall.message_zh
    assert "以海淀园、朝阳园、大兴-亦庄园为核心" in great_wall.message_zh
    assert "not one of the cluster's core parks" in great_wall.message_en
    # §五(一)3 says 为重点, and the message keeps the plan's word
    pinggu = next(f for f in found if f.place_ids == ("pinggu_general_aviation_base",))
    assert "为重点" in pinggu.message_zh and "focus parks" in pinggu.message_en
    # a host park that is only zgc-geo's guess is flagged as such
    assert "not confirmed" in pinggu.message_en and "未经核实" in pinggu.message_zh


def test_core_parks_without_a_feature_park(findings: list[CoverageFinding]) -> None:
    found = of_kind(findings, "core_without_feature_park")
    assert {(f.park_id, f.cluster_id) for f in found} == CORE_WITHOUT
    chaoyang = next(f for f in found if f.park_id == "chaoyang")
    assert chaoyang.sections == ("§五(一)1",)
    assert "朝阳园是前沿信息产业创新集群的核心园区" in chaoyang.message_zh
    dongcheng = next(f for f in found if f.park_id == "dongcheng")
    assert "重点园区" in dongcheng.message_zh and "focus park" in dongcheng.message_en


def test_lead_industries_matching_none_of_the_parks_clusters(findings: list[CoverageFinding]) -> None:
    found = of_kind(findings, "lead_industry_unmatched")
    pairs = {(f.park_id, term) for f in found for _, term in UNMATCHED if f"“{term}”" in f.message_zh}
    assert pairs == UNMATCHED and len(found) == len(UNMATCHED)
    assert all(f.sections[0] == "§五(二)1" for f in found)
    rescue = next(f for f in found if "应急救援" in f.message_zh)
    assert rescue.cluster_id is None and "belongs to no cluster" in rescue.message_en
    chaoyang = next(f for f in found if f.park_id == "chaoyang")
    assert chaoyang.cluster_id == "bio_health" and "§五(一)2" in chaoyang.sections
    miyun = [f for f in found if f.park_id == "miyun"]
    assert all("不是任何集群的核心或重点园区" in f.message_zh for f in miyun)
    # 海淀园 is named by all six clusters: 大数据、大智造、大服务、大健康、大生态、大文化 all match
    assert not [f for f in found if f.park_id in {"haidian", "fangshan"}]


def test_every_finding_cites_the_plan(findings: list[CoverageFinding]) -> None:
    assert {f.kind for f in findings} == set(FINDING_KINDS)
    assert all(f.sections and all(s.startswith("§") for s in f.sections) for f in findings)
    assert all(f.message_zh and f.message_en for f in findings)


def test_keyword_table_covers_every_lead_industry(plan: PlanData) -> None:
    keywords = load_layer("industry_cluster_keywords")
    clusters = set(plan.clusters["cluster_id"])
    assert set(keywords["cluster_id"]) - {""} <= clusters
    assert (keywords["note"].str.len() > 0).all()
    judged = keywords.set_index("keyword")["note"]
    assert judged["现代农业"].startswith("judgement") and "都市现代农业创新中心" in judged["现代农业"]
    for terms in plan.parks["lead_industries"]:
        for term in terms:
            assert industry_clusters(term, keywords)[0], f"{term} is not in the keyword table"


def test_matching_takes_the_longest_keyword_and_splits_compounds() -> None:
    keywords = pd.DataFrame(
        {
            "keyword": ["新能源", "新能源汽车", "健康医疗", "现代服务业", "应急救援"],
            "cluster_id": ["eco", "transport", "bio", "services", ""],
        }
    )
    assert industry_clusters("新能源汽车", keywords) == (["新能源汽车"], ["transport"])
    assert industry_clusters("健康医疗等现代服务业", keywords) == (
        ["健康医疗", "现代服务业"],
        ["bio", "services"],
    )
    assert industry_clusters("应急救援", keywords) == (["应急救援"], [])
    assert industry_clusters("太空采矿", keywords) == ([], [])


def test_tiny_plan_findings(plan: PlanData) -> None:
    keywords = pd.DataFrame(
        {"keyword": ["新能源汽车", "健康医疗", "现代服务业"], "cluster_id": ["c1", "c2", "c2"]}
    )
    found = plan_findings(tiny_plan(plan), keywords)
    # both feature parks are in their own cluster's park, so only the unknown industry is flagged
    assert [(f.kind, f.park_id) for f in found] == [("lead_industry_unmatched", "pb")]
    assert "太空采矿" in found[0].message_zh and "industry_cluster_keywords.csv" in found[0].message_en


def test_findings_table(findings: list[CoverageFinding]) -> None:
    table = findings_table(findings)
    assert list(table.columns) == [
        "kind",
        "park_id",
        "cluster_id",
        "message_zh",
        "message_en",
        "sections",
        "place_ids",
    ]
    assert len(table) == len(findings)
    assert findings_table([]).empty


def test_english_messages_name_everything_in_english(plan: PlanData) -> None:
    """#13 item 15: no Chinese park name, industry or bare id list in an English finding."""
    findings = plan_findings(plan)
    for f in findings:
        outside_sections = re.sub(r"§[^ ,;)）]*", "", f.message_en)
        assert not re.search(r"[\u4e00-\u9fff]", outside_sections), f.message_en
    great_wall = next(f for f in findings if "yanqing_great_wall_home" in f.place_ids)
    assert "lies in Yanqing Park" in great_wall.message_en
    assert "(Haidian Park, Chaoyang Park, Daxing-Yizhuang Park)" in great_wall.message_en
    assert "yanqing_great_wall_home" not in great_wall.message_en  # ids only in their own fields


def test_findings_filter_by_the_cluster_they_concern(plan: PlanData) -> None:
    findings = plan_findings(plan)
    assert findings_for_cluster(findings, None) == findings
    bio = findings_for_cluster(findings, "bio_health")
    assert bio and all("bio_health" in f.cluster_ids for f in bio)
    assert {f.kind for f in bio} == set(FINDING_KINDS)
    # A lead industry of no cluster (应急救援) concerns none; one cluster's own findings carry its id.
    rescue = next(f for f in findings if "应急救援" in f.message_zh)
    assert rescue.cluster_ids == () and all(rescue not in findings_for_cluster(findings, c) for c in CLUSTERS)
    for f in findings:
        if f.cluster_id is not None:
            assert f.cluster_id in f.cluster_ids
    # Only the three industries of no cluster (应急救援, 军民融合, 现代物流) concern no cluster.
    assert len([f for f in findings if not f.cluster_ids]) == 3
