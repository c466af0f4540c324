"""Where the plan's own lists disagree: feature parks, core parks and lead industries (§五(一), §五(二)1).

§五(一) builds each cluster on named parks (以……为核心 / 为重点) and then lists its feature
parks; §五(二)1 gives each park its lead industries. Three kinds of mismatch are worth a
planner's attention, because each one is either a gap to close or a deliberate spread to
defend in a park's plan:

``feature_park_outside_core``
    a cluster's feature park lies in a park that is not among the cluster's core/focus parks
    (§五(一)1 names 延庆园—中关村长城脚下创新家园, yet 延庆园 is not a core park of §五(一)1);
``core_without_feature_park``
    a core/focus park hosts none of the cluster's feature parks;
``lead_industry_unmatched``
    a lead industry of a park (§五(二)1) belongs to none of the clusters the park is core or
    focus for — matched through ``layers/industry_cluster_keywords.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd

from zgc_geo.catalogue import load_layer
from zgc_geo.coverage.matrix import PARK_SECTION, ROLE_ZH
from zgc_geo.plan_data import PlanData, feature_park_memberships, park_cluster_roles

FindingKind = Literal["feature_park_outside_core", "core_without_feature_park", "lead_industry_unmatched"]
FINDING_KINDS: Final = ("feature_park_outside_core", "core_without_feature_park", "lead_industry_unmatched")
KEYWORDS_LAYER: Final = "industry_cluster_keywords"
#: Feature-park locations graded this way name their host park only as zgc-geo's best guess.
UNSURE_ACCURACY: Final = "uncertain"


@dataclass(frozen=True)
class CoverageFinding:
    """One mismatch between the plan's lists, with the sections a reader checks it against."""

    kind: FindingKind
    park_id: str
    cluster_id: str | None
    message_zh: str
    message_en: str
    sections: tuple[str, ...]
    place_ids: tuple[str, ...] = ()
    #: Every cluster the finding is about (``cluster_id`` is None where an industry maps to several).
    cluster_ids: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.kind}: {self.message_en} [{', '.join(self.sections)}]"


def plan_findings(plan: PlanData, keywords: pd.DataFrame | None = None) -> list[CoverageFinding]:
    """Every finding of the three kinds, in park order within each kind.

    ``keywords`` is the industry → cluster table (columns ``keyword``, ``cluster_id``);
    by default the shipped ``layers/industry_cluster_keywords.csv``.
    """
    table = load_layer(KEYWORDS_LAYER) if keywords is None else keywords
    return [
        *_outside_core(plan),
        *_core_without_places(plan),
        *_unmatched_industries(plan, table),
    ]


def findings_for_cluster(findings: list[CoverageFinding], cluster_id: str | None) -> list[CoverageFinding]:
    """The findings about ``cluster_id`` (all of them for None), in their order.

    A lead industry that maps to several clusters concerns each of them; one that maps to none
    concerns no cluster and shows only in the unfiltered list.
    """
    if cluster_id is None:
        return list(findings)
    return [f for f in findings if cluster_id in f.cluster_ids]


def findings_table(findings: list[CoverageFinding]) -> pd.DataFrame:
    """The findings as a table, one row each, lists kept as lists (exporters flatten them)."""
    columns = ["kind", "park_id", "cluster_id", "message_zh", "message_en", "sections", "place_ids"]
    return pd.DataFrame(
        [
            {
                "kind": f.kind,
                "park_id": f.park_id,
                "cluster_id": f.cluster_id,
                "message_zh": f.message_zh,
                "message_en": f.message_en,
                "sections": list(f.sections),
                "place_ids": list(f.place_ids),
            }
            for f in findings
        ],
        columns=columns,
    )


