"""Which park holds each plot: the first park, in layer order, that holds the plot's representative point.

The importer places plots that name no park, the stock analysis places every plot, and coverage places
projects; all of them ask this one question of up to a million outlines. The points are made and looked up
in blocks on every core (GEOS releases the GIL), so the work is split and a million points never exist at
once; each plot's answer depends on that plot alone, so blocks change nothing in it — and an analysis of
plots the importer has placed in the same parks takes those answers (:class:`Placed`) instead of asking
again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

import numpy as np
import shapely

from zgc_geo.threads import blockwise, shared_tree

#: Plots placed per block: a block's points and index pairs take a few MB.
BLOCK: Final = 65_536


@dataclass(frozen=True)
class Placed:
    """Plots already placed by :func:`first_parks`: their positions (``rows``), the answers there
    (``park_ids``, None outside every park), and :func:`parks_fingerprint` of the parks they were placed
    in. The importer places the plots that name no park; an analysis of the same plots in the same parks
    places only the others (it would find the same answers: the same question of the same outlines)."""

    rows: np.ndarray
    park_ids: np.ndarray
    parks: str


def parks_fingerprint(parks: np.ndarray, park_ids: np.ndarray) -> str:
    """A digest of the parks' ids and outlines (their WKB): equal only for the very same parks layer."""
    digest = hashlib.sha256()
    for park_id, wkb in zip(park_ids, shapely.to_wkb(np.asarray(parks, dtype=object)), strict=True):
        digest.update(f"{park_id}\x1f{len(wkb)}\x1f".encode())
        digest.update(wkb)
    return digest.hexdigest()


def first_parks(
    plots: np.ndarray, parks: np.ndarray, park_ids: np.ndarray, *, placed: Placed | None = None
) -> np.ndarray:
    """The id (from ``park_ids``) of the first of ``parks`` holding each plot's ``point_on_surface``, None
    for plots in no park. Plots and parks must be in the same CRS. ``placed``: answers already found for
    some of these plots; taken as they are when they were found in these parks (see :class:`Placed`)."""
    plots = np.asarray(plots, dtype=object)
    if placed is not None and placed.parks == parks_fingerprint(parks, park_ids):
        found = np.full(len(plots), None, dtype=object)
        found[placed.rows] = placed.park_ids
        rest = np.ones(len(plots), dtype=bool)
        rest[placed.rows] = False
        if rest.any():
            found[rest] = first_parks(plots[rest], parks, park_ids)
        return found
    tree = shared_tree(np.asarray(parks, dtype=object))  # queried from every block's thread
    ids = np.asarray(park_ids, dtype=object)

    def place(block: np.ndarray) -> np.ndarray:
        points = shapely.point_on_surface(block)
        plot_index, park_index = tree.query(points, predicate="within")
        order = np.lexsort((park_index, plot_index))  # by plot, then the park's place in the layer
        plot_index, park_index = plot_index[order], park_index[order]
        first = np.r_[True, plot_index[1:] != plot_index[:-1]] if len(plot_index) else plot_index.astype(bool)
        placed = np.full(len(points), None, dtype=object)
        placed[plot_index[first]] = ids[park_index[first]]
        return placed

    return blockwise(place, plots, BLOCK)
