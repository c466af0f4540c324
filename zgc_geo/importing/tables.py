"""Read plot lists from CSV and XLSX: every cell as text, points from coordinate columns or WKT."""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from zgc_geo.errors import InputTooLargeError, OptionError, UnreadableInputError
from zgc_geo.i18n import Sentence
from zgc_geo.importing.archives import vet_archive
from zgc_geo.importing.encoding import (
    CHINESE_LEGACY,
    EncodingChoice,
    detect_text_encoding,
    normalise_encoding,
)
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.report import PageText, Problem, UnreadableOnPageError
from zgc_geo.importing.source import ReadResult

CRS_BASIS: Final = "spreadsheets carry no CRS"
#: Header names after :func:`normalise_header`, most specific first.
LON_NAMES: Final = ("经度", "lon", "lng", "long", "longitude", "x", "东坐标", "x坐标", "e", "easting")
LAT_NAMES: Final = ("纬度", "lat", "latitude", "y", "北坐标", "y坐标", "n", "northing")
WKT_NAMES: Final = ("wkt", "geometry", "geom", "几何", "空间信息", "shape")
#: Headers that Chinese surveying tables (测量坐标系) use with X = northing and Y = easting.
_SURVEY_X, _SURVEY_Y = frozenset({"x", "x坐标"}), frozenset({"y", "y坐标"})
DELIMITERS: Final = {",": "comma", "\t": "tab", ";": "semicolon", "，": "full-width comma"}
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC: Final = b"PK\x03\x04"
#: shapely type ids a plot list may hold.
_ALLOWED_TYPES: Final = {0: "Point", 3: "Polygon", 6: "MultiPolygon"}
_HEMI: Final = r"东经|西经|北纬|南纬|[NSEWnsew]"
_DMS: Final = re.compile(
    rf"^(?P<h1>{_HEMI})?(?P<sign>[-+])?(?P<deg>\d+(?:\.\d*)?)(?P<mark>[°º度])?"
    r"(?:(?P<min>\d+(?:\.\d*)?)['′’分])?(?:(?P<sec>\d+(?:\.\d*)?)(?:\"|″|”|''|′′|’’|秒))?"
    rf"(?P<h2>{_HEMI})?$"
)
_NEGATIVE_HEMI: Final = ("S", "W", "s", "w", "西经", "南纬")
_WKT_ERRORS: Final = (  # (code, message, hint) for empty, unparsable and wrong-type WKT cells
    ("coordinates_missing", "no geometry: {column!r} is empty", "fill in the WKT or delete the row"),
    ("wkt_invalid", "{column!r} is not valid WKT", "write e.g. POINT (116.31 39.98); check the brackets"),
    ("geometry_type_not_allowed", "{column!r} is not a {allowed}", "use {allowed} only"),
)
#: The Data page's (message, hint) keys of each row error, filled in with ``column`` and ``allowed``.
_ROW_TEXTS: Final = {
    "coordinates_missing": ("import.problem.wkt_missing", "import.page_hint.wkt_missing"),
    "wkt_invalid": ("import.problem.wkt_invalid", "import.page_hint.wkt_invalid"),
    "geometry_type_not_allowed": (
        "import.problem.geometry_type_not_allowed",
        "import.page_hint.geometry_type_not_allowed",
    ),
    "coordinate_not_number": (
        "import.problem.coordinate_not_number",
        "import.page_hint.coordinate_not_number",
    ),
}
#: Every cell as text, empty cells as "", blank lines kept so positions stay row numbers.
_CSV_TEXT: Final = {"dtype": str, "keep_default_na": False, "skip_blank_lines": False}


