"""Beijing–Tianjin–Hebei: zone distances (geodesic, from nearest points) and the §六(一) steering table."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from zgc_geo.coverage.bth import CORE_PLACE_ID, core_point, geodesic_km, steering_table, zone_distances
from zgc_geo.errors import LayerError
from zgc_geo.plan_data import PlanData, plan_from_catalogue

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The plan text, where the checkout has the shared folder beside it.
PLAN_TEXT = REPO_ROOT.parent / "shared" / "seed" / "000_c46813788b89dc26.txt"


@pytest.fixture(scope="module")
def distances(plan: PlanData) -> pd.DataFrame:
    return zone_distances(plan).set_index("zone_id")


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle km on a 6371 km sphere: an independent check within ~0.5 % of the ellipsoid."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def test_core_point_is_zhongguancun_street(plan: PlanData) -> None:
    core = core_point(plan)
    assert CORE_PLACE_ID == "zgc_street"
    assert 116.25 < core.x < 116.35 and 39.95 < core.y < 40.0


def test_tianjin_zone_is_about_150_km_from_the_core(plan: PlanData, distances: pd.DataFrame) -> None:
    # The Binhai–Zhongguancun park (北塘, ±5 km) lies ~153 km from 中关村大街 as the crow flies:
    # just above the "100–150 km", which is why the bound here is 165.
    tianjin = distances.loc["tianjin_binhai_zgc"]
    assert 140 < tianjin["km_to_core"] < 165
    zone = plan.cooperation_zones.set_index("zone_id").geometry["tianjin_binhai_zgc"]
    core = core_point(plan)
    _, _, metres = Geod(ellps="WGS84").inv(core.x, core.y, zone.x, zone.y)
    assert tianjin["km_to_core"] == pytest.approx(metres / 1000, abs=1e-6)
    assert tianjin["km_to_core"] == pytest.approx(haversine_km(core.x, core.y, zone.x, zone.y), rel=5e-3)
    assert tianjin["measured_from"].text("en") == "Zone point"
    assert tianjin["measured_from"].text("zh") == "区域代表点"


def test_distances_are_symmetric() -> None:
    lon1, lat1 = np.array([116.31, 117.7]), np.array([39.98, 39.1])
    lon2, lat2 = np.array([117.7, 115.48]), np.array([39.1, 38.87])
    np.testing.assert_allclose(geodesic_km(lon1, lat1, lon2, lat2), geodesic_km(lon2, lat2, lon1, lat1))
    assert geodesic_km(lon1, lat1, lon1, lat1) == pytest.approx([0, 0])


def test_polygon_zones_are_measured_from_their_nearest_edge(plan: PlanData, distances: pd.DataFrame) -> None:
    zhangcheng = distances.loc["zhangcheng_eco_zone"]  # 张家口市 + 承德市 border Beijing's north
    assert zhangcheng["measured_from"].text("en") == "Nearest point of the zone outline"
    inner = plan.cooperation_zones.set_index("zone_id").geometry["zhangcheng_eco_zone"].representative_point()
    core = core_point(plan)
    assert 0 < zhangcheng["km_to_core"] < haversine_km(core.x, core.y, inner.x, inner.y)
    assert zhangcheng["nearest_park_id"] == "yanqing"
    assert distances.loc["yanqing_zhangjiakou_zero_emission", "nearest_park_id"] == "yanqing"
    assert distances.loc["new_airport_zone", "nearest_park_id"] == "daxing_yizhuang"
    caofeidian = distances.loc["caofeidian_demo_zone"]
    assert caofeidian["km_to_core"] > distances.loc["tianjin_binhai_zgc", "km_to_core"]


def test_one_column_per_park_and_the_nearest_is_the_minimum(plan: PlanData, distances: pd.DataFrame) -> None:
    park_columns = [f"km_{p}" for p in plan.parks["park_id"]]
    assert set(park_columns) <= set(distances.columns)
    per_park = distances[park_columns]
    np.testing.assert_allclose(distances["km_to_nearest_park"], per_park.min(axis=1))
    assert (per_park.idxmin(axis=1).str.removeprefix("km_") == distances["nearest_park_id"]).all()
    assert (per_park.to_numpy() > 0).all()
    assert set(distances["group"]) == {"4", "N", "winter_olympics"}
    assert distances["section"].str.match(r"^§[四六]").all()


def test_steering_table_cites_the_plan_and_real_clusters(plan: PlanData) -> None:
    table = steering_table(plan)
    assert table["item_id"].is_unique
    assert (table["section"] == "§六(一)1").sum() >= 4
    assert set(table["section"]) <= {"§六(一)1", "§六(一)2"}
    clusters = set(plan.clusters["cluster_id"])
    assert all(ids and set(ids) <= clusters for ids in table["cluster_ids"])
    rows = table.set_index("item_id")
    assert "在津冀布局制造环节" in rows.loc["manufacturing_stages", "plan_quote_zh"]
    assert set(rows.loc["manufacturing_stages", "cluster_ids"]) == {"frontier_it", "smart_mfg_materials"}
    assert rows.loc["energy_demo_projects", "cluster_ids"] == ["eco_energy"]
    assert rows.loc["manufacturing_stages", "cluster_names_zh"][0] == "前沿信息产业创新集群"
    assert (table["note"].str.len() > 0).all()


def test_quotes_are_the_plans_exact_words(plan: PlanData) -> None:
    if not PLAN_TEXT.is_file():
        pytest.skip(f"the plan text is not at {PLAN_TEXT}")
    text = re.sub(r"\s+", "", PLAN_TEXT.read_text(encoding="utf-8"))  # the text breaks lines mid-phrase
    for item, quote in zip(*(steering_table(plan)[c] for c in ("item_id", "plan_quote_zh")), strict=True):
        assert quote in text, item


def test_unknown_cluster_in_the_steering_file_is_refused(data_copy: Path) -> None:
    path = data_copy / "layers" / "bth_steering.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("eco_energy", "eco_enrgy", 1), encoding="utf-8")
    with pytest.raises(LayerError, match="eco_enrgy, which do not exist"):
        steering_table(plan_from_catalogue())
