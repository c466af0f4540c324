"""Make tables safe to open in a spreadsheet: neutralise formula injection before any export."""

from __future__ import annotations

from typing import Final

import pandas as pd

#: A cell starting with one of these is executed as a formula by Excel / WPS / LibreOffice
#: (OWASP "CSV injection"); tab and carriage return are included because some programs
#: strip them and then evaluate what follows.
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` in which every text cell that could run as a formula is quoted.

    A leading apostrophe makes spreadsheet programs show the text as typed instead of
    evaluating it; numbers are left alone, so ``-3.5`` stays a number.
    """
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        safe[column] = series.map(_neutralise_cell)
    safe.columns = [_neutralise_cell(str(c)) for c in safe.columns]
    return safe


def _neutralise_cell(value: object) -> object:
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel on Chinese Windows shows 汉字), formula-safe."""
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8-sig")
