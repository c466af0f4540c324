"""Export + import keep Chinese text and every vertex (< 0.5 m), in each format and in `zgc-geo convert`."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from zgc_geo.cli import command as cli
from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.datums import wgs84_to_gcj02
from zgc_geo.export.layers import write_layer
from zgc_geo.importing.pipeline import ImportOptions, ImportResult, import_file

from .corpus import lonlat, plot_inventory, shifted

#: 𠀋 (U+2000B) lies outside the BMP and outside GBK; GB18030 and UTF-8 hold it.
RARE = "𠀋"
NAMES = ["中关村软件园闲置地块", f"海淀园上地{RARE}号厂房", "海淀园·永丰基地"]
OWNERS = ["北京中关村华科科技有限公司", f"北京{RARE}村实业总公司", "<b>永丰</b> & 清河"]
TOLERANCE_M = 0.5


@pytest.fixture(scope="module")
def plots() -> gpd.GeoDataFrame:
    """Three plots in EPSG:4548 (so every export reprojects), Chinese names and a rare character."""
    inventory = plot_inventory().iloc[:3]
    return gpd.GeoDataFrame(
        {"plot_id": ["ZGC-001", "ZGC-002", "ZGC-003"], "name": NAMES, "权利人": OWNERS},
        geometry=inventory.geometry.to_numpy(),
        crs=ANALYSIS_CRS,
    )


def vertex_gap_m(expected: gpd.GeoSeries, actual: gpd.GeoSeries) -> float:
    """The largest distance, in EPSG:4548 metres, from any vertex of either side to the nearest vertex
    of the other, feature by feature (ring direction and start vertex may change on the way)."""
    assert len(expected) == len(actual)
    worst = 0.0
    pairs = zip(expected.to_crs(ANALYSIS_CRS), actual.to_crs(ANALYSIS_CRS), strict=True)
    for ours, theirs in pairs:
        a, b = shapely.get_coordinates(ours), shapely.get_coordinates(theirs)
        gaps = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
        worst = max(worst, float(gaps.min(axis=1).max()), float(gaps.min(axis=0).max()))
    return worst


def usable(result: ImportResult) -> gpd.GeoDataFrame:
    assert result.report.usable, [str(p) for p in result.report.problems]
    assert result.frame is not None
    return result.frame


@pytest.mark.parametrize(
    ("suffix", "encoding", "options"),
    [
        (".gpkg", "UTF-8", ImportOptions(kind="plots")),
        (".geojson", "UTF-8", ImportOptions(kind="plots")),
        (".zip", "UTF-8", ImportOptions(kind="plots")),
        (".kml", "UTF-8", ImportOptions(kind="plots")),
        (".csv", "UTF-8", ImportOptions(kind="plots", crs="EPSG:4326")),  # polygons from the WKT column
        (".xlsx", "UTF-8", ImportOptions(kind="plots", crs="EPSG:4326")),
    ],
)
def test_export_then_import_keeps_names_and_vertices(
    plots: gpd.GeoDataFrame, tmp_path: Path, suffix: str, encoding: str, options: ImportOptions
) -> None:
    path = tmp_path / f"闲置地块-2024{suffix}"  # "-" is not valid in a KML layer name: GDAL adjusts it
    assert write_layer(plots, path, shapefile_encoding=encoding) == []
    back = usable(import_file(path, options))
    assert back["name"].tolist() == NAMES
    assert back["plot_id"].tolist() == ["ZGC-001", "ZGC-002", "ZGC-003"]
    owners = back["owner"].tolist()
    assert owners == OWNERS, "markup is kept as text; escaping is the viewer's business"
    assert vertex_gap_m(plots.geometry, back.geometry) < TOLERANCE_M


def test_gbk_shapefile_says_what_it_could_not_hold(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "闲置地块.zip"
    problems = write_layer(plots, path, shapefile_encoding="GBK")
    changed = {p.field for p in problems if p.code == "shapefile_values_changed"}
    assert changed == {"name", "权利人"}, [str(p) for p in problems]
    with zipfile.ZipFile(path) as archive:
        assert archive.read("闲置地块.cpg") == b"GBK"
    result = import_file(path, ImportOptions(kind="plots"))
    back = usable(result)
    assert "text decoded as gb18030: .cpg file says 'GBK'" in str(result.report.problems)
    assert back["name"].tolist() == [name.replace(RARE, "?") for name in NAMES]
    assert back["owner"].tolist() == [owner.replace(RARE, "?") for owner in OWNERS]
    assert "中关村" in back["name"].iloc[0] and "海淀园" in back["name"].iloc[2]
    assert vertex_gap_m(plots.geometry, back.geometry) < TOLERANCE_M


def test_csv_and_xlsx_points_come_back_from_the_lon_lat_columns(
    plots: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    expected = gpd.GeoSeries(shapely.point_on_surface(lonlat(plots).geometry.to_numpy()), crs="EPSG:4326")
    # CSV keeps the field names; a workbook is headed in Chinese (its 字段说明 sheet names the fields).
    for suffix, lon, lat, name in ((".csv", "lon", "lat", "name"), (".xlsx", "经度", "纬度", "名称")):
        path = tmp_path / f"地块{suffix}"
        write_layer(plots, path)
        options = ImportOptions(kind="layer", crs="EPSG:4326", x_column=lon, y_column=lat)
        back = usable(import_file(path, options))
        assert back[name].tolist() == NAMES
        assert (back.geom_type == "Point").all()
        assert vertex_gap_m(expected, back.geometry) < TOLERANCE_M


def test_metre_exports_come_back_in_place(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    """Exports in EPSG:4548 carry their CRS (GeoPackage, shapefile) or take it from --crs (CSV)."""
    for suffix, crs in ((".gpkg", None), (".zip", None), (".csv", "EPSG:4548")):
        path = tmp_path / f"地块{suffix}"
        write_layer(plots, path, crs="EPSG:4548")
        back = usable(import_file(path, ImportOptions(kind="plots", crs=crs)))
        assert back["name"].tolist() == NAMES
        assert vertex_gap_m(plots.geometry, back.geometry) < TOLERANCE_M


def test_kmz_input(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    kml = tmp_path / "doc.kml"
    write_layer(plots, kml)
    kmz = tmp_path / "闲置地块.kmz"
    with zipfile.ZipFile(kmz, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(kml, "doc.kml")
        archive.writestr("files/地块.png", b"\x89PNG\r\n")
    result = import_file(kmz, ImportOptions(kind="plots"))
    back = usable(result)
    assert result.read is not None and result.read.format == "KMZ"
    assert back["name"].tolist() == NAMES
    assert vertex_gap_m(plots.geometry, back.geometry) < TOLERANCE_M


# --------------------------------------------------------------------------- zgc-geo convert


def convert(capsys: pytest.CaptureFixture[str], *argv: object) -> str:
    code = cli.main(["convert", *map(str, argv)])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "Traceback" not in out + err
    return out


def test_convert_gcj02_to_wgs84_and_back(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    wgs84 = lonlat(plot_inventory())
    gcj02 = shifted(wgs84, wgs84_to_gcj02)
    source = tmp_path / "高德.geojson"
    gcj02.to_file(source, driver="GeoJSON", engine="pyogrio")

    out = convert(capsys, source, tmp_path / "wgs84.geojson", "--src-crs", "gcj02")
    assert "converted 24 feature(s)" in out
    converted = pyogrio.read_dataframe(tmp_path / "wgs84.geojson")
    assert vertex_gap_m(wgs84.geometry, converted.geometry) < TOLERANCE_M
    assert converted["地块名称"].tolist() == wgs84["地块名称"].tolist()

    convert(capsys, tmp_path / "wgs84.geojson", tmp_path / "back.geojson", "--dst-crs", "gcj02")
    back = pyogrio.read_dataframe(tmp_path / "back.geojson")
    # GCJ-02 numbers are compared as if they were WGS84: what counts is that they came back.
    assert vertex_gap_m(gcj02.geometry, back.geometry.set_crs(gcj02.crs, allow_override=True)) < TOLERANCE_M


def test_convert_wgs84_to_cgcs2000_geopackage_and_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    inventory = plot_inventory()
    source = tmp_path / "地块.geojson"
    lonlat(inventory).to_file(source, driver="GeoJSON", engine="pyogrio")

    convert(capsys, source, tmp_path / "地块.gpkg", "--dst-crs", "EPSG:4548")
    metres = pyogrio.read_dataframe(tmp_path / "地块.gpkg")
    assert metres.crs.to_epsg() == 4548
    assert vertex_gap_m(inventory.geometry, metres.geometry) < TOLERANCE_M

    convert(capsys, tmp_path / "地块.gpkg", tmp_path / "back.geojson")
    back = pyogrio.read_dataframe(tmp_path / "back.geojson")
    assert back.crs.to_epsg() == 4326
    assert back["地块名称"].tolist() == inventory["地块名称"].tolist()
    assert vertex_gap_m(inventory.geometry, back.geometry) < TOLERANCE_M


def test_convert_reads_a_gbk_shapefile_with_its_chinese_intact(
    plots: gpd.GeoDataFrame, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "国土局.zip"
    write_layer(plots, source, shapefile_encoding="GBK")
    out = convert(capsys, source, tmp_path / "地块.gpkg")
    assert "converted 3 feature(s)" in out
    back = pyogrio.read_dataframe(tmp_path / "地块.gpkg")
    assert back["name"].tolist() == [name.replace(RARE, "?") for name in NAMES]
    assert back["权利人"].tolist()[0] == "北京中关村华科科技有限公司"
    assert vertex_gap_m(plots.geometry, back.geometry) < TOLERANCE_M
