"""Columns as every file format can hold them: string names, and list cells as ``;``-separated text."""

from __future__ import annotations

import itertools
from typing import TypeVar

import numpy as np
import pandas as pd

from zgc_geo.export.worded import list_cells
from zgc_geo.manifest import LIST_SEPARATOR
from zgc_geo.memory import gc_paused

_Frame = TypeVar("_Frame", bound=pd.DataFrame)


def flatten(frame: _Frame) -> _Frame:
    """String column names, and list cells as ``;``-separated text (no format stores lists).

    Every object column is typed as mapping each cell would type it (texts → ``str``): one without lists
    or tuples is inferred as a whole (the same types, found in C), one with them by :func:`_flat_lists`.
    """
    flat = frame.copy(deep=False)  # copy-on-write: the columns replaced below leave ``frame`` as it is
    flat.columns = [str(c) for c in flat.columns]
    for position in range(flat.shape[1]):
        series = flat.iloc[:, position]
        if series.dtype == object:  # geometry has its own dtype
            listed = list_cells(series.to_numpy())
            flat.isetitem(position, _flat_lists(series, listed) if listed.any() else series.infer_objects())
    return flat


def _flat_lists(series: pd.Series, listed: np.ndarray) -> pd.Series:
    """``series.map(joined)``: its ``listed`` cells as text. Lists of texts only (a plot's suggested
    modes: a few distinct ones among 100 000 plots) are joined once per distinct content."""
    values = series.to_numpy(dtype=object)
    lists = values[listed]
    if not set(map(type, itertools.chain.from_iterable(lists))) <= {str}:  # texts are equal only if alike
        return series.map(joined)
    with gc_paused():
        keys = np.fromiter(map(tuple, lists), dtype=object, count=len(lists))
    codes, contents = pd.factorize(keys)
    texts = np.empty(len(contents), dtype=object)
    texts[:] = [LIST_SEPARATOR.join(content) for content in contents]
    flat = values.copy()
    flat[listed] = texts[codes]
    return pd.Series(flat, index=series.index, name=series.name, dtype=object).infer_objects()


def joined(value: object) -> object:
    """A list or tuple as its items' texts joined by ``;``; any other value as it is."""
    return LIST_SEPARATOR.join(map(str, value)) if isinstance(value, list | tuple) else value
