"""Coordinate transformers set up once per process, not once per thread.

pyproj gives every thread its own PROJ object and makes it the way the transformer was made. For a
transformer made from two CRSs (what GeoPandas' ``to_crs`` makes) that repeats the search of PROJ's
database: ~40 ms per CRS pair in every thread that reprojects — every worker thread of a parallel
projection, every Streamlit session's script thread, each side thread of a command. A transformer made
from its operation's pipeline text is set up in ~1 ms and computes the same numbers, bit for bit (the
tests compare them for the CRSs Beijing data comes in).

Importing this module (``zgc_geo.crs`` does) makes GeoPandas' cache of transformers hand out such
pipeline transformers wherever the pair has a single operation; a pair PROJ resolves point by point
among several operations keeps the transformer made from the CRSs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final

import geopandas.array
from pyproj import Transformer
from pyproj.exceptions import ProjError

#: Marks the cache this module installed, so importing it twice installs it once.
_INSTALLED: Final = "_zgc_geo_pipelines"


def as_pipeline(found: Transformer) -> Transformer | None:
    """``found`` remade from its PROJ pipeline text, when it is one operation (None when PROJ keeps
    several, chosen point by point, or the text does not make a transformer)."""
    definition = found.definition
    if not definition or "unavailable" in definition:
        return None
    try:
        return Transformer.from_pipeline(definition)
    except ProjError:
        return None


@lru_cache(maxsize=128)
def transformer_from_crs(crs_from: Any, crs_to: Any, always_xy: bool = False) -> Transformer:
    """``Transformer.from_crs`` once per pair for the whole process, as a pipeline where it can be."""
    found = Transformer.from_crs(crs_from, crs_to, always_xy=always_xy)
    return as_pipeline(found) or found


def _install() -> None:
    """GeoPandas' transformer cache (``geopandas.array.TransformerFromCRS``) replaced by
    :func:`transformer_from_crs`; nothing happens where a GeoPandas version has no such cache."""
    current: Callable[..., Transformer] | None = getattr(geopandas.array, "TransformerFromCRS", None)
    if current is None or getattr(current, _INSTALLED, False):
        return
    setattr(transformer_from_crs, _INSTALLED, True)
    geopandas.array.TransformerFromCRS = transformer_from_crs


_install()
