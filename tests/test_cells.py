"""Cells as text: the Arrow path for text columns gives what the Python-object path gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zgc_geo.cells import as_text, blank

ODD = [" a ", "", "\u3000", None, "x\u2003", "\u200b", "\x1c", "\x85", "\xa0", "海淀园", np.nan, "b"]


def object_path(column: pd.Series) -> pd.Series:
    """The round trip through Python objects :func:`as_text` replaces for text columns."""
    return column.astype(object).where(column.notna(), "").astype(str)


@pytest.mark.parametrize("dtype", ["str", "string", object])
def test_text_columns_read_as_the_object_path_reads_them(dtype: object) -> None:
    column = pd.Series(ODD, dtype=dtype)
    pd.testing.assert_series_equal(as_text(column), object_path(column))
    expected = column.isna() | (object_path(column).str.strip() == "")
    pd.testing.assert_series_equal(blank(column), expected)
    expected_blanks = [False, True, True, True, False, False, True, True, True, False, True, False]
    assert blank(column).tolist() == expected_blanks


def test_numbers_and_mixed_cells_read_as_str_of_each() -> None:
    assert as_text(pd.Series([1, 2.5, None, True], dtype=object)).tolist() == ["1", "2.5", "", "True"]
    assert blank(pd.Series([1.0, np.nan])).tolist() == [False, True]
