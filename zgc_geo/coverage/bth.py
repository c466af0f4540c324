"""Beijing–Tianjin–Hebei: how far the "4+N" zones lie from Zhongguancun, and what the plan steers there.

§六(一)1 builds a chain of parks across the region: four strategic cooperation zones and
several hosting sites ("4+N"), and §四(三)4 adds the Yanqing–Zhangjiakou zero-emission zone.
How far each lies from the Zhongguancun core and from each park bears on which park can
partner with it. §六(一)1 also says which industries go to Tianjin and Hebei (manufacturing
stages of integrated circuits, smart hardware, smart manufacturing and new materials, big
data, energy saving and new energy …); :func:`steering_table` ties each to the clusters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer

from zgc_geo.catalogue import load_layer
from zgc_geo.crs import ANALYSIS_CRS, STORAGE_CRS
from zgc_geo.errors import LayerError
from zgc_geo.i18n import Sentence
from zgc_geo.plan_data import PlanData

#: The Zhongguancun core point: the 中关村大街 place of the feature-park layer (§五(一)6,
#: located to ±0.5 km at the street's middle, between 海淀黄庄 and 中关村). The historic core
#: (中关村西区与中关村大街, a component of 海淀园) is not a layer of its own, and the street is
#: its spine; 中关村科学城 (``zgc_science_city``) lies 0.8 km away, so either gives the same km.
CORE_PLACE_ID: Final = "zgc_street"
STEERING_LAYER: Final = "bth_steering"
M_PER_KM: Final = 1000.0
_GEOD: Final = Geod(ellps="WGS84")


def core_point(plan: PlanData) -> shapely.Point:
    """The Zhongguancun core point (lon/lat, EPSG:4326): see :data:`CORE_PLACE_ID`."""
    places = plan.feature_parks[plan.feature_parks["place_id"] == CORE_PLACE_ID]
    if places.empty:
        raise LayerError(
            f"the feature-park layer has no place {CORE_PLACE_ID!r} (中关村大街), "
            "which zgc-geo uses as the Zhongguancun core for distances; restore it"
        )
    point = places.geometry.to_crs(STORAGE_CRS).iloc[0]
    return shapely.Point(point.x, point.y)


def zone_distances(plan: PlanData) -> pd.DataFrame:
    """Straight-line (geodesic, WGS84) km from each cooperation zone to the core and to every park.

    Distances run between the nearest points of the two shapes: a polygon zone (曹妃甸区,
    张家口市 + 承德市) is measured from its nearest edge, a two-point zone from its nearer
    point, a park from the nearest point of its outline. The nearest points are found in
    EPSG:4548, then the distance between them is measured on the WGS84 ellipsoid with
    ``pyproj.Geod`` (a Gauss–Krüger plane stretches lengths up to 0.15 % at 3° from 117°E).

    Columns: ``zone_id``, ``name_zh``, ``name_en``, ``group`` ("4", "N", "winter_olympics"),
    ``section``, ``location_accuracy``, ``measured_from``, ``km_to_core``,
    ``nearest_park_id``, ``km_to_nearest_park`` and one ``km_<park_id>`` per park.
    """
    zones = plan.cooperation_zones
    zone_geoms = zones.geometry.to_crs(ANALYSIS_CRS).to_numpy()
    lonlat = core_point(plan)
    core = shapely.Point(
        Transformer.from_crs(STORAGE_CRS, ANALYSIS_CRS, always_xy=True).transform(lonlat.x, lonlat.y)
    )
    park_geoms = plan.parks.geometry.to_crs(ANALYSIS_CRS).to_numpy()
    to_core = _geodesic_km(shapely.shortest_line(zone_geoms, core))
    to_parks = _geodesic_km(shapely.shortest_line(zone_geoms[:, None], park_geoms[None, :]))
    park_ids = plan.parks["park_id"].to_numpy(dtype=object)
    table = pd.DataFrame(
        {
            "zone_id": zones["zone_id"].to_numpy(),
            "name_zh": zones["name_zh"].to_numpy(),
            "name_en": zones["name_en"].to_numpy(),
            "group": zones["group"].to_numpy(),
            "section": zones["section"].to_numpy(),
            "location_accuracy": zones["location_accuracy"].to_numpy(),
            "measured_from": [_measured_from(g) for g in shapely.get_type_id(zone_geoms)],
            "km_to_core": to_core,
            "nearest_park_id": park_ids[np.argmin(to_parks, axis=1)],
            "km_to_nearest_park": to_parks.min(axis=1),
        }
    )
    per_park = pd.DataFrame(to_parks, columns=[f"km_{p}" for p in park_ids])
    return pd.concat([table, per_park], axis=1)


def geodesic_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Geodesic distance in km on the WGS84 ellipsoid, element-wise."""
    _, _, metres = _GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(metres, dtype=float) / M_PER_KM


def steering_table(plan: PlanData, data_dir: Path | None = None) -> pd.DataFrame:
    """What §六(一)1 (and §六(一)2) steers to Tianjin and Hebei, tied to the clusters.

    From ``layers/bth_steering.csv``: ``item_id``, ``item_zh``, ``item_en``, ``cluster_ids``,
    ``target_region``, ``plan_quote_zh`` (the plan's words, copied exactly), ``section`` and
    ``note`` (where the cluster tie or the region is zgc-geo's reading); adds
    ``cluster_names_zh``.

    Raises
    ------
    LayerError
        An item names a cluster the plan does not have.
    """
    table = load_layer(STEERING_LAYER, data_dir).copy()
    names = plan.clusters.set_index("cluster_id")["name_zh"]
    unknown = sorted({c for ids in table["cluster_ids"] for c in ids} - set(names.index))
    if unknown:
        raise LayerError(
            f"layers/bth_steering.csv names cluster(s) {', '.join(unknown)}, which do not exist; "
            f"valid: {', '.join(names.index)}"
        )
    table["cluster_names_zh"] = [[names[c] for c in ids] for ids in table["cluster_ids"]]
    return table.reset_index(drop=True)


def _geodesic_km(lines: np.ndarray) -> np.ndarray:
    """Geodesic km along straight EPSG:4548 segments (any array shape), via their end points."""
    shape = lines.shape
    coords = shapely.get_coordinates(lines.reshape(-1)).reshape(-1, 2, 2)
    transformer = Transformer.from_crs(ANALYSIS_CRS, STORAGE_CRS, always_xy=True)
    lon, lat = transformer.transform(coords[:, :, 0], coords[:, :, 1])
    return geodesic_km(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1]).reshape(shape)


def _measured_from(type_id: int) -> Sentence:
    """Where a zone's distances start (a sentence, worded in the export's language)."""
    if type_id in (3, 6):
        return Sentence("coverage.measured_outline")
    if type_id == 4:
        return Sentence("coverage.measured_points")
    return Sentence("coverage.measured_point")
