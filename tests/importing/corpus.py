"""A corpus of bad and awkward inputs, built in code, each with the verdict `zgc-geo validate` must give.

Every case writes its input file(s) into an empty folder and returns the path to validate.
The inputs are small (a few dozen plots, a few kB) and derived from the shipped parks, so
they look like what land bureaus, survey teams and web-map users really send: GBK shapefiles
without .cpg, CGCS2000 Gauss–Krüger metres with and without the zone prefix, GCJ-02 points
from Amap, 奥维 KML, Excel sheets with surveying X/Y, and hostile archives.
"""

from __future__ import annotations

import csv
import io
import stat
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import rasterio
import shapely
from affine import Affine
from shapely.geometry import Polygon, box

from zgc_geo.catalogue import load_layer
from zgc_geo.crs import ANALYSIS_CRS, M2_PER_MU
from zgc_geo.datums import wgs84_to_bd09, wgs84_to_gcj02
from zgc_geo.importing.pipeline import ImportOptions, ImportResult, import_file

#: The headers of a district land bureau's idle industrial plot inventory (闲置工业用地台账).
HEADERS: Final = (
    "地块编号", "地块名称", "用地性质", "面积（亩）", "容积率",
    "规划容积率", "闲置年份", "权属", "权利人", "状态",
)  # fmt: skip
#: Rows of the realistic inventory; enough for the GCJ-02 test, which needs ≥ 10 features near parks.
PLOTS: Final = 24
OFFSET_PLOTS: Final = 64
_SEED: Final = 20240601
_DIRECTIONS: Final = "东西南北中"
_OWNERS: Final = ("北京中关村{}科技有限公司", "北京市海淀区{}实业总公司", "北京{}电子集团有限责任公司")
_OWNER_WORDS: Final = ("华科", "智源", "京仪", "燕园", "上地", "永丰", "清河", "西三旗")


@dataclass(frozen=True)
class Case:
    """One corpus input and what ``zgc-geo validate`` must say about it.

    ``args`` are extra CLI arguments; ``{dir}`` in them becomes the case's folder (for
    ``--report``). ``verdict`` is the first line's prefix (``USABLE`` / ``NOT USABLE``), None
    when the file is unreadable (exit 2, the message on stderr). ``fragments`` must all appear
    in stdout + stderr and ``absent`` must not; ``code`` is a Problem code :func:`import_file`
    must report with the same options; ``check`` makes further assertions on that result.
    """

    name: str
    build: Callable[[Path], Path]
    exit_code: int
    verdict: str | None
    fragments: tuple[str, ...]
    args: tuple[str, ...] = ()
    code: str | None = None
    absent: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    check: Callable[[ImportResult, Path], None] | None = None


# --------------------------------------------------------------------------- the plot inventory


@cache
def _parks_metric() -> gpd.GeoDataFrame:
    return load_layer("parks").to_crs(ANALYSIS_CRS)


@cache
def _plot_outlines(count: int, seed: int) -> tuple[tuple[Polygon, ...], tuple[str, ...]]:
    """``count`` rectangles of 100–300 m, 150 m inside a park each, 20 m apart, parks taken in turn."""
    parks = _parks_metric()
    rng = np.random.default_rng(seed)
    outlines: list[Polygon] = []
    park_names: list[str] = []
    turn = 0
    while len(outlines) < count:
        park = parks.geometry.iloc[turn % len(parks)]
        park_name = str(parks["name_zh"].iloc[turn % len(parks)])
        turn += 1
        x0, y0, x1, y1 = park.buffer(-150).bounds
        for _ in range(500):
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            w, h = rng.uniform(100, 300, 2)
            outline = box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            if park.contains(outline.buffer(150)) and not any(
                outline.buffer(20).intersects(o) for o in outlines
            ):
                outlines.append(outline)
                park_names.append(park_name)
                break
    return tuple(outlines), tuple(park_names)


def plot_inventory(count: int = PLOTS, seed: int = _SEED) -> gpd.GeoDataFrame:
    """A clean idle-plot inventory in EPSG:4548 with Chinese headers, names and values."""
    outlines, parks = _plot_outlines(count, seed)
    rng = np.random.default_rng(seed + 1)
    areas = np.array([o.area for o in outlines])
    current = np.round(rng.uniform(0.3, 1.2, count), 1)
    names = [f"{park}{_DIRECTIONS[i % 5]}区{i + 1}号闲置厂房" for i, park in enumerate(parks)]
    names[3] = "中关村软件园二期闲置地块"  # the parks are taken in turn: plots 4 and 20 lie in 海淀园
    names[19] = "海淀园上地信息产业基地闲置厂房"
    return gpd.GeoDataFrame(
        {
            "地块编号": [f"ZGC-{i + 1:03d}" for i in range(count)],
            "地块名称": names,
            "用地性质": ["M1" if i % 3 else "一类工业用地" for i in range(count)],
            "面积（亩）": np.round(areas / M2_PER_MU, 2),
            "容积率": current,
            "规划容积率": np.round(current + rng.uniform(0.8, 2.0, count), 1),
            "闲置年份": [str(2010 + i % 13) for i in range(count)],
            "权属": ["国有" if i % 4 else "国有出让" for i in range(count)],
            "权利人": [_OWNERS[i % 3].format(_OWNER_WORDS[i % 8]) for i in range(count)],
            "状态": ["闲置" if i % 2 else "低效" for i in range(count)],
        },
        geometry=list(outlines),
        crs=ANALYSIS_CRS,
    )


