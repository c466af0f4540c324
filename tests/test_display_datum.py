"""GCJ-02 alignment: on an Amap basemap every overlay is drawn where Amap draws the place.

The landmark is 天安门 Tiananmen. Amap publishes it at GCJ-02 (116.397428, 39.90923) — the
centre of Amap's own JS API examples; its WGS84 position is the exact inverse of that.
(The pair WGS84 (116.3975, 39.9087) / Amap (116.4038, 39.9100) sometimes quoted does not
agree with itself: the forward transform of that WGS84 point is (116.403744, 39.910104),
12 m from the quoted Amap value, so the quoted pair is a rounding of two different points.)
The transform itself is checked against the coordtransform library's published vector.
"""

from __future__ import annotations

import base64
import dataclasses
import io
from types import SimpleNamespace

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from PIL import Image
from pyproj import Geod, Transformer
from shapely.geometry import Point, box

from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.datums import gcj02_to_wgs84, wgs84_to_gcj02
from zgc_geo.errors import DatumError
from zgc_geo.mapping import display_datum as dd
from zgc_geo.mapping.overview_map import build_overview_map
from zgc_geo.mapping.preview_map import build_preview_map
from zgc_geo.mapping.raster_overlay import overlay_image
from zgc_geo.mapping.siting_map import build_siting_map
from zgc_geo.mapping.stock_map import build_stock_base_map, plots_for_display, plots_layer
from zgc_geo.plan_data import PlanData

GEOD = Geod(ellps="WGS84")
TIANANMEN_GCJ = (116.397428, 39.90923)  # (lon, lat) as Amap publishes it
TIANANMEN_WGS = tuple(float(v) for v in gcj02_to_wgs84(*TIANANMEN_GCJ))
TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)
TO_LONLAT = Transformer.from_crs(3857, 4326, always_xy=True)


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def _walk(element: object) -> list[object]:
    children = getattr(element, "_children", {})
    return [element, *(e for child in children.values() for e in _walk(child))]


def _geojson(m: folium.Map, name: str) -> dict:
    return next(e.data for e in _walk(m) if isinstance(e, folium.GeoJson) and e.layer_name == name)


def _first_coordinate(data: dict) -> tuple[float, float]:
    coords = data["features"][0]["geometry"]["coordinates"]
    while isinstance(coords[0], list | tuple):
        coords = coords[0]
    return float(coords[0]), float(coords[1])


def test_the_transform_matches_published_values() -> None:
    lon, lat = wgs84_to_gcj02(116.404, 39.915)  # coordtransform README: wgs84togcj02
    assert (float(lon), float(lat)) == pytest.approx((116.41024449916938, 39.91640428150164), abs=1e-12)
    offset = _metres(*TIANANMEN_WGS, *TIANANMEN_GCJ)
    assert 500 < offset < 650  # the ~600 m a WGS84 overlay would be off on Amap
    assert np.allclose(TIANANMEN_WGS, (116.391187, 39.907829), atol=1e-6, rtol=0)
    assert _metres(*(float(v) for v in wgs84_to_gcj02(*TIANANMEN_WGS)), *TIANANMEN_GCJ) < 0.01


@pytest.fixture(scope="module")
def landmark_plan(plan: PlanData) -> PlanData:
    """The plan with its one military–civil fusion area moved onto Tiananmen (WGS84)."""
    areas = plan.military_civil_fusion.iloc[:1].copy()
    areas[areas.geometry.name] = [Point(TIANANMEN_WGS)]
    return dataclasses.replace(plan, military_civil_fusion=areas)


def test_overview_feature_lands_on_amaps_landmark(landmark_plan: PlanData) -> None:
    on_amap = _first_coordinate(_geojson(build_overview_map(landmark_plan, basemap="amap"), "fusion"))
    assert _metres(*on_amap, *TIANANMEN_GCJ) < 1.0
    offline = _first_coordinate(_geojson(build_overview_map(landmark_plan, basemap="none"), "fusion"))
    assert offline == pytest.approx(TIANANMEN_WGS, abs=1e-12)
    for key in ("osm", "carto_light"):
        on_wgs = _first_coordinate(_geojson(build_overview_map(landmark_plan, basemap=key), "fusion"))
        assert on_wgs == pytest.approx(TIANANMEN_WGS, abs=1e-12)


