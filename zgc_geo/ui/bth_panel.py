"""Widgets of the Beijing–Tianjin–Hebei page: the zone tables and what the plan steers there."""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st

from zgc_geo.i18n import join_names
from zgc_geo.mapping.accuracy_text import accuracy_text
from zgc_geo.mapping.overview_text import zone_group_text
from zgc_geo.plan_data import PlanData
from zgc_geo.ui.i18n import current_lang, local, tr
from zgc_geo.ui.tables import show_table

ZONE_HEADINGS: Final = {
    "name_zh": "bth.col.zone",
    "name_en": "bth.col.zone",
    "group": "bth.col.group",
    "km_to_core": "bth.col.km_to_core",
    "nearest_park": "bth.col.nearest_park",
    "km_to_nearest_park": "bth.col.km_to_nearest_park",
    "location_accuracy": "bth.col.location_accuracy",
    "section": "bth.col.section",
}
#: The regions the plan steers to (it names them only in Chinese).
REGIONS: Final = {"津冀": "bth.region_tianjin_hebei", "京津冀": "bth.region_bth"}


def zone_tables(plan: PlanData, distances: pd.DataFrame) -> None:
    """The zones with their distances to the core and the nearest park; each zone to each park (km)."""
    lang = current_lang()
    name, other = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")
    parks = pd.Series({p.park_id: local(p.name_zh, p.name_en) for p in plan.parks.itertuples()})
    table = distances.assign(
        nearest_park=distances["nearest_park_id"].map(parks),
        group=[zone_group_text(g, lang) for g in distances["group"]],
        location_accuracy=[accuracy_text(a, lang) for a in distances["location_accuracy"]],
    )
    columns = [
        name,
        other,
        "group",
        "km_to_core",
        "nearest_park",
        "km_to_nearest_park",
        "location_accuracy",
        "section",
    ]
    shown = table[columns].round({"km_to_core": 1, "km_to_nearest_park": 1})
    show_table(shown, ZONE_HEADINGS, hide=[other])
    with st.expander(tr("bth.per_park_heading")):
        per_park = table.set_index(name)[[f"km_{p}" for p in parks.index]].round(0)
        per_park.index.name = tr("bth.col.zone")
        st.dataframe(per_park.rename(columns=lambda c: parks[c.removeprefix("km_")]), width="stretch")


def steering_items(plan: PlanData, steering: pd.DataFrame) -> None:
    """Each steering item of §六(一)1: what, which clusters, where to, and the plan's words (Chinese)."""
    lang = current_lang()
    clusters = {c.cluster_id: local(c.name_zh, c.name_en) for c in plan.clusters.itertuples()}
    for item in steering.itertuples():
        names = join_names(lang, [clusters.get(c, c) for c in item.cluster_ids])
        region = tr(REGIONS[item.target_region]) if item.target_region in REGIONS else item.target_region
        st.markdown(
            f"**{local(item.item_zh, item.item_en)}**  \n"
            + tr("bth.steering_line", clusters=names, region=region, section=item.section)
            + f"  \n> {item.plan_quote_zh}"
        )