def lonlat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame in WGS84 lon/lat."""
    return frame.to_crs("EPSG:4326")


def centres(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Representative points of the plots as (x, y) arrays in the frame's CRS."""
    points = shapely.point_on_surface(frame.geometry.to_numpy())
    return shapely.get_x(points), shapely.get_y(points)


def shifted(frame: gpd.GeoDataFrame, to: Callable[..., tuple[np.ndarray, np.ndarray]]) -> gpd.GeoDataFrame:
    """WGS84 lon/lat ``frame`` with every vertex moved by ``to`` (e.g. :func:`wgs84_to_gcj02`)."""
    moved = shapely.transform(frame.geometry.to_numpy(), to, interleaved=False)
    return frame.set_geometry(gpd.GeoSeries(moved, index=frame.index, crs=frame.crs))


# --------------------------------------------------------------------------- file writers


def write_shapefile(
    frame: gpd.GeoDataFrame,
    folder: Path,
    stem: str = "地块",
    *,
    encoding: str = "GBK",
    cpg: bool = True,
    prj: bool = True,
) -> Path:
    """A shapefile as ArcGIS / QGIS write it, optionally without its .cpg or .prj."""
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / f"{stem}.shp"
    frame.to_file(shp, encoding=encoding, engine="pyogrio")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    if cpg:
        shp.with_suffix(".cpg").write_text(encoding, encoding="ascii")
    if not prj:
        shp.with_suffix(".prj").unlink()
    return shp


def shapefile_members(shp: Path) -> list[tuple[str, bytes]]:
    """The parts of a shapefile as (member name, bytes), in the usual order."""
    parts = [shp.with_suffix(s) for s in (".shp", ".shx", ".dbf", ".prj", ".cpg")]
    return [(p.name, p.read_bytes()) for p in parts if p.is_file()]


