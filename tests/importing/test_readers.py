"""Every vector format planners really send is read with its Chinese text, CRS basis and layers intact."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from zgc_geo.errors import InputTooLargeError, OptionError, UnreadableInputError, UnsafeArchiveError
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.readers import KML_CRS_BASIS, read_vector
from zgc_geo.importing.source import ReadResult

NAMES = ["中关村软件园", "海淀园·上地"]
IDS = ["0601", "0602"]


class GbkZipInfo(zipfile.ZipInfo):
    """Writes its name as GBK bytes with the UTF-8 flag cleared, as zips from Chinese Windows do."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 (zipfile's own name)
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


@pytest.fixture
def plots() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"名称": NAMES, "dkbh": IDS, "area_mu": [12.5, 30.0]},
        geometry=[box(116.28, 40.04, 116.29, 40.05), box(116.30, 40.03, 116.31, 40.04)],
        crs="EPSG:4326",
    )


def codes(result: ReadResult) -> list[str]:
    return [p.code for p in result.problems]


def problem(result: ReadResult, code: str) -> str:
    found = [p for p in result.problems if p.code == code]
    assert len(found) == 1, codes(result)
    return f"{found[0].message} — {found[0].hint}"


def assert_same_geometry(read: gpd.GeoSeries, expected: gpd.GeoSeries) -> None:
    # normalize(): shapefile writers reorient rings (outer clockwise); same shape, other vertex order.
    same = shapely.equals_exact(
        shapely.normalize(read.to_numpy()), shapely.normalize(expected.to_numpy()), tolerance=1e-7
    )
    assert same.all(), (read.to_wkt().tolist(), expected.to_wkt().tolist())


