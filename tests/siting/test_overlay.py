"""Weighted overlay on a hand-computed 4 × 4 grid, constraints, and the GeoTIFF it is written to."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import CRS

from zgc_geo.errors import SitingError
from zgc_geo.siting import overlay
from zgc_geo.siting.factors import FactorSpec, factor_array
from zgc_geo.siting.grid import grid_for
from zgc_geo.siting.overlay import (
    constraint_mask,
    suitability_geotiff,
    weighted_overlay,
    write_suitability_geotiff,
)
from zgc_geo.siting.standardise import standardise

X0, Y0 = 441_000.0, 4_419_990.0

A = np.array(
    [[0.0, 0.2, 0.4, 0.6], [0.8, 1.0, 0.0, 0.5], [0.5, 0.5, 0.5, 0.5], [1.0, 1.0, 0.0, 0.0]], dtype=np.float32
)
B = np.array(
    [[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0], [0.2, 0.4, 0.6, 0.8], [0.0, 1.0, 0.0, 1.0]], dtype=np.float32
)


def test_overlay_by_hand() -> None:
    # Weights 3 : 1 normalise to 0.75 : 0.25, so cell (0, 1) = 100 · (0.75·0.2 + 0.25·1.0) = 40.
    got = weighted_overlay({"a": A, "b": B}, {"a": 3.0, "b": 1.0})
    expected = [[25, 40, 55, 70], [60, 75, 0, 37.5], [42.5, 47.5, 52.5, 57.5], [75, 100, 0, 25]]
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_constraint_outside_and_missing_data_are_nan() -> None:
    constraint = np.zeros((4, 4), dtype=bool)
    constraint[0, 0] = True
    inside = np.ones((4, 4), dtype=bool)
    inside[3, 3] = False
    b = B.copy()
    b[2, 1] = np.nan
    got = weighted_overlay({"a": A, "b": b}, {"a": 1.0, "b": 1.0}, constraint, inside=inside)
    assert np.isnan(got[0, 0]) and np.isnan(got[3, 3]) and np.isnan(got[2, 1])
    assert np.isfinite(got).sum() == 13
    assert got[1, 3] == pytest.approx(25.0)


def test_weights_must_match_the_factors() -> None:
    with pytest.raises(SitingError, match=r"no weight for factor\(s\) b.*unknown factor\(s\) c"):
        weighted_overlay({"a": A, "b": B}, {"a": 1.0, "c": 1.0})
    with pytest.raises(SitingError, match="shape"):
        weighted_overlay({"a": A, "b": B[:2]}, {"a": 1.0, "b": 1.0})


def test_constraint_mask_uses_cell_centres_or_every_touched_cell() -> None:
    grid = grid_for(shapely.box(X0, Y0, X0 + 40.0, Y0 + 40.0), 10.0)
    polygon = shapely.box(X0 + 2.0, Y0 + 2.0, X0 + 12.0, Y0 + 12.0)  # holds one cell centre, touches four
    assert constraint_mask(grid, [polygon]).sum() == 1
    assert constraint_mask(grid, [polygon], all_touched=True).sum() == 4


def test_geotiff_is_tiled_compressed_float32_nan_4548_and_round_trips(tmp_path: Path) -> None:
    grid = grid_for(shapely.box(X0, Y0, X0 + 700 * 30.0, Y0 + 600 * 30.0), 30.0)
    rng = np.random.default_rng(0)
    array = (rng.random(grid.shape) * 100).astype(np.float32)
    array[:50, :80] = np.nan
    path = write_suitability_geotiff(tmp_path / "out" / "suitability.tif", grid, array, overviews=True)
    with rasterio.open(path) as src:
        assert src.profile["tiled"] and (src.profile["blockxsize"], src.profile["blockysize"]) == (512, 512)
        assert src.compression.name.lower() == "deflate"
        assert src.tags(ns="IMAGE_STRUCTURE").get("PREDICTOR") == "3"
        assert src.dtypes[0] == "float32" and np.isnan(src.nodata)
        assert CRS.from_user_input(src.crs.to_wkt()).to_epsg() == 4548
        assert src.transform == grid.transform and src.overviews(1)
        np.testing.assert_array_equal(src.read(1), array)
    assert [p.name for p in path.parent.iterdir()] == ["suitability.tif"]  # no temporary file left


def test_streamed_run_equals_the_in_memory_model(tmp_path: Path) -> None:
    grid = grid_for(shapely.box(X0, Y0, X0 + 700 * 30.0, Y0 + 600 * 30.0), 30.0)
    stations = [shapely.Point(X0 + 3000.0, Y0 + 4000.0), shapely.Point(X0 + 15000.0, Y0 + 12000.0)]
    parks = [shapely.box(X0 + 8000.0, Y0 + 2000.0, X0 + 11000.0, Y0 + 6000.0)]
    dem = tmp_path / "dem.tif"  # a slope from 40 m in the west to 250 m in the east, one corner missing
    heights = np.tile(np.linspace(40.0, 250.0, 80, dtype=np.float32), (70, 1))
    heights[:10, :10] = -9999.0
    profile = {
        "driver": "GTiff",
        "width": 80,
        "height": 70,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:4548",
    }
    with rasterio.open(
        dem, "w", transform=grid.padded(8).transform @ Affine.scale(10.0), nodata=-9999.0, **profile
    ) as dst:
        dst.write(heights, 1)
    layers = [
        (FactorSpec("dem", "高程", "Elevation", "raster", "cost", 50.0, 200.0, "m", ""), dem),
        (FactorSpec("stations", "站", "Stations", "distance", "cost", 300.0, 3000.0, "m", ""), stations),
        (FactorSpec("parks", "园", "Parks", "distance", "cost", 0.0, 5000.0, "m", ""), parks),
        (FactorSpec("in_park", "园内", "In park", "inside", "benefit", 0.0, 1.0, "0/1", ""), parks),
    ]
    weights = {"dem": 1.0, "stations": 2.0, "parks": 1.0, "in_park": 1.0}
    area = shapely.box(X0, Y0, X0 + 12000.0, Y0 + 16000.0)  # the eastern blocks are skipped
    exclusion = shapely.box(X0 + 2000.0, Y0 + 2000.0, X0 + 4000.0, Y0 + 3000.0)
    timings: dict[str, float] = {}
    path = suitability_geotiff(
        tmp_path / "s.tif", grid, layers, weights, study_area=area, exclusions=[exclusion], block=256,
        timings=timings,
    )  # fmt: skip
    scored = {
        spec.id: standardise(factor_array(spec, grid, source), spec.direction, spec.lower, spec.upper)
        for spec, source in layers
    }
    expected = weighted_overlay(scored, weights, constraint_mask(grid, [exclusion]), inside=grid.burn([area]))
    with rasterio.open(path) as src:
        np.testing.assert_allclose(src.read(1), expected, atol=1e-4, equal_nan=True)
    assert np.isnan(expected[:, -100:]).all() and np.isfinite(expected).mean() > 0.4
    assert np.isnan(expected[:60, :60]).all()  # no elevation there
    assert {"factor:stations", "factor:parks", "standardise", "overlay", "write"} <= set(timings)


def test_streamed_run_refuses_duplicate_ids(tmp_path: Path) -> None:
    grid = grid_for(shapely.box(X0, Y0, X0 + 300.0, Y0 + 300.0), 30.0)
    spec = FactorSpec("p", "园", "Parks", "distance", "cost", 0.0, 500.0, "m", "")
    with pytest.raises(SitingError, match="unique"):
        suitability_geotiff(tmp_path / "x.tif", grid, [(spec, []), (spec, [])], {"p": 1.0})
    assert not (tmp_path / "x.tif").exists()


def test_a_failing_block_stops_the_run_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = grid_for(shapely.box(X0, Y0, X0 + 300 * 30.0, Y0 + 300 * 30.0), 30.0)
    spec = FactorSpec("p", "园", "Parks", "distance", "cost", 0.0, 500.0, "m", "")
    calls = {"n": 0}

    def failing(*args: object, **kwargs: object) -> np.ndarray:
        calls["n"] += 1
        if calls["n"] == 3:
            raise SitingError("block 3 failed")
        return np.zeros((64, 64), dtype=np.float32)

    monkeypatch.setattr(overlay, "factor_array", failing)
    with pytest.raises(SitingError, match="block 3 failed"):
        suitability_geotiff(tmp_path / "s.tif", grid, [(spec, [])], {"p": 1.0}, block=64, workers=2)
    assert list(tmp_path.iterdir()) == []
