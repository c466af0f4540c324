"""Reading a workbook export back in tests: its sheets by canonical name, through its 字段说明 sheet."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import openpyxl
import pandas as pd

from zgc_geo.export.labels import field_labels
from zgc_geo.i18n import PLAN_REFERENCE
from zgc_geo.stock.inefficiency import load_inefficiency_rules


def fields_sheet(path: Path) -> pd.DataFrame:
    """The last sheet (字段说明 / Fields): sheet, header, canonical field, unit, meaning per column."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book[book.sheetnames[-1]].iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=["sheet", "header", "field", "unit", "meaning"])


def canonical_sheet(path: Path, sheet: str | int = 0) -> pd.DataFrame:
    """A sheet read as pandas reads it, its headers turned back into the canonical field names."""
    book = openpyxl.load_workbook(path, read_only=True)
    name = book.sheetnames[sheet] if isinstance(sheet, int) else sheet
    fields = fields_sheet(path)
    mine = fields[fields["sheet"] == name]
    table = pd.read_excel(path, sheet_name=name)
    return table.rename(columns=dict(zip(mine["header"], mine["field"], strict=True)))


def header(path: Path, sheet: str | int = 0) -> list[object]:
    """The first row of a sheet."""
    book = openpyxl.load_workbook(path, read_only=True)
    name = book.sheetnames[sheet] if isinstance(sheet, int) else sheet
    return [c.value for c in next(book[name].iter_rows(max_row=1))]


def every_cell(path: Path) -> Iterator[object]:
    """Every value of every sheet, sheet names included."""
    book = openpyxl.load_workbook(path, read_only=True)
    for name in book.sheetnames:
        yield name
        for row in book[name].iter_rows(values_only=True):
            yield from row


#: Fields whose values are ids (shown beside their names), data as the inventory or a person wrote it, or
#: names in the other language: they may be in either script, as may every field with a ``code_list`` and
#: every ``…_id(s)``, ``…_zh`` and ``…_en`` field.
#: Everything else a workbook shows is worded in its language.
DATA_FIELDS: Final = frozenset(
    {
        "plot_id", "park_id", "located_park_id", "analysis_park_id", "land_use_class", "land_use_code",
        "land_rights", "inefficiency_kind", "suggested_modes", "suggestion_rules", "action", "hash",
        "wkt", "name", "name_zh", "name_en", "owner", "status", "data_note", "inventory", "user", "note",
        "canonical_field", "unit",
    }
)  # fmt: skip
#: Text any workbook may hold in either language: file names, products, plan references, quoted data,
#: units, an id in brackets after its name or before " · " (a detail), a code being explained ("core：…"),
#: the shipped scenario's name and the rules' status words.
_ANY_LANGUAGE: Final = re.compile(
    r"[\w.-]+\.(?:toml|gpkg|geojson|csv|xlsx)|GeoPackage|PostGIS|EPSG:\d+|“[^”]*”|万元/亩|亩"
    r"|[（(][a-z0-9_-]+[）)]|^[a-z0-9_]+ · |[a-z_]+：|current_permitted|" + PLAN_REFERENCE.pattern
)
ENGLISH_WORD: Final = re.compile(r"[A-Za-z]{4,}")
CHINESE: Final = re.compile(r"[\u4e00-\u9fff]")


def misworded_cells(source: Path | openpyxl.Workbook, lang: str) -> list[tuple[str, str, str]]:
    """(sheet, field, text) of every cell that is not in ``lang``: English words in a Chinese workbook,
    Chinese characters in an English one — sheet names and headers included, :data:`DATA_FIELDS` and
    :data:`_ANY_LANGUAGE` excepted (the 导出信息 / Export sheet's values are the export's data)."""
    book = source if isinstance(source, openpyxl.Workbook) else openpyxl.load_workbook(source, read_only=True)
    status_words = {
        w for kind in load_inefficiency_rules().kinds for w in kind.params.get("status_words", ())
    }
    foreign = ENGLISH_WORD if lang == "zh" else CHINESE
    rows = list(book[book.sheetnames[-1]].iter_rows(values_only=True))[1:]
    fields = {(sheet, header): field for sheet, header, field, *_ in rows}
    columns = ("sheet", "header", "canonical_field", "unit", "meaning")  # the Fields sheet's own
    fields |= {(book.sheetnames[-1], field_labels()[c].label(lang)): c for c in columns}  # type: ignore[arg-type]
    found = []
    for name in book.sheetnames:
        sheet = list(book[name].iter_rows(values_only=True))
        header = sheet[0] if sheet else ()
        cells = [(name, "(sheet name)", name)] + [(name, "(header)", str(h)) for h in header]
        for row in sheet[1:]:
            cells += [(name, fields.get((name, h), str(h)), v) for h, v in zip(header, row, strict=False)]
        for sheet_name, field, value in cells:
            label = field_labels().get(str(field))
            either = field in DATA_FIELDS or re.search(r"_(?:ids?|zh|en)$", str(field))  # ids, both languages
            if not isinstance(value, str) or either or (label is not None and label.code_list):
                continue
            if field == "value" and sheet_name in ("导出信息", "Export"):
                continue
            if field == "detail" and re.fullmatch(r"[a-z0-9_]+", value):  # an id as the detail of a named row
                continue
            text = _ANY_LANGUAGE.sub(" ", value)
            for word in sorted(status_words, key=len, reverse=True):
                text = text.replace(word, " ")
            if foreign.search(text):
                found.append((sheet_name, field, value))
    return found