def test_every_overview_layer_is_shifted_on_amap(plan: PlanData) -> None:
    amap, none = build_overview_map(plan, basemap="amap"), build_overview_map(plan, basemap="none")
    for name in ("provinces", "districts", "parks", "cooperation", "fusion"):
        x0, y0 = _first_coordinate(_geojson(none, name))
        x1, y1 = _first_coordinate(_geojson(amap, name))
        assert (x1 - x0, y1 - y0) == pytest.approx((0.006, 0.0014), abs=0.0008), name
    labels = [e.location for e in _walk(amap) if isinstance(e, folium.Marker)]
    plain = [e.location for e in _walk(none) if isinstance(e, folium.Marker)]
    assert len(labels) == len(plain) > 0
    assert np.allclose(np.subtract(labels, plain).mean(axis=0), (0.0014, 0.006), atol=0.0008)


def _landmark_raster(hot_value: float = 100.0) -> tuple[np.ndarray, Affine]:
    """A 3 km EPSG:4548 grid of 30 m cells, 0 everywhere but 100 in the cell on Tiananmen."""
    x, y = Transformer.from_crs(4326, ANALYSIS_CRS, always_xy=True).transform(*TIANANMEN_WGS)
    transform = Affine(30.0, 0.0, x - 1515.0, 0.0, -30.0, y + 1515.0)
    array = np.zeros((101, 101))
    array[50, 50] = hot_value
    return array, transform


def _hot_pixel_lonlat(uri: str, bounds: list[list[float]]) -> tuple[float, float]:
    rgba = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))
    rows, cols = np.nonzero(np.all(rgba[..., :3] == (253, 231, 37), axis=-1))  # the ramp's 100
    (s, w), (n, e) = bounds
    (x0, x1), (y0, y1) = TO_MERCATOR.transform([w, e], [s, n])
    height, width = rgba.shape[:2]
    x = x0 + (cols.mean() + 0.5) / width * (x1 - x0)
    y = y1 - (rows.mean() + 0.5) / height * (y1 - y0)
    lon, lat = TO_LONLAT.transform(x, y)
    return float(lon), float(lat)


def test_raster_overlay_is_shifted_onto_the_landmark() -> None:
    array, transform = _landmark_raster()
    plain_uri, plain = overlay_image(array, transform, ANALYSIS_CRS)
    amap_uri, shifted = overlay_image(array, transform, ANALYSIS_CRS, datum="gcj02")
    (s0, w0), (n0, e0) = plain
    (s1, w1), (n1, e1) = shifted
    for d_lon in (w1 - w0, e1 - e0):
        assert d_lon == pytest.approx(0.0062, abs=0.0004)
    for d_lat in (s1 - s0, n1 - n0):
        assert d_lat == pytest.approx(0.0014, abs=0.0004)
    assert _metres(*_hot_pixel_lonlat(plain_uri, plain), *TIANANMEN_WGS) < 30
    assert _metres(*_hot_pixel_lonlat(amap_uri, shifted), *TIANANMEN_GCJ) < 30  # within a 30 m cell


def test_corner_wise_bounds_residual_is_documented_and_why_rasters_are_warped() -> None:
    beijing = [list(dd.BEIJING_BOUNDS[0]), list(dd.BEIJING_BOUNDS[1])]
    residual = dd.corner_residual_m(beijing, "gcj02")
    assert dd.CORNER_RESIDUAL_LIMIT_M < residual < dd.BEIJING_CORNER_RESIDUAL_M  # measured 81.6 m
    park_sized = [[39.90, 116.20], [40.08, 116.44]]  # ~20 km around Zhongguancun
    assert 10 < dd.corner_residual_m(park_sized, "gcj02") < dd.CORNER_RESIDUAL_LIMIT_M  # 18.7 m
    assert dd.corner_residual_m(beijing, "wgs84") < 1e-6


