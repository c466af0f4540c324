"""Reading a workbook export back in tests: its sheets by canonical name, through its 字段说明 sheet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd


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