def industry_clusters(term: str, keywords: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The keywords found in a lead-industry term and the clusters they map to.

    A keyword matches when it occurs in the term (§五(二)1 writes "健康医疗等现代服务业",
    "大健康产业"); a match inside a longer match is dropped, so 新能源汽车 is not also read as
    新能源. A keyword with an empty ``cluster_id`` matches but maps to no cluster.
    """
    found = [k for k in dict.fromkeys(keywords["keyword"]) if k and k in term]
    maximal = [k for k in found if not any(k != other and k in other for other in found)]
    rows = keywords[keywords["keyword"].isin(maximal)]
    clusters = [c for c in dict.fromkeys(rows["cluster_id"].fillna("")) if c]
    return maximal, clusters


def _names(plan: PlanData) -> tuple[pd.Series, pd.DataFrame]:
    return plan.parks.set_index("park_id")["name_zh"], plan.clusters.set_index("cluster_id")


def _names_en(plan: PlanData) -> pd.Series:
    """English park names; a park without one keeps its id (never its Chinese name in English text)."""
    parks = plan.parks.set_index("park_id")
    names = parks["name_en"] if "name_en" in parks.columns else pd.Series(index=parks.index, dtype=object)
    return names.where(names.notna() & (names.astype(str).str.strip() != ""), parks.index.to_series())


def _core_list_en(cluster: pd.Series, park_names_en: pd.Series) -> str:
    return ", ".join(str(park_names_en.get(p, p)) for p in cluster["core_park_ids"])


def _core_list(cluster: pd.Series, park_names: pd.Series) -> str:
    """The cluster's parks in the plan's own form, e.g. 以海淀园、朝阳园、大兴-亦庄园为核心."""
    parks = "、".join(park_names.get(p, p) for p in cluster["core_park_ids"])
    verb = "为核心" if "核心" in cluster["core_wording_zh"] else "为重点"
    return f"以{parks}{verb}"


def _outside_core(plan: PlanData) -> list[CoverageFinding]:
    park_names, clusters = _names(plan)
    names_en = _names_en(plan)
    members = feature_park_memberships(plan)
    core = {c: set(ids) for c, ids in clusters["core_park_ids"].items()}
    outside = members[
        [p not in core.get(c, set()) for p, c in zip(members["park_id"], members["cluster_id"], strict=True)]
    ]
    outside = outside.assign(order=outside["park_id"].map({p: i for i, p in enumerate(park_names.index)}))
    findings = []
    for row in outside.sort_values("order", kind="stable").itertuples(index=False):
        cluster = clusters.loc[row.cluster_id]
        park = park_names.get(row.park_id, row.park_id)
        unsure = row.location_accuracy == UNSURE_ACCURACY
        findings.append(
            CoverageFinding(
                kind="feature_park_outside_core",
                park_id=row.park_id,
                cluster_id=row.cluster_id,
                message_zh=(
                    f"{cluster['section']}列为{cluster['name_zh']}特色园区的“{row.name_zh}”位于{park}，"
                    f"而该集群{_core_list(cluster, park_names)}，{park}不在其列"
                    + ("（所在分园为 zgc-geo 推定，未经核实）" if unsure else "")
                ),
                message_en=(
                    f"{row.name_en}, a feature park of the {cluster['name_en']} "
                    f"({cluster['section']}), lies in {names_en.get(row.park_id, row.park_id)}, which is "
                    f"not one of the cluster's {_verb_en(cluster)} parks ({_core_list_en(cluster, names_en)})"
                    + ("; its host park is a zgc-geo estimate, not confirmed" if unsure else "")
                ),
                sections=_unique((cluster["section"], row.section)),
                place_ids=(row.place_id,),
                cluster_ids=(row.cluster_id,),
            )
        )
    return findings


def _verb_en(cluster: pd.Series) -> str:
    return "core" if "核心" in cluster["core_wording_zh"] else "focus"


def _core_without_places(plan: PlanData) -> list[CoverageFinding]:
    park_names, clusters = _names(plan)
    names_en = _names_en(plan)
    roles = park_cluster_roles(plan)
    hosted = set(zip(*(feature_park_memberships(plan)[c] for c in ("park_id", "cluster_id")), strict=True))
    empty = roles[[(p, c) not in hosted for p, c in zip(roles["park_id"], roles["cluster_id"], strict=True)]]
    empty = empty.assign(order=empty["park_id"].map({p: i for i, p in enumerate(park_names.index)}))
    findings = []
    for row in empty.sort_values("order", kind="stable").itertuples(index=False):
        cluster = clusters.loc[row.cluster_id]
        park = park_names.get(row.park_id, row.park_id)
        findings.append(
            CoverageFinding(
                kind="core_without_feature_park",
                park_id=row.park_id,
                cluster_id=row.cluster_id,
                message_zh=(
                    f"{park}是{cluster['name_zh']}的{ROLE_ZH[row.role]}园区"
                    f"（{cluster['section']}：{_core_list(cluster, park_names)}），"
                    f"但{cluster['section']}列出的特色园区没有一个位于{park}"
                ),
                message_en=(
                    f"{names_en.get(row.park_id, row.park_id)} is a {row.role} park of the "
                    f"{cluster['name_en']} ({cluster['section']}), but none of the feature parks "
                    f"{cluster['section']} lists lies in it"
                ),
                sections=(cluster["section"],),
                cluster_ids=(row.cluster_id,),
            )
        )
    return findings


def _unmatched_industries(plan: PlanData, keywords: pd.DataFrame) -> list[CoverageFinding]:
    roles = park_cluster_roles(plan)
    own = roles.groupby("park_id")["cluster_id"].agg(set)
    clusters = plan.clusters.set_index("cluster_id")
    names_en = _names_en(plan)
    findings = []
    for park in plan.parks.itertuples(index=False):
        led: set[str] = own.get(park.park_id, set())
        terms_en = list(getattr(park, "lead_industries_en", None) or [])
        for n, term in enumerate(park.lead_industries):
            matched, mapped = industry_clusters(term, keywords)
            if set(mapped) & led:
                continue
            # The English list runs parallel to the Chinese one; a missing entry stays in Chinese
            # inside quotes, the plan's own wording, rather than vanish.
            term_en = str(terms_en[n]) if n < len(terms_en) and terms_en[n] else term
            findings.append(
                _unmatched(
                    (park.park_id, park.name_zh, str(names_en.get(park.park_id, park.park_id))),
                    (term, term_en),
                    matched=matched,
                    mapped=mapped,
                    led=led,
                    clusters=clusters,
                )
            )
    return findings


def _unmatched(
    park: tuple[str, str, str],
    terms: tuple[str, str],
    *,
    matched: list[str],
    mapped: list[str],
    led: set[str],
    clusters: pd.DataFrame,
) -> CoverageFinding:
    park_id, park_zh, park_en = park
    term, term_en = terms
    mapped_en = ", ".join(f"the {clusters.loc[c, 'name_en']}" for c in mapped if c in clusters.index)
    mapped_zh = "、".join(clusters.loc[c, "name_zh"] for c in mapped if c in clusters.index)
    led_order = [c for c in clusters.index if c in led]
    led_zh = "、".join(clusters.loc[c, "name_zh"] for c in led_order)
    led_en = ", ".join(f"the {clusters.loc[c, 'name_en']}" for c in led_order)
    tail_zh = (
        f"而{park_zh}是核心或重点园区的集群为：{led_zh}"
        if led_zh
        else f"而{park_zh}不是任何集群的核心或重点园区"
    )
    if not matched:
        reason_zh = "不在产业—集群对照表中（layers/industry_cluster_keywords.csv），请补充"
        reason_en = (
            "is not in the industry–cluster table (layers/industry_cluster_keywords.csv); add it there"
        )
    elif not mapped:
        reason_zh = "不属于§五(一)的任何产业集群"
        reason_en = "belongs to no cluster of §五(一)"
    else:
        reason_zh = f"按产业—集群对照表对应{mapped_zh}"
        reason_en = f"maps to {mapped_en} (industry–cluster table)"
    sections = _unique(
        (PARK_SECTION, *(clusters.loc[c, "section"] for c in [*mapped, *led_order] if c in clusters.index))
    )
    return CoverageFinding(
        kind="lead_industry_unmatched",
        park_id=park_id,
        cluster_id=mapped[0] if len(mapped) == 1 else None,
        message_zh=(f"{PARK_SECTION}支持{park_zh}发展的“{term}”{reason_zh}，{tail_zh}"),
        message_en=(
            f"Lead industry “{term_en}” of {park_en} ({PARK_SECTION}) {reason_en}; the park is core or "
            f"focus for {led_en or 'no cluster'}"
        ),
        sections=sections,
        cluster_ids=tuple(c for c in mapped if c in clusters.index),
    )


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))