def bureau_shapefile(plots: gpd.GeoDataFrame, folder: Path, stem: str = "地块") -> Path:
    """A GBK shapefile without .cpg, as land bureaus deliver them."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.shp"
    plots.to_file(path, encoding="GBK", engine="pyogrio")
    path.with_suffix(".cpg").unlink()
    assert path.with_suffix(".dbf").read_bytes()[29] == 0, "no language driver: only the bytes tell"
    return path


# --- Shapefile ----------------------------------------------------------------------------------------


def test_gbk_shapefile_without_cpg_is_detected(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    result = read_vector(bureau_shapefile(plots, tmp_path))
    assert result.frame["名称"].tolist() == NAMES
    assert result.frame["dkbh"].tolist() == IDS, "DBF text fields stay text: 0601 is not 601"
    assert result.encoding == "gb18030"
    assert result.encoding_basis == "no .cpg file; detected from the bytes (GBK/GB18030, not valid UTF-8)"
    assert "text decoded as gb18030: no .cpg file; detected" in problem(result, "encoding_chosen")
    assert "add a .cpg file or pass --encoding if the names look wrong" in problem(result, "encoding_guessed")
    assert result.crs_basis == "from the .prj file"
    assert result.frame.crs.equals("EPSG:4326")
    assert_same_geometry(result.frame.geometry, plots.geometry)


def test_dbf_language_driver_declares_gbk(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = bureau_shapefile(plots, tmp_path)
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0x4D
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    result = read_vector(path)
    assert result.frame["名称"].tolist() == NAMES
    assert result.encoding_basis == "no .cpg file; DBF language driver 0x4D (code page 936, GBK)"
    assert "encoding_guessed" not in codes(result)


def test_utf8_shapefile_with_cpg(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "plots.shp"
    plots.to_file(path, encoding="UTF-8", engine="pyogrio")
    result = read_vector(path)
    assert result.frame["名称"].tolist() == NAMES
    assert (result.encoding, result.encoding_basis) == ("utf-8", ".cpg file says 'UTF-8'")
    assert "encoding_guessed" not in codes(result)


@pytest.mark.parametrize("cpg", ["936", "CP936", "GBK", "GB2312", "ANSI 936"])
def test_cpg_spellings_of_gbk(plots: gpd.GeoDataFrame, tmp_path: Path, cpg: str) -> None:
    path = bureau_shapefile(plots, tmp_path)
    path.with_suffix(".cpg").write_text(cpg)
    result = read_vector(path)
    assert result.frame["名称"].tolist() == NAMES
    assert (result.encoding, result.encoding_basis) == ("gb18030", f".cpg file says {cpg!r}")


def test_cpg_contradicted_by_the_bytes_is_overruled(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = bureau_shapefile(plots, tmp_path)
    path.with_suffix(".cpg").write_text("UTF-8")
    result = read_vector(path)
    assert result.frame["名称"].tolist() == NAMES
    assert ".cpg file says 'UTF-8', but the text is not valid utf-8" in problem(
        result, "encoding_declared_wrong"
    )
    assert result.encoding_basis.startswith(".cpg file says 'UTF-8', contradicted by the bytes; detected")


def test_unknown_cpg_falls_back_to_detection(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = bureau_shapefile(plots, tmp_path)
    path.with_suffix(".cpg").write_text("KLINGON")
    result = read_vector(path)
    assert result.frame["名称"].tolist() == NAMES
    assert "unknown encoding 'KLINGON'" in problem(result, "cpg_unknown")
    assert result.encoding_basis.startswith("the .cpg file is unusable; detected from the bytes")


def test_encoding_argument_wins(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = bureau_shapefile(plots, tmp_path)
    path.with_suffix(".cpg").write_text("UTF-8")
    result = read_vector(path, encoding="GBK")
    assert result.frame["名称"].tolist() == NAMES
    assert (result.encoding, result.encoding_basis) == ("gb18030", "given with --encoding")
    assert codes(result) == ["encoding_chosen"]


def test_wrong_encoding_argument_is_a_clear_error(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    with pytest.raises(UnreadableInputError, match=r"地块.shp: text is not valid utf-8 .*pass --encoding"):
        read_vector(bureau_shapefile(plots, tmp_path), encoding="utf-8")


def test_unknown_encoding_argument_is_an_option_error(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    with pytest.raises(OptionError, match=r"unknown encoding 'martian'"):
        read_vector(bureau_shapefile(plots, tmp_path), encoding="martian")


def test_undecodable_dbf_asks_for_an_encoding(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "bad.shp"
    plots.assign(名称=["XXXX", "YYYY"]).to_file(path, encoding="UTF-8", engine="pyogrio")
    path.with_suffix(".cpg").unlink()
    dbf = path.with_suffix(".dbf")
    dbf.write_bytes(dbf.read_bytes().replace(b"XXXX", b"\xff\x80\xff\x80"))
    with pytest.raises(
        UnreadableInputError, match=r"bad.dbf: the attribute text is undecodable .* --encoding"
    ):
        read_vector(path)


def test_utf8_field_names_cut_mid_character_are_named(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    # GDAL (and so QGIS) cut 地块名称 to 10 UTF-8 bytes: 地块名 plus the first byte of 称.
    path = tmp_path / "qgis.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's note about it is undecodable itself
        plots.rename(columns={"名称": "地块名称"}).to_file(path, encoding="UTF-8", engine="pyogrio")
    with pytest.raises(
        UnreadableInputError,
        match=r"qgis.dbf: the text is UTF-8, but the field name\(s\) '地块名…' end in half a character: "
        r".* rename those fields, or save the layer as GeoPackage",
    ):
        read_vector(path)


def test_ascii_only_dbf_is_not_a_guess(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "ascii.shp"
    plots.drop(columns="名称").to_file(path, engine="pyogrio")
    path.with_suffix(".cpg").unlink()
    result = read_vector(path)
    assert result.encoding_basis == "no .cpg file; plain ASCII"
    assert "encoding_guessed" not in codes(result)


def test_missing_prj_leaves_the_crs_open(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = bureau_shapefile(plots, tmp_path)
    path.with_suffix(".prj").unlink()
    result = read_vector(path)
    assert result.frame.crs is None
    assert result.crs_basis == "no .prj file"


@pytest.mark.parametrize("sidecar", [".dbf", ".shx"])
def test_missing_sidecar_is_named(plots: gpd.GeoDataFrame, tmp_path: Path, sidecar: str) -> None:
    path = bureau_shapefile(plots, tmp_path)
    path.with_suffix(sidecar).unlink()
    with pytest.raises(
        UnreadableInputError, match=rf"地块.shp: the shapefile's \{sidecar} file \(地块\{sidecar}\)"
    ):
        read_vector(path)


# --- ZIP ------------------------------------------------------------------------------------------------


def zip_folder(folder: Path, archive: Path, extra: dict[str, bytes] | None = None) -> Path:
    """Zip with GBK member names and no UTF-8 flag, like the Windows "send to compressed folder"."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                zf.writestr(GbkZipInfo(file.relative_to(folder).as_posix()), file.read_bytes())
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return archive


