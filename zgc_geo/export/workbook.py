"""Write tables as an XLSX workbook a person reads in their language: the one way every workbook is written.

Each sheet is headed in Chinese or English from ``layers/export_fields.csv``; an id of a park,
cluster, land-use class or review status gets its name in a column beside it; numbers are
rounded to the field's decimals and shown with its Excel number format instead of float noise;
no cell names a folder of the computer that wrote it; text a spreadsheet could execute is
quoted. A last sheet, 字段说明 / Fields, lists every header with its canonical field name, unit
and meaning, so the names that GIS formats, CSV and the code use are always recoverable.

A *contract* sheet (columns another program reads, e.g. ``zgc-geo workspace audit``) keeps
its canonical headers and exact values, and gains no column, in English; in Chinese it is a
workbook for people like any other (its Fields sheet still names every canonical field).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Collection, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Final

import pandas as pd

from zgc_geo.export.labels import FieldLabel, code_names, field_label, field_labels, name_of, sheet_label
from zgc_geo.export.safety import neutralise_formulas
from zgc_geo.export.worded import worded_frame
from zgc_geo.i18n import DEFAULT_LANG, Lang
from zgc_geo.importing.report import Problem
from zgc_geo.manifest import LIST_SEPARATOR

#: Excel shows at most this many characters in a cell.
XLSX_CELL_CHARS: Final = 32_767
XLSX_SHEET_CHARS: Final = 31
#: The key of the sheet that explains every header (named 字段说明 / Fields).
FIELDS_SHEET: Final = "fields"
#: The columns of that sheet.
FIELDS_COLUMNS: Final = ("sheet", "header", "canonical_field", "unit", "meaning")
#: An absolute folder path inside a text (POSIX ``/srv/x/y.toml`` or Windows ``C:\\x\\y.toml``), not
#: a URL's path (``https://host/a``) nor a ratio (``1/9``, ``万元/亩``): the file's own name replaces it.
ABSOLUTE_PATH: Final = re.compile(
    r"(?<![\w.:/~-])/(?:[^/\s\"'<>|;,]+/)+(?P<posix>[^/\s\"'<>|;,]*)"
    r"|(?<![\w/\\])[A-Za-z]:[\\/](?:[^\\/\s\"'<>|;,]+[\\/])*(?P<windows>[^\\/\s\"'<>|;,]*)"
)


def without_paths(text: str) -> str:
    """``text`` with every absolute file path replaced by the file's name (the rest is kept)."""
    return ABSOLUTE_PATH.sub(lambda m: m.group("posix") or m.group("windows") or "", text)


