"""Where a site stands in the catalogue's "1+4" zoning: its district, and one of the four zones.

The 2018 catalogue applies its 全市 rules everywhere and, on top, the rules of one of four zones
(中国日报网 2018-09-27 on the 2018 edition): 中心城区 (the six central districts), 城市副中心 (the
sub-centre in 通州), 生态涵养区 (门头沟, 平谷, 怀柔, 密云, 延庆 and the mountain parts of 昌平 and 房山)
and 平原地区 (the plain outside the sub-centre: everything else). Some rules name a district instead.

Accuracy: districts are the shipped context layer (about 15 m); the sub-centre and the mountain parts
are zgc-geo's schematic polygons (``layers/catalogue_zones.geojson``: within about 2 km and 3–5 km), so
a site near those edges should be checked on the official map. Each result says how it was decided.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zgc_geo.catalogue import load_layer
from zgc_geo.placement import first_parks

CITYWIDE: Final = "全市"
CENTRAL: Final = "中心城区"
SUBCENTRE: Final = "城市副中心"
PLAIN: Final = "平原地区"
ECOLOGICAL: Final = "生态涵养区"
#: The catalogue's scopes other than districts, in its own order ("1+4").
ZONES: Final = (CITYWIDE, CENTRAL, SUBCENTRE, PLAIN, ECOLOGICAL)
ZONE_EN: Final = {
    CITYWIDE: "citywide",
    CENTRAL: "central area",
    SUBCENTRE: "sub-centre",
    PLAIN: "plain area",
    ECOLOGICAL: "ecological conservation area",
}
CENTRAL_DISTRICTS: Final = ("东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区")
ECOLOGICAL_DISTRICTS: Final = ("门头沟区", "平谷区", "怀柔区", "密云区", "延庆区")
#: Districts only part of which (the mountains) belongs to 生态涵养区.
PART_ECOLOGICAL_DISTRICTS: Final = ("昌平区", "房山区")


@cache
def _layers(data_dir: Path | None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return load_layer("districts", data_dir), load_layer("catalogue_zones", data_dir)


def district_names(data_dir: Path | None = None) -> dict[str, str]:
    """Every district's Chinese name with its English one, in the layer's order."""
    districts, _ = _layers(data_dir)
    return dict(zip(districts["name_zh"], districts["name_en"], strict=True))


def site_zones(points: np.ndarray, data_dir: Path | None = None) -> pd.DataFrame:
    """For each WGS84 point: ``district`` (Chinese name, None outside Beijing) and ``zone`` (one of
    :data:`ZONES` but 全市, None outside Beijing), and ``zone_basis``: how the zone was decided."""
    districts, zones = _layers(data_dir)
    points = np.asarray(points, dtype=object)
    district = first_parks(points, districts.geometry.to_numpy(), districts["name_zh"].to_numpy())
    zone = np.full(len(points), None, dtype=object)
    basis = np.full(len(points), None, dtype=object)
    in_beijing = pd.notna(district)
    central = np.isin(district, CENTRAL_DISTRICTS)
    zone[central], basis[central] = CENTRAL, "district"
    subcentre = zones[zones["zone"] == SUBCENTRE]
    inside_subcentre = _inside_any(points, subcentre.geometry.to_numpy()) & in_beijing & ~central
    zone[inside_subcentre], basis[inside_subcentre] = SUBCENTRE, "schematic_polygon"
    ecological = np.isin(district, ECOLOGICAL_DISTRICTS) & pd.isna(zone)
    zone[ecological], basis[ecological] = ECOLOGICAL, "district"
    for name in PART_ECOLOGICAL_DISTRICTS:
        mountains = zones[(zones["zone"] == ECOLOGICAL) & (zones["district_zh"] == name)].geometry.to_numpy()
        here = (district == name) & pd.isna(zone)
        hills = here & _inside_any(points, mountains)
        zone[hills], basis[hills] = ECOLOGICAL, "schematic_polygon"
        zone[here & ~hills], basis[here & ~hills] = PLAIN, "schematic_polygon"
    rest = in_beijing & pd.isna(zone)
    zone[rest], basis[rest] = PLAIN, "district"
    return pd.DataFrame({"district": district, "zone": zone, "zone_basis": basis})


def _inside_any(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    inside = np.zeros(len(points), dtype=bool)
    if len(polygons) and len(points):
        point_index, _ = shapely.STRtree(polygons).query(points, predicate="within")
        inside[point_index] = True
    return inside