def test_warped_grid_matches_the_exact_per_pixel_inverse_over_beijing() -> None:
    (x0, x1), (y0, y1) = TO_MERCATOR.transform([115.4, 117.5], [39.4, 41.1])
    width = 700
    size = (x1 - x0) / width
    height = int((y1 - y0) / size)
    transform = Affine(size, 0.0, x0, 0.0, -size, y1)
    ids = np.arange(height * width, dtype=np.float64).reshape(height, width)
    warped, out = dd.grid_to_display(ids, transform, "gcj02")
    rows, cols = np.mgrid[0 : warped.shape[0], 0 : warped.shape[1]] + 0.5
    lon, lat = TO_LONLAT.transform(out.c + cols * size, out.f - rows * size)
    sx, sy = TO_MERCATOR.transform(*gcj02_to_wgs84(lon, lat))
    src_col, src_row = np.floor((sx - x0) / size), np.floor((y1 - sy) / size)
    inside = (src_col >= 0) & (src_col < width) & (src_row >= 0) & (src_row < height)
    assert np.array_equal(inside, np.isfinite(warped))
    got, expected = warped[inside], (src_row * width + src_col)[inside]
    assert np.mean(got == expected) > 0.999  # the rest sit on a pixel boundary:
    assert np.all(np.abs(got % width - expected % width) <= 1)
    assert np.all(np.abs(got // width - expected // width) <= 1)
    assert dd.grid_to_display(ids, transform, "wgs84")[0] is ids


def test_points_round_trip_within_half_a_metre() -> None:
    for lon in np.linspace(115.4, 117.5, 8):
        for lat in np.linspace(39.4, 41.1, 8):
            shown = dd.point_to_display(lat, lon, "gcj02")
            back = dd.point_from_display(*shown, "gcj02")
            assert _metres(lon, lat, back[1], back[0]) < 0.5
            assert _metres(lon, lat, shown[1], shown[0]) > 400
    lat, lon = dd.point_to_display(TIANANMEN_WGS[1], TIANANMEN_WGS[0], "gcj02")
    assert _metres(lon, lat, *TIANANMEN_GCJ) < 0.01
    assert dd.point_from_display(39.9, 116.3, "wgs84") == (39.9, 116.3)


def test_box_and_bounds_helpers() -> None:
    bounds = [[39.95, 116.28], [40.0, 116.33]]
    shifted = dd.bounds_to_display(bounds, "gcj02")
    assert np.subtract(shifted, bounds) == pytest.approx(np.array([[0.0014, 0.0062]] * 2), abs=0.0005)
    (s, w), (n, e) = shifted
    assert dd.box_from_display((w, s, e, n), "gcj02") == pytest.approx(
        (116.28, 39.95, 116.33, 40.0), abs=1e-8
    )
    assert dd.bounds_to_display(bounds, "WGS-84") == bounds


def test_to_display_identity_copies_and_errors(plan: PlanData) -> None:
    assert dd.to_display(plan.parks, "wgs84") is plan.parks
    assert dd.plan_to_display(plan, "wgs84") is plan
    shifted = dd.to_display(plan.parks.geometry, "GCJ-02")
    assert isinstance(shifted, gpd.GeoSeries) and shifted.name == plan.parks.geometry.name
    assert not shifted.geom_equals(plan.parks.geometry).any()
    moved = dd.plan_to_display(plan, "gcj02")
    assert moved.parks is not plan.parks and moved.clusters is plan.clusters
    with pytest.raises(DatumError, match="no Baidu basemap"):
        dd.to_display(plan.parks, "bd09")
    with pytest.raises(DatumError, match="Unknown datum"):
        dd.point_to_display(39.9, 116.3, "mars")


# --- the other map builders, without a browser -------------------------------------------------


def _plots() -> gpd.GeoDataFrame:
    """Two 40 m plots: one on Tiananmen, one 1.2 km east of it."""
    x, y = TIANANMEN_WGS
    step = 1200 / 85_000  # degrees of longitude at 40° N
    return gpd.GeoDataFrame(
        {"plot_id": ["A", "B"], "priority_score": [50.0, 70.0], "review_status": ["unreviewed"] * 2},
        geometry=[box(x - 0.00023, y - 0.00018, x + 0.00023, y + 0.00018), Point(x + step, y).buffer(0.0002)],
        crs=4326,
    )


def test_stock_plots_and_base_are_shifted_on_amap(plan: PlanData) -> None:
    plots = _plots()
    shown, _ = plots_for_display(plots, None, basemap="amap")
    centre = shapely.centroid(shown.geometry.iloc[0])
    assert _metres(centre.x, centre.y, *TIANANMEN_GCJ) < 1.0
    # plots_for_display shifted them; plots_layer draws what it is given.
    layer = plots_layer(shown, colour_by="priority", selected=None, tooltip_of={})
    lon, lat = _first_coordinate(_geojson(layer, "plots"))
    assert _metres(lon, lat, *TIANANMEN_GCJ) < 60  # a corner of the 40 m plot
    offline, _ = plots_for_display(plots, None)
    assert _metres(*shapely.centroid(offline.geometry.iloc[0]).coords[0], *TIANANMEN_WGS) < 1.0
    # The view box comes off the Amap map in GCJ-02: 200 m around the shifted plot A.
    lon, lat = TIANANMEN_GCJ
    view = (lon - 0.0012, lat - 0.0009, lon + 0.0012, lat + 0.0009)
    assert list(plots_for_display(plots, view, basemap="amap")[0]["plot_id"]) == ["A"]
    assert list(plots_for_display(plots, view)[0]["plot_id"]) == []  # read as WGS84 it misses A
    base_amap = build_stock_base_map(
        plan.parks, plan.districts, colour_by="priority", status_labels={}, canvas=False, basemap="amap"
    )
    base = build_stock_base_map(
        plan.parks, plan.districts, colour_by="priority", status_labels={}, canvas=False
    )
    for name in ("十六分园 Parks", "北京市行政区 Districts"):
        (x1, y1), (x0, y0) = (
            _first_coordinate(_geojson(base_amap, name)),
            _first_coordinate(_geojson(base, name)),
        )
        assert (x1 - x0, y1 - y0) == pytest.approx((0.006, 0.0014), abs=0.0008)
    assert "is.autonavi.com" in base_amap.get_root().render()


def test_siting_candidates_labels_and_surface_are_shifted_on_amap(plan: PlanData) -> None:
    array, transform = _landmark_raster()
    candidates = _plots().assign(
        name=["甲", "乙"], rank=[1, 2], score=[90.0, 80.0], eligible=[True, True], failed_constraints=[[], []]
    )
    result = SimpleNamespace(
        suitability=array,
        grid=SimpleNamespace(transform=transform, crs=ANALYSIS_CRS),
        candidates=candidates,
        specs=[],
    )
    maps = {
        key: build_siting_map(result, plan.parks, plan.districts, basemap=key) for key in ("none", "amap")
    }
    image = {
        k: next(e for e in _walk(m) if isinstance(e, folium.raster_layers.ImageOverlay))
        for k, m in maps.items()
    }
    assert np.subtract(image["amap"].bounds, image["none"].bounds) == pytest.approx(
        np.array([[0.0014, 0.0062]] * 2), abs=0.0004
    )
    assert _metres(*_hot_pixel_lonlat(image["amap"].url, image["amap"].bounds), *TIANANMEN_GCJ) < 30
    lon, lat = _first_coordinate(_geojson(maps["amap"], "候选地块 Candidates"))
    assert _metres(lon, lat, *TIANANMEN_GCJ) < 60
    rank_one = next(e.location for e in _walk(maps["amap"]) if isinstance(e, folium.Marker))
    assert _metres(rank_one[1], rank_one[0], *TIANANMEN_GCJ) < 30


def test_preview_is_shifted_on_amap(plan: PlanData) -> None:
    frame = _plots()
    amap = build_preview_map(frame, plan.parks, plan.districts, basemap="amap")
    lon, lat = _first_coordinate(_geojson(amap, "导入数据 Imported features"))
    assert _metres(lon, lat, *TIANANMEN_GCJ) < 60
    lon, lat = _first_coordinate(
        _geojson(build_preview_map(frame, plan.parks, plan.districts), "导入数据 Imported features")
    )
    assert _metres(lon, lat, *TIANANMEN_WGS) < 60
