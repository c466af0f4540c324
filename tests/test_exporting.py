"""Every export round-trips Chinese text and coordinates, is formula-safe, and is written atomically."""

from __future__ import annotations

import itertools
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, box

from tests.workbooks import canonical_sheet
from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.errors import OptionError
from zgc_geo.export import gpkg
from zgc_geo.export.flat import flatten
from zgc_geo.export.gpkg import arrow_writes_it
from zgc_geo.export.layers import write_layer
from zgc_geo.export.worded import worded_cell, worded_frame
from zgc_geo.i18n import Both, Sentence

FORMULA = '=HYPERLINK("http://evil.example","点我")'
X0, Y0 = 440_000.0, 4_430_000.0


@pytest.fixture
def layer() -> gpd.GeoDataFrame:
    """Two plots in EPSG:4548 (so every export must reproject), with Chinese text and a formula."""
    geometries = [
        box(X0, Y0, X0 + 123.4, Y0 + 98.7),
        MultiPolygon([box(X0 + 500, Y0, X0 + 600, Y0 + 100), box(X0 + 700, Y0, X0 + 750, Y0 + 50)]),
    ]
    return gpd.GeoDataFrame(
        {
            "plot_id": ["HD-001", "HD-002"],
            "name": ["中关村软件园闲置地块", FORMULA],
            "park_id": ["haidian", "haidian"],
            "权利人": ["北京某某科技有限公司", "<script>alert('x')</script>"],
            "far_current": [0.85, 1.2],
            "idle_since": pd.array([2015, None], dtype="Int64"),
            "lead_industries": [["大数据", "人工智能"], []],
        },
        geometry=geometries,
        crs=ANALYSIS_CRS,
    )


