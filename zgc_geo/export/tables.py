"""Write a workbook of plain tables (no geometry), atomically and formula-safe.

:func:`zgc_geo.export.layers.write_layer` writes a layer with extra tables; a report made only of
tables (a matrix, findings, a coverage table) has no layer to put first. This writer gives such
reports the same guarantees: text a spreadsheet could execute is quoted, list cells become
``;``-separated text, over-long cells are cut and reported, and the file appears only when
complete (written in a temporary folder beside it, then renamed into place).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Final

import pandas as pd

from zgc_geo.errors import OptionError
from zgc_geo.export.safety import csv_bytes
from zgc_geo.export.workbook import write_sheets
from zgc_geo.i18n import DEFAULT_LANG, Lang
from zgc_geo.importing.report import Problem

TABLE_ONLY_SUFFIXES: Final = (".xlsx",)


def write_tables(
    path: Path,
    tables: Mapping[str, pd.DataFrame],
    *,
    lang: Lang = DEFAULT_LANG,
    contract: Collection[str] = (),
) -> list[Problem]:
    """Write each table to its own sheet of an XLSX workbook, in the order given, for a reader of ``lang``.

    Headers, sheet names, number formats and the 字段说明 / Fields sheet as
    :func:`zgc_geo.export.workbook.write_sheets` writes them (``contract``: the tables whose
    canonical headers other programs read). Sheet names are made legal for Excel (31
    characters, no ``[]:*?/\\``, unique ignoring case); the index is not written, so put
    labels in columns. Returns what the format forced (cells cut to Excel's limit).

    Raises
    ------
    OptionError
        ``path`` does not end in ``.xlsx``, its folder does not exist, or no table is given.
    """
    path = Path(path)
    if path.suffix.lower() not in TABLE_ONLY_SUFFIXES:
        raise OptionError(
            f"cannot write {path.name}: a table report is written as "
            f"{' or '.join(TABLE_ONLY_SUFFIXES)}, not {path.suffix or '(no extension)'}"
        )
    if not path.parent.is_dir():
        raise OptionError(f"cannot write {path}: the folder {path.parent} does not exist")
    if not tables:
        raise OptionError(f"nothing to write to {path.name}: no tables given")
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        target = staging / path.name
        problems = write_sheets(target, list(tables.items()), lang=lang, contract=contract)
        target.replace(path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return problems


def write_worded_table(path: Path, table: pd.DataFrame, *, lang: Lang = DEFAULT_LANG) -> None:
    """Write one table already worded for its reader (headers and values as they should read) as CSV or
    XLSX, by ``path``'s extension: formula-safe, atomically, headers kept as given (a command's contract)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise OptionError(f"cannot write {path.name}: use .xlsx or .csv")
    if not path.parent.is_dir():
        raise OptionError(f"cannot write {path}: the folder {path.parent} does not exist")
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        target = staging / path.name
        if suffix == ".csv":
            target.write_bytes(csv_bytes(table))
        else:
            headings = {str(c): str(c) for c in table.columns}
            write_sheets(target, [("features", table)], lang=lang, headings=headings)
        target.replace(path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