def test_zipped_bureau_shapefile(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    bureau_shapefile(plots, tmp_path / "src" / "海淀")
    archive = zip_folder(tmp_path / "src", tmp_path / "plots.zip", {"海淀/说明.exe": b"MZ"})
    result = read_vector(archive)
    assert result.source_name == "plots.zip/海淀/地块.shp"
    assert result.format == "Shapefile in ZIP"
    assert result.frame["名称"].tolist() == NAMES
    assert result.encoding == "gb18030"
    assert "'海淀/说明.exe' was skipped" in problem(result, "archive_member_skipped")
    assert_same_geometry(result.frame.geometry, plots.geometry)


def test_zip_with_two_shapefiles_needs_a_choice(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    bureau_shapefile(plots, tmp_path / "src", "a")
    bureau_shapefile(plots.iloc[:1], tmp_path / "src", "b")
    archive = zip_folder(tmp_path / "src", tmp_path / "two.zip")
    with pytest.raises(
        UnreadableInputError, match=r"two.zip holds 2 datasets \(a.shp, b.shp\); upload one per"
    ):
        read_vector(archive)
    result = read_vector(archive, layer="b")
    assert (len(result.frame), result.layers, result.source_name) == (1, ("a", "b"), "two.zip/b.shp")
    with pytest.raises(OptionError, match=r"two.zip has no single dataset named 'c'; valid: a, b"):
        read_vector(archive, layer="c")


def test_zip_without_data_is_unreadable(tmp_path: Path) -> None:
    archive = tmp_path / "docs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.prj", "GEOGCS[]")
    with pytest.raises(
        UnreadableInputError, match=r"docs.zip contains no Shapefile, GeoJSON, GeoPackage or KML"
    ):
        read_vector(archive)


def test_hostile_zip_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../evil.shp", b"x")
    with pytest.raises(UnsafeArchiveError, match=r"evil.zip: member '../evil.shp' has '..'"):
        read_vector(archive)


# --- GeoPackage -----------------------------------------------------------------------------------------


@pytest.fixture
def two_layer_gpkg(plots: gpd.GeoDataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "规划.gpkg"
    plots.to_file(path, layer="地块", engine="pyogrio")
    plots.to_crs("EPSG:4548").to_file(path, layer="道路", engine="pyogrio")
    return path


def test_geopackage_first_layer_and_the_choice(plots: gpd.GeoDataFrame, two_layer_gpkg: Path) -> None:
    result = read_vector(two_layer_gpkg)
    assert (result.layer, result.layers) == ("地块", ("地块", "道路"))
    assert "2 layers; the first, '地块', was read — choose another with --layer: 地块, 道路" in problem(
        result, "layer_chosen"
    )
    assert result.frame["名称"].tolist() == NAMES
    assert result.frame["dkbh"].tolist() == IDS
    assert_same_geometry(result.frame.geometry, plots.geometry)


def test_geopackage_layer_by_name(two_layer_gpkg: Path) -> None:
    result = read_vector(two_layer_gpkg, layer="道路")
    assert result.layer == "道路"
    assert result.frame.crs.equals("EPSG:4548")
    assert "layer_chosen" not in codes(result)


def test_geopackage_unknown_layer_lists_the_valid_ones(two_layer_gpkg: Path) -> None:
    with pytest.raises(OptionError, match=r"规划.gpkg has no layer '水系'; valid layers: 地块, 道路"):
        read_vector(two_layer_gpkg, layer="水系")


# --- GeoJSON --------------------------------------------------------------------------------------------


def test_geojson_round_trip(plots: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "plots.geojson"
    plots.to_file(path, driver="GeoJSON", engine="pyogrio")
    result = read_vector(path)
    assert result.frame["名称"].tolist() == NAMES
    assert result.frame["dkbh"].tolist() == IDS
    assert result.crs_basis == 'RFC 7946: GeoJSON without a "crs" member is WGS84'
    assert_same_geometry(result.frame.geometry, plots.geometry)


def test_geojson_legacy_crs_member_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "legacy.json"
    path.write_text(
        '{"type": "FeatureCollection", '
        '"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}},'
        ' "features": [{"type": "Feature", "properties": {"id": "0601"},'
        ' "geometry": {"type": "Point", "coordinates": [440000, 4430000]}}]}',
        encoding="utf-8",
    )
    result = read_vector(path)
    assert result.frame.crs.equals("EPSG:4548")
    assert result.crs_basis == 'the file\'s legacy "crs" member (EPSG:4548)'
    assert result.frame["id"].tolist() == ["0601"]


def test_empty_feature_collection_is_an_error_problem(tmp_path: Path) -> None:
    path = tmp_path / "empty.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    result = read_vector(path)
    assert result.frame.empty
    assert "empty.geojson: the file contains no features" in problem(result, "empty_file")
    assert [p.severity for p in result.problems] == ["error"]


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing.geojson"
    path.touch()
    with pytest.raises(UnreadableInputError, match=r"nothing.geojson is empty \(0 bytes\)"):
        read_vector(path)


def test_text_renamed_to_geojson(tmp_path: Path) -> None:
    path = tmp_path / "notes.geojson"
    path.write_text("地块清单\n0601 中关村\n", encoding="utf-8")
    with pytest.raises(
        UnreadableInputError, match=r"notes.geojson does not look like GeoJSON: it starts with"
    ):
        read_vector(path)


def test_broken_json_names_the_file_not_the_temp_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(UnreadableInputError, match=r"^broken.geojson could not be read") as caught:
        read_vector(path)
    assert str(tmp_path) not in str(caught.value)


def test_gbk_geojson_needs_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "gbk.geojson"
    text = '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"名称":"中关村"},'
    path.write_bytes((text + '"geometry":{"type":"Point","coordinates":[116.3,40.0]}}]}').encode("gbk"))
    with pytest.raises(UnreadableInputError, match=r"gbk.geojson: text is not valid utf-8 .*--encoding GBK"):
        read_vector(path)
    result = read_vector(path, encoding="GBK")
    assert result.frame["名称"].tolist() == ["中关村"]
    assert result.encoding_basis == "given with --encoding"


def test_wrong_content_for_the_suffix(tmp_path: Path) -> None:
    path = tmp_path / "plots.shp"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(
        UnreadableInputError, match=r"plots.shp does not look like Shapefile \(it looks like GeoJSON\)"
    ):
        read_vector(path)


def test_unknown_suffix_and_content(tmp_path: Path) -> None:
    path = tmp_path / "plots.txt"
    path.write_text("hello")
    with pytest.raises(
        UnreadableInputError, match=r"plots.txt is not a supported vector format: .* supported: "
    ):
        read_vector(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInputError, match=r"gone.geojson: no such file"):
        read_vector(tmp_path / "gone.geojson")


# --- KML / KMZ ------------------------------------------------------------------------------------------

OVI_KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>奥维互动地图</name>
<Folder><name>地块</name>
<Placemark><name>中关村软件园</name><description>编号0601 面积12亩</description>
<ExtendedData><Data name="dkbh"><value>0601</value></Data>
<Data name="用途"><value>科研</value></Data></ExtendedData>
<Point><coordinates>116.2812345,40.0423456,0</coordinates></Point></Placemark>
<Placemark><name>海淀园·上地</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>116.3,40.03 116.31,40.03 116.31,40.04 116.3,40.03
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Folder>
<Folder><name>道路</name><Placemark><name>上地十街</name>
<LineString><coordinates>116.30,40.05 116.31,40.05</coordinates></LineString></Placemark></Folder>
</Document></kml>
"""


def test_ovi_kml_keeps_name_description_and_extended_data(tmp_path: Path) -> None:
    path = tmp_path / "奥维.kml"
    path.write_text(OVI_KML, encoding="utf-8")
    result = read_vector(path)
    frame = result.frame
    assert list(frame.columns) == ["Name", "Description", "dkbh", "用途", "geometry"]
    assert frame["Name"].tolist() == NAMES
    assert frame["Description"].iloc[0] == "编号0601 面积12亩"
    assert frame["dkbh"].iloc[0] == "0601"
    assert frame["用途"].iloc[0] == "科研"
    assert (result.layer, result.layers) == ("地块", ("地块", "道路"))
    assert "layer_chosen" in codes(result)
    assert frame.crs.equals("EPSG:4326")
    assert result.crs_basis == KML_CRS_BASIS == "KML is always WGS84 (OGC KML 2.2)"
    np.testing.assert_allclose(
        shapely.get_coordinates(frame.geometry.iloc[0]), [[116.2812345, 40.0423456]], atol=1e-7
    )
    expected = [[116.3, 40.03], [116.31, 40.03], [116.31, 40.04], [116.3, 40.03]]
    np.testing.assert_allclose(shapely.get_coordinates(frame.geometry.iloc[1]), expected, atol=1e-7)
    assert read_vector(path, layer="道路").frame["Name"].tolist() == ["上地十街"]
    with pytest.raises(OptionError, match=r"奥维.kml has no layer '水系'; valid layers: 地块, 道路"):
        read_vector(path, layer="水系")


def test_broken_kml_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "cut.kml"
    path.write_text(OVI_KML[:400], encoding="utf-8")
    with pytest.raises(
        UnreadableInputError, match=r"cut.kml is not well-formed XML \(.* at line \d+, column \d+\)"
    ):
        read_vector(path)


def test_gbk_kml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "gbk.kml"
    path.write_bytes(OVI_KML.replace('encoding="UTF-8"', 'encoding="GBK"').encode("gbk"))
    with pytest.raises(
        UnreadableInputError, match=r"gbk.kml declares a text encoding that cannot be read .* UTF-8"
    ):
        read_vector(path)


def test_kml_with_entities_is_refused_before_expansion(tmp_path: Path) -> None:
    path = tmp_path / "laughs.kml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE kml [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&b;</name></Document></kml>'
    )
    with pytest.raises(UnreadableInputError, match=r"laughs.kml declares a DOCTYPE/ENTITY \(line 2\)"):
        read_vector(path)


def test_kml_network_link_is_not_fetched(tmp_path: Path) -> None:
    path = tmp_path / "link.kml"
    path.write_text(
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><NetworkLink><Link>'
        "<href>http://169.254.169.254/latest</href></Link></NetworkLink></Document></kml>"
    )
    with pytest.raises(
        UnreadableInputError, match=r"link.kml contains a <NetworkLink> \(line 1\); linked files"
    ):
        read_vector(path)


def test_xml_that_is_not_kml(tmp_path: Path) -> None:
    path = tmp_path / "vrt.kml"
    path.write_text('<OGRVRTDataSource><OGRVRTLayer name="x"/></OGRVRTDataSource>')
    with pytest.raises(
        UnreadableInputError, match=r"vrt.kml is XML but not KML: its root element is <OGRVRTDataSource>"
    ):
        read_vector(path)


def test_kmz_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "地块.kmz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", OVI_KML)
        zf.writestr("files/icon.png", b"\x89PNG")
        zf.writestr("files/run.exe", b"MZ")
    result = read_vector(path)
    assert (result.format, result.source_name) == ("KMZ", "地块.kmz")
    assert result.frame["Name"].tolist() == NAMES
    assert result.crs_basis == KML_CRS_BASIS
    assert "'files/run.exe' was skipped" in problem(result, "archive_member_skipped")
    np.testing.assert_allclose(
        shapely.get_coordinates(result.frame.geometry.iloc[0]), [[116.2812345, 40.0423456]], atol=1e-7
    )


def test_kmz_without_kml(tmp_path: Path) -> None:
    path = tmp_path / "empty.kmz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("files/icon.png", b"\x89PNG")
    with pytest.raises(UnreadableInputError, match=r"empty.kmz contains no .kml document"):
        read_vector(path)


# --- Limits ---------------------------------------------------------------------------------------------


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}' + " " * 5000)
    with pytest.raises(InputTooLargeError, match=r"big.geojson is [0-9,]+ bytes; the limit is 0.001 MiB"):
        read_vector(path, limits=ImportLimits(max_file_mib=0.001))


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".kml"])
def test_too_many_features_is_refused(plots: gpd.GeoDataFrame, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"many{suffix}"
    if suffix == ".kml":
        path.write_text(OVI_KML, encoding="utf-8")
    else:
        plots.to_file(path, engine="pyogrio")
    with pytest.raises(InputTooLargeError, match=rf"many\{suffix} has more than 1 features \(the limit\)"):
        read_vector(path, limits=ImportLimits(max_features=1))


def test_points_survive_unchanged(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[Point(116.123456789, 39.987654321)], crs="EPSG:4326")
    frame.to_file(tmp_path / "p.gpkg", engine="pyogrio")
    assert_same_geometry(read_vector(tmp_path / "p.gpkg").frame.geometry, frame.geometry)