def read_back(path: Path) -> gpd.GeoDataFrame:
    """The features of an export, read the way a user's GIS or spreadsheet would."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            shp = next(n for n in archive.namelist() if n.endswith(".shp"))
            encoding = archive.read(shp.removesuffix(".shp") + ".cpg").decode("ascii")
        return pyogrio.read_dataframe(f"/vsizip/{path}/{shp}", encoding=encoding)
    if path.suffix in {".csv", ".xlsx"}:
        # A workbook is headed in Chinese; its 字段说明 sheet gives the canonical names back.
        table = pd.read_csv(path, encoding="utf-8-sig") if path.suffix == ".csv" else canonical_sheet(path)
        return gpd.GeoDataFrame(table, geometry=shapely.from_wkt(table.pop("wkt")), crs=4326)
    return pyogrio.read_dataframe(path)


def max_shift_m(original: gpd.GeoDataFrame, written: gpd.GeoDataFrame) -> float:
    """The largest distance between original and written outlines, measured in EPSG:4548 metres."""
    ours = original.geometry.to_crs(ANALYSIS_CRS).to_numpy()
    theirs = written.geometry.to_crs(ANALYSIS_CRS).to_numpy()
    return float(np.max(shapely.hausdorff_distance(ours, theirs)))


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".zip", ".kml", ".csv", ".xlsx"])
def test_round_trip_keeps_chinese_text_and_coordinates(
    tmp_path: Path, layer: gpd.GeoDataFrame, suffix: str
) -> None:
    path = tmp_path / f"闲置地块{suffix}"
    write_layer(layer, path)
    back = read_back(path)
    assert back.crs.to_epsg() == 4326
    assert len(back) == 2
    assert max_shift_m(layer, back) < 0.5
    name_column = "Name" if suffix == ".kml" else "name"
    assert back[name_column].iloc[0] == "中关村软件园闲置地块"
    if suffix == ".kml":
        assert "权利人: 北京某某科技有限公司" in back["description"].iloc[0]
    else:
        assert back["权利人"].iloc[0] == "北京某某科技有限公司"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary files left


def test_lists_are_written_as_separated_text(tmp_path: Path, layer: gpd.GeoDataFrame) -> None:
    write_layer(layer, tmp_path / "out.gpkg")
    back = pyogrio.read_dataframe(tmp_path / "out.gpkg")
    assert back["lead_industries"].tolist() == ["大数据;人工智能", ""]


def test_geojson_is_rfc7946(tmp_path: Path, layer: gpd.GeoDataFrame) -> None:
    path = tmp_path / "out.geojson"
    write_layer(layer, path)
    text = path.read_text(encoding="utf-8")
    assert '"crs"' not in text  # RFC 7946 has no crs member: it is always WGS84
    assert "中关村软件园闲置地块" in text
    lon, lat = shapely.from_geojson(text).geoms[0].exterior.coords[0]
    assert 116 < lon < 117 and 39 < lat < 41  # lon/lat order


def test_gpkg_holds_extra_tables_as_layers(tmp_path: Path, layer: gpd.GeoDataFrame) -> None:
    summary = pd.DataFrame({"园区": ["海淀园"], "地块数": [2]})
    assert write_layer(layer, tmp_path / "out.gpkg", layer="plots", tables={"summary": summary}) == []
    assert pyogrio.list_layers(tmp_path / "out.gpkg").tolist() == [
        ["plots", "MultiPolygon"],
        ["summary", None],
    ]
    assert pyogrio.read_dataframe(tmp_path / "out.gpkg", layer="summary")["园区"].tolist() == ["海淀园"]


def test_formats_without_tables_say_so(tmp_path: Path, layer: gpd.GeoDataFrame) -> None:
    (problem,) = write_layer(layer, tmp_path / "out.geojson", tables={"summary": pd.DataFrame({"a": [1]})})
    assert (problem.severity, problem.code) == ("info", "tables_not_written")
    assert problem.message == "the extra tables (summary) are not written to .geojson files"


@pytest.mark.parametrize(("encoding", "bytes_per_han"), [("UTF-8", 3), ("GBK", 2)])
def test_shapefile_field_names_fit_ten_bytes_in_the_chosen_encoding(
    tmp_path: Path, layer: gpd.GeoDataFrame, encoding: str, bytes_per_han: int
) -> None:
    layer["闲置起始年份"] = [2015, 2016]
    layer["闲置起始年份备注"] = ["甲", "乙"]
    path = tmp_path / "out.zip"
    problems = write_layer(layer, path, shapefile_encoding=encoding)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["out.cpg", "out.dbf", "out.prj", "out.shp", "out.shx"]
        assert archive.read("out.cpg").decode("ascii") == encoding
        dbf = archive.read("out.dbf")
    assert "北京某某科技有限公司".encode(encoding) in dbf
    back = read_back(path)
    names = [c for c in back.columns if c != "geometry"]
    assert all(len(n.encode(encoding)) <= 10 for n in names)
    assert len({n.lower() for n in names}) == len(names)
    renamed = [p for p in problems if p.code == "shapefile_fields_renamed"]
    assert len(renamed) == 1 and renamed[0].severity == "warning"
    short = "闲置起始年份"[: 10 // bytes_per_han]
    assert f"闲置起始年份 → {short}" in renamed[0].message
    assert "lead_industries → lead_indus" in renamed[0].message
    assert back[short].tolist() == [2015, 2016]


def test_shapefiles_refuse_mixed_geometry_kinds(tmp_path: Path, layer: gpd.GeoDataFrame) -> None:
    mixed = pd.concat(
        [layer, gpd.GeoDataFrame({"plot_id": ["P"]}, geometry=[Point(X0, Y0)], crs=ANALYSIS_CRS)]
    )
    with pytest.raises(OptionError, match=r"mixes point, polygon; export it as \.gpkg or \.geojson"):
        write_layer(mixed, tmp_path / "out.zip")
    assert list(tmp_path.iterdir()) == []


def test_formulas_are_neutralised_in_csv_xlsx_dbf_and_kml(tmp_path: Path, layer: gpd.GeoDataFrame) -> None:
    for suffix in (".csv", ".xlsx", ".zip", ".kml"):
        write_layer(layer, tmp_path / f"out{suffix}")
    csv = pd.read_csv(tmp_path / "out.csv", encoding="utf-8-sig")
    assert csv["name"].iloc[1] == "'" + FORMULA
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    cell = openpyxl.load_workbook(tmp_path / "out.xlsx")["要素"]["B3"]
    assert (cell.value, cell.data_type) == ("'" + FORMULA, "s")
    assert read_back(tmp_path / "out.zip")["name"].iloc[1] == "'" + FORMULA
    kml = read_back(tmp_path / "out.kml")
    assert kml["Name"].iloc[1] == "'" + FORMULA
    assert "name: '=HYPERLINK" in kml["description"].iloc[1]
    # markup in the data stays text in the description viewers render as HTML
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in kml["description"].iloc[1]


def test_kml_names_fall_back_to_the_plot_id(tmp_path: Path, layer: gpd.GeoDataFrame) -> None:
    layer["name"] = ["", None]
    write_layer(layer, tmp_path / "out.kml")
    assert read_back(tmp_path / "out.kml")["Name"].tolist() == ["HD-001", "HD-002"]


def test_csv_has_a_representative_point_inside_each_plot(tmp_path: Path, layer: gpd.GeoDataFrame) -> None:
    write_layer(layer, tmp_path / "out.csv")
    table = pd.read_csv(tmp_path / "out.csv", encoding="utf-8-sig")
    assert list(table.columns)[-3:] == ["lon", "lat", "wkt"]
    points = gpd.GeoSeries(gpd.points_from_xy(table["lon"], table["lat"]), crs=4326)
    assert points.within(layer.geometry.to_crs(4326), align=False).all()


def test_xlsx_has_a_sheet_per_table_and_a_frozen_header(tmp_path: Path, layer: gpd.GeoDataFrame) -> None:
    tables = {"汇总/summary": pd.DataFrame({"指标": ["=1+1"], "值": [2]}), "notes": pd.DataFrame({"a": [1]})}
    write_layer(layer, tmp_path / "out.xlsx", layer="地块", tables=tables)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert book.sheetnames == ["地块", "汇总_summary", "notes", "字段说明"]
    assert all(book[name].freeze_panes == "A2" for name in book.sheetnames)
    assert book["汇总_summary"]["A2"].value == "'=1+1"


def test_unsupported_extension_lists_the_supported_ones(tmp_path: Path, layer: gpd.GeoDataFrame) -> None:
    with pytest.raises(
        OptionError,
        match=r"files ending in \.shp are not supported; use one of \.gpkg, \.geojson, \.zip, \.kml",
    ):
        write_layer(layer, tmp_path / "out.shp")
    with pytest.raises(OptionError, match="unknown shapefile encoding 'klingon'"):
        write_layer(layer, tmp_path / "out.zip", shapefile_encoding="klingon")
    with pytest.raises(OptionError, match=r"the folder .* does not exist"):
        write_layer(layer, tmp_path / "missing" / "out.gpkg")


@pytest.mark.parametrize("suffix", [".gpkg", ".csv"])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(
    tmp_path: Path, layer: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    path = tmp_path / f"plots{suffix}"
    path.write_bytes(b"the previous export")

    def crash(_self_or_frame: object, target: object, *args: object, **kwargs: object) -> None:
        Path(str(target)).write_bytes(b"half a fi")  # a partial file, then the disk fills up
        raise OSError("No space left on device")

    if suffix == ".gpkg":
        monkeypatch.setattr(pyogrio, "write_dataframe", crash)
        monkeypatch.setattr(pyogrio, "write_arrow", crash)  # a layer streamed in batches
    else:
        monkeypatch.setattr(pd.DataFrame, "to_csv", crash)
    with pytest.raises(OSError, match="No space left"):
        write_layer(layer, path)
    assert path.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_a_successful_write_replaces_the_old_file(tmp_path: Path, layer: gpd.GeoDataFrame) -> None:
    path = tmp_path / "plots.gpkg"
    path.write_bytes(b"the previous export")
    write_layer(layer, path)
    assert len(pyogrio.read_dataframe(path)) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plots.gpkg"]


def test_shapefile_values_gbk_cannot_hold_or_too_long_are_fixed_and_reported(
    tmp_path: Path, layer: gpd.GeoDataFrame
) -> None:
    layer["note"] = ["笑脸😀", "长" * 200]  # an emoji is not in GBK; 200 汉字 are 400 bytes in GBK
    problems = write_layer(layer, tmp_path / "out.zip", shapefile_encoding="GBK")
    (changed,) = [p for p in problems if p.code == "shapefile_values_changed"]
    assert (changed.severity, changed.field) == ("warning", "note")
    assert changed.message == (
        "2 value(s) of 'note' were cut to 254 bytes or had characters GBK cannot hold replaced by '?'"
    )
    assert read_back(tmp_path / "out.zip")["note"].tolist() == ["笑脸?", "长" * 127]


def test_xlsx_cuts_cells_at_the_excel_limit_and_drops_control_characters(
    tmp_path: Path, layer: gpd.GeoDataFrame
) -> None:
    layer.loc[0, "geometry"] = Point(X0, Y0).buffer(100, quad_segs=1_000)  # a WKT of ~100,000 characters
    layer.loc[1, "name"] = "控制\x01字符"
    problems = write_layer(layer, tmp_path / "out.xlsx")
    (too_long,) = problems
    assert (too_long.severity, too_long.code, too_long.field) == ("warning", "xlsx_cell_too_long", "wkt")
    assert (
        too_long.message
        == "1 cell(s) of 'wkt' on sheet '要素' were cut to Excel's limit of 32,767 characters"
    )
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["要素"]
    assert sheet["B3"].value == "控制字符"
    wkt = [c.value for c in sheet[1]].index("几何（WKT）")
    assert len(sheet.cell(2, wkt + 1).value) == 32_767


def plain_flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """The simple path ``_flatten`` must equal: every cell of every object column mapped on its own."""
    flat = frame.copy()
    flat.columns = [str(c) for c in flat.columns]
    for column in flat.columns:
        if flat[column].dtype == object:
            flat[column] = flat[column].map(
                lambda v: ";".join(map(str, v)) if isinstance(v, list | tuple) else v
            )
    return flat


def typed_layer() -> gpd.GeoDataFrame:
    """Every kind of column a layer may bring: numbers, texts, dates, nullable types, objects of all sorts."""
    rows = 4
    return gpd.GeoDataFrame(
        {
            "int": np.arange(rows),
            "small": np.arange(rows, dtype=np.uint16),
            "float": [1.5, np.nan, -0.0, 1e300],
            "float32": np.arange(rows, dtype=np.float32),
            "flag": [True, False, True, False],
            "count": pd.array([1, None, 3, 4], dtype="Int64"),
            "maybe": pd.array([True, None, False, True], dtype="boolean"),
            "text": pd.Series(["中文", None, "", "x"], dtype="str"),
            "object_text": pd.Series(["a", None, "园区", np.nan], dtype=object),
            "when": pd.to_datetime(["2020-01-01", None, "2021-05-05", "2022-01-01"]),
            "when_tz": pd.to_datetime(["2020-01-01", None, "2021-05-05", "2022-01-01"]).tz_localize(
                "Asia/Shanghai"
            ),
            "nothing": pd.Series([None] * rows, dtype=object),
            "object_int": pd.Series([1, 2, 3, 4], dtype=object),
            "object_float": pd.Series([1, None, 2.5, 3], dtype=object),
            "object_bool": pd.Series([True, None, False, True], dtype=object),
            "mixed": pd.Series([1, "a", None, 2.5], dtype=object),
            "lists": pd.Series([["大数据", "人工智能"], [], ("a", 1), None], dtype=object),
            "modes": pd.Series([["cooperative", "自主"], [], ("cooperative", "自主"), np.nan], dtype=object),
            "text_lists": pd.Series([["a"], ["a"], ["a;b"], ["a", "b"]], dtype=object),
            7: pd.Series(["not", "a", "text", "name"], dtype=object),
        },
        geometry=[box(X0, Y0, X0 + 10, Y0 + 10 * (i + 1)) for i in range(rows)],
        crs=ANALYSIS_CRS,
    )


def test_flatten_types_columns_as_mapping_every_cell_would() -> None:
    layer = typed_layer()
    before = layer.copy()
    flat = flatten(layer)
    pd.testing.assert_frame_equal(flat, plain_flatten(layer), check_exact=True)
    assert flat["lists"].tolist()[:3] == ["大数据;人工智能", "", "a;1"]
    assert flat["modes"].tolist()[:3] == ["cooperative;自主", "", "cooperative;自主"]
    pd.testing.assert_frame_equal(layer, before)  # the input keeps its lists and names


def gpkg_contents(path: Path) -> dict[str, object]:
    """What a GeoPackage holds, byte for byte: tables' definitions, rows (geometry blobs too), metadata."""
    with sqlite3.connect(path) as db:
        tables = [name for (name,) in db.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")]
        return {
            "schema": db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
            "contents": db.execute(
                "SELECT table_name, data_type, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents"
            ).fetchall(),
            "geometry": db.execute("SELECT * FROM gpkg_geometry_columns").fetchall(),
            **{name: db.execute(f'SELECT * FROM "{name}"').fetchall() for name in tables},
        }


@pytest.mark.parametrize("columns", [["int", "float", "text", "when", "nothing"], None])
def test_gpkg_is_written_as_the_classic_path_writes_it(tmp_path: Path, columns: list[str] | None) -> None:
    """The fast (Arrow) path is taken only for frames it writes exactly as pyogrio's classic path does."""
    layer = typed_layer()
    if columns is not None:  # a frame of types the fast path writes, or all of them (the classic path)
        layer = layer[[*columns, "geometry"]]
    table = pd.DataFrame({"park": ["海淀园", None], "plots": [3, 4], "share": [0.5, np.nan]})
    write_layer(layer, tmp_path / "out.gpkg", layer="plots", tables={"summary": table}, crs="EPSG:4548")
    classic = tmp_path / "classic.gpkg"
    pyogrio.write_dataframe(flatten(layer), classic, layer="plots", driver="GPKG", use_arrow=False)
    pyogrio.write_dataframe(table, classic, layer="summary", driver="GPKG", use_arrow=False)
    assert gpkg_contents(tmp_path / "out.gpkg") == gpkg_contents(classic)


def streamed_layer(rows: int = 7) -> gpd.GeoDataFrame:
    """Columns the streamed GeoPackage write takes: numbers, texts, worded cells, lists, missing values
    (a whole batch of them in some columns), polygons mixed with multipolygons, a missing and an empty one."""
    reason = Sentence("stock.why.underused", {"far": "0.5", "ratio": "0.5", "permitted": "2.0"})
    kind = Both("用而未尽", "Underused")
    geometries = [box(X0, Y0, X0 + 10, Y0 + 10 * (i + 1)) for i in range(rows)]
    geometries[1] = MultiPolygon([box(X0, Y0, X0 + 5, Y0 + 5), box(X0 + 9, Y0, X0 + 12, Y0 + 4)])
    geometries[3], geometries[4] = None, shapely.Polygon()
    cycle = list(itertools.islice(itertools.cycle([None, "园区", np.nan, FORMULA]), rows))
    return gpd.GeoDataFrame(
        {
            "int": np.arange(rows),
            "float": np.linspace(-1e300, 1.5, rows),
            "flag": np.arange(rows) % 2 == 0,
            "count": pd.array([None, *range(rows - 1)], dtype="Int64"),
            "maybe": pd.array([True, None, *([False] * (rows - 2))], dtype="boolean"),
            "text": pd.Series(["中文", None, *([""] * (rows - 2))], dtype="str"),
            "object_text": pd.Series([None, None, None, *cycle[3:]], dtype=object),  # a batch of nothing
            "reason": pd.Series([reason, None, kind, *([reason] * (rows - 3))], dtype=object),
            "modes": pd.Series([["cooperative", "自主"], [], None, *([("a", 1)] * (rows - 3))], dtype=object),
            "when": pd.to_datetime(["2020-01-01", None, *(["2021-05-05"] * (rows - 2))]),
            8: np.zeros(rows, dtype=np.float32),
        },
        geometry=geometries,
        crs=ANALYSIS_CRS,
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("rows_per_batch", [1, 3, 100])
def test_a_streamed_gpkg_layer_is_the_file_the_classic_path_writes(
    tmp_path: Path, lang: str, rows_per_batch: int
) -> None:
    layer = streamed_layer()
    assert gpkg._stream_of(layer) is not None  # the stream takes this frame (else this test tests nothing)
    streamed, classic = tmp_path / "streamed.gpkg", tmp_path / "classic.gpkg"
    gpkg.write_gpkg_layer(layer, streamed, "plots", lang, rows_per_batch=rows_per_batch)
    prepared = flatten(worded_frame(layer, lang))
    pyogrio.write_dataframe(prepared, classic, layer="plots", driver="GPKG", use_arrow=False)
    assert gpkg_contents(streamed) == gpkg_contents(classic)
    assert pyogrio.read_dataframe(streamed)["reason"].iloc[0] == worded_cell(layer["reason"].iloc[0], lang)


@pytest.mark.parametrize(
    "geometries",
    [
        [Point(X0, Y0), shapely.MultiPoint([(X0, Y0), (X0 + 5, Y0)]), Point()],
        [shapely.LineString([(X0, Y0), (X0 + 9, Y0)]), shapely.MultiLineString([[(X0, Y0), (X0, Y0 + 3)]])],
        [Point(X0, Y0), shapely.LineString([(X0, Y0), (X0 + 9, Y0)])],  # no common type: "Unknown"
    ],
)
def test_streamed_points_and_lines_are_the_classic_path_file(tmp_path: Path, geometries: list) -> None:
    layer = gpd.GeoDataFrame({"n": range(len(geometries))}, geometry=geometries, crs=ANALYSIS_CRS)
    assert gpkg._stream_of(layer) is not None
    streamed, classic = tmp_path / "streamed.gpkg", tmp_path / "classic.gpkg"
    gpkg.write_gpkg_layer(layer, streamed, "features", "zh", rows_per_batch=1)
    pyogrio.write_dataframe(layer, classic, layer="features", driver="GPKG", use_arrow=False)
    assert gpkg_contents(streamed) == gpkg_contents(classic)


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([None] * 7, dtype=object),  # nothing but missing cells: typed by what they are
        pd.Series([1, *([None] * 6)], dtype=object),  # an object column of numbers
        pd.Series(pd.date_range("2020-01-01", periods=7, tz="Asia/Shanghai")),  # offsets as text
    ],
)
def test_a_layer_the_stream_cannot_type_in_advance_is_written_at_once(
    tmp_path: Path, column: pd.Series
) -> None:
    layer = streamed_layer().assign(odd=column.to_numpy())
    assert gpkg._stream_of(layer) is None
    written, classic = tmp_path / "written.gpkg", tmp_path / "classic.gpkg"
    gpkg.write_gpkg_layer(layer, written, "plots", "zh", rows_per_batch=2)
    pyogrio.write_dataframe(flatten(worded_frame(layer, "zh")), classic, layer="plots", use_arrow=False)
    assert gpkg_contents(written) == gpkg_contents(classic)


