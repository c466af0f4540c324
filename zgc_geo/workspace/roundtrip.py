"""What reading an inventory back from a GeoPackage workspace gives, when it follows from the frame.

``zgc-geo stock --workspace`` stores an inventory and then analyses it as loaded from the
workspace, so that the analysis sees what every later session will see. Reading a million plots
back costs as long as storing them; for the columns whose stored cells come back unchanged (text,
numbers, booleans; polygons) the loaded frame is known without reading: the column as it is, with
SQLite's one change applied (a REAL column keeps ``-0.0`` as ``0.0``). Any other column (dates,
objects, categories, other geometry types) makes :func:`stored_frame` give up, and the caller reads.
``tests/workspace/test_roundtrip.py`` pins the result to a real read on edge cases.

The same knowledge (which dtypes pandas rebuilds cell by cell) lets both backends convert what they
read chunk by chunk (:func:`columns_from_chunks`) instead of holding every cell as a Python object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zgc_geo.crs import STORAGE_CRS

#: Geometry types whose ISO WKB decodes to an equal geometry (2D): polygons and multipolygons.
_EXACT_TYPES: Final = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)
#: pandas dtypes whose cells come back from SQLite as stored (text, integers, booleans).
_EXACT_DTYPES: Final = (
    pd.StringDtype,
    pd.BooleanDtype,
    pd.Int8Dtype,
    pd.Int16Dtype,
    pd.Int32Dtype,
    pd.Int64Dtype,
    pd.UInt8Dtype,
    pd.UInt16Dtype,
    pd.UInt32Dtype,
    pd.UInt64Dtype,
)


def features_frame(columns: dict[str, pd.Series], geometry: np.ndarray) -> gpd.GeoDataFrame:
    """The frame of a read inventory: ``columns`` (each with a 0…n-1 index) and the geometry, in EPSG:4326."""
    frame = pd.DataFrame(columns, copy=False)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=STORAGE_CRS))


def stored_frame(
    data: pd.DataFrame, dtypes: dict[str, str], geometries: np.ndarray
) -> gpd.GeoDataFrame | None:
    """What reading back ``data`` stored with ``dtypes`` (the workspace's schema) would give, or None
    when that does not follow from the frame alone (then read it)."""
    columns: dict[str, pd.Series] = {}
    for column, dtype in dtypes.items():
        series = _as_read(data[column], dtype)
        if series is None:
            return None
        columns[column] = series
    present = geometries[~shapely.is_missing(geometries)]
    exact = np.isin(shapely.get_type_id(present), _EXACT_TYPES).all()
    if not exact or shapely.has_z(present).any() or shapely.has_m(present).any():
        return None
    return features_frame(columns, geometries.copy())  # the caller's frame stays theirs (see _as_read)


def _as_read(series: pd.Series, dtype: str) -> pd.Series | None:
    """The column as :func:`series_from_cells` rebuilds it from the stored cells, or None if not known."""
    series = series.reset_index(drop=True)
    try:
        same_dtype = series.dtype == pd.api.types.pandas_dtype(dtype)
    except TypeError:
        same_dtype = False
    kind = series.dtype
    if not same_dtype or not (
        isinstance(kind, _EXACT_DTYPES) or (isinstance(kind, np.dtype) and kind.kind in "biuf")
    ):
        return None
    if isinstance(kind, np.dtype) and kind.kind == "f":
        values = series.to_numpy()
        if np.signbit(values[values == 0]).any():  # SQLite stores a REAL -0.0 as the integer 0
            return series + kind.type(0.0)
    # numpy columns are copy-on-write; an extension array (Int64) could be changed in place through
    # ``.array``, so it is copied (an Arrow string array only shares its immutable buffers)
    return series.copy() if isinstance(kind, pd.api.extensions.ExtensionDtype) else series


def columns_from_chunks(
    chunks: Iterable[Sequence[Sequence[object]]],
    dtypes: Sequence[str],
    geometries_of: Callable[[Sequence[object]], np.ndarray],
    reread: Callable[[int], list[object]],
) -> tuple[list[pd.Series], np.ndarray]:
    """The columns (restored to ``dtypes``) and geometries of rows fetched in chunks, each row the
    geometry cell then one cell per column; what converting all rows at once gives.

    The columns whose cells convert one by one (:func:`converts_cell_by_cell`) and the geometries
    (``geometries_of`` a chunk's cells) are converted chunk by chunk, so a million plots are never all
    Python objects at once; the others are gathered and converted whole. A column pandas refuses in
    some chunk is read again whole (``reread``, its index, in the same transaction) and converted as
    :func:`series_from_cells` always did (to object).
    """
    by_chunk = [converts_cell_by_cell(dtype) for dtype in dtypes]
    refused: set[int] = set()
    geometries: list[np.ndarray] = []
    parts: list[list[pd.Series]] = [[] for _ in dtypes]
    cells: list[list[object]] = [[] for _ in dtypes]
    for chunk in chunks:
        values = list(zip(*chunk, strict=True))
        del chunk
        geometries.append(geometries_of(values[0]))
        for index, (dtype, column_cells) in enumerate(zip(dtypes, values[1:], strict=True)):
            if not by_chunk[index]:
                cells[index].extend(column_cells)
            elif index not in refused:
                try:
                    parts[index].append(pd.Series(list(column_cells), dtype=dtype))
                except (TypeError, ValueError):
                    refused.add(index)
                    parts[index] = []
    columns: list[pd.Series] = []
    for index, dtype in enumerate(dtypes):
        if index in refused:
            columns.append(series_from_cells(reread(index), dtype))
        elif by_chunk[index] and parts[index]:
            columns.append(pd.concat(parts[index], ignore_index=True))
        else:
            columns.append(series_from_cells(cells[index], dtype))
        parts[index], cells[index] = [], []
    geometry = np.concatenate(geometries) if geometries else geometries_of(())
    return columns, geometry


def converts_cell_by_cell(dtype: str) -> bool:
    """Whether :func:`series_from_cells` converts each cell on its own for ``dtype`` (numbers, booleans,
    text), so that converting a column in chunks and joining them gives what converting it whole does."""
    try:
        kind = pd.api.types.pandas_dtype(dtype)
    except (TypeError, ValueError):
        return False
    return isinstance(kind, _EXACT_DTYPES) or (isinstance(kind, np.dtype) and kind.kind in "biuf")


def series_from_cells(values: Sequence[object], dtype: str) -> pd.Series:
    """A stored column in its original pandas dtype, where pandas can rebuild that from the cells."""
    cells = values if isinstance(values, list) else list(values)
    try:
        return pd.Series(cells, dtype=dtype)
    except (TypeError, ValueError):
        return pd.Series(cells, dtype=object)
