"""Plan summaries as tables: parks with their clusters, clusters with their parks, headline figures."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from zgc_geo.crs import area_km2
from zgc_geo.manifest import LayerSpec
from zgc_geo.plan_data import PlanData, feature_park_memberships, park_cluster_roles


def park_table(plan: PlanData) -> pd.DataFrame:
    """One row per park: identity, role, lead industries, cluster memberships and areas.

    Cluster memberships are written as "name (core)" / "name (focus)" after the
    plan's own wording (以……为核心 / 为重点), so the table can be read without the map.
    """
    roles = park_cluster_roles(plan)
    cluster_names = plan.clusters.set_index("cluster_id")["name_zh"]
    labelled = roles.assign(
        label=roles["cluster_id"].map(cluster_names).fillna(roles["cluster_id"])
        + roles["role"].map({"core": "（核心）", "focus": "（重点）"})
    )
    clusters_by_park = labelled.groupby("park_id")["label"].agg("、".join)
    places = plan.feature_parks.groupby("park_id").size()
    parks = plan.parks
    return pd.DataFrame(
        {
            "park_id": parks["park_id"],
            "分园 Park": parks["name_zh"] + " " + parks["name_en"],
            "所在区 District": parks["district_zh"],
            "定位 Role": parks["role"],
            "主导产业 Lead industries": parks["lead_industries"].map("、".join),
            "Lead industries (EN)": parks["lead_industries_en"].map("; ".join),
            "产业集群 Clusters": parks["park_id"].map(clusters_by_park).fillna(""),
            "特色园区数 Feature parks": parks["park_id"].map(places).fillna(0).astype(int),
            "批复面积 Approved km²": parks["planned_area_km2"],
            "示意面积 Drawn km²": area_km2(parks).round(1).to_numpy(),
            "精度 Accuracy": parks["accuracy"],
        }
    ).reset_index(drop=True)


def cluster_table(plan: PlanData) -> pd.DataFrame:
    """One row per cluster: its parks, innovation centres, key industries and feature-park count."""
    park_names = plan.parks.set_index("park_id")["name_zh"]
    centres = plan.innovation_centres.groupby("cluster_id")["name_zh"].agg("、".join)
    members = feature_park_memberships(plan).groupby("cluster_id").size()
    clusters = plan.clusters
    return pd.DataFrame(
        {
            "cluster_id": clusters["cluster_id"],
            "集群 Cluster": clusters["name_zh"] + " " + clusters["name_en"],
            "核心/重点园区 Core or focus parks": clusters["core_park_ids"].map(
                lambda ids: "、".join(park_names.get(i, i) for i in ids)
            ),
            "创新中心 Innovation centres": clusters["cluster_id"].map(centres).fillna(""),
            "重点产业 Key industries": clusters["key_industries"].map("、".join),
            "特色园区数 Feature parks": clusters["cluster_id"].map(members).fillna(0).astype(int),
            "条款 Section": clusters["section"],
        }
    )


def targets_table(plan: PlanData) -> pd.DataFrame:
    """The 2020 target system (专栏一) with 2015 baselines, ready to show."""
    t = plan.targets[plan.targets["in_target_system"].str.lower() == "true"]
    target_text = t["target_relation"].where(t["target_relation"] != "growth", "") + t["target_2020"].map(
        lambda v: "" if pd.isna(v) else f"{v:g}"
    )
    return pd.DataFrame(
        {
            "类别 Group": t["group_zh"] + " " + t["group_en"],
            "指标 Indicator": t["indicator_zh"],
            "Indicator": t["indicator_en"],
            "单位 Unit": t["unit_zh"],
            "2015 基期 Baseline": t["baseline_2015"],
            "基期说明 Baseline note": t["baseline_note"],
            "2020 目标 Target": target_text.where(target_text != "", t["target_text_zh"]),
            "规划原文 Plan wording": t["target_text_zh"],
        }
    ).reset_index(drop=True)


@dataclass(frozen=True)
class Headline:
    """Headline figures for KPI cards."""

    parks: int
    clusters: int
    feature_parks: int
    located_feature_parks: int
    innovation_centres: int
    cooperation_zones: int
    drawn_area_km2: float
    approved_area_km2: float | None


def headline(plan: PlanData, parks_spec: LayerSpec | None = None) -> Headline:
    """Counts and areas for the overview's KPI cards.

    ``located_feature_parks`` counts places positioned to within about 2 km
    (``site`` or ``area``), so nobody mistakes estimates for surveyed sites.
    """
    approved = parks_spec.extra.get("approved_total_area_km2") if parks_spec else None
    accuracy = plan.feature_parks["location_accuracy"]
    return Headline(
        parks=len(plan.parks),
        clusters=len(plan.clusters),
        feature_parks=len(plan.feature_parks),
        located_feature_parks=int(accuracy.isin(["site", "area"]).sum()),
        innovation_centres=len(plan.innovation_centres),
        cooperation_zones=len(plan.cooperation_zones),
        drawn_area_km2=float(area_km2(plan.parks).sum()),
        approved_area_km2=float(approved) if approved else None,
    )