def read_table(
    path: Path,
    *,
    encoding: str | None = None,
    x_column: str | None = None,
    y_column: str | None = None,
    wkt_column: str | None = None,
    sheet: str | None = None,
    limits: ImportLimits | None = None,
) -> ReadResult:
    """Read a CSV or XLSX plot list into features without a CRS.

    Every cell is kept as text so ids such as ``"0601"`` survive. Geometry comes from a WKT
    column when one is named or recognised, else from lon/x and lat/y columns. Rows whose
    geometry cannot be built keep a missing geometry and one error :class:`Problem` each,
    numbered as the spreadsheet shows them, so every row can be fixed in one pass.

    Parameters
    ----------
    path : Path
        ``.csv`` (comma, tab, semicolon or full-width comma; UTF-8, GBK or UTF-16) or ``.xlsx``.
    encoding : str, optional
        CSV only: overrides the byte-order mark and detection.
    x_column, y_column, wkt_column : str, optional
        Force the geometry columns; forcing x/y also disables the surveying-axis swap.
    sheet : str, optional
        XLSX only: the sheet to read (default: the first non-empty one).
    limits : ImportLimits, optional
        Size caps; default from the environment (:meth:`ImportLimits.from_env`).

    Raises
    ------
    UnreadableInputError
        Not a readable CSV/XLSX (``.xls``, corrupt, undecodable) or no coordinate columns.
    OptionError
        A named column or sheet does not exist.
    """
    path = Path(path)
    cells = read_cells(path, encoding=encoding, sheet=sheet, limits=limits)
    table, first_row, problems = cells.table, cells.first_row, cells.problems
    wkt, xy = _geometry_columns(path.name, table, x_column, y_column, wkt_column)
    if xy is None:
        geoms = _wkt_geometry(table, str(wkt), first_row, problems)
    else:
        geoms = _point_geometry(table, xy, first_row, problems, explicit=x_column is not None)
    # A WKT column called "geometry" is replaced by what it holds; any other "geometry" text stays.
    name = "geometry" if wkt == "geometry" or "geometry" not in table else "geometry_parsed"
    frame = gpd.GeoDataFrame(table.assign(**{name: geoms}), geometry=name, crs=None)
    return ReadResult(
        frame=frame,
        source_name=path.name,
        format="csv" if cells.sheet is None else "xlsx",
        layer=cells.sheet,
        layers=cells.sheets,
        encoding=cells.encoding.encoding or None,
        encoding_basis=cells.encoding.basis,
        crs_basis=CRS_BASIS,
        first_row_number=first_row,
        problems=problems,
    )


@dataclass(frozen=True)
class Cells:
    """A CSV or a workbook sheet as text cells: every cell a string, empty cells ``""``."""

    table: pd.DataFrame
    #: The spreadsheet row number of the table's first row (the header is the row above).
    first_row: int
    #: What the reading decided on the way (encoding, sheet), as info problems.
    problems: list[Problem]
    encoding: EncodingChoice
    sheet: str | None
    sheets: tuple[str, ...]


def read_cells(
    path: Path, *, encoding: str | None = None, sheet: str | None = None, limits: ImportLimits | None = None
) -> Cells:
    """Every cell of a CSV or XLSX table as text, under the size caps and archive checks of an import.

    CSV: comma, tab, semicolon or full-width comma; UTF-8, GBK or UTF-16 (``encoding`` overrides the
    byte-order mark and detection). XLSX: ``sheet``, default the first non-empty one. Raises
    :class:`UnreadableInputError` for what is not a readable table, :class:`OptionError` for a missing sheet.
    """
    path, limits = Path(path), limits or ImportLimits.from_env()
    limits.check_file_size(path.name, path.stat().st_size)
    with path.open("rb") as handle:
        magic = handle.read(8)
    is_zip = magic.startswith(_ZIP_MAGIC)
    if magic.startswith(_OLE_MAGIC) or (path.suffix.lower() == ".xls" and not is_zip):
        raise UnreadableInputError(
            f"{path.name}: is an old binary Excel workbook (.xls) or a password-protected .xlsx; open it "
            "in Excel or WPS and save it as .xlsx (Excel Workbook) or CSV UTF-8, then import again."
        )
    problems: list[Problem] = []
    choice, chosen, sheets = EncodingChoice("", ""), None, tuple[str, ...]()
    if is_zip or path.suffix.lower() in {".xlsx", ".xlsm"}:
        if is_zip:
            vet_archive(
                path,
                limits,
                kind=".xlsx workbook",
                hint="open it in Excel or WPS and save it again as .xlsx or CSV UTF-8",
            )
        table, first_row, chosen, sheets = _read_xlsx(path, sheet, limits, problems)
    elif sheet is not None:
        raise OptionError(f"{path.name}: a sheet (--layer) applies to .xlsx workbooks only, not to CSV")
    else:
        table, first_row, choice = _read_csv(path, encoding, problems)
    if len(table) > limits.max_features:
        raise InputTooLargeError(
            f"{path.name}: {len(table)} rows is over the limit of {limits.max_features}; "
            "split the table or raise ZGC_GEO_IMPORT_MAX_FEATURES."
        )
    return Cells(table, first_row, problems, choice, chosen, sheets)


