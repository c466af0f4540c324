"""Tests for zgc_geo.datums: reference values, inverse accuracy, edge cases, GeoDataFrames."""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from zgc_geo import datums
from zgc_geo.datums import (
    DATUMS,
    bd09_to_gcj02,
    bd09_to_wgs84,
    convert_coords,
    convert_geodataframe,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from zgc_geo.errors import CRSError, DatumError, ZgcGeoError

GEOD = Geod(ellps="WGS84")
ALL_FUNCS = [wgs84_to_gcj02, gcj02_to_wgs84, gcj02_to_bd09, bd09_to_gcj02, wgs84_to_bd09, bd09_to_wgs84]

# Published test vectors of the googollee/eviltransform library (WGS84 -> GCJ-02), given
# as (wgs_lon, wgs_lat, gcj_lon, gcj_lat).
EVILTRANSFORM_VECTORS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]

ZGC = (116.3106, 39.9837)  # Zhongguancun, roughly the Haidian Book City crossing


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


@pytest.fixture(scope="module")
def beijing_grid() -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.meshgrid(np.linspace(115.4, 117.6, 200), np.linspace(39.4, 41.1, 200))
    return lon.ravel(), lat.ravel()


# --- independent scalar reference, transcribed from the published algorithm -------------


def _ref_wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    a, ee, pi = 6378245.0, 0.00669342162296594323, math.pi
    x, y = lon - 105.0, lat - 35.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * math.sqrt(abs(x))
        + (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * math.sin(y * pi) + 40.0 * math.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * math.sin(y / 12.0 * pi) + 320.0 * math.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * math.sqrt(abs(x))
        + (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * math.sin(x * pi) + 40.0 * math.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * math.sin(x / 12.0 * pi) + 300.0 * math.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    rad = lat / 180.0 * pi
    magic = 1.0 - ee * math.sin(rad) ** 2
    dlat = dlat * 180.0 / ((a * (1.0 - ee)) / (magic * math.sqrt(magic)) * pi)
    dlon = dlon * 180.0 / (a / math.sqrt(magic) * math.cos(rad) * pi)
    return lon + dlon, lat + dlat


def _ref_gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    x_pi = math.pi * 3000.0 / 180.0
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * x_pi)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * x_pi)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


# --- reference values ---------------------------------------------------------------------


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), EVILTRANSFORM_VECTORS)
def test_published_gcj02_vectors(wlon: float, wlat: float, glon: float, glat: float) -> None:
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-10)
    assert lat == pytest.approx(glat, abs=1e-10)
    back_lon, back_lat = gcj02_to_wgs84(glon, glat)
    assert back_lon == pytest.approx(wlon, abs=1e-9)
    assert back_lat == pytest.approx(wlat, abs=1e-9)


def test_beijing_gcj02_offset_direction_and_size() -> None:
    lon, lat = wgs84_to_gcj02(*ZGC)
    assert 0.005 < lon - ZGC[0] < 0.0075  # east by roughly +0.006 degree
    assert 0.0005 < lat - ZGC[1] < 0.0025  # north by roughly +0.001 degree
    assert 450.0 < _metres(*ZGC, lon, lat) < 650.0


def test_beijing_bd09_offset_direction_and_size() -> None:
    glon, glat = wgs84_to_gcj02(*ZGC)
    blon, blat = gcj02_to_bd09(glon, glat)
    assert 0.006 < blon - glon < 0.007
    assert 0.0055 < blat - glat < 0.0065
    assert 700.0 < _metres(glon, glat, blon, blat) < 1000.0


def test_vectorised_matches_scalar_reference() -> None:
    rng = np.random.default_rng(42)
    lon, lat = rng.uniform(73.0, 135.0, 300), rng.uniform(18.0, 53.0, 300)
    ref = np.array([_ref_wgs84_to_gcj02(x, y) for x, y in zip(lon, lat, strict=True)])
    np.testing.assert_allclose(np.column_stack(wgs84_to_gcj02(lon, lat)), ref, rtol=0, atol=1e-11)
    ref = np.array([_ref_gcj02_to_bd09(x, y) for x, y in zip(lon, lat, strict=True)])
    np.testing.assert_allclose(np.column_stack(gcj02_to_bd09(lon, lat)), ref, rtol=0, atol=1e-11)


# --- inverse accuracy across Beijing ------------------------------------------------------


def test_gcj02_round_trip_under_half_a_metre(beijing_grid) -> None:
    lon, lat = beijing_grid
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    err = _metres(lon, lat, *back)
    assert err.max() < 0.5
    assert err.max() < 1e-3  # converged, not merely "good enough"


def test_gcj02_inverse_is_exact_right_inverse(beijing_grid) -> None:
    lon, lat = beijing_grid  # read as GCJ-02 this time
    again = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert _metres(lon, lat, *again).max() < 1e-3


