"""GeoPackage layers through GDAL's Arrow interface; a large layer is streamed to GDAL in batches of rows.

Why streamed: a stock result has 50 columns, several of them sentences worded per row. Worded all at once
and converted to one Arrow table, the output existed twice over and the write alone added 0.8 GB to a
1M-plot run. Streamed, each batch of rows is worded, flattened and converted only when GDAL asks for it,
while GDAL still writes one layer in one session (its R-tree built once, at the end). The file is the same,
byte for byte, as pyogrio's classic path writes (``tests/test_exporting.py`` compares them).
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely

from zgc_geo.export.flat import flatten
from zgc_geo.export.worded import is_worded_type, worded_frame

#: Rows worded, converted and handed to GDAL at once: large enough that per-batch costs vanish, small
#: enough that a batch of 50 columns stays a few tens of MB.
ROWS_PER_BATCH: Final = 65_536
#: SQLite's page cache for the GeoPackages GDAL opens (MiB; GDAL's default is 2 MB). Building a large
#: layer's R-tree at the end re-reads pages the small cache has dropped: 32 MB or more saved 0.9 s of
#: 4.6 s per 1M plots, more changed nothing. Each cache lives as long as its file is open.
SQLITE_CACHE_MIB: Final = "64"
#: SQLite's page size for the GeoPackages GDAL creates (bytes; SQLite's default is 4096). A quarter as many
#: pages to write, link and hand to the system: writing 100k plots of 50 fields took 0.34 s instead of
#: 0.37 s (median of 7 each, alternating). A file that exists keeps its own size (SQLite ignores the pragma).
SQLITE_PAGE_BYTES: Final = "16384"
#: pandas' nullable types that pyogrio's Arrow path writes as its classic path does (see arrow_writes_it).
_ARROW_EXTENSION_TYPES: Final = frozenset(
    {"Int8", "Int16", "Int32", "Int64", "Float32", "Float64", "boolean"}
)
#: Single and multi geometry types a GeoPackage layer may not mix: the singles are written as multis.
_MULTI_OF: Final = {
    frozenset({"Polygon", "MultiPolygon"}): "MultiPolygon",
    frozenset({"LineString", "MultiLineString"}): "MultiLineString",
    frozenset({"Point", "MultiPoint"}): "MultiPoint",
}
#: WKB (little-endian) of a multi geometry's head holding one part: a single's WKB after it is the multi's
#: WKB, as GEOS writes it, without building the multi geometry.
_MULTI_HEAD: Final = {
    "Polygon": struct.pack("<BII", 1, shapely.GeometryType.MULTIPOLYGON, 1),
    "LineString": struct.pack("<BII", 1, shapely.GeometryType.MULTILINESTRING, 1),
    "Point": struct.pack("<BII", 1, shapely.GeometryType.MULTIPOINT, 1),
}


def write_gpkg_layer(
    frame: pd.DataFrame, target: Path, layer: str, lang: str, *, rows_per_batch: int = ROWS_PER_BATCH
) -> None:
    """Write ``frame`` as ``layer`` of the GeoPackage ``target``, its worded cells put into ``lang`` and its
    lists into text here; streamed in batches when :func:`_stream_of` can type it in advance, else at once."""
    _use_sqlite_cache()
    stream = _stream_of(frame)
    if stream is None:
        prepared = flatten(worded_frame(frame, lang))
        use_arrow = arrow_writes_it(prepared)
        pyogrio.write_dataframe(prepared, target, layer=layer, driver="GPKG", use_arrow=use_arrow)
        return
    pyogrio.write_arrow(
        pa.RecordBatchReader.from_batches(stream.schema, stream.batches(frame, lang, rows_per_batch)),
        target,
        layer=layer,
        driver="GPKG",
        geometry_name=stream.geometry,
        geometry_type=stream.geometry_type,
        crs=stream.crs,
    )


@functools.cache
def _use_sqlite_cache() -> None:
    """GDAL's SQLite page cache raised to :data:`SQLITE_CACHE_MIB` and new files' pages made
    :data:`SQLITE_PAGE_BYTES` for this process, each unless set already (``OGR_SQLITE_CACHE`` and
    ``OGR_SQLITE_PRAGMA`` in the environment win). Set once and left: sessions writing at the same time
    would otherwise set and restore one global option under each other."""
    if pyogrio.get_gdal_config_option("OGR_SQLITE_CACHE") is None:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_CACHE": SQLITE_CACHE_MIB})
    if pyogrio.get_gdal_config_option("OGR_SQLITE_PRAGMA") is None:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_PRAGMA": f"page_size={SQLITE_PAGE_BYTES}"})


def arrow_writes_it(frame: pd.DataFrame) -> bool:
    """Whether pyogrio's Arrow path (about twice as fast) writes ``frame`` exactly as its classic path.

    It does for the types checked one by one against the classic path: integers (not 64-bit unsigned),
    32- and 64-bit floats, booleans (with or without missing values), dates with times and texts. An
    object column of anything but texts (Python ints, dates …) is typed differently, so such a frame,
    and any type not listed, keeps the classic path.
    """
    for position, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, np.dtype) and dtype.kind == "O":
            if pd.api.types.infer_dtype(frame.iloc[:, position], skipna=True) not in ("string", "empty"):
                return False
        elif not _typed_alike(dtype):
            return False
    return True


def _typed_alike(dtype: object) -> bool:
    """A column type (not ``object``) the Arrow path writes as the classic one (see arrow_writes_it)."""
    if isinstance(dtype, pd.StringDtype | gpd.array.GeometryDtype) or str(dtype) in _ARROW_EXTENSION_TYPES:
        return True
    return isinstance(dtype, np.dtype | pd.DatetimeTZDtype) and (
        dtype.kind in "ibM"
        or (dtype.kind == "u" and dtype.itemsize < 8)
        or (dtype.kind == "f" and dtype.itemsize in (4, 8))
    )


@dataclass(frozen=True)
class _Stream:
    """How a frame is streamed: its geometry column, the layer's type and CRS, and every batch's schema.

    The layer type and CRS are decided from the whole frame as pyogrio decides them, so every batch is
    written into the layer the one-piece write would create.
    """

    geometry: str
    geometry_type: str
    promote: bool
    crs: str | None
    schema: pa.Schema

    def batches(self, frame: pd.DataFrame, lang: str, rows: int) -> Iterator[pa.RecordBatch]:
        """``frame``'s rows, ``rows`` at a time, prepared as the one-piece write prepares the whole."""
        names = [str(c) for c in frame.columns]
        for start in range(0, len(frame), rows):
            prepared = pd.DataFrame(flatten(worded_frame(frame.iloc[start : start + rows], lang)), copy=False)
            prepared[self.geometry] = self._wkb(prepared[self.geometry])
            table = pa.Table.from_pandas(prepared, columns=names, preserve_index=False)  # no pandas copy
            yield from table.cast(self.schema).to_batches()

    def _wkb(self, column: pd.Series) -> np.ndarray:
        """The geometries as WKB, singles written as one-part multis where the layer is of multis."""
        geoms = np.asarray(column.array, dtype=object)
        wkb = shapely.to_wkb(geoms, byte_order=1)  # little-endian, as _MULTI_HEAD
        if self.promote:
            single = self.geometry_type.removeprefix("Multi")
            singles = np.flatnonzero(shapely.get_type_id(geoms) == _type_id(single))
            head, promoted = _MULTI_HEAD[single], np.empty(len(singles), dtype=object)
            promoted[:] = [head + part for part in wkb[singles]]
            wkb[singles] = promoted
        return wkb