def test_the_fast_gpkg_path_is_taken_only_for_the_types_it_writes_alike() -> None:
    layer = flatten(typed_layer())
    alike = ["int", "small", "float", "float32", "flag", "count", "maybe", "text", "object_text", "when"]
    alike += ["when_tz", "nothing", "lists", "modes", "text_lists", "7"]
    assert arrow_writes_it(layer[[*alike, "geometry"]])
    for column in ("object_bool", "mixed"):  # objects that are not texts: typed otherwise by the Arrow path
        assert not arrow_writes_it(layer[[column, "geometry"]]), column
    others = {
        "object_int": pd.Series([1, 2], dtype=object),
        "unsigned": np.arange(2, dtype=np.uint64),
        "nullable_unsigned": pd.array([1, None], dtype="UInt32"),
        "category": pd.Series(["a", "b"], dtype="category"),
        "dates": pd.Series([pd.Timestamp("2020-01-01").date()] * 2, dtype=object),
        "duration": pd.to_timedelta([1, 2], unit="s"),
    }
    for name, values in others.items():
        assert not arrow_writes_it(pd.DataFrame({name: values})), name


def test_a_written_geopackage_has_the_larger_pages_and_reads_back(tmp_path: Path) -> None:
    """New GeoPackages get SQLite pages of SQLITE_PAGE_BYTES (fewer to write); GDAL reads them as ever."""
    target = tmp_path / "plots.gpkg"
    layer = streamed_layer()
    gpkg.write_gpkg_layer(layer, target, "plots", "zh")
    with sqlite3.connect(target) as db:
        assert db.execute("PRAGMA page_size").fetchone()[0] == int(gpkg.SQLITE_PAGE_BYTES)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(pyogrio.read_dataframe(target)) == len(layer)
