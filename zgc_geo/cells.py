"""Table cells as text for whole-column string work: missing cells as "", everything else as ``str``.

The analyses test text columns for blanks, words and order. Going through Python objects
(``astype(object)`` → ``where`` → ``astype(str)``) turns a million Arrow texts into a million Python
strings and back, 0.1 s a column at city scale; a text column needs none of it, as its cells already are
the texts. Other columns (ids read as numbers, mixed cells) keep that round trip, which gives ``str`` of
each value.
"""

from __future__ import annotations

import pandas as pd


def as_text(column: pd.Series) -> pd.Series:
    """Every cell as its text (dtype ``str``), a missing one as ""."""
    if isinstance(column.dtype, pd.StringDtype):
        return column.fillna("").astype("str")
    return column.astype(object).where(column.notna(), "").astype(str)


def blank(column: pd.Series) -> pd.Series:
    """True where a cell is missing or a text of white space only (numbers: where missing)."""
    if pd.api.types.is_numeric_dtype(column):
        return column.isna()
    return column.isna() | (as_text(column).str.strip() == "")
