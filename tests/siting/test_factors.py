"""Factor specs from the plan, raw factor values on a grid, and user GeoTIFFs resampled onto it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import Transformer

from zgc_geo.crs import to_analysis_crs
from zgc_geo.errors import SitingError
from zgc_geo.i18n import PLAN_REFERENCE, Sentence
from zgc_geo.plan_data import PlanData
from zgc_geo.siting.factors import (
    FactorSpec,
    cluster_factor_sources,
    cluster_factor_specs,
    factor_array,
    innovation_centre_spec,
    inside_mask,
    resample_geotiff,
)
from zgc_geo.siting.grid import grid_for

WEST, NORTH, STEP = 116.20, 40.00, 0.001  # source raster: 300 × 200 pixels of 0.001°

CJK = re.compile(r"[\u4e00-\u9fff]")


def _ramp(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return 1000.0 * (lon - 116.0) + 2000.0 * (lat - 39.0)


def _write_ramp(path: Path, *, crs: str | None = "EPSG:4326", hole: bool = False) -> Path:
    cols, rows = np.meshgrid(np.arange(300), np.arange(200))
    data = _ramp(WEST + (cols + 0.5) * STEP, NORTH - (rows + 0.5) * STEP).astype(np.float32)
    if hole:
        data[100:140, 100:140] = -9999.0
    profile = {
        "driver": "GTiff", "width": 300, "height": 200, "count": 1, "dtype": "float32",
        "nodata": -9999.0, "transform": Affine(STEP, 0.0, WEST, 0.0, -STEP, NORTH),
    }  # fmt: skip
    if crs:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def _grid_inside_the_raster():  # type: ignore[no-untyped-def]
    to_metric = Transformer.from_crs(4326, 4548, always_xy=True)
    x, y = to_metric.transform(116.30, 39.90)
    return grid_for(shapely.box(x, y, x + 3000.0, y + 2400.0), 30.0)


def test_geotiff_ramp_is_resampled_onto_cell_centres(tmp_path: Path) -> None:
    grid = _grid_inside_the_raster()
    got = resample_geotiff(_write_ramp(tmp_path / "ramp.tif"), grid)
    assert got.dtype == np.float32 and got.shape == grid.shape
    xs, ys = grid.cell_centres()
    lon, lat = Transformer.from_crs(4548, 4326, always_xy=True).transform(*np.meshgrid(xs, ys))
    # Bilinear interpolation reproduces a linear ramp; GDAL's approximate transformer may shift
    # the sampling point by up to 1/8 source pixel, i.e. up to 0.375 here.
    np.testing.assert_allclose(got, _ramp(lon, lat), atol=0.4)


def test_nodata_and_outside_the_file_are_nan(tmp_path: Path) -> None:
    to_metric = Transformer.from_crs(4326, 4548, always_xy=True)
    x, y = to_metric.transform(116.32, 39.87)  # the hole is lon 116.30–116.34, lat 39.86–39.90
    grid = grid_for(shapely.box(x - 300.0, y - 300.0, x + 300.0, y + 300.0), 30.0)
    got = resample_geotiff(_write_ramp(tmp_path / "hole.tif", hole=True), grid)
    assert np.isnan(got).all()
    x, y = to_metric.transform(116.49, 39.81)  # straddles the raster's south-east corner
    corner = resample_geotiff(tmp_path / "hole.tif", grid_for(shapely.box(x, y - 2000, x + 2000, y), 30.0))
    assert np.isnan(corner).any() and np.isfinite(corner).any()


def test_geotiff_without_crs_is_refused_with_the_importers_message(tmp_path: Path) -> None:
    path = _write_ramp(tmp_path / "nocrs.tif", crs=None)
    with pytest.raises(SitingError, match="declares no coordinate reference system"):
        resample_geotiff(path, _grid_inside_the_raster())


def test_unknown_resampling_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SitingError, match="bilinear"):
        resample_geotiff(_write_ramp(tmp_path / "r.tif"), _grid_inside_the_raster(), resampling="lanczos9")


def test_cluster_factor_specs_and_sources(plan: PlanData) -> None:
    specs = cluster_factor_specs(plan, "frontier_it")
    assert [s.id for s in specs] == ["near_feature_parks", "in_core_parks", "near_parks"]
    near = specs[0]
    assert (near.kind, near.direction, near.lower, near.upper) == ("distance", "cost", 500.0, 8000.0)
    assert near.max_distance_m == 8000.0
    sources = cluster_factor_sources(plan, "frontier_it")
    assert len(sources["near_feature_parks"]) == 12
    assert len(sources["in_core_parks"]) == 3
    assert len(sources["near_parks"]) == 16


def test_unknown_cluster_lists_the_valid_ones(plan: PlanData) -> None:
    with pytest.raises(SitingError, match="frontier_it"):
        cluster_factor_specs(plan, "space")


def test_innovation_centres_need_a_user_layer(plan: PlanData) -> None:
    spec = innovation_centre_spec(plan, "frontier_it")
    assert isinstance(spec.source_note, Sentence)  # worded in the reader's language where it is shown
    assert "without sites" in spec.source_note.text(
        "en"
    ) and "大数据与人工智能创新中心" in spec.source_note.text("zh")
    assert not CJK.search(PLAN_REFERENCE.sub("", spec.source_note.text("en")))
    assert spec.id not in {s.id for s in cluster_factor_specs(plan, "frontier_it")}


def test_factor_arrays_on_the_plan(plan: PlanData) -> None:
    parks = to_analysis_crs(plan.parks)
    haidian = parks[parks["park_id"] == "haidian"]
    grid = grid_for(haidian, 200.0, buffer_m=2000.0)
    specs = {s.id: s for s in cluster_factor_specs(plan, "frontier_it")}
    sources = cluster_factor_sources(plan, "frontier_it")
    inside = factor_array(specs["in_core_parks"], grid, sources["in_core_parks"])
    assert inside.dtype == np.float32 and set(np.unique(inside)) == {0.0, 1.0}
    np.testing.assert_array_equal(inside, inside_mask(grid, haidian.geometry) | (inside == 1))
    near = factor_array(specs["near_parks"], grid, sources["near_parks"])
    assert near.min() == 0.0 and near.max() <= 5000.0
    assert (near[inside == 1] == 0.0).all()


def test_factor_source_type_is_checked(tmp_path: Path) -> None:
    spec = FactorSpec("dem", "高程", "Elevation", "raster", "cost", 50.0, 300.0, "m", "user DEM")
    with pytest.raises(SitingError, match="GeoTIFF path"):
        factor_array(spec, _grid_inside_the_raster(), [shapely.Point(0, 0)])
    near = FactorSpec("rail", "距轨道站", "Rail", "distance", "cost", 0.0, 800.0, "m", "user layer")
    with pytest.raises(SitingError, match="not a path"):
        factor_array(near, _grid_inside_the_raster(), tmp_path / "stations.gpkg")


@pytest.mark.parametrize(
    ("kind", "direction", "lower", "upper", "message"),
    [
        ("slope", "cost", 0.0, 1.0, "kind 'slope'"),
        ("distance", "worse", 0.0, 1.0, "direction 'worse'"),
        ("distance", "cost", 5.0, 5.0, "lower < upper"),
        ("distance", "cost", -5.0, 5.0, "≥ 0 m"),
    ],
)
def test_spec_validation(kind: str, direction: str, lower: float, upper: float, message: str) -> None:
    with pytest.raises(SitingError, match=message):
        FactorSpec("f", "因子", "Factor", kind, direction, lower, upper, "m", "")  # type: ignore[arg-type]
