"""What the overview map says: tooltip rows and the legend, in Chinese or English.

Kept apart from :mod:`zgc_geo.mapping.overview_map`, which draws the layers; every text here
comes from the translation table or from the plan's own language columns.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd

from zgc_geo.crs import area_km2
from zgc_geo.i18n import join_names, pick, translate
from zgc_geo.mapping import style
from zgc_geo.mapping.accuracy_text import accuracy_text
from zgc_geo.mapping.html_text import legend_html, names_detail, swatch
from zgc_geo.plan_data import PlanData, park_cluster_roles

#: What the 4 and the N of "4+N" are (§六(一)1); other groups are shown as they are.
ZONE_GROUPS = {"4": "map.zone_group_4", "N": "map.zone_group_n", "winter_olympics": "map.zone_group_winter"}


def zone_group_text(group: object, lang: str) -> str:
    """A cooperation zone's group (``4``, ``N`` …) in words; an unknown group as written."""
    return translate(ZONE_GROUPS[str(group)], lang) if str(group) in ZONE_GROUPS else str(group)


def located_rows(row: Any, lang: str) -> list[tuple[str, object]]:
    """The rows every estimated location shows: how accurate it is and where the plan names it.

    The grade is in ``lang``; the layers' location notes are written in English only, so they
    follow it on English pages and stay off Chinese ones rather than show untranslated prose.
    """
    accuracy = accuracy_text(row.location_accuracy, lang)
    note = getattr(row, "location_note", None)
    shown = f"{accuracy}: {note}" if lang == "en" and isinstance(note, str) and note.strip() else accuracy
    return [
        (translate("map.row.location", lang), shown),
        (translate("map.row.section", lang), row.section),
    ]


def park_rows(plan: PlanData, lang: str) -> list[list[tuple[str, object]]]:
    roles = park_cluster_roles(plan)
    names = {c.cluster_id: pick(lang, c.name_zh, c.name_en) for c in plan.clusters.itertuples()}
    role_words = {"core": translate("common.role_core", lang), "focus": translate("common.role_focus", lang)}
    counts = plan.feature_parks.groupby("park_id").size()
    drawn = area_km2(plan.parks).round(1)
    rows = []
    for park, drawn_km2 in zip(plan.parks.itertuples(), drawn, strict=True):
        mine = roles[roles["park_id"] == park.park_id]
        clusters = [
            translate("common.cluster_role", lang, cluster=names.get(c, c), role=role_words.get(r, r))
            for c, r in zip(mine.cluster_id, mine.role, strict=True)
        ]
        approved = "—" if pd.isna(park.planned_area_km2) else f"{park.planned_area_km2:g} km²"
        lead = pick(lang, park.lead_industries, getattr(park, "lead_industries_en", None))
        rows.append(
            [
                (
                    translate("map.row.district", lang),
                    pick(lang, park.district_zh, getattr(park, "district_en", None)),
                ),
                (translate("map.row.role", lang), pick(lang, park.role, getattr(park, "role_en", None))),
                (
                    translate("map.row.lead_industries", lang),
                    join_names(lang, lead) or translate("map.lead_not_listed", lang),
                ),
                (translate("map.row.clusters", lang), join_names(lang, clusters) or "—"),
                (translate("map.row.feature_parks", lang), int(counts.get(park.park_id, 0))),
                (translate("map.row.approved_area", lang), approved),
                (translate("map.row.drawn_area", lang), f"{drawn_km2:g} km²"),
                (
                    translate("map.row.components", lang),
                    pick(lang, getattr(park, "components", ""), getattr(park, "components_en", None)),
                ),
                (translate("map.row.accuracy", lang), accuracy_text(park.accuracy, lang)),
                (translate("map.row.source", lang), park.source),
            ]
        )
    return rows


def feature_park_tooltips(plan: PlanData, lang: str) -> list[str]:
    places = plan.feature_parks

    def names(frame: pd.DataFrame, key: str) -> dict[object, object]:
        return {k: pick(lang, r.name_zh, r.name_en) for k, r in frame.set_index(key).iterrows()}

    park_names = names(plan.parks, "park_id")
    agg_names = names(plan.service_agglomerations, "agglomeration_id")
    cluster_names = names(plan.clusters, "cluster_id")
    outside = translate("map.outside_park", lang)
    tips = []
    for p in places.itertuples():
        rows = [
            (
                translate("map.row.clusters", lang),
                join_names(lang, [cluster_names.get(c, c) for c in p.cluster_ids]),
            ),
            (
                translate("map.row.agglomeration", lang),
                agg_names.get(p.agglomeration_id, "") if p.agglomeration_id else "",
            ),
            (
                translate("map.row.host_park", lang),
                f"{park_names.get(p.park_id, p.park_id)}{'' if p.inside_park == 'yes' else outside}",
            ),
            *located_rows(p, lang),
        ]
        tips.append(names_detail(lang, p.name_zh, p.name_en, rows))
    return tips


def legend_body(plan: PlanData, lang: str, shown: Collection[str] | None = None) -> str:
    """The legend's HTML in ``lang``; with ``shown`` (overlay ids), only the entries of those layers.

    The overlay ids are the map builder's machine names (``parks``, ``districts``, ``fusion``,
    ``cooperation`` and one per cluster id), so a map cut down with ``zgc-geo map --layers``
    explains exactly what it draws. A group left with no entry is dropped; no entry at all gives "".
    """

    groups: list[tuple[str, list[tuple[str, str, str]]]] = [
        (
            "map.legend.parks",
            [
                ("parks", swatch(style.CORE_PARK_FILL, "#102a43"), translate("map.legend.core_area", lang)),
                ("parks", swatch(style.PARK_FILL, "#102a43"), translate("map.legend.sub_park", lang)),
            ],
        ),
        (
            "map.legend.feature_parks_by_cluster",
            [
                (
                    c.cluster_id,
                    swatch(style.cluster_colour(c.cluster_id), "#1b1b1b", round_=True),
                    str(pick(lang, c.short_zh, c.short_en)),
                )
                for c in plan.clusters.itertuples()
            ],
        ),
        (
            "map.legend.other",
            [
                (
                    "fusion",
                    swatch("transparent", style.FUSION_COLOUR, round_=True),
                    translate("map.legend.fusion_area", lang),
                ),
                (
                    "cooperation",
                    swatch("rgba(123,50,148,0.15)", style.COOP_COLOUR, dashed=True),
                    translate("map.legend.cooperation_zone", lang),
                ),
                (
                    "districts",
                    swatch("#ffffff", style.DISTRICT_LINE),
                    translate("map.legend.district_boundary", lang),
                ),
            ],
        ),
    ]
    parts = []
    for heading, entries in groups:
        kept = [(mark, label) for layer, mark, label in entries if shown is None or layer in shown]
        if kept:
            parts.append(legend_html(translate(heading, lang), kept))
    return "".join(parts)