def test_one_step_inverse_would_fail_the_grid(beijing_grid) -> None:
    # Guards the test's power: the naive inverse gcj - offset(gcj) must not pass it.
    lon, lat = beijing_grid
    glon, glat = wgs84_to_gcj02(lon, lat)
    olon, olat = wgs84_to_gcj02(glon, glat)
    assert _metres(lon, lat, 2 * glon - olon, 2 * glat - olat).max() > 0.5


@pytest.mark.parametrize(
    ("forward", "inverse"), [(gcj02_to_bd09, bd09_to_gcj02), (wgs84_to_bd09, bd09_to_wgs84)]
)
def test_bd09_round_trips_under_half_a_metre(beijing_grid, forward, inverse) -> None:
    lon, lat = beijing_grid
    err = _metres(lon, lat, *inverse(*forward(lon, lat)))
    assert err.max() < 0.5
    assert err.max() < 1e-3
    err = _metres(lon, lat, *forward(*inverse(lon, lat)))
    assert err.max() < 1e-3


# --- edge cases -----------------------------------------------------------------------------


def test_outside_china_unchanged_elementwise() -> None:
    lon = np.array([0.0, -122.4194, 139.6917, 2.3522, 71.9, 116.3, 116.3])
    lat = np.array([0.0, 37.7749, 35.6895, 48.8566, 39.9, 56.0, 39.9])
    for func in (wgs84_to_gcj02, gcj02_to_wgs84):
        out_lon, out_lat = func(lon, lat)
        np.testing.assert_array_equal(out_lon[:6], lon[:6])
        np.testing.assert_array_equal(out_lat[:6], lat[:6])
        assert out_lon[6] != lon[6] and out_lat[6] != lat[6]


@pytest.mark.parametrize("func", ALL_FUNCS)
def test_empty_arrays(func) -> None:
    lon, lat = func(np.array([]), [])
    assert lon.shape == lat.shape == (0,)
    assert lon.dtype == lat.dtype == np.float64


@pytest.mark.parametrize("func", ALL_FUNCS)
def test_scalars_give_0d_float64_arrays(func) -> None:
    lon, lat = func(*ZGC)
    assert isinstance(lon, np.ndarray) and lon.shape == () and lon.dtype == np.float64
    assert isinstance(lat, np.ndarray) and lat.shape == () and lat.dtype == np.float64
    arr_lon, arr_lat = func([ZGC[0]], [ZGC[1]])
    assert float(lon) == arr_lon[0] and float(lat) == arr_lat[0]


@pytest.mark.parametrize("func", ALL_FUNCS)
def test_nan_propagates_without_warnings(func) -> None:
    lon = np.array([np.nan, 116.3, 116.3, np.nan])
    lat = np.array([39.9, np.nan, 39.9, np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out_lon, out_lat = func(lon, lat)
    np.testing.assert_array_equal(np.isnan(out_lon), [True, True, False, True])
    np.testing.assert_array_equal(np.isnan(out_lat), [True, True, False, True])


def test_broadcasts_and_keeps_shape() -> None:
    lon = np.full((3, 4), ZGC[0])
    out_lon, out_lat = wgs84_to_bd09(lon, ZGC[1])
    assert out_lon.shape == out_lat.shape == (3, 4)
    assert np.all(out_lon == out_lon[0, 0])


# --- convert_coords and datum names ----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "func"),
    [
        ("wgs84", "gcj02", wgs84_to_gcj02),
        ("gcj02", "wgs84", gcj02_to_wgs84),
        ("gcj02", "bd09", gcj02_to_bd09),
        ("bd09", "gcj02", bd09_to_gcj02),
        ("wgs84", "bd09", wgs84_to_bd09),
        ("bd09", "wgs84", bd09_to_wgs84),
    ],
)
def test_convert_coords_dispatch(source: str, target: str, func) -> None:
    lon, lat = np.array([116.3, 116.4]), np.array([39.9, 40.0])
    got, want = convert_coords(lon, lat, source, target), func(lon, lat)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("WGS-84", "wgs84"),
        ("EPSG:4326", "wgs84"),
        ("epsg:4326", "wgs84"),
        ("WGS84", "wgs84"),
        ("GCJ-02", "gcj02"),
        ("gcj_02", "gcj02"),
        ("Gcj02", "gcj02"),
        ("BD-09", "bd09"),
        (" bd09 ", "bd09"),
    ],
)
def test_datum_aliases(alias: str, canonical: str) -> None:
    assert datums.normalize_datum(alias) == canonical
    assert canonical in DATUMS
    got = convert_coords(*ZGC, alias, "wgs84" if canonical != "wgs84" else "gcj02")
    want = convert_coords(*ZGC, canonical, "wgs84" if canonical != "wgs84" else "gcj02")
    assert got == want


def test_convert_coords_same_datum_returns_copies() -> None:
    lon, lat = np.array([116.3]), np.array([39.9])
    out_lon, out_lat = convert_coords(lon, lat, "GCJ-02", "gcj02")
    out_lon[0] = 0.0
    assert lon[0] == 116.3 and out_lat[0] == 39.9