def _type_id(name: str) -> int:
    return int(getattr(shapely.GeometryType, name.upper()))


def _stream_of(frame: pd.DataFrame) -> _Stream | None:
    """How to stream ``frame``, or None when the one-piece write must take it: no rows, no single
    geometry column, 3-D geometries, or a column the stream cannot type before it has seen every row."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        return None
    names = [str(c) for c in frame.columns]
    geometry_columns = [str(c) for c, t in frame.dtypes.items() if isinstance(t, gpd.array.GeometryDtype)]
    if len(set(names)) != len(names) or len(geometry_columns) != 1:
        return None
    (geometry,) = geometry_columns
    geoms = np.asarray(frame[geometry].array, dtype=object)
    present = ~shapely.is_missing(geoms)
    if shapely.has_z(geoms[present & ~shapely.is_empty(geoms)]).any():
        return None
    fields = []
    for name, (_, series) in zip(names, frame.items(), strict=True):
        if name == geometry:
            fields.append(pa.field(name, pa.binary()))
        elif series.dtype == object:
            if not _texts_when_worded(series.to_numpy()):
                return None
            fields.append(pa.field(name, pa.large_string()))
        elif _typed_alike(series.dtype) and not isinstance(series.dtype, pd.DatetimeTZDtype):
            empty = series.iloc[:0].to_frame(name)  # the type follows the dtype, not the values
            fields.append(pa.Schema.from_pandas(empty, preserve_index=False).field(0))
        else:
            return None
    geometry_type, promote = _layer_type(geoms[present])
    return _Stream(geometry, geometry_type, promote, _crs_text(frame[geometry].crs), pa.schema(fields))


def _texts_when_worded(values: np.ndarray) -> bool:
    """Whether an object column is all texts or missing once worded and flattened, with one text at least.

    Texts, worded values and lists become texts; None, NaN and NA stay missing (the one-piece write infers
    such a column as text). A column of nothing but missing cells is typed by what it holds: not streamed.
    """
    missing = pd.isna(values)
    kinds = set(map(type, values[~missing]))
    return bool(kinds) and all(issubclass(k, str | list | tuple) or is_worded_type(k) for k in kinds)


def _layer_type(geoms: np.ndarray) -> tuple[str, bool]:
    """The layer's geometry type and whether singles are made multis, decided as pyogrio decides them."""
    _, firsts = np.unique(shapely.get_type_id(geoms), return_index=True)
    kinds = frozenset(geoms[i].geom_type for i in firsts)
    if len(kinds) == 1:
        return next(iter(kinds)), False
    if kinds in _MULTI_OF:
        return _MULTI_OF[kinds], True
    return "Unknown", False


def _crs_text(crs: object) -> str | None:
    """The CRS as pyogrio hands it to GDAL: ``EPSG:n`` when it has a code, else WKT1."""
    if not crs:
        return None
    epsg = crs.to_epsg()  # type: ignore[attr-defined]
    return f"EPSG:{epsg}" if epsg else crs.to_wkt("WKT1_GDAL")  # type: ignore[attr-defined]
