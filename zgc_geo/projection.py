"""Geometries reprojected to EPSG:4548 fast: PROJ over whole coordinate blocks, in threads.

The importer measures every outline it checks and the stock analysis every plot, so a million outlines
are projected per run; GeoPandas' ``to_crs`` copies each geometry back one by one, which costs more than
PROJ itself. The coordinates are the same, bit for bit: the same transformation runs on the same numbers.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Final

import numpy as np
import shapely
from pyproj import CRS, Transformer

from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.threads import blockwise
from zgc_geo.transformers import transformer_from_crs

_POLYGON: Final = 3


#: Simple polygons are projected in blocks of this many: the coordinate buffers of a block stay
#: small (a million plots at once would need ~300 MB of temporary arrays) and blocks run in threads.
BLOCK: Final = 131_072


_SETTING_UP: Final = threading.Lock()


def _transformer(source_wkt: str) -> Transformer:
    """One Transformer per source CRS; pyproj (≥ 3.1) gives each thread its own PROJ object. A thread
    that needs one while another sets it up waits for that one instead of repeating the set-up."""
    with _SETTING_UP:
        return _transformer_once(source_wkt)


@lru_cache(maxsize=8)
def _transformer_once(source_wkt: str) -> Transformer:
    return transformer_from_crs(CRS.from_wkt(source_wkt), ANALYSIS_CRS, always_xy=True)


def prepare_transformer(source: CRS) -> None:
    """Set up the transformation from ``source`` now (a command does it on a second core while it reads)."""
    _transformer(source.to_wkt())


def _project_simple(polygons: np.ndarray, source_wkt: str) -> np.ndarray:
    """Single-ring polygons rebuilt from their projected coordinate buffer (one PROJ call)."""
    coords = shapely.get_coordinates(polygons)
    x, y = _transformer(source_wkt).transform(coords[:, 0], coords[:, 1])
    ring_offsets = np.zeros(len(polygons) + 1, dtype=np.int64)
    np.cumsum(shapely.get_num_coordinates(polygons), out=ring_offsets[1:])
    geom_offsets = np.arange(len(polygons) + 1, dtype=np.int64)
    return shapely.from_ragged_array(
        shapely.GeometryType.POLYGON, np.column_stack([x, y]), (ring_offsets, geom_offsets)
    )


def project_geometries(geoms: np.ndarray, crs: CRS | str | int) -> np.ndarray:
    """Geometries reprojected from ``crs`` to EPSG:4548, PROJ running over whole coordinate blocks.

    Simple polygons (one ring, the bulk of any plot layer) are rebuilt from the projected
    coordinate buffer with ``from_ragged_array``, several times faster than
    ``shapely.transform``'s per-geometry copy-back; blocks of them are projected in parallel
    threads. Everything else (holes, multi-parts, other types) goes through
    ``shapely.transform``. Results are 2-D; missing geometries stay missing.
    """
    geoms = np.asarray(geoms, dtype=object)
    source_wkt = CRS.from_user_input(crs).to_wkt()
    out = np.empty(len(geoms), dtype=object)
    simple = (shapely.get_type_id(geoms) == _POLYGON) & (shapely.get_num_interior_rings(geoms) == 0)
    simple &= ~shapely.is_empty(geoms)
    if simple.any():
        out[simple] = blockwise(lambda polygons: _project_simple(polygons, source_wkt), geoms[simple], BLOCK)
    if (~simple).any():
        transformer = _transformer(source_wkt)

        def project(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

        out[~simple] = shapely.transform(geoms[~simple], project)
    return out