def write_zip(path: Path, members: Iterable[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> Path:
    lonlat(frame).to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "地块") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def table_rows(frame: gpd.GeoDataFrame, x_header: str, y_header: str, x: np.ndarray, y: np.ndarray) -> list:
    """Header + one row per plot: the attribute columns, then the two coordinate columns."""
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    rows: list[list[object]] = [[*attributes.columns, x_header, y_header]]
    for values, xv, yv in zip(attributes.itertuples(index=False), x, y, strict=True):
        rows.append([*values, float(xv), float(yv)])
    return rows


def wkt_rows(frame: gpd.GeoDataFrame, header: str = "WKT") -> list[list[object]]:
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    wkts = shapely.to_wkt(lonlat(frame).geometry.to_numpy(), rounding_precision=8)
    return [[*attributes.columns, header]] + [
        [*values, wkt] for values, wkt in zip(attributes.itertuples(index=False), wkts, strict=True)
    ]


def write_geotiff(path: Path, *, crs: str | None, origin: tuple[float, float], size: float) -> Path:
    """A 4 × 4 float raster (a land-price factor, say) with nodata set; ``origin`` is its top-left corner."""
    profile = {"driver": "GTiff", "width": 4, "height": 4, "count": 1, "dtype": "float32", "nodata": -9999.0}
    transform = Affine(size, 0.0, origin[0], 0.0, -size, origin[1])
    with rasterio.open(path, "w", crs=crs, transform=transform, **profile) as dst:
        dst.write(np.arange(16, dtype="float32").reshape(4, 4), 1)
    return path


def ovi_kml(frame: gpd.GeoDataFrame, *, header: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    """KML as 奥维互动地图 exports it: a Folder of Placemarks with <name> and ExtendedData."""
    placemarks = []
    wgs = lonlat(frame)
    for row, geom in zip(wgs.itertuples(index=False), wgs.geometry, strict=True):
        ring = " ".join(f"{x:.8f},{y:.8f},0" for x, y in geom.exterior.coords)
        data = "".join(
            f'<Data name="{key}"><value>{escape(str(getattr(row, key)))}</value></Data>'
            for key in ("地块编号", "用地性质", "权属")
        )
        placemarks.append(
            f"<Placemark><name>{escape(row.地块名称)}</name><ExtendedData>{data}</ExtendedData>"
            f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{ring}</coordinates>"
            "</LinearRing></outerBoundaryIs></Polygon></Placemark>"
        )
    return (
        f'{header}\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>奥维互动地图</name>\n'
        f"<Folder><name>闲置地块</name>\n{chr(10).join(placemarks)}\n</Folder></Document></kml>\n"
    )


def _with(frame: gpd.GeoDataFrame, row: int, **values: object) -> gpd.GeoDataFrame:
    """A copy of ``frame`` with the cells of 0-based ``row`` changed (keys are the headers)."""
    out = frame.copy()
    for header, value in values.items():
        column = {"id": "地块编号", "name": "地块名称", "use": "用地性质", "area": "面积（亩）",
                  "far": "容积率", "idle": "闲置年份", "rights": "权属"}.get(header, header)  # fmt: skip
        if out[column].dtype != object:
            out[column] = out[column].astype(object)
        out.loc[out.index[row], column] = value
    return out


# --------------------------------------------------------------------------- builders


def good_gbk_zip(folder: Path) -> Path:
    shp = write_shapefile(plot_inventory(), folder / "parts")
    return write_zip(folder / "闲置地块.zip", shapefile_members(shp))


def gbk_without_cpg(folder: Path) -> Path:
    return write_shapefile(plot_inventory(), folder, cpg=False)


#: Headers that fit the 10 bytes a DBF field name may take in UTF-8 (3 Chinese characters).
SHORT_HEADERS: Final = {"地块编号": "编号", "地块名称": "名称", "用地性质": "用途", "容积率": "容积率",
                        "权属": "权属", "权利人": "权利人", "状态": "状态"}  # fmt: skip


def utf8_with_cpg(folder: Path) -> Path:
    frame = plot_inventory()
    short = frame[[*SHORT_HEADERS, "geometry"]].rename(columns=SHORT_HEADERS)
    short["面积"] = np.round(frame["面积（亩）"] * M2_PER_MU, 1)  # square metres: no unit in the header
    return write_shapefile(short, folder, encoding="UTF-8")


def utf8_names_cut_mid_character(folder: Path) -> Path:
    """GDAL (and so QGIS) cut 地块编号 to 10 UTF-8 bytes: '地块编' plus the first byte of 号."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's own message about it is undecodable
        return write_shapefile(plot_inventory(), folder, encoding="UTF-8")


def without_prj(folder: Path) -> Path:
    return write_shapefile(plot_inventory(), folder, prj=False)


def zone_prefix_declared_4548(folder: Path) -> Path:
    frame = plot_inventory()
    prefixed = frame.set_geometry(frame.geometry.translate(xoff=39_000_000))
    return write_shapefile(prefixed, folder)


def zone_prefix_in_some_rows(folder: Path) -> Path:
    """Two sources merged: the first three plots carry the zone prefix, the others do not."""
    frame = plot_inventory()
    geometry = frame.geometry.copy()
    geometry.iloc[:3] = geometry.iloc[:3].translate(xoff=39_000_000)
    return write_shapefile(frame.set_geometry(geometry), folder)


def no_prefix_declared_4527(folder: Path) -> Path:
    return write_shapefile(plot_inventory().set_crs("EPSG:4527", allow_override=True), folder)


def _points_table(frame: gpd.GeoDataFrame, swap: bool = False) -> list[list[object]]:
    x, y = centres(lonlat(frame))
    return table_rows(frame, "经度", "纬度", *((y, x) if swap else (x, y)))


def lonlat_swapped_csv(folder: Path) -> Path:
    return write_csv(folder / "坐标颠倒.csv", _points_table(plot_inventory(), swap=True))


def swapped_plots_geojson(folder: Path) -> Path:
    """The inventory's outlines written latitude first: every polygon lands off the globe's lon/lat."""
    frame = lonlat(plot_inventory())
    flipped = shapely.transform(frame.geometry.array, lambda xy: xy[:, ::-1].copy())
    return write_geojson(frame.set_geometry(flipped), folder / "坐标颠倒地块.geojson")


def degrees_declared_as_metres(folder: Path) -> Path:
    """Lon/lat outlines in a shapefile whose .prj says CGCS2000 GK CM 117E (a wrong .prj copied over)."""
    return write_shapefile(lonlat(plot_inventory()).set_crs(ANALYSIS_CRS, allow_override=True), folder)


def metres_as_degrees_csv(folder: Path) -> Path:
    frame = plot_inventory()
    return write_csv(folder / "米当作度.csv", table_rows(frame, "经度", "纬度", *centres(frame)))


def metres_without_crs_csv(folder: Path) -> Path:
    frame = plot_inventory()
    return write_csv(folder / "东北坐标.csv", table_rows(frame, "东坐标", "北坐标", *centres(frame)))


def lonlat_csv_utf8(folder: Path) -> Path:
    return write_csv(folder / "经纬度.csv", _points_table(plot_inventory()))


def _offset_geojson(folder: Path, to: Callable[..., tuple[np.ndarray, np.ndarray]], name: str) -> Path:
    frame = lonlat(plot_inventory(OFFSET_PLOTS, _SEED + 7))
    return write_geojson(shifted(frame, to), folder / name)


def gcj02_geojson(folder: Path) -> Path:
    return _offset_geojson(folder, wgs84_to_gcj02, "高德描点.geojson")


def bd09_geojson(folder: Path) -> Path:
    return _offset_geojson(folder, wgs84_to_bd09, "百度描点.geojson")


def bowtie_geojson(folder: Path) -> Path:
    frame = plot_inventory()
    x0, y0, x1, y1 = frame.geometry.iloc[2].bounds
    bowtie = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    frame.loc[frame.index[2], "geometry"] = bowtie
    return write_geojson(frame, folder / "自相交.geojson")


def empty_collection(folder: Path) -> Path:
    path = folder / "空图层.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    return path


def zero_bytes(folder: Path) -> Path:
    path = folder / "上传失败.geojson"
    path.write_bytes(b"")
    return path


def no_coordinates_csv(folder: Path) -> Path:
    frame = plot_inventory()
    rows = [list(HEADERS)] + [
        list(values) for values in pd.DataFrame(frame.drop(columns="geometry")).itertuples(index=False)
    ]
    return write_csv(folder / "台账.txt", rows)


def points_geojson(folder: Path) -> Path:
    frame = plot_inventory()
    points = frame.set_geometry(shapely.point_on_surface(frame.geometry.to_numpy()))
    return write_geojson(points, folder / "地块中心点.geojson")


def duplicate_ids(folder: Path) -> Path:
    return write_geojson(_with(plot_inventory(), 6, id="ZGC-003"), folder / "重复编号.geojson")


def empty_id(folder: Path) -> Path:
    return write_geojson(_with(plot_inventory(), 4, id=""), folder / "编号为空.geojson")


def zip_bomb(folder: Path) -> Path:
    shp = write_shapefile(plot_inventory(), folder / "parts")
    bomb = ("地块说明.dbf", bytes(2 * 2**20))  # 2 MiB of zeros pack to ~2 kB: a ratio of ~1000:1
    return write_zip(folder / "炸弹.zip", [*shapefile_members(shp), bomb])


def traversal_zip(folder: Path) -> Path:
    shp = write_shapefile(plot_inventory(), folder / "parts")
    return write_zip(folder / "路径穿越.zip", [*shapefile_members(shp), ("../../.bashrc.shp", b"echo owned")])


def symlink_zip(folder: Path) -> Path:
    shp = write_shapefile(plot_inventory(), folder / "parts")
    link = zipfile.ZipInfo("地块.prj")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    parts = [(name, data) for name, data in shapefile_members(shp) if not name.endswith(".prj")]
    return write_zip(folder / "符号链接.zip", [*parts, (link, b"/etc/passwd")])


def zip_with_exe(folder: Path) -> Path:
    shp = write_shapefile(plot_inventory(), folder / "parts")
    return write_zip(folder / "带程序.zip", [*shapefile_members(shp), ("地块查看器.exe", b"MZ\x90\x00")])


def zip_two_shapefiles(folder: Path) -> Path:
    frame = plot_inventory()
    first = write_shapefile(frame.iloc[:12], folder / "parts", "海淀地块")
    second = write_shapefile(frame.iloc[12:], folder / "parts", "昌平地块")
    return write_zip(folder / "两个图层.zip", [*shapefile_members(first), *shapefile_members(second)])


def gpkg_two_layers(folder: Path) -> Path:
    frame = plot_inventory()
    path = folder / "规划成果.gpkg"
    frame.iloc[:12].to_file(path, layer="闲置地块", engine="pyogrio")
    frame.iloc[12:].to_file(path, layer="低效地块", engine="pyogrio")
    return path


def ovi_kml_file(folder: Path) -> Path:
    path = folder / "奥维标注.kml"
    path.write_text(ovi_kml(plot_inventory()), encoding="utf-8")
    return path


def kml_with_entities(folder: Path) -> Path:
    path = folder / "实体.kml"
    header = (
        '<?xml version="1.0"?>\n<!DOCTYPE kml [<!ENTITY a "哈哈哈哈">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    path.write_text(ovi_kml(plot_inventory().iloc[:3], header=header), encoding="utf-8")
    return path


def broken_kml(folder: Path) -> Path:
    path = folder / "截断.kml"
    text = ovi_kml(plot_inventory().iloc[:3])
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    return path


def kmz_file(folder: Path) -> Path:
    text = ovi_kml(plot_inventory()).encode("utf-8")
    return write_zip(folder / "奥维标注.kmz", [("doc.kml", text), ("files/icon.png", b"\x89PNG\r\n")])


def xlsx_lonlat(folder: Path) -> Path:
    return write_xlsx(folder / "地块坐标.xlsx", _points_table(plot_inventory()))


def xlsx_surveying(folder: Path) -> Path:
    frame = plot_inventory()
    x, y = centres(frame)
    return write_xlsx(folder / "测量坐标.xlsx", table_rows(frame, "X", "Y", y, x))  # X = northing


def csv_gbk_lonlat(folder: Path) -> Path:
    return write_csv(folder / "地块GBK.csv", _points_table(plot_inventory()), encoding="gbk")


def csv_wkt(folder: Path) -> Path:
    return write_csv(folder / "地块WKT.csv", wkt_rows(plot_inventory()))


FORMULAS: Final = ('=HYPERLINK("http://evil.example","点我")', "+1", "@SUM(A1:A9)")


def formula_values(folder: Path) -> Path:
    frame = plot_inventory()
    for row, formula in enumerate(FORMULAS):
        frame = _with(frame, row, name=formula, rights=formula)
    return write_csv(folder / "公式.csv", wkt_rows(frame))


HTML_NAMES: Final = ("<script>alert('地块')</script>", '<img src=x onerror="alert(1)">海淀', "<b>中关村</b>")


def html_names(folder: Path) -> Path:
    frame = plot_inventory()
    for row, text in enumerate(HTML_NAMES):
        frame = _with(frame, row, name=text)
    return write_geojson(frame, folder / "网页标签.geojson")


#: Clears the screen and turns the terminal red if printed raw.
ANSI: Final = "\x1b[2J\x1b[31m红色"


def terminal_escapes(folder: Path) -> Path:
    return write_geojson(_with(plot_inventory(), 2, name=ANSI, rights=ANSI), folder / "控制字符.geojson")


def area_mismatch(folder: Path) -> Path:
    frame = plot_inventory()
    wrong = round(float(frame["面积（亩）"].iloc[3]) * 1.2, 2)
    return write_geojson(_with(frame, 3, area=wrong), folder / "面积不符.geojson")


def unknown_land_use(folder: Path) -> Path:
    return write_geojson(_with(plot_inventory(), 5, use="Z9"), folder / "未知用地.geojson")


def far_not_number(folder: Path) -> Path:
    return write_geojson(_with(plot_inventory(), 4, far="abc"), folder / "容积率.geojson")


def idle_next_year(folder: Path) -> Path:
    return write_geojson(_with(plot_inventory(), 7, idle="明年"), folder / "闲置年份.geojson")


def large_geojson(folder: Path) -> Path:
    return write_geojson(plot_inventory(), folder / "大文件.geojson")


def geotiff_without_crs(folder: Path) -> Path:
    return write_geotiff(folder / "无坐标系.tif", crs=None, origin=(440_000, 4_430_000), size=100)


def geotiff_beijing(folder: Path) -> Path:
    return write_geotiff(folder / "地价.tif", crs="EPSG:4548", origin=(440_000, 4_430_000), size=100)


def old_xls(folder: Path) -> Path:
    path = folder / "台账.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return path


def dwg_file(folder: Path) -> Path:
    path = folder / "总图.dwg"
    path.write_bytes(b"AC1032" + bytes(100))
    return path


def shapefile_without_dbf(folder: Path) -> Path:
    shp = write_shapefile(plot_inventory(), folder)
    shp.with_suffix(".dbf").unlink()
    return shp


def lines_geojson(folder: Path) -> Path:
    frame = plot_inventory()
    return write_geojson(frame.set_geometry(frame.geometry.boundary), folder / "边界线.geojson")


# --------------------------------------------------------------------------- checks on the result


def _names(result: ImportResult) -> list[str]:
    assert result.frame is not None
    return result.frame["name"].tolist()


def names_are_chinese(result: ImportResult, _path: Path) -> None:
    """The names come through as written, not as mojibake."""
    assert _names(result) == plot_inventory()["地块名称"].tolist()


def kml_names_are_chinese(result: ImportResult, _path: Path) -> None:
    assert result.read is not None
    assert result.read.frame["Name"].tolist() == plot_inventory()["地块名称"].tolist()
    names_are_chinese(result, _path)


def table_names_are_chinese(result: ImportResult, _path: Path) -> None:
    assert result.frame is not None
    assert result.frame["地块名称"].tolist() == plot_inventory()["地块名称"].tolist()


def html_kept_verbatim(result: ImportResult, _path: Path) -> None:
    """Markup is data here: it stays as typed, and is escaped only where it is displayed."""
    assert _names(result)[:3] == list(HTML_NAMES)


def formulas_kept_and_neutralised(result: ImportResult, path: Path) -> None:
    """The cleaned frame keeps the text; the report files quote every formula-like cell."""
    assert _names(result)[:3] == list(FORMULAS)
    report = pd.read_csv(path.parent / "报告.csv", dtype=str, encoding="utf-8-sig").fillna("")
    values = report["value"].tolist()
    for formula in FORMULAS:
        assert "'" + formula in values, values
    assert not any(v.startswith(("=", "+", "@")) for column in report for v in report[column])


def xlsx_report_neutralised(result: ImportResult, path: Path) -> None:
    sheet = openpyxl.load_workbook(path.parent / "报告.xlsx").worksheets[0]  # 检查报告 (Report in English)
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    for formula in FORMULAS:
        assert "'" + formula in cells, cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def crs_to_choose(key: str) -> Callable[[ImportResult, Path], None]:
    """Nothing could be placed: no frame yet, and ``key`` is the first CRS offered."""

    def check(result: ImportResult, _path: Path) -> None:
        assert result.frame is None
        assert result.crs_candidates[0].key == key, result.crs_candidates

    return check


def _fixed_by_first_candidate(result: ImportResult, path: Path, count: int) -> None:
    """The CRS finding names the CRS that fits, and importing with it places every feature."""
    finding = next(p for p in result.report.errors if p.crs_keys)
    assert finding.crs_keys[0] == "EPSG:4326", finding.crs_keys
    fixed = import_file(path, ImportOptions(kind="plots", crs=finding.crs_keys[0]))
    assert fixed.report.usable and fixed.frame is not None and len(fixed.frame) == count


def layer_rows(count: int) -> Callable[[ImportResult, Path], None]:
    def check(result: ImportResult, _path: Path) -> None:
        assert result.frame is not None
        assert len(result.frame) == count

    return check


# --------------------------------------------------------------------------- the corpus


def amap_points_csv(folder: Path) -> Path:
    """Thirty points picked on an Amap (GCJ-02) map: a layer of places, not plots."""
    rows: list[list[object]] = [["名称", "经度", "纬度"]]
    rows += [[f"点{i}", 116.30 + i * 0.001, 39.98 + i * 0.0005] for i in range(30)]
    return write_csv(folder / "高德点位.csv", rows)


def mac_csv(folder: Path) -> Path:
    """A CSV saved by Excel for Mac: rows end in a bare carriage return."""
    path = folder / "mac.csv"
    path.write_bytes(b"plot_id,lon,lat,owner\rA1,116.31,39.98,x\r")
    return path


_GOOD_ZIP_LINE = "USABLE: 闲置地块.zip/地块.shp: 24 feature(s); 0 error(s), 0 warning(s)"

CASES: Final[tuple[Case, ...]] = (
    Case(
        "gbk_shapefile_zip_with_cpg_and_prj",
        good_gbk_zip,
        0,
        "USABLE",
        (_GOOD_ZIP_LINE, "text decoded as gb18030: .cpg file says 'GBK'", "from the .prj file"),
        check=names_are_chinese,
    ),
    Case(
        "gbk_dbf_without_cpg",
        gbk_without_cpg,
        0,
        "USABLE",
        (
            "the text encoding was guessed (gb18030)",
            "no .cpg file; detected from the bytes (GBK/GB18030, not valid UTF-8)",
            "add a .cpg file or pass --encoding if the names look wrong",
        ),
        code="encoding_guessed",
        check=names_are_chinese,
    ),
    Case(
        "utf8_dbf_with_cpg",
        utf8_with_cpg,
        0,
        "USABLE",
        ("text decoded as utf-8: .cpg file says 'UTF-8'", "0 error(s), 0 warning(s)"),
        absent=("guessed",),
        check=names_are_chinese,
    ),
    Case(
        "utf8_dbf_field_names_cut_mid_character",
        utf8_names_cut_mid_character,
        2,
        None,
        (
            "地块.dbf: the text is UTF-8, but the field name(s) '地块编…', '地块名…'",
            "end in half a character",
            "rename those fields, or save the layer as GeoPackage or as a GBK shapefile",
        ),
    ),
    Case(
        "shapefile_without_prj",
        without_prj,
        1,
        "NOT USABLE",
        (
            "no coordinate reference system (no .prj file)",
            "--crs EPSG:4548",
            "candidate CRS: --crs EPSG:4548",
        ),
        code="crs_missing",
        check=crs_to_choose("EPSG:4548"),
    ),
    Case(
        "shapefile_without_prj_crs_given",
        without_prj,
        0,
        "USABLE",
        ("coordinates read as EPSG:4548", "given with --crs EPSG:4548"),
        args=("--crs", "EPSG:4548"),
        check=names_are_chinese,
    ),
    Case(
        "zone_prefix_declared_as_4548",
        zone_prefix_declared_4548,
        1,
        "NOT USABLE",
        (
            "NOT USABLE: 地块.shp: 1 error(s), 0 warning(s)",
            "24 feature(s) cannot be placed",
            "carry a zone prefix (39…) that EPSG:4548 does not expect",
            "re-import with --crs EPSG:4527",
            "candidate CRS: --crs EPSG:4527",
        ),
        code="zone_prefix",
        absent=("repaired", "zero area"),
        check=crs_to_choose("EPSG:4527"),
    ),
    Case(
        "zone_prefix_in_some_rows",
        zone_prefix_in_some_rows,
        1,
        "NOT USABLE",
        (
            "3 feature(s) cannot be placed: their eastings carry a zone prefix (39…) that EPSG:4548 does not "
            "expect (rows 1, 2, 3;",
            "21 feature(s); 1 error(s)",  # the one cause, not also "empty geometry" for each of its rows
        ),
        code="zone_prefix",
        absent=("repaired", "Invalid Coordinate", "the row is dropped"),
    ),
    Case(
        "no_zone_prefix_declared_as_4527",
        no_prefix_declared_4527,
        1,
        "NOT USABLE",
        (
            "NOT USABLE: 地块.shp: 1 error(s), 0 warning(s)",
            "lack the zone prefix 39 that EPSG:4527 expects",
            "re-import with --crs EPSG:4548",
            "candidate CRS: --crs EPSG:4548",
        ),
        code="zone_prefix",
        absent=("repaired", "zero area"),
        check=crs_to_choose("EPSG:4548"),
    ),
    Case(
        "csv_lonlat_swapped",
        lonlat_swapped_csv,
        1,
        "NOT USABLE",
        (
            "24 feature(s) lie outside Beijing–Tianjin–Hebei but inside it with longitude and latitude "
            "swapped",
            "rows 2, 3, 4, 5, 6 …",
            "swap the columns",
        ),
        args=("--as", "layer", "--crs", "EPSG:4326"),
        code="axes_swapped",
    ),
    Case(
        "lonlat_swapped_polygons",
        swapped_plots_geojson,
        1,
        "NOT USABLE",
        (
            "24 feature(s) lie outside Beijing–Tianjin–Hebei but inside it with longitude and latitude "
            "swapped",
            "1 error(s), 0 warning(s)",  # the cause once: not also "zero area" for each swapped outline
        ),
        args=("--as", "plots"),
        code="axes_swapped",
        absent=("zero area", "the row is dropped"),
    ),
    Case(
        "degrees_declared_as_metres",
        degrees_declared_as_metres,
        1,
        "NOT USABLE",
        (
            "24 feature(s) have coordinates within ±180/±90: they are lon/lat degrees read as metres of "
            "EPSG:4548",
            "re-import with --crs EPSG:4326",
            "1 error(s), 0 warning(s)",  # the wrong CRS once: not also "zero area" per outline
        ),
        args=("--as", "plots"),
        code="degrees_as_metres",
        absent=("zero area", "outside Beijing"),
        check=lambda result, path: _fixed_by_first_candidate(result, path, 24),
    ),
    Case(
        "lonlat_swapped_polygons_swap_axes",
        swapped_plots_geojson,
        0,
        "USABLE",
        ("USABLE: 坐标颠倒地块.geojson: 24 feature(s); 0 error(s)", "x and y were swapped as asked"),
        args=("--as", "plots", "--swap-axes"),
        code="axes_swapped_on_request",
        absent=("outside Beijing",),
    ),
    Case(
        "csv_metres_declared_as_degrees",
        metres_as_degrees_csv,
        1,
        "NOT USABLE",
        ("they are metres of a projected CRS read as degrees", "re-import with --crs EPSG:4548"),
        args=("--as", "layer", "--crs", "EPSG:4326"),
        code="metres_as_degrees",
    ),
    Case(
        "csv_metres_without_crs",
        metres_without_crs_csv,
        1,
        "NOT USABLE",
        ("no coordinate reference system (spreadsheets carry no CRS)", "candidate CRS: --crs EPSG:4548"),
        args=("--as", "layer"),
        code="crs_missing",
    ),
    Case(
        "csv_lonlat_without_crs",
        lonlat_csv_utf8,
        1,
        "NOT USABLE",
        ("no coordinate reference system (spreadsheets carry no CRS)", "candidate CRS: --crs EPSG:4326"),
        args=("--as", "layer"),
        code="crs_missing",
    ),
    Case(
        "geojson_gcj02_offset",
        gcj02_geojson,
        0,
        "USABLE",
        ("coordinates look like GCJ-02 (Amap/Tencent), not WGS84", "re-import with --crs gcj02"),
        code="gcj02_offset",
    ),
    Case(
        "geojson_gcj02_declared",
        gcj02_geojson,
        0,
        "USABLE",
        ("coordinates converted from GCJ-02 (Amap/Tencent) to WGS84", "0 warning(s)"),
        args=("--crs", "gcj02"),
        absent=("look like GCJ-02", "bd09_offset", "look like BD-09"),
    ),
    Case(
        "geojson_bd09_offset",
        bd09_geojson,
        0,
        "USABLE",
        ("coordinates look like BD-09 (Baidu), not WGS84", "re-import with --crs bd09"),
        code="bd09_offset",
    ),
    Case(
        "geojson_bd09_declared",
        bd09_geojson,
        0,
        "USABLE",
        ("coordinates converted from BD-09 (Baidu) to WGS84", "0 warning(s)"),
        args=("--crs", "bd09"),
        absent=("look like",),
    ),
    Case(
        "bowtie_polygon",
        bowtie_geojson,
        0,
        "USABLE",
        (
            "the outline was invalid (Self-intersection",
            "repaired with make_valid",
            "(row 3, field 'geometry'",
        ),
        code="geometry_repaired",
    ),
    Case(
        "empty_feature_collection",
        empty_collection,
        1,
        "NOT USABLE",
        ("the file contains no features",),
        code="empty_file",
    ),
    Case("zero_byte_file", zero_bytes, 2, None, ("上传失败.geojson is empty (0 bytes)",)),
    Case(
        "table_without_coordinate_columns",
        no_coordinates_csv,
        2,
        None,
        ("no coordinate columns among the headers", "'地块编号'", "'权利人'", "经度", "wkt"),
    ),
    Case(
        "points_as_plots",
        points_geojson,
        1,
        "NOT USABLE",
        ("plots must be polygons; you imported points; the row is dropped", "(row 1, field 'geometry'"),
        args=("--as", "plots"),
        code="geometry_type",
    ),
    Case(
        "points_as_layer",
        points_geojson,
        0,
        "USABLE",
        ("USABLE: 地块中心点.geojson: 24 feature(s)",),
        args=("--as", "layer"),
        check=layer_rows(24),
    ),
    Case(
        "lines_as_plots",
        lines_geojson,
        1,
        "NOT USABLE",
        ("plots must be polygons; you imported lines",),
        args=("--as", "plots"),
        code="geometry_type",
    ),
    Case(
        "duplicate_plot_ids",
        duplicate_ids,
        1,
        "NOT USABLE",
        (
            "plot id 'ZGC-003' is also used by row(s) 7 (row 3,",
            "plot id 'ZGC-003' is also used by row(s) 3 (row 7,",
        ),
        code="plot_id_duplicate",
    ),
    Case(
        "empty_plot_id",
        empty_id,
        1,
        "NOT USABLE",
        ("the plot id is empty (row 5, field '地块编号')",),
        code="plot_id_empty",
    ),
    Case(
        "zip_bomb",
        zip_bomb,
        2,
        None,
        ("'地块说明.dbf' declares a compression ratio of", "refused as a possible zip bomb"),
    ),
    Case(
        "zip_path_traversal",
        traversal_zip,
        2,
        None,
        ("member '../../.bashrc.shp' has '..' (it would be written outside the target folder)",),
    ),
    Case("zip_symlink_member", symlink_zip, 2, None, ("member '地块.prj' is a symbolic link",)),
    Case(
        "zip_with_exe",
        zip_with_exe,
        0,
        "USABLE",
        ("member '地块查看器.exe' was skipped: files ending in .exe are not read",),
        code="archive_member_skipped",
    ),
    Case(
        "zip_with_two_shapefiles",
        zip_two_shapefiles,
        2,
        None,
        ("holds 2 datasets (海淀地块.shp, 昌平地块.shp)", "--layer 海淀地块"),
    ),
    Case(
        "zip_with_two_shapefiles_layer_chosen",
        zip_two_shapefiles,
        0,
        "USABLE",
        ("USABLE: 两个图层.zip/昌平地块.shp: 12 feature(s)",),
        args=("--layer", "昌平地块"),
        check=layer_rows(12),
    ),
    Case(
        "geopackage_two_layers",
        gpkg_two_layers,
        0,
        "USABLE",
        ("2 layers; the first, '闲置地块', was read", "--layer: 闲置地块, 低效地块"),
        code="layer_chosen",
        check=layer_rows(12),
    ),
    Case(
        "geopackage_other_layer",
        gpkg_two_layers,
        0,
        "USABLE",
        ("USABLE: 规划成果.gpkg: 12 feature(s)",),
        args=("--layer", "低效地块"),
        absent=("the first",),
        check=layer_rows(12),
    ),
    Case(
        "ovi_kml",
        ovi_kml_file,
        0,
        "USABLE",
        ("USABLE: 奥维标注.kml: 24 feature(s)", "KML is always WGS84"),
        check=kml_names_are_chinese,
    ),
    Case("kml_with_doctype_entities", kml_with_entities, 2, None, ("实体.kml declares a DOCTYPE/ENTITY",)),
    Case("kml_broken_xml", broken_kml, 2, None, ("截断.kml is not well-formed XML",)),
    Case(
        "kmz",
        kmz_file,
        0,
        "USABLE",
        ("USABLE: 奥维标注.kmz: 24 feature(s)",),
        check=kml_names_are_chinese,
    ),
    Case(
        "xlsx_lonlat",
        xlsx_lonlat,
        0,
        "USABLE",
        ("points built from '经度' (lon/easting) and '纬度' (lat/northing)",),
        args=("--as", "layer", "--crs", "EPSG:4326"),
        check=table_names_are_chinese,
    ),
    Case(
        "xlsx_surveying_xy",
        xlsx_surveying,
        0,
        "USABLE",
        ("follow the Chinese surveying convention (X = northing, Y = easting)", "so they were swapped"),
        args=("--as", "layer", "--crs", "EPSG:4548"),
        code="axes_surveying_convention",
    ),
    Case(
        "csv_gbk_lonlat",
        csv_gbk_lonlat,
        0,
        "USABLE",
        ("the text encoding was guessed (gb18030: GBK, as Excel saves on Chinese Windows)",),
        args=("--as", "layer", "--crs", "EPSG:4326"),
        code="encoding_guessed",
        check=table_names_are_chinese,
    ),
    Case(
        "csv_wkt_polygons",
        csv_wkt,
        0,
        "USABLE",
        ("geometry read from the WKT column 'WKT'", "24 feature(s); 0 error(s), 0 warning(s)"),
        args=("--crs", "EPSG:4326"),
        check=names_are_chinese,
    ),
    Case(
        "formula_like_values_report_csv",
        formula_values,
        0,
        "USABLE",
        ("report written to", "land rights '=HYPERLINK("),
        args=("--crs", "EPSG:4326", "--report", "{dir}/报告.csv"),
        code="land_rights_unknown",
        check=formulas_kept_and_neutralised,
    ),
    Case(
        "formula_like_values_report_xlsx",
        formula_values,
        0,
        "USABLE",
        ("report written to",),
        args=("--crs", "EPSG:4326", "--report", "{dir}/报告.xlsx"),
        check=xlsx_report_neutralised,
    ),
    Case(
        "html_in_names",
        html_names,
        0,
        "USABLE",
        ("USABLE: 网页标签.geojson: 24 feature(s); 0 error(s), 0 warning(s)",),
        check=html_kept_verbatim,
    ),
    Case(
        "terminal_escapes_in_values",
        terminal_escapes,
        0,
        "USABLE",
        ("land rights '\\x1b[2J\\x1b[31m红色' are neither state", "(row 3, field '权属'"),
        code="land_rights_unknown",
        absent=("\x1b",),
    ),
    Case(
        "area_mismatch_in_mu",
        area_mismatch,
        0,
        "USABLE",
        ("differs from the drawn area", "by more than 5% (ratio 1.200)", "(row 4, field '面积（亩）'"),
        code="area_mismatch",
    ),
    Case(
        "unknown_land_use_code",
        unknown_land_use,
        0,
        "USABLE",
        ("land-use code 'Z9' is not in any known scheme (row 6, field '用地性质'",),
        code="land_use_unknown",
    ),
    Case(
        "far_not_a_number",
        far_not_number,
        1,
        "NOT USABLE",
        ("FAR 'abc' is not a number (row 5, field '容积率', value 'abc')",),
        code="far_not_numeric",
    ),
    Case(
        "idle_year_in_words",
        idle_next_year,
        0,
        "USABLE",
        ("cannot read a year from '明年' (row 8, field '闲置年份'",),
        code="idle_since_unparsable",
    ),
    Case(
        "file_over_size_limit",
        large_geojson,
        2,
        None,
        ("the limit is 0.001 MiB", "ZGC_GEO_IMPORT_MAX_FILE_MIB"),
        env={"ZGC_GEO_IMPORT_MAX_FILE_MIB": "0.001"},
    ),
    Case(
        "geotiff_without_crs",
        geotiff_without_crs,
        1,
        "NOT USABLE",
        ("the raster declares no coordinate reference system", "EPSG:4548"),
        code="crs_missing",
    ),
    Case("geotiff_in_beijing", geotiff_beijing, 0, "USABLE", ("USABLE: 地价.tif: 0 error(s), 0 warning(s)",)),
    Case(
        "unknown_encoding_option",
        gbk_without_cpg,
        2,
        None,
        ("unknown encoding 'klingon'; use e.g. UTF-8, GBK, GB18030 or BIG5",),
        args=("--encoding", "klingon"),
    ),
    Case(
        "garbage_crs_option",
        gbk_without_cpg,
        2,
        None,
        ("--crs 'not-a-crs' is not a CRS PROJ understands", "EPSG:4548 (CGCS2000"),
        args=("--crs", "not-a-crs"),
    ),
    Case("old_binary_xls", old_xls, 2, None, ("old binary Excel workbook (.xls)", "save it as .xlsx")),
    Case("unsupported_suffix", dwg_file, 2, None, ("files ending in .dwg are not supported", ".geojson")),
    Case(
        "shapefile_without_dbf",
        shapefile_without_dbf,
        2,
        None,
        ("the shapefile's .dbf file (地块.dbf) is missing", "upload all parts, or a .zip of them"),
    ),
    Case(
        "points_are_read_as_a_layer_by_default",
        amap_points_csv,
        0,
        "USABLE",
        ("read as a layer, not a plot inventory: it has point geometries", "pass --as plots"),
        args=("--crs", "gcj02"),
        code="kind_chosen",
        absent=("must be polygons",),
    ),
    Case(
        "points_as_plots_when_asked",
        amap_points_csv,
        1,
        "NOT USABLE",
        ("must be polygons",),
        args=("--crs", "gcj02", "--as", "plots"),
        absent=("read as a layer",),
    ),
    Case(
        "bare_cr_line_ends_from_excel_for_mac",
        mac_csv,
        1,
        "NOT USABLE",
        ("rows end in a bare carriage return", "no coordinate reference system"),
        code="line_endings_cr",
    ),
)
