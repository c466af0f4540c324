"""Write a layer in the format its file name asks for, atomically, by default in EPSG:4326.

Every format a planner exchanges is covered: GeoPackage, GeoJSON (RFC 7946), zipped
Shapefile (UTF-8 or GBK, for older Chinese desktop GIS), KML, CSV and XLSX. Text that a
spreadsheet could execute is neutralised (CSV, XLSX, DBF, KML). A write goes to a temporary
folder next to the target and is renamed into place only when complete, so a crash never
leaves a half-written file and never destroys the previous one.
"""

from __future__ import annotations

import codecs
import html
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Collection
from functools import partial
from pathlib import Path
from typing import Final, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from zgc_geo.crs import STORAGE_CRS, require_crs
from zgc_geo.errors import OptionError
from zgc_geo.export.flat import flatten
from zgc_geo.export.gpkg import write_gpkg_layer
from zgc_geo.export.safety import neutralise_formulas
from zgc_geo.export.worded import worded_frame
from zgc_geo.i18n import DEFAULT_LANG, Lang
from zgc_geo.importing.report import Problem

SUPPORTED_SUFFIXES: Final = (".gpkg", ".geojson", ".zip", ".kml", ".csv", ".xlsx")
WGS84_ONLY_SUFFIXES: Final = (".geojson", ".kml")
#: Formats that can hold the extra attribute tables passed as ``tables``.
TABLE_SUFFIXES: Final = (".gpkg", ".xlsx")
SHAPEFILE_PARTS: Final = (".shp", ".shx", ".dbf", ".prj", ".cpg")
#: dBASE limits: field names of 10 bytes, text values of 254 bytes (in the file's encoding).
DBF_NAME_BYTES: Final = 10
DBF_VALUE_BYTES: Final = 254
#: The key of the features sheet of a workbook when no layer name is given (labelled 要素 / Features).
FEATURES_SHEET: Final = "features"
#: Decimals of WKT coordinates in degrees: 1e-8° is about 1 mm.
WKT_DECIMALS: Final = 8
#: Decimals of WKT coordinates in metres: millimetres.
WKT_DECIMALS_METRES: Final = 3
#: Attribute names tried, in order, for a KML placemark's name.
KML_NAME_FIELDS: Final = ("name", "plot_id")
_Frame = TypeVar("_Frame", bound=pd.DataFrame)
_Writer = Callable[[gpd.GeoDataFrame, Path, str | None, dict[str, pd.DataFrame], str], list[Problem]]
_FAMILIES: Final = {0: "point", 4: "point", 1: "line", 2: "line", 5: "line", 3: "polygon", 6: "polygon"}


