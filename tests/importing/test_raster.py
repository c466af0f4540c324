"""GeoTIFF factor layers are vetted from their header: CRS, nodata, bands and whereabouts."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
import rasterio.errors
from affine import Affine
from pyproj import Transformer

from zgc_geo.errors import InputTooLargeError, UnreadableInputError
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.raster import REGION_BOUNDS_WGS84, RasterInfo, inspect_raster

#: Tianjin city centre in CGCS2000 / 3-degree GK CM 117E (EPSG:4548) metres.
TIANJIN_X, TIANJIN_Y = Transformer.from_crs(4326, 4548, always_xy=True).transform(117.20, 39.13)


def write_tif(
    path: Path,
    *,
    crs: str | None = "EPSG:4548",
    transform: Affine | None = None,
    nodata: float | None = -9999.0,
    count: int = 1,
) -> Path:
    if transform is None:
        transform = Affine(30.0, 0.0, TIANJIN_X, 0.0, -30.0, TIANJIN_Y)
    profile = {"driver": "GTiff", "width": 8, "height": 6, "count": count, "dtype": "float32"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with rasterio.open(path, "w", crs=crs, transform=transform, nodata=nodata, **profile) as dst:
            dst.write(np.ones((count, 6, 8), dtype="float32"))
    return path


def codes(info: RasterInfo) -> list[str]:
    return [p.code for p in info.problems]


def test_clean_tianjin_raster(tmp_path: Path) -> None:
    info = inspect_raster(write_tif(tmp_path / "slope.tif"))
    assert info.problems == []
    assert info.crs is not None and info.crs.to_epsg() == 4548
    assert (info.width, info.height, info.count, info.dtype, info.nodata) == (8, 6, 1, "float32", -9999.0)
    assert info.resolution == (30.0, 30.0)
    assert info.bounds == pytest.approx((TIANJIN_X, TIANJIN_Y - 180, TIANJIN_X + 240, TIANJIN_Y))
    assert info.bounds_wgs84 is not None
    west, south, _, _ = info.bounds_wgs84
    assert (west, south) == pytest.approx((117.20, 39.128), abs=0.01)


def test_raster_in_australia_is_outside_the_region(tmp_path: Path) -> None:
    path = write_tif(
        tmp_path / "uluru.tif", crs="EPSG:4326", transform=Affine(0.01, 0, 131.0, 0, -0.01, -25.3)
    )
    info = inspect_raster(path)
    [outside] = [p for p in info.problems if p.code == "raster_outside_region"]
    assert outside.severity == "error"
    assert outside.message == (
        "uluru.tif: the raster covers lon 131.000–131.080, lat -25.360–-25.300, outside "
        "Beijing–Tianjin–Hebei (lon 113.4–119.9, lat 36.0–42.7)"
    )
    assert "check the CRS" in outside.hint
    assert "crs_geographic" in codes(info)


def test_region_box_is_the_documented_one() -> None:
    assert REGION_BOUNDS_WGS84 == (113.4, 36.0, 119.9, 42.7)


def test_raster_without_crs(tmp_path: Path) -> None:
    info = inspect_raster(write_tif(tmp_path / "nocrs.tif", crs=None))
    assert info.crs is None
    assert info.bounds_wgs84 is None
    [missing] = [p for p in info.problems if p.code == "crs_missing"]
    assert (missing.severity, missing.message) == (
        "error",
        "nocrs.tif: the raster declares no coordinate reference system",
    )
    assert "EPSG:4548" in missing.hint
    assert "raster_outside_region" not in codes(info), "no CRS: the location is unknown, not wrong"


def test_raster_without_geotransform(tmp_path: Path) -> None:
    info = inspect_raster(write_tif(tmp_path / "scan.tif", crs=None, transform=Affine.identity()))
    assert codes(info)[:2] == ["not_georeferenced", "crs_missing"]
    assert "its pixels have no position" in info.problems[0].message


def test_raster_without_nodata(tmp_path: Path) -> None:
    info = inspect_raster(write_tif(tmp_path / "dem.tif", nodata=None))
    [warning] = info.problems
    assert (warning.severity, warning.code) == ("warning", "nodata_missing")
    assert "empty cells will be read as real values" in warning.message


def test_geographic_raster_is_noted(tmp_path: Path) -> None:
    path = write_tif(
        tmp_path / "deg.tif", crs="EPSG:4326", transform=Affine(0.001, 0, 116.3, 0, -0.001, 40.0)
    )
    [note] = inspect_raster(path).problems
    assert (note.severity, note.code) == ("info", "crs_geographic")
    assert "it will be resampled to metres" in note.message


def test_multiband_raster_is_noted(tmp_path: Path) -> None:
    [note] = inspect_raster(write_tif(tmp_path / "rgb.tif", count=3)).problems
    assert (note.severity, note.code) == ("info", "multiband")
    assert "the raster has 3 bands" in note.message


def test_png_renamed_tif_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.tif"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with pytest.raises(UnreadableInputError, match=r"photo.tif is not a GeoTIFF: it starts with b'\\x89PNG'"):
        inspect_raster(path)


def test_corrupt_tiff_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "cut.tif"
    path.write_bytes(write_tif(tmp_path / "whole.tif").read_bytes()[:40])
    with pytest.raises(
        UnreadableInputError, match=r"cut.tif is not a readable GeoTIFF \(.*\); export the layer"
    ):
        inspect_raster(path)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "zero.tif").touch()
    with pytest.raises(UnreadableInputError, match=r"zero.tif is not a GeoTIFF: it starts with b''"):
        inspect_raster(tmp_path / "zero.tif")
    with pytest.raises(UnreadableInputError, match=r"gone.tif: no such file"):
        inspect_raster(tmp_path / "gone.tif")


def test_raster_over_the_size_limit(tmp_path: Path) -> None:
    path = write_tif(tmp_path / "big.tif")
    with pytest.raises(InputTooLargeError, match=r"big.tif is [0-9,]+ bytes; the limit is 0.0001 MiB"):
        inspect_raster(path, ImportLimits(max_file_mib=0.0001))
