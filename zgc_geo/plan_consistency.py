"""Cross-layer consistency of the plan data: references resolve, places sit where they claim to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zgc_geo.crs import ANALYSIS_CRS, area_km2
from zgc_geo.plan_data import PlanData

Severity = Literal["error", "warning"]

#: A drawn park may differ from its approved area by at most this factor either way.
AREA_FACTOR_LIMIT: Final = 2.0
#: Parks are clipped 150 m inside their district; allow rounding and simplification noise.
DISTRICT_TOLERANCE_M: Final = 5.0


@dataclass(frozen=True)
class Finding:
    """One inconsistency: which layer and feature, which field, what is wrong."""

    severity: Severity
    layer: str
    feature_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.layer} {self.feature_id!r}, field {self.field!r}: {self.message}"


def check_plan_consistency(plan: PlanData) -> list[Finding]:
    """Every cross-reference and location problem in the plan layers.

    Each layer is valid on its own when loaded; this checks what no single layer
    can: that ids point at things that exist and that places lie in the parks and
    districts they claim. All problems are returned together.
    """
    findings = [
        *_reference_findings(plan),
        *_points_in_parks(plan.feature_parks, plan.parks, "feature_parks", "place_id"),
        *_points_in_parks(plan.military_civil_fusion, plan.parks, "military_civil_fusion", "area_id"),
        *_parks_in_districts(plan.parks, plan.districts),
        *_drawn_vs_approved_area(plan.parks),
        *_empty_groups(plan),
    ]
    return findings


def _reference_findings(plan: PlanData) -> list[Finding]:
    """Ids that point at parks, clusters or agglomerations which do not exist."""
    known = {
        "park": set(plan.parks["park_id"]),
        "cluster": set(plan.clusters["cluster_id"]),
        "agglomeration": set(plan.service_agglomerations["agglomeration_id"]),
    }
    places = plan.feature_parks
    references = [
        # (layer, frame, id field, reference field, what it references)
        ("clusters", plan.clusters, "cluster_id", "core_park_ids", "park"),
        ("innovation_centres", plan.innovation_centres, "centre_id", "cluster_id", "cluster"),
        ("service_agglomerations", plan.service_agglomerations, "agglomeration_id", "cluster_id", "cluster"),
        ("feature_parks", places, "place_id", "cluster_ids", "cluster"),
        ("feature_parks", places, "place_id", "park_id", "park"),
        # only places in §五(一)6's agglomerations name one
        (
            "feature_parks",
            places[places["agglomeration_id"] != ""],
            "place_id",
            "agglomeration_id",
            "agglomeration",
        ),
        ("military_civil_fusion", plan.military_civil_fusion, "area_id", "park_id", "park"),
    ]
    findings = []
    for layer, frame, id_field, ref_field, what in references:
        findings += _unknown_refs(frame, layer, (id_field, ref_field), known[what], what)
    return findings


def _unknown_refs(
    frame: pd.DataFrame, layer: str, fields: tuple[str, str], known: set[str], what: str
) -> list[Finding]:
    id_field, ref_field = fields
    findings = []
    for feature_id, refs in zip(frame[id_field], frame[ref_field], strict=True):
        for ref in refs if isinstance(refs, list) else [refs]:
            if ref not in known:
                findings.append(
                    Finding(
                        "error",
                        layer,
                        feature_id,
                        ref_field,
                        f"names {what} {ref!r}, which does not exist; valid: {', '.join(sorted(known))}",
                    )
                )
    return findings


def _points_in_parks(
    points: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, layer: str, id_field: str
) -> list[Finding]:
    """A place flagged inside its park must be inside it, and one flagged outside must not be.

    One vectorised containment test over (point, its own park) pairs; the explicit
    ``inside_park`` flag makes a deliberate exception visible instead of silent.
    """
    park_geoms = parks.set_index("park_id").geometry.reindex(points["park_id"]).to_numpy()
    known = ~shapely.is_missing(park_geoms)
    inside = np.zeros(len(points), dtype=bool)
    inside[known] = shapely.contains(park_geoms[known], points.geometry.to_numpy()[known])
    claimed = points["inside_park"].astype(str).str.lower().eq("yes").to_numpy()
    findings = []
    for pos in np.flatnonzero(known & (inside != claimed)):
        row = points.iloc[pos]
        state = "lies outside" if claimed[pos] else "lies inside"
        fix = "move the point or set inside_park = no" if claimed[pos] else "set inside_park = yes"
        findings.append(
            Finding(
                "error",
                layer,
                row[id_field],
                "geometry",
                f"{state} its park {row['park_id']!r} but inside_park = {row['inside_park']!r}; {fix}",
            )
        )
    return findings


def _parks_in_districts(parks: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> list[Finding]:
    """Each park polygon must lie inside the district it names (within a few metres)."""
    district_geoms = districts.set_index("name_zh").geometry.reindex(parks["district_zh"])
    missing = district_geoms.isna().to_numpy()
    findings = [
        Finding(
            "error",
            "parks",
            pid,
            "district_zh",
            f"names district {name!r}, which is not in the district layer",
        )
        for pid, name in zip(parks["park_id"][missing], parks["district_zh"][missing], strict=True)
    ]
    metric_parks = parks.geometry.to_crs(ANALYSIS_CRS).to_numpy()[~missing]
    metric_districts = gpd.GeoSeries(district_geoms.to_numpy()[~missing], crs=parks.crs).to_crs(ANALYSIS_CRS)
    outside = shapely.difference(
        metric_parks, shapely.buffer(metric_districts.to_numpy(), DISTRICT_TOLERANCE_M)
    )
    outside_m2 = shapely.area(outside)
    for pid, name, area in zip(
        parks["park_id"][~missing], parks["district_zh"][~missing], outside_m2, strict=True
    ):
        if area > 0:
            findings.append(
                Finding("error", "parks", pid, "geometry", f"{area:,.0f} m² lie outside its district {name}")
            )
    return findings


def _drawn_vs_approved_area(parks: gpd.GeoDataFrame) -> list[Finding]:
    drawn = area_km2(parks).to_numpy()
    approved = parks["planned_area_km2"].to_numpy(dtype=float)
    known = ~np.isnan(approved) & (approved > 0)
    ratio = np.divide(drawn, approved, out=np.ones_like(drawn), where=known)
    bad = known & ((ratio > AREA_FACTOR_LIMIT) | (ratio < 1 / AREA_FACTOR_LIMIT))
    return [
        Finding(
            "error",
            "parks",
            pid,
            "geometry",
            f"drawn area {d:.1f} km² is not within a factor of {AREA_FACTOR_LIMIT:g} "
            f"of the approved {a:.2f} km²",
        )
        for pid, d, a in zip(parks["park_id"][bad], drawn[bad], approved[bad], strict=True)
    ]


def _empty_groups(plan: PlanData) -> list[Finding]:
    """Clusters and agglomerations the plan names must each have at least one place on the map."""
    used_clusters = {c for ids in plan.feature_parks["cluster_ids"] for c in ids}
    used_aggs = set(plan.feature_parks["agglomeration_id"])
    return [
        *(
            Finding("warning", "clusters", c, "cluster_id", "no feature park belongs to this cluster")
            for c in plan.clusters["cluster_id"]
            if c not in used_clusters
        ),
        *(
            Finding(
                "warning",
                "service_agglomerations",
                a,
                "agglomeration_id",
                "no place belongs to this agglomeration",
            )
            for a in plan.service_agglomerations["agglomeration_id"]
            if a not in used_aggs
        ),
    ]
