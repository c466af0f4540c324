"""Widgets of the overview page: the headline figures and the park, cluster and target tables.

The tables are built here from the plan's language columns, so each shows one language: park
and cluster names, districts, roles and industries in Chinese or English, with column ids kept
for code and headings translated.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st

from zgc_geo.crs import area_km2
from zgc_geo.i18n import join_names
from zgc_geo.plan_data import PlanData, feature_park_memberships, park_cluster_roles
from zgc_geo.plan_tables import Headline
from zgc_geo.ui.i18n import current_lang, local, tr

PARK_HEADINGS: Final = {
    "name": "overview.col.park",
    "district": "overview.col.district",
    "role": "overview.col.role",
    "lead_industries": "overview.col.lead_industries",
    "clusters": "overview.col.clusters",
    "feature_parks": "overview.col.feature_parks",
    "approved_km2": "overview.col.approved_km2",
    "drawn_km2": "overview.col.drawn_km2",
    "accuracy": "overview.col.accuracy",
}
CLUSTER_HEADINGS: Final = {
    "name": "overview.col.cluster",
    "parks": "overview.col.core_focus_parks",
    "centres": "overview.col.centres",
    "key_industries": "overview.col.key_industries",
    "feature_parks": "overview.col.feature_parks",
    "section": "overview.col.section",
}
TARGET_HEADINGS: Final = {
    "group": "overview.col.group",
    "indicator": "overview.col.indicator",
    "unit": "overview.col.unit",
    "baseline_2015": "overview.col.baseline",
    "baseline_note": "overview.col.baseline_note",
    "target_2020": "overview.col.target",
    "plan_wording": "overview.col.plan_wording",
}
ROLE_WORDS: Final = {"core": "common.role_core", "focus": "common.role_focus"}


def headline_metrics(figures: Headline) -> None:
    """The six KPI cards."""
    cols = st.columns(6)
    cols[0].metric(tr("overview.kpi.parks"), figures.parks)
    cols[1].metric(tr("overview.kpi.clusters"), figures.clusters)
    cols[2].metric(
        tr("overview.kpi.feature_parks"),
        figures.feature_parks,
        help=tr("overview.kpi.feature_parks_help", located=figures.located_feature_parks),
    )
    cols[3].metric(tr("overview.kpi.centres"), figures.innovation_centres)
    cols[4].metric(
        tr("overview.kpi.cooperation"), figures.cooperation_zones, help=tr("overview.kpi.cooperation_help")
    )
    approved = f" / {figures.approved_area_km2:g}" if figures.approved_area_km2 else ""
    cols[5].metric(
        tr("overview.kpi.area"),
        f"{figures.drawn_area_km2:,.0f}{approved}",
        help=tr("overview.kpi.area_help"),
    )


def _names(frame: pd.DataFrame, key: str) -> dict[object, object]:
    return {k: local(r["name_zh"], r["name_en"]) for k, r in frame.set_index(key).iterrows()}


def park_frame(plan: PlanData) -> pd.DataFrame:
    """One row per park in the session's language: identity, role, industries, clusters and areas."""
    lang = current_lang()
    roles = park_cluster_roles(plan)
    cluster_names = _names(plan.clusters, "cluster_id")
    labelled = roles.assign(
        label=[
            tr("common.cluster_role", cluster=cluster_names.get(c, c), role=tr(ROLE_WORDS[r]))
            for c, r in zip(roles["cluster_id"], roles["role"], strict=True)
        ]
    )
    clusters_by_park = labelled.groupby("park_id")["label"].agg(lambda labels: join_names(lang, list(labels)))
    places = plan.feature_parks.groupby("park_id").size()
    parks = plan.parks
    return pd.DataFrame(
        {
            "park_id": parks["park_id"],
            "name": [local(zh, en) for zh, en in zip(parks["name_zh"], parks["name_en"], strict=True)],
            "district": [
                local(zh, en) for zh, en in zip(parks["district_zh"], parks["district_en"], strict=True)
            ],
            "role": [local(zh, en) for zh, en in zip(parks["role"], parks["role_en"], strict=True)],
            "lead_industries": [
                join_names(lang, local(zh, en))
                for zh, en in zip(parks["lead_industries"], parks["lead_industries_en"], strict=True)
            ],
            "clusters": parks["park_id"].map(clusters_by_park).fillna(""),
            "feature_parks": parks["park_id"].map(places).fillna(0).astype(int),
            "approved_km2": parks["planned_area_km2"],
            "drawn_km2": area_km2(parks).round(1).to_numpy(),
            "accuracy": parks["accuracy"],
        }
    ).reset_index(drop=True)


def cluster_frame(plan: PlanData) -> pd.DataFrame:
    """One row per cluster: its parks, innovation centres, key industries and feature-park count."""
    lang = current_lang()
    park_names = _names(plan.parks, "park_id")
    centres = (
        plan.innovation_centres.assign(
            name=[
                local(zh, en)
                for zh, en in zip(
                    plan.innovation_centres["name_zh"], plan.innovation_centres["name_en"], strict=True
                )
            ]
        )
        .groupby("cluster_id")["name"]
        .agg(lambda names: join_names(lang, list(names)))
    )
    members = feature_park_memberships(plan).groupby("cluster_id").size()
    clusters = plan.clusters
    return pd.DataFrame(
        {
            "cluster_id": clusters["cluster_id"],
            "name": [local(zh, en) for zh, en in zip(clusters["name_zh"], clusters["name_en"], strict=True)],
            "parks": clusters["core_park_ids"].map(
                lambda ids: join_names(lang, [park_names.get(i, i) for i in ids])
            ),
            "centres": clusters["cluster_id"].map(centres).fillna(""),
            "key_industries": [
                join_names(lang, local(zh, en))
                for zh, en in zip(clusters["key_industries"], clusters["key_industries_en"], strict=True)
            ],
            "feature_parks": clusters["cluster_id"].map(members).fillna(0).astype(int),
            "section": clusters["section"],
        }
    )


def target_frame(plan: PlanData) -> pd.DataFrame:
    """The 2020 target system (专栏一) with 2015 baselines; the plan's wording is quoted in Chinese."""
    t = plan.targets[plan.targets["in_target_system"].str.lower() == "true"]
    target_text = t["target_relation"].where(t["target_relation"] != "growth", "") + t["target_2020"].map(
        lambda v: "" if pd.isna(v) else f"{v:g}"
    )
    # Only "growth" targets have no number: the plan's words in Chinese, their gist in English.
    fallback = t["target_text_zh"] if current_lang() == "zh" else tr("overview.target_growth")
    return pd.DataFrame(
        {
            "group": [local(zh, en) for zh, en in zip(t["group_zh"], t["group_en"], strict=True)],
            "indicator": [local(zh, en) for zh, en in zip(t["indicator_zh"], t["indicator_en"], strict=True)],
            "unit": [local(zh, en) for zh, en in zip(t["unit_zh"], t["unit_en"], strict=True)],
            "baseline_2015": t["baseline_2015"],
            "baseline_note": t["baseline_note"],
            "target_2020": target_text.where(target_text != "", fallback),
            "plan_wording": t["target_text_zh"],
        }
    ).reset_index(drop=True)
