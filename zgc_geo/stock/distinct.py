"""Per-row worded values built once per distinct case, shared by every row that has that case.

The analyses explain every plot with a :class:`~zgc_geo.i18n.Sentence` (its reason, its scenario note),
but the reasons of 100 000 plots say a few hundred different things: building — and later wording — one
object per row cost seconds at city scale. :func:`per_distinct` builds one object per distinct combination
of the values that decide it and lets the rows share it (a writer words each shared object once, see
:func:`zgc_geo.export.worded.worded_frame`); :func:`per_object` does the same for a step over objects that
are already shared. Shared objects are never changed (they are frozen dataclasses), so sharing is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from zgc_geo.export.worded import by_identity, first_rows


def _codes(values: np.ndarray) -> np.ndarray:
    """Dense codes (0, 1, … in order of first appearance) telling apart values that could read differently.

    Floats are compared by their bits (``-0.0`` and ``0.0`` format differently); texts as texts; missing
    values by their type (``None``, NaN and ``pd.NA`` read differently); any other object by its type and
    ``repr`` (``1``, ``1.0`` and ``True`` are equal to Python but not in a text).
    """
    if values.dtype.kind == "f":
        return pd.factorize(values.astype(np.float64).view(np.int64))[0]
    if values.dtype != object:
        return pd.factorize(values, use_na_sentinel=False)[0]
    codes = np.zeros(len(values), dtype=np.int64)
    missing = pd.isna(values)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        codes[~missing] = pd.factorize(values[~missing])[0]
        shown = np.fromiter(map(type, values[missing]), dtype=object, count=int(missing.sum()))
    else:
        missing[:] = True
        shown = np.array([f"{type(v).__qualname__} {v!r}" for v in values], dtype=object)
    if missing.any():
        codes[missing] = int(codes.max(initial=-1)) + 1 + pd.factorize(shown)[0]
    return pd.factorize(codes)[0]


def _combine(codes: np.ndarray, more: np.ndarray) -> np.ndarray:
    """Codes of the pairs (``codes``, ``more``), dense again (so they never overflow)."""
    return pd.factorize(codes * (int(more.max(initial=0)) + 1) + more)[0]


def _row_values(column: object, rows: np.ndarray) -> list[Any]:
    """The values of ``column`` in ``rows`` as :meth:`pandas.Series.tolist` gives them (Python scalars)."""
    if isinstance(column, pd.Series):
        return column.iloc[rows].tolist()
    return np.asarray(column)[rows].tolist()


def per_distinct(build: Callable[..., object], index: pd.Index, **columns: object) -> pd.Series:
    """``build(**values)`` for every row of ``index``, called once per distinct combination of ``columns``.

    Each column is a Series or an array aligned with ``index`` or a scalar (the same in every row; passed as
    it is). Rows with the same values share the object built for the first of them, so the result equals
    ``[build(**row) for row in rows]`` but costs one call per distinct case. Values are told apart as
    they would read (see :func:`_codes`), so a shared object never stands for a row it would not describe.
    """
    varying = {
        name: pd.Series(c, copy=False) if isinstance(c, ExtensionArray) else c
        for name, c in columns.items()
        if isinstance(c, pd.Series | np.ndarray | ExtensionArray)
    }
    codes = np.zeros(len(index), dtype=np.int64)
    for column in varying.values():
        values = column.to_numpy() if isinstance(column, pd.Series) else np.asarray(column)
        codes = _combine(codes, _codes(values))
    firsts = first_rows(codes)
    picked = {name: _row_values(column, firsts) for name, column in varying.items()}
    built = np.empty(len(firsts), dtype=object)
    for case in range(len(firsts)):
        built[case] = build(**{n: picked[n][case] if n in picked else c for n, c in columns.items()})
    return pd.Series(built[codes], index=index, dtype=object)


def per_object(build: Callable[[Any], object], series: pd.Series) -> pd.Series:
    """``series.map(build)`` calling ``build`` once per distinct object (by identity), the rows sharing
    its result: for a step over objects that :func:`per_distinct` already shares."""
    values = series.to_numpy(dtype=object)
    codes, firsts = by_identity(values)
    built = np.empty(len(firsts), dtype=object)
    for case, row in enumerate(firsts):
        built[case] = build(values[row])
    return pd.Series(built[codes], index=series.index, dtype=object)


def formatted(values: pd.Series, decimals: int) -> pd.Series:
    """``values.round(decimals).astype(str)``, formatting each distinct value once (a measure of 100 000
    plots rounded to 2 decimals takes a few hundred values)."""
    rounded = values.round(decimals)
    codes = _codes(rounded.to_numpy(dtype=float))
    return rounded.iloc[first_rows(codes)].astype(str).take(codes).set_axis(values.index)


def per_value(series: pd.Series, compute: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``compute(series)`` for a row-by-row ``compute`` (a text test, a regular expression), run on the
    distinct values of ``series`` only and taken into the rows (a status column of 100 000 plots holds a
    handful of texts)."""
    codes = _codes(series.to_numpy())
    return compute(series.iloc[first_rows(codes)]).take(codes).set_axis(series.index)