def write_layer(
    frame: gpd.GeoDataFrame,
    path: Path,
    *,
    shapefile_encoding: str = "UTF-8",
    layer: str | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
    crs: str = "EPSG:4326",
    lang: Lang = DEFAULT_LANG,
    contract: Collection[str] = (),
) -> list[Problem]:
    """Write ``frame`` to ``path`` in the format named by its extension; return what was changed.

    The frame is reprojected to ``crs`` (default EPSG:4326, the exchange CRS); GeoJSON
    (RFC 7946) and KML are WGS84 by definition and refuse any other. ``layer`` names the layer
    (GeoPackage, GeoJSON, KML), the shapefile inside the zip, or the features sheet (XLSX).
    ``tables`` are written as extra layers (GeoPackage) or sheets (XLSX). The returned
    problems say what the format forced: shortened shapefile field names, cut values …

    An XLSX workbook is for people: headed in ``lang``, with a 字段说明 / Fields sheet (see
    :func:`zgc_geo.export.workbook.write_sheets`; ``contract`` names the sheets, ``"features"`` for
    the layer, whose columns other programs read). Every other format keeps the canonical field
    names, which GIS software and scripts rely on.

    Raises
    ------
    OptionError
        The extension, encoding or target folder is not usable, or a Shapefile would mix
        points, lines and polygons.
    CRSError
        ``frame`` has no CRS.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    writers: dict[str, _Writer] = {
        ".geojson": _write_geojson,
        ".zip": _write_shapefile_zip,
        ".kml": _write_kml,
        ".csv": _write_csv,
        ".xlsx": partial(_write_xlsx, lang=lang, contract=contract),
    }
    if suffix not in SUPPORTED_SUFFIXES:
        raise OptionError(
            f"cannot write {path.name}: files ending in {suffix or '(nothing)'} are not supported; "
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        codecs.lookup(shapefile_encoding)
    except LookupError:
        raise OptionError(f"unknown shapefile encoding {shapefile_encoding!r}; use UTF-8 or GBK") from None
    if not path.parent.is_dir():
        raise OptionError(f"cannot write {path}: the folder {path.parent} does not exist")
    tables = tables or {}
    problems: list[Problem] = []
    if tables and suffix not in TABLE_SUFFIXES:
        problems.append(
            Problem(
                "info",
                "tables_not_written",
                f"the extra tables ({', '.join(tables)}) are not written to {suffix} files",
                f"export to {' or '.join(TABLE_SUFFIXES)} to keep them",
            )
        )
    # Sentences the analysis kept language-neutral are written in the file's language, in every format.
    tables = {key: worded_frame(table, lang) for key, table in tables.items()}
    framed = to_target_crs(frame, crs, suffix)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        target = staging / path.name
        if suffix == ".gpkg":  # words the layer batch by batch as it streams it
            problems += _write_gpkg(framed, target, layer, tables, lang)
        else:
            prepared = flatten(worded_frame(framed, lang))
            problems += writers[suffix](prepared, target, layer, tables, shapefile_encoding)
        target.replace(path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return problems


def to_target_crs(frame: gpd.GeoDataFrame, crs: str, suffix: str) -> gpd.GeoDataFrame:
    """``frame`` in ``crs``, refusing CRSs the format cannot declare."""
    try:
        target = CRS.from_user_input(crs)
    except CRSError as exc:
        raise OptionError(f"unknown output CRS {crs!r} ({exc}); use e.g. EPSG:4326 or EPSG:4548") from None
    if suffix in WGS84_ONLY_SUFFIXES and not target.equals(STORAGE_CRS):
        raise OptionError(
            f"{suffix} files are always WGS84 (EPSG:4326), so they cannot be written in "
            f"{target.to_string()}; "
            "write .gpkg, .zip (shapefile), .csv or .xlsx instead"
        )
    require_crs(frame, "the layer to write")
    return frame.to_crs(target)


def _write_gpkg(
    frame: gpd.GeoDataFrame, target: Path, layer: str | None, tables: dict[str, pd.DataFrame], lang: Lang
) -> list[Problem]:
    """The layer (worded and flattened as it is written, see :mod:`zgc_geo.export.gpkg`), then each table."""
    name = layer or target.stem
    if name in tables:
        raise OptionError(f"a table may not share the layer's name {name!r}; rename the table")
    write_gpkg_layer(frame, target, name, lang)
    for table_name, table in tables.items():
        write_gpkg_layer(flatten(table), target, table_name, lang)
    return []


def _write_geojson(
    frame: gpd.GeoDataFrame, target: Path, layer: str | None, _tables: dict[str, pd.DataFrame], _encoding: str
) -> list[Problem]:
    pyogrio.write_dataframe(
        frame, target, layer=layer or target.stem, driver="GeoJSON", layer_options={"RFC7946": "YES"}
    )
    return []


def _fit_bytes(text: str, limit: int, encoding: str) -> str:
    """The longest prefix of ``text`` whose encoding takes at most ``limit`` bytes."""
    while len(text.encode(encoding, errors="replace")) > limit:
        text = text[:-1]
    return text


def _dbf_names(columns: list[str], encoding: str) -> dict[str, str]:
    """Old → new name for every column whose name breaks the dBASE rule (10 bytes, unique ignoring case).

    Names that already fit are kept first, so only the long ones change.
    """
    fits = [c for c in columns if len(c.encode(encoding, errors="replace")) <= DBF_NAME_BYTES]
    used = set()
    keep = set()
    for column in fits:
        if column.lower() not in used:
            used.add(column.lower())
            keep.add(column)
    renames: dict[str, str] = {}
    for column in columns:
        if column in keep:
            continue
        candidate, number = _fit_bytes(column, DBF_NAME_BYTES, encoding), 1
        while candidate.lower() in used or not candidate:
            suffix = f"_{number}"
            candidate = _fit_bytes(column, DBF_NAME_BYTES - len(suffix), encoding) + suffix
            number += 1
        used.add(candidate.lower())
        renames[column] = candidate
    return renames


def _dbf_values(frame: pd.DataFrame, encoding: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Text cells made encodable and cut to 254 bytes, with a warning per affected column."""
    problems: list[Problem] = []
    for column in frame.columns:
        series = frame[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        uniques = series.dropna().unique()
        fixed = {}
        for value in uniques:
            text = str(value)
            safe = text.encode(encoding, errors="replace").decode(encoding)
            cut = _fit_bytes(safe, DBF_VALUE_BYTES, encoding)
            if cut != text:
                fixed[value] = cut
        if fixed:
            frame[column] = series.map(lambda v, f=fixed: f.get(v, v))
            problems.append(
                Problem(
                    "warning",
                    "shapefile_values_changed",
                    f"{len(fixed)} value(s) of {column!r} were cut to {DBF_VALUE_BYTES} bytes or had "
                    f"characters {encoding} cannot hold replaced by '?'",
                    "export to GeoPackage, or choose UTF-8, to keep the full text",
                    field=column,
                )
            )
    return frame, problems


def _write_shapefile_zip(
    frame: gpd.GeoDataFrame, target: Path, layer: str | None, _tables: dict[str, pd.DataFrame], encoding: str
) -> list[Problem]:
    name = layer or target.stem
    families = {_FAMILIES.get(t) for t in shapely.get_type_id(frame.geometry.to_numpy()) if t >= 0}
    if len(families) > 1:
        raise OptionError(
            "a Shapefile holds one kind of geometry but this layer mixes "
            f"{', '.join(sorted(map(str, families)))}; export it as .gpkg or .geojson"
        )
    geometry = frame.geometry.name
    attributes = neutralise_formulas(pd.DataFrame(frame.drop(columns=geometry)))
    renames = _dbf_names([str(c) for c in attributes.columns], encoding)
    attributes, problems = _dbf_values(attributes.rename(columns=renames), encoding)
    if renames:
        listed = ", ".join(f"{old} → {new}" for old, new in renames.items())
        problems.insert(
            0,
            Problem(
                "warning",
                "shapefile_fields_renamed",
                f"Shapefile field names are limited to {DBF_NAME_BYTES} bytes in {encoding}; "
                f"renamed: {listed}",
                "export to GeoPackage to keep the full names",
            ),
        )
    data = gpd.GeoDataFrame(attributes, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    folder = target.parent / "shapefile"
    folder.mkdir()
    shp = folder / f"{name}.shp"
    pyogrio.write_dataframe(data, shp, driver="ESRI Shapefile", encoding=encoding)
    shp.with_suffix(".cpg").write_text(encoding, encoding="ascii")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in SHAPEFILE_PARTS:
            archive.write(shp.with_suffix(part), f"{name}{part}")
    return problems


def _write_kml(
    frame: gpd.GeoDataFrame, target: Path, layer: str | None, _tables: dict[str, pd.DataFrame], _encoding: str
) -> list[Problem]:
    geometry = frame.geometry.name
    attributes = neutralise_formulas(pd.DataFrame(frame.drop(columns=geometry)))
    text = attributes.astype("string")
    label = pd.Series(pd.NA, index=frame.index, dtype="string")
    for candidate in KML_NAME_FIELDS:
        if candidate in text.columns:
            label = label.fillna(text[candidate].where(text[candidate].str.strip() != ""))
    # Viewers render descriptions as HTML: escape every value so markup in the data stays text.
    lines = [
        html.escape(column, quote=False) + ": " + text[column].fillna("").map(_escape_text)
        for column in text.columns
    ]
    description = pd.concat(lines, axis=1).agg("<br/>".join, axis=1) if lines else ""
    kml = attributes.rename(columns=lambda c: f"{c}_" if c.lower() in {"name", "description"} else c)
    kml.insert(
        0, "Name", label.fillna(pd.Series(np.arange(1, len(frame) + 1), index=frame.index).astype(str))
    )
    kml.insert(1, "Description", description)
    data = gpd.GeoDataFrame(kml, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    with warnings.catch_warnings():
        # GDAL makes the layer name valid XML (闲置地块-2024 → 闲置地块_2024) and warns; it is a label only.
        warnings.filterwarnings("ignore", r"Layer name .* adjusted to", RuntimeWarning)
        pyogrio.write_dataframe(data, target, layer=layer or target.stem, driver="KML")
    return []


def _escape_text(value: str) -> str:
    return html.escape(value, quote=False)


def _table_with_geometry(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Attributes, a representative point (lon/lat, or x/y in metres) and WKT, formula-safe."""
    geoms = frame.geometry.to_numpy()
    points = shapely.point_on_surface(geoms)
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    geographic = frame.crs is None or frame.crs.is_geographic
    x_name, y_name = ("lon", "lat") if geographic else ("x", "y")
    decimals = WKT_DECIMALS if geographic else WKT_DECIMALS_METRES
    for column, values in (
        (x_name, shapely.get_x(points)),
        (y_name, shapely.get_y(points)),
        ("wkt", shapely.to_wkt(geoms, rounding_precision=decimals)),
    ):
        unique = column
        while unique in table.columns:
            unique += "_"
        table[unique] = values
    return neutralise_formulas(table)


def _write_csv(
    frame: gpd.GeoDataFrame,
    target: Path,
    _layer: str | None,
    _tables: dict[str, pd.DataFrame],
    _encoding: str,
) -> list[Problem]:
    _table_with_geometry(frame).to_csv(target, index=False, encoding="utf-8-sig")
    return []


def _write_xlsx(
    frame: gpd.GeoDataFrame,
    target: Path,
    layer: str | None,
    tables: dict[str, pd.DataFrame],
    _encoding: str,
    *,
    lang: Lang = DEFAULT_LANG,
    contract: Collection[str] = (),
) -> list[Problem]:
    sheets = [(layer or FEATURES_SHEET, _table_with_geometry(frame)), *tables.items()]
    from zgc_geo.export.workbook import write_sheets  # noqa: PLC0415 - workbooks only: labels, openpyxl

    return write_sheets(target, sheets, lang=lang, contract=contract)
