"""CSV and XLSX plot lists as planners send them: GBK from Excel, odd delimiters, surveying axes, DMS."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from zgc_geo.catalogue import load_layer
from zgc_geo.errors import InputTooLargeError, OptionError, UnreadableInputError, UnsafeArchiveError
from zgc_geo.importing.crs_guess import resolve_crs
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.report import Problem
from zgc_geo.importing.source import ReadResult
from zgc_geo.importing.tables import CRS_BASIS, read_table


@pytest.fixture(scope="module")
def park_points() -> gpd.GeoDataFrame:
    """One point inside each shipped park, WGS84 lon/lat."""
    parks = load_layer("parks")
    return gpd.GeoDataFrame(
        {"park_id": parks["park_id"]},
        geometry=shapely.point_on_surface(parks.geometry.array),
        crs="EPSG:4326",
    )


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def codes(result: ReadResult) -> list[str]:
    return [p.code for p in result.problems]


def only(result: ReadResult, code: str) -> Problem:
    found = [p for p in result.problems if p.code == code]
    assert len(found) == 1, [str(p) for p in result.problems]
    return found[0]


def xy(result: ReadResult) -> np.ndarray:
    return shapely.get_coordinates(result.frame.geometry.array)


# --------------------------------------------------------------------------- CSV encodings and delimiters


def test_gbk_csv_from_excel_keeps_chinese_text_and_leading_zeros(tmp_path: Path) -> None:
    text = (
        "编号,名称,经度,纬度\r\n0601,中关村软件园,116.2853,40.0443\r\n0602,海淀园·上地,116.3051,40.0355\r\n"
    )
    result = read_table(write(tmp_path, "地块.csv", text, "gbk"))
    assert (result.format, result.encoding, result.first_row_number) == ("csv", "gb18030", 2)
    assert (result.crs_basis, result.frame.crs) == (CRS_BASIS, None)
    assert result.frame["编号"].tolist() == ["0601", "0602"]
    assert result.frame["名称"].tolist() == ["中关村软件园", "海淀园·上地"]
    assert xy(result).tolist() == [[116.2853, 40.0443], [116.3051, 40.0355]]
    assert "GBK/GB18030" in only(result, "encoding_chosen").message
    guessed = only(result, "encoding_guessed")
    assert guessed.severity == "warning"
    assert "pass --encoding (e.g. UTF-8 or BIG5)" in guessed.hint


def test_utf8_bom_is_chosen_without_a_guess_and_stripped_from_the_header(tmp_path: Path) -> None:
    result = read_table(write(tmp_path, "plots.csv", "名称,lon,lat\n海淀,116.3,39.9\n", "utf-8-sig"))
    assert result.encoding == "utf-8-sig"
    assert result.encoding_basis == "UTF-8 byte-order mark"
    assert list(result.frame.columns[:3]) == ["名称", "lon", "lat"]
    assert "encoding_guessed" not in codes(result)


def test_bare_carriage_returns_from_excel_for_mac_are_line_ends(tmp_path: Path) -> None:
    path = write(
        tmp_path, "mac.csv", 'plot_id,lon,lat,owner\rA1,116.31,39.98,x\rA2,116.32,39.97,"多行\r备注"\r'
    )
    result = read_table(path)
    assert result.frame["plot_id"].tolist() == ["A1", "A2"]
    assert result.frame["owner"].tolist() == ["x", "多行\n备注"]
    assert "line_endings_cr" in codes(result)


def test_a_nul_byte_in_the_header_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInputError, match=r"nul\.csv"):
        read_table(write(tmp_path, "nul.csv", "plot_id,lon,lat\x00\nA1,116.31,39.98\n"))


def test_declared_encoding_wins_and_a_wrong_one_names_the_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "plots.csv", "名称,lon,lat\n海淀,116.3,39.9\n", "gbk")
    assert read_table(path, encoding="GBK").frame["名称"].tolist() == ["海淀"]
    with pytest.raises(UnreadableInputError, match=r"plots.csv: bytes .* at offset 0 are not valid utf-8"):
        read_table(path, encoding="UTF-8")


@pytest.mark.parametrize(
    ("delimiter", "name"), [("\t", "tab"), (";", "semicolon"), ("，", "full-width comma")]
)
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str, name: str) -> None:
    rows = [
        ["id", "名称, 备注", "lon", "lat"],
        ["0601", "a, b", "116.3", "39.9"],
        ["0602", "c", "116.4", "40.0"],
    ]
    text = "".join(delimiter.join(r) + "\n" for r in rows)
    result = read_table(write(tmp_path, "plots.csv", text))
    assert list(result.frame.columns[:4]) == rows[0]
    assert result.frame["id"].tolist() == ["0601", "0602"]
    assert xy(result).tolist() == [[116.3, 39.9], [116.4, 40.0]]
    assert only(result, "delimiter_chosen").message == f"columns separated by {name}"


def test_quoted_wkt_commas_do_not_fool_the_sniffer(tmp_path: Path) -> None:
    text = 'id,wkt\n1,"POLYGON ((116 40, 116.01 40, 116.01 40.01, 116 40))"\n'
    result = read_table(write(tmp_path, "plots.csv", text))
    assert result.frame.geometry.iloc[0].geom_type == "Polygon"
    assert "delimiter_chosen" not in codes(result)


# --------------------------------------------------------------------------- XLSX


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_with_two_sheets_reads_the_first_non_empty_and_lists_both(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "plots.xlsx",
        {
            "说明": [],
            "地块": [["编号", "经度", "纬度", "面积"], ["0601", 116.3, 39.9, 3.0], [602, 116.4, 40.0, 1e-7]],
        },
    )
    result = read_table(path)
    assert (result.format, result.layer, result.layers) == ("xlsx", "地块", ("说明", "地块"))
    assert (result.encoding, result.first_row_number) == (None, 2)
    assert result.frame["编号"].tolist() == ["0601", "602"]
    assert result.frame["面积"].tolist() == ["3", "0.0000001"]
    assert result.frame["经度"].tolist() == ["116.3", "116.4"]
    chosen = only(result, "layer_chosen")
    assert chosen.message == "read sheet '地块' (the first non-empty one) of 2: 说明, 地块"
    assert chosen.hint == "pass --layer NAME to read another sheet"


def test_xlsx_sheet_option(tmp_path: Path) -> None:
    rows = [["lon", "lat"], [116.3, 39.9]]
    path = workbook(tmp_path / "plots.xlsx", {"a": rows, "b": [*rows, [116.5, 40.1]]})
    assert len(read_table(path, sheet="b").frame) == 2
    with pytest.raises(OptionError, match=r"plots.xlsx: no sheet named 'c'; the sheets are: a, b"):
        read_table(path, sheet="c")


def test_old_binary_xls_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "plots.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(
        UnreadableInputError, match=r"plots.xls: is an old binary Excel workbook .* save it as \.xlsx"
    ):
        read_table(path)


@pytest.mark.parametrize("content", [b"PK\x03\x04 truncated", b"just text, not a zip"])
def test_corrupt_xlsx_is_unreadable(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "plots.xlsx"
    path.write_bytes(content)
    with pytest.raises(
        UnreadableInputError, match=r"plots.xlsx: is not a readable .xlsx workbook .* save it"
    ):
        read_table(path)


# --------------------------------------------------------------------------- coordinate columns


def test_chinese_headers_with_units_are_recognised(tmp_path: Path) -> None:
    result = read_table(write(tmp_path, "plots.csv", "名称,经度（°）,纬度(°)\n海淀,116.3,39.9\n"))
    assert xy(result).tolist() == [[116.3, 39.9]]
    assert only(result, "columns_chosen").message == (
        "points built from '经度（°）' (lon/easting) and '纬度(°)' (lat/northing)"
    )


def test_cgcs2000_metres_in_east_north_columns_resolve_to_the_original_points(
    tmp_path: Path, park_points: gpd.GeoDataFrame
) -> None:
    metres = park_points.to_crs("EPSG:4548")
    lines = ["地块编号,东坐标(m),北坐标(m)"] + [
        f"{pid},{p.x:.3f},{p.y:.3f}" for pid, p in zip(metres["park_id"], metres.geometry, strict=True)
    ]
    result = read_table(write(tmp_path, "plots.csv", "\n".join(lines)))
    assert "axes_surveying_convention" not in codes(result)
    resolved, problems = resolve_crs(result.frame, "EPSG:4548", result.crs_basis)
    assert resolved.crs.to_epsg() == 4326
    error_m = resolved.to_crs("EPSG:4548").distance(metres.geometry, align=False)
    assert error_m.max() < 0.5
    assert [p.code for p in problems] == ["crs_used"]


@pytest.mark.parametrize(("x", "y"), [("X", "Y"), ("X坐标(m)", "Y坐标 (m)")])
def test_surveying_x_northing_y_easting_is_swapped_with_a_warning(
    tmp_path: Path, park_points: gpd.GeoDataFrame, x: str, y: str
) -> None:
    metres = park_points.to_crs("EPSG:4548")
    lines = [f"{x},{y},名称"] + [f"{p.y:.3f},{p.x:.3f},地块" for p in metres.geometry]
    path = write(tmp_path, "plots.csv", "\n".join(lines))
    result = read_table(path)
    warning = only(result, "axes_surveying_convention")
    assert warning.severity == "warning"
    assert warning.message.startswith(
        f"columns {x!r}/{y!r} follow the Chinese surveying convention (X = northing, Y = easting)"
    )
    assert warning.message.endswith("eastings, so they were swapped")
    assert warning.hint == f"if this is wrong, import again with --x-column {x} --y-column {y} to keep them"
    np.testing.assert_allclose(xy(result), shapely.get_coordinates(metres.geometry.array), atol=1e-3)
    kept = read_table(path, x_column=x, y_column=y)
    assert "axes_surveying_convention" not in codes(kept)
    assert xy(kept)[0, 0] > 4e6


def test_gis_order_x_easting_is_not_swapped(tmp_path: Path) -> None:
    result = read_table(write(tmp_path, "plots.csv", "x,y\n440206.6,4427543.0\n"))
    assert "axes_surveying_convention" not in codes(result)
    assert xy(result).tolist() == [[440206.6, 4427543.0]]


def test_no_coordinate_columns_lists_headers_and_recognised_names(tmp_path: Path) -> None:
    with pytest.raises(
        UnreadableInputError, match=r"no coordinate columns among the headers \['名称', '面积'\]"
    ) as err:
        read_table(write(tmp_path, "plots.csv", "名称,面积\n海淀,3\n"))
    assert "lon/x: 经度, lon, lng" in str(err.value)
    assert "--x-column/--y-column or --wkt-column to zgc-geo validate" in str(err.value)


def test_column_options_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, "plots.csv", "a,b\n116.3,39.9\n")
    assert xy(read_table(path, x_column="a", y_column="b")).tolist() == [[116.3, 39.9]]
    with pytest.raises(OptionError, match="give both --x-column and --y-column"):
        read_table(path, x_column="a")
    with pytest.raises(OptionError, match=r"no column named 'c'; the columns are: a, b"):
        read_table(path, x_column="a", y_column="c")


# --------------------------------------------------------------------------- values


def test_wkt_polygons_are_read_and_bad_rows_reported(tmp_path: Path, park_points: gpd.GeoDataFrame) -> None:
    polygons = park_points.to_crs("EPSG:4548").buffer(80, quad_segs=2).to_crs("EPSG:4326")
    lines = ["id\tgeometry"] + [f"{i}\t{g.wkt}" for i, g in enumerate(polygons[:3])]
    lines += ["3\tLINESTRING (116 40, 116.1 40)", "4\tPOLYGON ((116 40, 116.1", "5\t"]
    result = read_table(write(tmp_path, "plots.csv", "\n".join(lines)))
    geoms = result.frame.geometry
    assert geoms.name == "geometry"  # the WKT column's text is replaced by the shapes it holds
    assert list(result.frame.columns) == ["id", "geometry"]
    assert shapely.equals_exact(geoms[:3].to_numpy(), polygons[:3].to_numpy(), tolerance=1e-9).all()
    assert geoms[3:].isna().all()
    errors = [(p.code, p.row, p.value) for p in result.problems if p.severity == "error"]
    assert errors == [
        ("coordinates_missing", 7, ""),
        ("wkt_invalid", 6, "POLYGON ((116 40, 116.1"),
        ("geometry_type_not_allowed", 5, "LINESTRING (116 40, 116.1 40)"),
    ]
    assert "is not a Point, Polygon, MultiPolygon" in result.problems[-1].message


def test_dms_and_hemisphere_letters_become_decimal_degrees(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "lon,lat",
            "116°18'36.5\",39°59′24″N",
            "116.31E,北纬39.99",
            "116度18分,39.5",
            "W116.5,S39.5",
        ]
    )
    result = read_table(write(tmp_path, "plots.csv", text, "utf-8"))
    expected = [[116 + 18 / 60 + 36.5 / 3600, 39 + 59 / 60 + 24 / 3600], [116.31, 39.99], [116.3, 39.5]]
    np.testing.assert_allclose(xy(result)[:3], expected, atol=1e-9)
    assert xy(result)[3].tolist() == [-116.5, -39.5]
    notes = [p for p in result.problems if p.code == "dms_converted"]
    assert [p.severity for p in notes] == ["info", "info"]
    assert notes[0].message == (
        "4 'lon' value(s) in degrees-minutes-seconds or with a hemisphere letter converted to decimal "
        "degrees (row 2: '116°18\\'36.5\"' → 116.310139)"
    )


def test_empty_and_non_numeric_coordinates_are_reported_with_spreadsheet_rows(tmp_path: Path) -> None:
    text = "id,经度,纬度\n0601,116.3,39.9\n0602,,39.9\n\n0604,116°18′ E x,40.0\n0605,116.3,abc\n\n\n"
    result = read_table(write(tmp_path, "plots.csv", text))
    assert len(result.frame) == 5  # trailing blank lines dropped, the blank row 4 kept
    assert result.row_number(3) == 5
    errors = [(p.code, p.row, p.field, p.value) for p in result.problems if p.severity == "error"]
    assert errors == [
        ("coordinate_not_number", 5, "经度", "116°18′ E x"),
        ("coordinate_not_number", 6, "纬度", "abc"),
        ("coordinates_missing", 3, "经度", None),
        ("coordinates_missing", 4, "经度", None),
    ]
    assert result.frame.geometry.isna().tolist() == [False, True, True, True, True]
    bad = next(p for p in result.problems if p.code == "coordinate_not_number")
    assert bad.message == "'经度' is not a number or a degrees-minutes-seconds angle"
    assert "DMS such as 116°18'36.5\"" in bad.hint
    missing = next(p for p in result.problems if p.code == "coordinates_missing")
    assert (missing.message, missing.hint) == (
        "no coordinates: '经度' empty",
        "fill in both coordinates or delete the row",
    )


def test_limits_apply(tmp_path: Path) -> None:
    path = write(tmp_path, "plots.csv", "lon,lat\n116.3,39.9\n116.4,40.0\n")
    with pytest.raises(InputTooLargeError, match="2 rows is over the limit of 1"):
        read_table(path, limits=ImportLimits(max_features=1))
    with pytest.raises(InputTooLargeError, match="bytes; the limit is"):
        read_table(path, limits=ImportLimits(max_file_mib=1e-6))
    book = workbook(tmp_path / "plots.xlsx", {"地块": [["lon", "lat"], [116.3, 39.9], [116.4, 40.0]]})
    with pytest.raises(InputTooLargeError, match=r"plots\.xlsx!地块: more than 1 rows"):
        read_table(book, limits=ImportLimits(max_features=1))


def test_an_empty_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInputError, match="the file is empty; a header row"):
        read_table(write(tmp_path, "plots.csv", "\n\n"))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("id,lon,lat\n1,116.3,39.9,\n2,116.4,40.0,\n", "the data rows have one cell more than the header"),
        ("id,lon,lat\n1,116.3,39.9\n2,116.4,40.0,5\n", "cannot be split into columns at each comma"),
    ],
)
def test_ragged_rows_are_refused_not_shifted(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(UnreadableInputError, match=match):
        read_table(write(tmp_path, "plots.csv", text))


def test_a_shape_column_of_words_does_not_hide_the_coordinates(tmp_path: Path) -> None:
    result = read_table(write(tmp_path, "plots.csv", "shape,lon,lat\n矩形,116.3,39.9\n"))
    assert xy(result).tolist() == [[116.3, 39.9]]
    assert result.frame["shape"].tolist() == ["矩形"]


def test_utf16_tab_text_from_excel_and_leading_blank_lines(tmp_path: Path) -> None:
    result = read_table(write(tmp_path, "plots.csv", "\r\n名称\tlon\tlat\r\n海淀\t116.3\tx\r\n", "utf-16"))
    assert (result.encoding, result.first_row_number) == ("utf-16", 3)
    assert only(result, "coordinate_not_number").row == 3


def _xlsx_with(tmp_path: Path, member: str, payload: bytes) -> Path:
    """A real workbook with one member replaced, as a hostile upload would be."""
    source = tmp_path / "ok.xlsx"
    pd.DataFrame({"经度": ["116.3"], "纬度": ["39.9"]}).to_excel(source, index=False)
    target = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = payload if info.filename == member else zin.read(info.filename)
            zout.writestr(info.filename, data)
    return target


def test_xlsx_zip_bomb_is_refused_before_openpyxl_inflates_it(tmp_path: Path) -> None:
    bomb = _xlsx_with(tmp_path, "xl/worksheets/sheet1.xml", b"<a/>" + b" " * (3 * 2**20))
    expected = r"hostile.xlsx: member 'xl/worksheets/sheet1.xml'.*compression"
    with pytest.raises(UnsafeArchiveError, match=expected):
        read_table(bomb)


def test_xlsx_with_xml_entities_is_refused(tmp_path: Path) -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    hostile = _xlsx_with(tmp_path, "xl/worksheets/sheet1.xml", laughs)
    with pytest.raises(UnreadableInputError, match=r"hostile.xlsx: is not a readable .xlsx workbook"):
        read_table(hostile)
