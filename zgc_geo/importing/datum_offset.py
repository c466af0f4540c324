"""GCJ-02 / BD-09 offset detection: does undoing a web-map datum shift fit the parks clearly better?

Analysis only (arrays in, a finding out); :func:`zgc_geo.importing.crs_guess.diagnose_location`
words the finding for the report.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import shapely

from zgc_geo.catalogue import shipped_layer
from zgc_geo.crs import ANALYSIS_CRS, STORAGE_CRS
from zgc_geo.datums import convert_coords

#: Evidence comes from features near a park, at least this many; the correction must pass a sign
#: test and improve the fit of a net share of the features (those that fit better minus those
#: that fit worse, over all near features).
OFFSET_NEAR_M: Final = 3000.0
OFFSET_MIN_FEATURES: Final = 10
OFFSET_P_VALUE: Final = 0.01
OFFSET_MIN_NET_SHARE: Final = 0.12
#: A feature's share inside the parks must change by more than this to count as better or worse.
OFFSET_SCORE_STEP: Final = 0.01
#: Features compared at most (evenly spread over the input).
OFFSET_SAMPLE: Final = 5000


@dataclass(frozen=True)
class OffsetFinding:
    """The web datum whose correction fits the parks clearly better, and the evidence.

    ``positions`` index the input frame (the features near a park); ``score``/``distance_m`` are
    each one's share inside the parks and distance to them, ``_before`` as given and ``_after``
    corrected; ``better`` marks those the correction improves; ``shift_m`` is its median size.
    """

    datum: str
    positions: np.ndarray
    score_before: np.ndarray
    score_after: np.ndarray
    distance_before_m: np.ndarray
    distance_after_m: np.ndarray
    better: np.ndarray
    shift_m: float


def find_offset(
    frame: gpd.GeoDataFrame, candidates: np.ndarray, parks: gpd.GeoDataFrame | None = None
) -> OffsetFinding | None:
    """The GCJ-02→WGS84 or BD-09→WGS84 correction that clearly fits the parks better, if any.

    ``candidates`` marks the features of ``frame`` (WGS84) to compare (those in Beijing).

    Only features within :data:`OFFSET_NEAR_M` of a park carry evidence. A correction makes a
    feature *better* when more of it falls inside a park (0/1 for points, area share for
    polygons, by more than :data:`OFFSET_SCORE_STEP`), *worse* when less does. Data unrelated
    to the parks gets better and worse alike, and correct WGS84 data drawn from the parks only
    gets worse, so a warning needs a one-sided sign test (p ≤ :data:`OFFSET_P_VALUE`) *and* a
    net share — features better minus features worse, over all near features — of at least
    :data:`OFFSET_MIN_NET_SHARE`.

    Two earlier criteria are gone because they fired on correct data: "≥ 5 % of the features
    better" counted better ones without subtracting the worse ones, and "comes closer to a
    park" rewarded any compact block of features lying beside a park (a uniform grid of
    squares north-east of one comes "closer" under any south-west shift). Moving closer
    without entering says nothing about a datum.
    """
    parks = shipped_layer("parks") if parks is None else parks
    outlines = np.asarray(parks.to_crs(ANALYSIS_CRS).geometry.array)
    area = shapely.union_all(outlines)
    shapely.prepare(area)
    positions = np.flatnonzero(candidates)
    positions = positions[np.linspace(0, positions.size - 1, min(positions.size, OFFSET_SAMPLE)).astype(int)]
    geoms = np.asarray(frame.geometry.array)[positions]
    # An invalid outline (a bowtie) makes the overlays below raise; buffer(0) is repair enough here.
    broken = ~shapely.is_valid(geoms) & (shapely.get_dimensions(geoms) == 2)
    geoms[broken] = shapely.buffer(geoms[broken], 0)
    as_given = _metric(geoms)
    near = _near(as_given, outlines)
    if near.sum() < OFFSET_MIN_FEATURES:
        return None
    positions, geoms, as_given = positions[near], geoms[near], as_given[near]
    score0, dist0 = _park_fit(as_given, area)
    found = []
    for datum in ("gcj02", "bd09"):
        corrected = _metric(shapely.transform(geoms, _corrector(datum), interleaved=False))
        score1, dist1 = _park_fit(corrected, area)
        better = score1 - score0 > OFFSET_SCORE_STEP
        worse = score0 - score1 > OFFSET_SCORE_STEP
        n_better, n_worse = int(better.sum()), int(worse.sum())
        net_share = (n_better - n_worse) / geoms.size
        if net_share >= OFFSET_MIN_NET_SHARE and _sign_test(n_better, n_worse) <= OFFSET_P_VALUE:
            shift = float(
                np.median(shapely.distance(shapely.centroid(as_given), shapely.centroid(corrected)))
            )
            fit = (
                float(score1.sum()),
                -float(np.median(dist1)),
            )  # the right datum fits best, not just better
            found.append((fit, OffsetFinding(datum, positions, score0, score1, dist0, dist1, better, shift)))
    if not found:
        return None
    return max(found, key=lambda item: item[0])[1]


def _sign_test(better: int, worse: int) -> float:
    """One-sided p-value of ``better`` or more successes in ``better + worse`` fair coin tosses."""
    tosses = better + worse
    if tosses <= 200:
        return sum(math.comb(tosses, i) for i in range(better, tosses + 1)) / 2**tosses
    z = (better - 0.5 - tosses / 2) / math.sqrt(tosses / 4)
    return 0.5 * math.erfc(z / math.sqrt(2))


def _near(geoms: np.ndarray, parks: np.ndarray) -> np.ndarray:
    """Which ``geoms`` lie within :data:`OFFSET_NEAR_M` of a park: the distance to the parks' union is the
    least distance to any of their parts, so each feature is measured against the parts the index puts
    near it (20 times quicker than against the whole union, which every feature would otherwise walk)."""
    tree = shapely.STRtree(shapely.get_parts(parks))
    found, _ = tree.query(geoms, predicate="dwithin", distance=OFFSET_NEAR_M)
    near = np.zeros(len(geoms), dtype=bool)
    near[found] = True
    return near


def _metric(geoms: np.ndarray) -> np.ndarray:
    return np.asarray(gpd.GeoSeries(geoms, crs=STORAGE_CRS).to_crs(ANALYSIS_CRS).array)


def _corrector(datum: str) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    def correct(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return convert_coords(x, y, datum, "wgs84")

    return correct


def _park_fit(geoms: np.ndarray, area: shapely.Geometry) -> tuple[np.ndarray, np.ndarray]:
    """Share of each feature inside the parks (0/1 unless polygonal) and its distance to them."""
    touching = shapely.intersects(area, geoms)
    score = touching.astype(float)
    # Only polygons that meet the parks are intersected with them: the others' share is 0 either way.
    polygonal = touching & (shapely.get_dimensions(geoms) == 2) & (shapely.area(geoms) > 0)
    if polygonal.any():
        parts = geoms[polygonal]
        score[polygonal] = shapely.area(shapely.intersection(parts, area)) / shapely.area(parts)
    return score, shapely.distance(geoms, area)