def write_sheets(
    target: Path,
    sheets: Sequence[tuple[str, pd.DataFrame]],
    *,
    lang: Lang = DEFAULT_LANG,
    contract: Collection[str] = (),
    headings: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Write ``(key, table)`` pairs as sheets of ``target`` in ``lang``; return what Excel's limits forced.

    ``key`` is the sheet's canonical name (labelled from ``export_sheets.csv``, else kept);
    ``contract`` names the keys whose headers and values other programs read. ``headings``
    (canonical column → header) are for a page that already words and rounds its table as it
    shows it: those columns keep the page's header and values, and get no name column. The
    header row is frozen; a 字段说明 / Fields sheet comes last.
    """
    problems: list[Problem] = []
    used: set[str] = set()
    explained: list[tuple[str, str, str, str, str]] = []
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for key, table in sheets:
            sheet = _sheet_name(sheet_label(key, lang), used)
            kept = lang == "en" and key in contract
            local, headers, formats, rows = _localised(table, lang, canonical=kept, headings=headings or {})
            explained += [(sheet, *row) for row in rows]
            safe, found = _xlsx_safe(local, sheet)
            problems += found
            safe.columns = headers
            _write_sheet(writer, sheet, neutralise_formulas(safe), formats)
        fields = pd.DataFrame(explained, columns=list(FIELDS_COLUMNS))
        sheet = _sheet_name(sheet_label(FIELDS_SHEET, lang), used)
        header = {c: field_labels()[c].label(lang) for c in FIELDS_COLUMNS}
        _write_sheet(writer, sheet, neutralise_formulas(fields).rename(columns=header), {})
    return problems


def _write_sheet(writer: pd.ExcelWriter, sheet: str, table: pd.DataFrame, formats: dict[int, str]) -> None:
    table.to_excel(writer, sheet_name=sheet, index=False)
    worksheet = writer.sheets[sheet]
    worksheet.freeze_panes = "A2"
    for position, number_format in formats.items():
        for (cell,) in worksheet.iter_rows(
            min_row=2, max_row=len(table) + 1, min_col=position + 1, max_col=position + 1
        ):
            cell.number_format = number_format


def _localised(
    table: pd.DataFrame, lang: Lang, *, canonical: bool, headings: Mapping[str, str]
) -> tuple[pd.DataFrame, list[str], dict[int, str], list[tuple[str, str, str, str]]]:
    """The sheet's values (canonical columns), its headers, each column's number format, its Fields rows.

    ``canonical`` keeps the headers and the exact values and adds no column (the number
    formats still show the values rounded).
    """
    flat = _flat(worded_frame(table, lang))
    columns: list[pd.Series] = []
    for column in flat.columns:
        label = field_label(column, lang)
        columns.append(_rounded(flat[column], label, exact=canonical))
        if label is not None and label.code_list and not canonical and column not in headings:
            name_label = field_label(f"{column}_name", lang)
            names = code_names(label.code_list, lang)
            name_column = name_label.field if name_label is not None else f"{column}_name"
            named = flat[column].map(lambda v, n=names: name_of(v, n, lang))
            if name_column not in flat.columns and named.notna().any():  # no column of blanks
                columns.append(named.rename(name_column))
    out = pd.concat(columns, axis=1) if columns else flat.copy()
    formats: dict[int, str] = {}
    rows: list[tuple[str, str, str, str]] = []
    headers: list[str] = []
    for position, column in enumerate(out.columns):
        label = field_label(str(column), lang)
        header = str(column) if canonical or label is None else label.label(lang)
        header = headings.get(str(column), header)
        if header in headers:  # two fields with one label: the canonical name tells them apart
            header = f"{header} ({column})"
        headers.append(header)
        if label is not None and label.number_format and pd.api.types.is_numeric_dtype(out[column]):
            formats[position] = label.number_format
        rows.append((header, str(column), label.unit if label else "", label.meaning(lang) if label else ""))
    return out, headers, formats, rows


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    """String column names, list cells as ``;``-separated text, and no file path in any text cell."""
    flat = table.reset_index(drop=True).copy()
    flat.columns = [str(c) for c in flat.columns]
    for position in range(flat.shape[1]):
        series = flat.iloc[:, position]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            flat.isetitem(position, series.map(_cell_text))
    return flat


def _cell_text(value: object) -> object:
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(map(str, value))
    return without_paths(value) if isinstance(value, str) else value


def _rounded(series: pd.Series, label: FieldLabel | None, *, exact: bool) -> pd.Series:
    """Floats rounded to the decimals of the field's number format (not a contract's exact values)."""
    if exact or label is None or label.decimals is None or not pd.api.types.is_float_dtype(series):
        return series
    return series.round(label.decimals)


def _sheet_name(name: str, used: set[str]) -> str:
    """``name`` made a legal, unique Excel sheet name (31 characters, none of ``[]:*?/\\``)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "sheet"
    candidate, number = base[:XLSX_SHEET_CHARS], 2
    while candidate.lower() in used:
        suffix = f"_{number}"
        candidate, number = base[: XLSX_SHEET_CHARS - len(suffix)] + suffix, number + 1
    used.add(candidate.lower())
    return candidate


def _xlsx_cell(value: object, illegal: re.Pattern[str]) -> object:
    if not isinstance(value, str):
        return value
    return illegal.sub("", value)[:XLSX_CELL_CHARS]


def _xlsx_safe(table: pd.DataFrame, sheet: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Text cut to Excel's cell limit (reported) and rid of the control characters openpyxl refuses."""
    # openpyxl only when a workbook is written: the GIS and CSV exports that import this module need none.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: PLC0415

    problems: list[Problem] = []
    for position, column in enumerate(table.columns):
        series = table.iloc[:, position]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        too_long = int((series.astype("string").str.len() > XLSX_CELL_CHARS).sum())
        table.isetitem(position, series.map(partial(_xlsx_cell, illegal=ILLEGAL_CHARACTERS_RE)))
        if too_long:
            problems.append(
                Problem(
                    "warning",
                    "xlsx_cell_too_long",
                    f"{too_long} cell(s) of {column!r} on sheet {sheet!r} were cut to Excel's limit of "
                    f"{XLSX_CELL_CHARS:,} characters",
                    "use the GeoPackage, GeoJSON or CSV export for the full text or geometry",
                    field=str(column),
                )
            )
    return table, problems


def workbook_bytes(
    sheets: Sequence[tuple[str, pd.DataFrame]],
    *,
    lang: Lang = DEFAULT_LANG,
    headings: Mapping[str, str] | None = None,
) -> bytes:
    """The workbook :func:`write_sheets` writes, as bytes for a download button."""
    with tempfile.TemporaryDirectory(prefix="zgc-geo-workbook-") as scratch:
        target = Path(scratch) / "workbook.xlsx"
        write_sheets(target, sheets, lang=lang, headings=headings)
        return target.read_bytes()
