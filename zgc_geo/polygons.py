"""Polygon clean-up shared by import and analysis: keep only the area of a repaired outline."""

from __future__ import annotations

from typing import Final

import numpy as np
import shapely

POLYGON_TYPE_ID: Final = 3


def polygonal_parts(geoms: np.ndarray) -> np.ndarray:
    """Each geometry reduced to its polygons: a Polygon, a MultiPolygon, or an empty Polygon.

    ``make_valid`` may return collections holding lines or points where an outline
    collapsed; a plot is an area, so only the polygonal parts are kept.
    """
    parts, index = shapely.get_parts(geoms, return_index=True)
    parts, inner = shapely.get_parts(parts, return_index=True)  # a collection may hold MultiPolygons
    polygon = shapely.get_type_id(parts) == POLYGON_TYPE_ID
    parts, index = parts[polygon], index[inner][polygon]
    result = np.full(len(geoms), shapely.Polygon(), dtype=object)
    single = np.bincount(index, minlength=len(geoms))[index] == 1
    result[index[single]] = parts[single]
    if (~single).any():
        owners, compact = np.unique(index[~single], return_inverse=True)
        result[owners] = shapely.multipolygons(parts[~single], indices=compact)
    return result
