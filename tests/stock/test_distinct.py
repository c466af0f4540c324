"""Per-row objects built once per distinct case equal building one per row, and rows with a case share it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from zgc_geo.i18n import Joined, Sentence
from zgc_geo.stock.distinct import per_distinct, per_object


def build(**values: object) -> Sentence:
    return Sentence("stock.why.underused", dict(values))


def plain(index: pd.Index, **columns: object) -> list[Sentence]:
    """The simple path: one sentence per row from the columns' ``tolist()`` values (scalars as they are)."""
    rows = {
        name: column.tolist()
        if isinstance(column, pd.Series | np.ndarray | ExtensionArray)
        else [column] * len(index)
        for name, column in columns.items()
    }
    return [build(**{name: rows[name][i] for name in rows}) for i in range(len(index))]


def test_one_object_per_distinct_case_equal_to_one_per_row() -> None:
    index = pd.Index([10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
    columns = {
        "far": pd.Series(["0.5", "0.5", "nan", "1.2", "0.5", "中文", "1.2", "0.5", "nan", ""], index=index),
        "ratio": "0.5",
        "zero": np.array([0.0, 0.0, -0.0, 0.0, 0.0, np.nan, np.nan, 0.0, -0.0, 0.0]),  # -0 reads "-0"
        "mixed": pd.Series([1, 1, 1.0, True, 1, None, np.nan, 1, pd.NA, "1"], index=index, dtype=object),
        "word": pd.Series(
            ["闲置", "闲置", None, "停产", "闲置", "停产", None, "闲置", None, "停产"], dtype="str"
        ).values,
    }
    result = per_distinct(build, index, **columns)
    assert result.index.equals(index) and result.dtype == object
    # Equal values of the same types (repr: NaN is not equal to itself, and 1 == 1.0 == True)
    assert [repr(v) for v in result] == [repr(v) for v in plain(index, **columns)]
    assert result.iloc[0] is result.iloc[1] is result.iloc[4] is result.iloc[7]  # one case, one object
    assert len({id(v) for v in result}) == 7


def test_values_that_read_differently_are_not_shared() -> None:
    """1, 1.0, True and "1" are equal to Python, None, NaN and pd.NA are all missing, 0.0 == -0.0: each
    reads differently in a text, so each gets its own object."""
    mixed = pd.Series([1, 1.0, True, "1", None, np.nan, pd.NA, 1], dtype=object)
    result = per_distinct(build, mixed.index, value=mixed)
    assert [r.values["value"] for r in result[:4]] == [1, 1.0, True, "1"]
    assert [type(r.values["value"]) for r in result[:3]] == [int, float, bool]
    assert [repr(r.values["value"]) for r in result[4:7]] == ["None", "nan", "<NA>"]
    assert len({id(v) for v in result}) == 7 and result.iloc[7] is result.iloc[0]
    texts = pd.Series(["a", None, np.nan, pd.NA, "a", None], dtype=object)
    shared = per_distinct(build, texts.index, value=texts)
    assert [repr(r.values["value"]) for r in shared[:4]] == ["'a'", "None", "nan", "<NA>"]
    assert len({id(v) for v in shared}) == 4 and shared[4] is shared[0] and shared[5] is shared[1]
    zeros = per_distinct(build, pd.RangeIndex(3), value=np.array([0.0, -0.0, 0.0]))
    assert [str(r.values["value"]) for r in zeros] == ["0.0", "-0.0", "0.0"] and zeros.iloc[0] is zeros.iloc[
        2
    ]


def test_without_rows_or_without_varying_columns() -> None:
    assert per_distinct(build, pd.Index([]), far=pd.Series([], dtype=float)).tolist() == []
    same = per_distinct(build, pd.RangeIndex(3), ratio="0.5")
    assert same.tolist() == [build(ratio="0.5")] * 3 and same.iloc[0] is same.iloc[2]


def test_per_object_builds_once_per_object() -> None:
    a, b = Sentence("stock.why.no_kind"), Sentence("stock.why.no_kind")
    calls: list[object] = []

    def joined(reason: object) -> Joined:
        calls.append(reason)
        return Joined((reason, "x"))

    result = per_object(joined, pd.Series([a, b, a, a, None], index=list("vwxyz"), dtype=object))
    assert result.tolist() == [Joined((r, "x")) for r in (a, b, a, a, None)]
    assert list(result.index) == list("vwxyz")
    assert calls == [a, b, None] and calls[0] is a and calls[1] is b
    assert result["v"] is result["y"]