@pytest.mark.parametrize(("source", "target"), [("mars", "wgs84"), ("wgs84", "EPSG:3857"), (None, "bd09")])
def test_unknown_datum_lists_valid_options(source, target) -> None:
    bad = source if source != "wgs84" else target
    with pytest.raises(DatumError, match=rf"{bad!r}.*wgs84, gcj02, bd09") as info:
        convert_coords(116.3, 39.9, source, target)
    assert isinstance(info.value, ValueError) and isinstance(info.value, ZgcGeoError)


# --- convert_geodataframe --------------------------------------------------------------------


def _sample_frame(crs: object = "EPSG:4326") -> gpd.GeoDataFrame:
    shell = [(116.30, 39.97), (116.33, 39.97), (116.33, 39.99), (116.30, 39.99)]
    hole = [(116.31, 39.975), (116.32, 39.975), (116.32, 39.985), (116.31, 39.985)]
    multi = MultiPolygon(
        [
            Polygon([(116.2, 40.0), (116.21, 40.0), (116.21, 40.01)]),
            Polygon([(116.4, 39.8), (116.41, 39.8), (116.41, 39.81)], []),
        ]
    )
    geoms = [
        Point(ZGC),
        Polygon(shell, [hole]),
        multi,
        LineString([(116.1, 39.9), (116.5, 40.1)]),
        Polygon(),
        Point(116.3, 39.9, 55.0),
    ]
    return gpd.GeoDataFrame({"name": list("abcdef")}, geometry=geoms, crs=crs, index=[10, 11, 12, 13, 14, 15])


@pytest.mark.parametrize(("source", "target"), [("wgs84", "gcj02"), ("wgs84", "bd09"), ("bd09", "wgs84")])
def test_convert_geodataframe_all_geometry_kinds(source: str, target: str) -> None:
    gdf = _sample_frame()
    before = gdf.copy(deep=True)
    out = convert_geodataframe(gdf, source, target)

    assert out is not gdf and out.crs.to_epsg() == 4326
    assert list(out.index) == list(gdf.index) and list(out["name"]) == list("abcdef")
    assert list(out.geom_type) == list(gdf.geom_type)
    assert out.geometry.iloc[4].is_empty
    assert len(out.geometry.iloc[1].interiors) == 1
    assert len(out.geometry.iloc[2].geoms) == 2
    assert out.geometry.iloc[5].has_z and out.geometry.iloc[5].z == 55.0

    xy = shapely.get_coordinates(gdf.geometry.values)
    want = np.column_stack(convert_coords(xy[:, 0], xy[:, 1], source, target))
    np.testing.assert_allclose(shapely.get_coordinates(out.geometry.values), want, rtol=0, atol=1e-12)

    # Input untouched: same coordinates, same CRS.
    assert gdf.crs == before.crs
    np.testing.assert_array_equal(
        shapely.get_coordinates(gdf.geometry.values, include_z=True),
        shapely.get_coordinates(before.geometry.values, include_z=True),
    )


def test_convert_geodataframe_round_trip() -> None:
    gdf = _sample_frame()
    back = convert_geodataframe(convert_geodataframe(gdf, "wgs84", "bd09"), "BD-09", "WGS-84")
    np.testing.assert_allclose(
        shapely.get_coordinates(back.geometry.values),
        shapely.get_coordinates(gdf.geometry.values),
        rtol=0,
        atol=1e-8,
    )


def test_convert_geodataframe_same_datum_is_a_copy() -> None:
    gdf = _sample_frame()
    out = convert_geodataframe(gdf, "gcj02", "GCJ-02")
    assert out is not gdf
    assert out.geom_equals_exact(gdf, tolerance=0).all()
    out.loc[10, "name"] = "changed"
    assert gdf.loc[10, "name"] == "a"


def test_convert_geodataframe_accepts_cgcs2000_and_labels_4326() -> None:
    out = convert_geodataframe(_sample_frame("EPSG:4490"), "wgs84", "gcj02")
    assert out.crs.to_epsg() == 4326


def test_convert_geodataframe_missing_crs() -> None:
    with pytest.raises(CRSError, match=r"CRS is None.*reproject to EPSG:4326 first"):
        convert_geodataframe(_sample_frame(None), "wgs84", "gcj02")


@pytest.mark.parametrize("crs", ["EPSG:4548", "EPSG:3857", "EPSG:4214"])
def test_convert_geodataframe_wrong_crs(crs: str) -> None:
    gdf = _sample_frame(crs)
    with pytest.raises(CRSError, match=rf"CRS is {crs}\b.*reproject to EPSG:4326 first"):
        convert_geodataframe(gdf, "wgs84", "gcj02")


def test_convert_geodataframe_bad_datum_before_work() -> None:
    with pytest.raises(DatumError, match=r"'baidu'.*wgs84, gcj02, bd09"):
        convert_geodataframe(_sample_frame(), "baidu", "wgs84")
