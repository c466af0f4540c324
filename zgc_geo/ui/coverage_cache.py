"""The coverage page's geometry, computed once per cluster, radius, sites and inventory (not per rerun).

Every coverage figure starts from the union of the cluster's discs (:func:`~zgc_geo.coverage.spatial.reach`);
the page needs it for the gaps, the reach drawn on the map and the table (twice with what-if sites), and
a rerun (a cell clicked, a language switched) would build it again each time. Streamlit's data cache keeps
the results per input; the plan (loaded once per change of its files) is keyed by its fingerprint.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from zgc_geo.coverage.spatial import park_coverage, reach, uncovered, what_if
from zgc_geo.crs import ANALYSIS_CRS, STORAGE_CRS
from zgc_geo.plan_data import PlanData
from zgc_geo.ui.cached import plan_fingerprint
from zgc_geo.ui.workspace_access import workspace, workspace_key

#: (lon, lat) of each what-if site, in the order added.
SiteList = tuple[tuple[float, float], ...]


@st.cache_data(show_spinner=False, max_entries=32)
def _reach_and_gaps(
    _plan: PlanData, plan_key: str, cluster_id: str, radius_m: float, sites: SiteList
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    del plan_key  # a cache key only
    extra = list(sites) or None
    area = reach(_plan, cluster_id, radius_m, extra_sites=extra)
    gaps = uncovered(_plan, cluster_id, radius_m, extra_sites=extra, area=area)
    return gpd.GeoDataFrame(geometry=[area], crs=ANALYSIS_CRS).to_crs(STORAGE_CRS), gaps


def reach_and_gaps(
    plan: PlanData, cluster_id: str, radius_m: float, sites: SiteList
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The cluster's reach (one polygon, EPSG:4326) and each core/focus park's part out of it."""
    return _reach_and_gaps(plan, plan_fingerprint(), cluster_id, float(radius_m), tuple(sites))


@st.cache_data(show_spinner=False, max_entries=32)
def _coverage(
    _plan: PlanData,
    plan_key: str,
    cluster_id: str,
    radius_m: float,
    *,
    sites: SiteList,
    address: str,
    inventory: str,
    imported_at: str,
) -> pd.DataFrame:
    del plan_key, address, imported_at  # cache keys only: a re-import reads the inventory again
    plots = workspace().load_inventory(inventory) if inventory else None
    if sites:
        return what_if(_plan, cluster_id, radius_m, list(sites), plots=plots)
    return park_coverage(_plan, cluster_id, radius_m, plots=plots)


def coverage_of(
    plan: PlanData, cluster_id: str, radius_m: float, *, sites: SiteList, inventory: str, imported_at: str
) -> pd.DataFrame:
    """Per park: what the cluster covers (before and after the sites, if any), with the inventory's plots."""
    return _coverage(
        plan,
        plan_fingerprint(),
        cluster_id,
        float(radius_m),
        sites=tuple(sites),
        address=workspace_key(),
        inventory=inventory,
        imported_at=imported_at,
    )
