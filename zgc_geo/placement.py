"""Which park holds each plot: the first park, in layer order, that holds the plot's representative point.

The importer places plots that name no park, the stock analysis places every plot, and coverage places
projects; all of them ask this one question of up to a million outlines. The points are made and looked up
in blocks on every core (GEOS releases the GIL), so the work is split and a million points never exist at
once; each plot's answer depends on that plot alone, so blocks change nothing in it.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import shapely

from zgc_geo.threads import blockwise, shared_tree

#: Plots placed per block: a block's points and index pairs take a few MB.
BLOCK: Final = 65_536


def first_parks(plots: np.ndarray, parks: np.ndarray, park_ids: np.ndarray) -> np.ndarray:
    """The id (from ``park_ids``) of the first of ``parks`` holding each plot's ``point_on_surface``, None
    for plots in no park. Plots and parks must be in the same CRS."""
    plots = np.asarray(plots, dtype=object)
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