# --------------------------------------------------------------------------- CSV


def _read_csv(
    path: Path, declared: str | None, problems: list[Problem]
) -> tuple[pd.DataFrame, int, EncodingChoice]:
    data = path.read_bytes()
    choice = _choose_encoding(path.name, data, declared)
    try:
        text = data.decode(choice.encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableOnPageError(
            f"{path.name}: bytes {data[exc.start : exc.start + 4]!r} at offset {exc.start} are not valid "
            f"{choice.encoding} ({choice.basis}); pass another --encoding (UTF-8, GBK, BIG5) or omit it "
            "to let zgc-geo detect it.",
            PageText(
                Sentence("import.failure.not_in_encoding", {"encoding": choice.encoding}),
                Sentence("import.page_hint.undecodable"),
                fix="encoding",
            ),
        ) from None
    message = f"text decoded as {choice.encoding}: {choice.basis}"
    chosen = Sentence("import.problem.encoding_chosen", {"encoding": choice.encoding})
    problems.append(Problem("info", "encoding_chosen", message, value=choice.encoding, text=chosen))
    if "\r" in text.replace("\r\n", ""):  # bare CR line ends: Excel for Mac's "CSV"; read as line ends
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        message = "rows end in a bare carriage return (classic Mac / Excel for Mac); read as line ends"
        problems.append(
            Problem("info", "line_endings_cr", message, text=Sentence("import.problem.line_endings_cr"))
        )
    if choice.encoding == CHINESE_LEGACY and choice.basis.startswith("detected"):  # UTF-8 is decisive
        message = f"the text encoding was guessed ({choice.encoding}: GBK, as Excel saves on Chinese Windows)"
        hint = "pass --encoding (e.g. UTF-8 or BIG5) if the names look wrong"
        guessed = Sentence("import.problem.encoding_guessed", {"encoding": choice.encoding})
        page_hint = Sentence("import.page_hint.encoding_guessed")
        problems.append(
            Problem("warning", "encoding_guessed", message, hint, text=guessed, page_hint=page_hint)
        )
    blank = re.match(r"(?:[ \t]*\r?\n)*", text)  # leading blank lines; the header follows them
    lead, body = (blank.group().count("\n"), text[blank.end() :]) if blank else (0, text)
    if not body.strip():
        raise UnreadableInputError(f"{path.name}: the file is empty; a header row of column names is needed.")
    delimiter = _sniff_delimiter(body)
    if delimiter != ",":
        separated = Sentence("import.problem.delimiter_chosen", {"delimiter": repr(delimiter)})
        problems.append(
            Problem(
                "info", "delimiter_chosen", f"columns separated by {DELIMITERS[delimiter]}", text=separated
            )
        )
    engine = "c" if delimiter.isascii() else "python"
    try:
        table = pd.read_csv(io.StringIO(body), sep=delimiter, engine=engine, **_CSV_TEXT)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise UnreadableInputError(
            f"{path.name}: cannot be split into columns at each {DELIMITERS[delimiter]} ({exc}); check that "
            "every row has as many cells as the header and that quotes are balanced."
        ) from None
    if not isinstance(table.index, pd.RangeIndex):  # pandas took the first column as the index
        raise UnreadableInputError(
            f"{path.name}: the data rows have one cell more than the header (a {DELIMITERS[delimiter]} "
            "at the end of each row?); name every column in the header row or remove the extra cells."
        )
    table.columns = [str(c).strip() for c in table.columns]
    return _drop_trailing_blank(table.fillna("")), lead + 2, choice


def _choose_encoding(source: str, data: bytes, declared: str | None) -> EncodingChoice:
    if declared:
        return EncodingChoice(normalise_encoding(declared), "given with --encoding")
    if data.startswith(codecs.BOM_UTF8):
        return EncodingChoice("utf-8-sig", "UTF-8 byte-order mark")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return EncodingChoice("utf-16", "UTF-16 byte-order mark (Excel 'Unicode text')")
    detected = detect_text_encoding(data)
    if detected is None:
        raise UnreadableOnPageError(
            f"{source}: the bytes decode neither as UTF-8 nor as GBK/GB18030; pass --encoding with the "
            "right code page (e.g. BIG5), or save the sheet as 'CSV UTF-8' and import again.",
            PageText(
                Sentence("import.failure.undecodable"),
                Sentence("import.page_hint.undecodable"),
                fix="encoding",
            ),
        )
    return detected


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first records into the most consistent, then most, columns.

    Counted with the csv module so that delimiters inside quotes (a WKT polygon's commas)
    do not count; ties go to the order of :data:`DELIMITERS`.
    """
    sample, scores = text[:65536], {}
    for delimiter in DELIMITERS:
        records = csv.reader(io.StringIO(sample), delimiter=delimiter)
        try:
            counts = [len(r) for r, _ in zip(records, range(50), strict=False)]
        except csv.Error:  # e.g. a NUL byte: this delimiter cannot be judged; pandas reports the file
            continue
        counts = counts[:-1] if len(sample) < len(text) and len(counts) > 2 else counts  # last may be cut
        if counts and counts[0] > 1:
            same = float(np.mean([n == counts[0] for n in [*counts[1:], counts[0]]]))
            scores[delimiter] = (same, counts[0])
    return max(scores, key=scores.__getitem__, default=",")


def _drop_trailing_blank(table: pd.DataFrame) -> pd.DataFrame:
    filled = np.flatnonzero((table.apply(lambda c: c.str.strip()) != "").any(axis=1).to_numpy())
    return table.iloc[: int(filled[-1]) + 1 if filled.size else 0].reset_index(drop=True)


# --------------------------------------------------------------------------- XLSX


def _read_xlsx(
    path: Path, sheet: str | None, limits: ImportLimits, problems: list[Problem]
) -> tuple[pd.DataFrame, int, str, tuple[str, ...]]:
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UnreadableInputError(
            f"{path.name}: is not a readable .xlsx workbook ({exc}); open it in Excel or WPS and save it "
            "again as .xlsx or CSV UTF-8."
        ) from None
    try:
        names = tuple(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise OptionError(f"{path.name}: no sheet named {sheet!r}; the sheets are: {', '.join(names)}")
        for name in [sheet] if sheet is not None else names:
            rows = getattr(book[name], "iter_rows", None)  # chart sheets have no cells
            found = (
                None if rows is None else _sheet_table(rows(values_only=True), limits, f"{path.name}!{name}")
            )
            if found is not None:
                break
        else:
            raise UnreadableInputError(
                f"{path.name}: " + (f"sheet {sheet!r} is" if sheet else "every sheet is") + " empty"
            )
    finally:
        book.close()
    if len(names) > 1:
        how = "as asked" if sheet else "the first non-empty one"
        hint = "" if sheet else "pass --layer NAME to read another sheet"
        message = f"read sheet {name!r} ({how}) of {len(names)}: {', '.join(names)}"
        values = {"sheet": name, "count": len(names), "names": ", ".join(names)}
        text = Sentence("import.problem.sheet_chosen" if sheet else "import.problem.sheet_first", values)
        page_hint = None if sheet else Sentence("import.page_hint.layer_chosen", values)
        problems.append(
            Problem("info", "layer_chosen", message, hint, value=name, text=text, page_hint=page_hint)
        )
    return found[0], found[1] + 1, name, names


def _sheet_table(
    rows: Iterable[Sequence[object]], limits: ImportLimits, where: str
) -> tuple[pd.DataFrame, int] | None:
    """Text cells under the first non-blank row (the header, whose number is returned), or None if blank.

    Blank rows inside the data are kept so positions still map to spreadsheet rows; trailing
    blank rows (formatting that reaches far below the data) are dropped.
    """
    header: list[str] | None = None
    header_row, blanks, body = 0, 0, list[list[str]]()
    for number, row in enumerate(rows, start=1):
        cells = [_cell_text(v) for v in row]
        if not any(c.strip() for c in cells):
            blanks += header is not None
        elif header is None:
            header, header_row = cells, number
        else:
            body += [[]] * blanks + [cells]
            blanks = 0
            if len(body) > limits.max_features:
                limit = limits.max_features
                raise InputTooLargeError(
                    f"{where}: more than {limit} rows; split the sheet or raise the limit."
                )
    if header is None:
        return None
    width = max([len(header), *(len(r) for r in body)])
    seen: dict[str, int] = {}
    columns = []
    for i, raw in enumerate(header + [""] * (width - len(header))):  # pandas' rules for blank/duplicate names
        label = raw.strip() or f"Unnamed: {i}"
        columns.append(f"{label}.{seen[label]}" if label in seen else label)
        seen[label] = seen.get(label, 0) + 1
    body = [r + [""] * (width - len(r)) for r in body]
    return pd.DataFrame(body, columns=columns, dtype=str), header_row


def _cell_text(value: object) -> str:
    """A cell as the text a user sees: integers without ".0", no scientific notation."""
    if isinstance(value, float) and math.isfinite(value):
        integral = value.is_integer() and abs(value) < 1e16
        return str(int(value)) if integral else np.format_float_positional(value, trim="-")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return "" if value is None else str(value)


# --------------------------------------------------------------------------- geometry


def normalise_header(name: str) -> str:
    """A header reduced for matching: NFKC, lower case, bracketed units, spaces and degree signs removed."""
    text = re.sub(r"[(\[【<].*?[)\]】>]", "", unicodedata.normalize("NFKC", str(name)).lower())
    return re.sub(r"[\s_°º.:/-]+", "", text)


def header_key(text: object) -> str:
    """A header reduced for matching: NFKC (full-width brackets become ASCII), lower case, without blanks,
    ``_`` and ``-``, and without a datum note (``经度(WGS84)`` is ``经度``); a unit in brackets stays (it
    matters: 亩, 公顷, 万元, 亿元)."""
    key = re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", str(text))).lower()
    return re.sub(r"\((?:wgs84|wgs1984|epsg:?4326)\)", "", key)


def _find(columns: Sequence[str], names: Sequence[str]) -> str | None:
    normalised = {normalise_header(c): c for c in reversed(columns)}
    return next((normalised[n] for n in names if n in normalised), None)


def _geometry_columns(
    source: str, table: pd.DataFrame, x: str | None, y: str | None, wkt: str | None
) -> tuple[str | None, tuple[str, str] | None]:
    """The WKT column, or the x and y columns: as named by the user, else recognised by header."""
    columns = list(table.columns)

    def named(name: str) -> str:
        match = name if name in columns else _find(columns, [normalise_header(name)])
        if match is None:
            raise OptionError(f"{source}: no column named {name!r}; the columns are: {', '.join(columns)}")
        return match

    if (x is None) != (y is None):
        raise OptionError(f"{source}: give both --x-column and --y-column, not only one")
    if wkt is not None or (x is not None and y is not None):
        return (named(wkt), None) if wkt is not None else (None, (named(x or ""), named(y or "")))
    wkt, x, y = _find(columns, WKT_NAMES), _find(columns, LON_NAMES), _find(columns, LAT_NAMES)
    if wkt is not None and (x is None or y is None or _mostly_wkt(table[wkt])):
        return wkt, None
    if x is None or y is None:
        names = {
            "columns": ", ".join(map(str, columns)),
            "lon": ", ".join(LON_NAMES),
            "lat": ", ".join(LAT_NAMES),
        }
        page = PageText(
            Sentence("import.failure.no_coordinate_columns", names | {"wkt": ", ".join(WKT_NAMES)})
        )
        raise UnreadableOnPageError(
            f"{source}: no coordinate columns among the headers {columns}; recognised names (any "
            f"case, units in brackets ignored) are lon/x: {', '.join(LON_NAMES)}; lat/y: "
            f"{', '.join(LAT_NAMES)}; WKT: {', '.join(WKT_NAMES)}. Rename the columns or pass "
            "--x-column/--y-column or --wkt-column to zgc-geo validate.",
            page,
        )
    return None, (x, y)


def _mostly_wkt(column: pd.Series) -> bool:
    values = column.str.strip()
    parsed = shapely.from_wkt(values[values != ""].to_numpy(dtype=object), on_invalid="ignore")
    return parsed.size > 0 and float(np.mean(~shapely.is_missing(parsed))) >= 0.5


def _wkt_geometry(table: pd.DataFrame, column: str, first_row: int, problems: list[Problem]) -> np.ndarray:
    text = table[column].str.strip()
    filled = (text != "").to_numpy()
    geoms = np.full(len(text), None, dtype=object)
    geoms[filled] = shapely.from_wkt(text.to_numpy(dtype=object)[filled], on_invalid="ignore")
    unparsed = filled & shapely.is_missing(geoms)
    wrong = ~shapely.is_missing(geoms) & ~np.isin(shapely.get_type_id(geoms), list(_ALLOWED_TYPES))
    empty = ~filled | (shapely.is_empty(geoms) & ~wrong)
    text = Sentence("import.problem.columns_chosen_wkt", {"column": column})
    problems.append(
        Problem("info", "columns_chosen", f"geometry read from the WKT column {column!r}", text=text)
    )
    allowed = ", ".join(_ALLOWED_TYPES.values())
    for mask, (code, what, fix) in zip((empty, unparsed, wrong), _WKT_ERRORS, strict=True):
        message, hint = what.format(column=column, allowed=allowed), fix.format(allowed=allowed)
        values: dict[str, object] = {"column": column, "allowed": allowed}
        problems += _row_errors(
            mask, table[column], first_row, code=code, message=message, hint=hint, values=values
        )
    geoms[unparsed | wrong | empty] = None
    return geoms


@dataclass(frozen=True)
class _Axis:
    """One coordinate column: its name, cleaned text, parsed values and which values were DMS."""

    name: str
    text: pd.Series
    values: np.ndarray
    dms: np.ndarray

    @property
    def filled(self) -> np.ndarray:
        return (self.text != "").to_numpy()

    @classmethod
    def parse(cls, column: pd.Series, name: str) -> _Axis:
        text = column.str.normalize("NFKC").str.replace(r"\s+", "", regex=True)
        return cls(name, text, *parse_angles(text))


def _point_geometry(
    table: pd.DataFrame, names: tuple[str, str], first_row: int, problems: list[Problem], *, explicit: bool
) -> np.ndarray:
    x, y = (_Axis.parse(table[name], name) for name in names)
    survey = normalise_header(x.name) in _SURVEY_X and normalise_header(y.name) in _SURVEY_Y
    if not explicit and survey and _looks_surveying(x.values, y.values):
        what = (
            f"columns {x.name!r}/{y.name!r} follow the Chinese surveying convention (X = northing, "
            f"Y = easting): {x.name!r} values such as {np.nanmedian(x.values):.0f} are northings and "
            f"{y.name!r} values such as {np.nanmedian(y.values):.0f} eastings, so they were swapped"
        )
        fix = f"if this is wrong, import again with --x-column {x.name} --y-column {y.name} to keep them"
        values = {
            "x": x.name,
            "y": y.name,
            "x_median": f"{np.nanmedian(x.values):.0f}",
            "y_median": f"{np.nanmedian(y.values):.0f}",
        }
        text = Sentence("import.problem.axes_surveying_convention", values)
        page_hint = Sentence("import.page_hint.axes_surveying_convention")
        problems.append(
            Problem("warning", "axes_surveying_convention", what, fix, text=text, page_hint=page_hint)
        )
        x, y = y, x
    message = f"points built from {x.name!r} (lon/easting) and {y.name!r} (lat/northing)"
    text = Sentence("import.problem.columns_chosen_xy", {"x": x.name, "y": y.name})
    problems.append(Problem("info", "columns_chosen", message, text=text))
    for axis in (x, y):
        if axis.dms.any():
            at = int(np.flatnonzero(axis.dms)[0])
            what = (
                f"{int(axis.dms.sum())} {axis.name!r} value(s) in degrees-minutes-seconds or with a "
                f"hemisphere letter converted to decimal degrees (row {at + first_row}: "
                f"{axis.text.iloc[at]!r} → {axis.values[at]:.6f})"
            )
            dms_values = {
                "count": int(axis.dms.sum()),
                "column": axis.name,
                "row": at + first_row,
                "given": axis.text.iloc[at],
                "degrees": f"{axis.values[at]:.6f}",
            }
            problems.append(
                Problem(
                    "info", "dms_converted", what, text=Sentence("import.problem.dms_converted", dms_values)
                )
            )
        problems += _row_errors(
            axis.filled & ~np.isfinite(axis.values),
            table[axis.name],
            first_row,
            code="coordinate_not_number",
            message=f"{axis.name!r} is not a number or a degrees-minutes-seconds angle",
            hint="write decimal degrees (116.3105), metres (440206.6) or DMS such as 116°18'36.5\"",
            values={"column": axis.name},
        )
    for pos in np.flatnonzero(~x.filled | ~y.filled):
        empty = [a.name for a in (x, y) if not a.filled[pos]]
        message = f"no coordinates: {' and '.join(map(repr, empty))} empty"
        hint = "fill in both coordinates or delete the row"
        text = Sentence("import.problem.coordinates_missing", {"columns": " / ".join(empty)})
        page_hint = Sentence("import.page_hint.coordinates_missing")
        problems.append(
            Problem(
                "error", "coordinates_missing", message, hint, int(pos) + first_row, empty[0],
                text=text, page_hint=page_hint,
            )
        )  # fmt: skip
    ok = np.isfinite(x.values) & np.isfinite(y.values)
    geoms = np.full(len(table), None, dtype=object)
    geoms[ok] = shapely.points(x.values[ok], y.values[ok])
    return geoms


def _row_errors(
    mask: np.ndarray,
    cells: pd.Series,
    first_row: int,
    *,
    code: str,
    message: str,
    hint: str,
    values: dict[str, object],
) -> list[Problem]:
    """One error per flagged row, numbered as the user sees it, showing the cell as written."""
    text_key, hint_key = _ROW_TEXTS[code]
    text, page_hint = Sentence(text_key, values), Sentence(hint_key, values)
    return [
        Problem(
            "error", code, message, hint, int(pos) + first_row, str(cells.name), str(cells.iloc[pos]),
            text=text, page_hint=page_hint,
        )
        for pos in np.flatnonzero(mask)
    ]  # fmt: skip


def parse_angles(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Decimal numbers, then DMS / hemisphere angles for the rest; NaN where neither parses."""
    values = pd.to_numeric(text.where(text != ""), errors="coerce").to_numpy(dtype=float, copy=True)
    dms = np.zeros(len(text), dtype=bool)
    rest = np.flatnonzero(~np.isfinite(values) & (text != "").to_numpy())
    if rest.size:
        parts = text.iloc[rest].str.extract(_DMS)
        deg, minutes, seconds = (pd.to_numeric(parts[k]).to_numpy(dtype=float) for k in ("deg", "min", "sec"))
        minutes, seconds = np.nan_to_num(minutes), np.nan_to_num(seconds)
        hemi = parts["h1"].fillna(parts["h2"]).fillna("")
        angular = (parts["mark"].notna() | (hemi != "") | parts["min"].notna()).to_numpy()
        valid = angular & np.isfinite(deg) & (minutes < 60) & (seconds < 60)
        negative = hemi.isin(_NEGATIVE_HEMI).to_numpy() ^ (parts["sign"] == "-").to_numpy()
        values[rest[valid]] = (np.where(negative, -1.0, 1.0) * (deg + minutes / 60 + seconds / 3600))[valid]
        dms[rest[valid]] = True
    return values, dms


def _looks_surveying(x: np.ndarray, y: np.ndarray) -> bool:
    """True when nearly every X is a Chinese northing (3–6 Mm) and every Y an easting (zone prefix or not)."""
    ok = np.isfinite(x) & np.isfinite(y)
    xs, ys = x[ok], y[ok]
    north = (xs >= 3e6) & (xs <= 6e6)
    plain = (ys >= 1e5) & (ys <= 9e5)
    prefixed = (ys >= 13e6) & (ys < 46e6) & (ys % 1e6 >= 1e5) & (ys % 1e6 <= 9e5)
    return bool(ok.any()) and float(np.mean(north & (plain | prefixed))) >= 0.9
