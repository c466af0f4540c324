"""Threads for work that releases the GIL (PROJ, GEOS, NumPy's loops): how many, and element-wise calls
split over them."""

from __future__ import annotations

import collections
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np
import shapely

T = TypeVar("T")
R = TypeVar("R")
#: More threads than this gain nothing measurable on the bulk operations they run.
MAX_WORKERS = 4


def workers() -> int:
    """One thread per core this process may run on, at most :data:`MAX_WORKERS`; 1 where unknown."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return max(1, min(MAX_WORKERS, cores))


#: Elements per block of :func:`blockwise`: small enough to spread a million over the cores, large
#: enough that each block's call costs far more than handing it out.
BLOCK = 65_536


def blockwise(function: Callable[[np.ndarray], Any], values: np.ndarray, block: int = BLOCK) -> np.ndarray:
    """``function(values)`` for an element-wise ``function`` that releases the GIL (GEOS predicates and
    repairs scale ~1.9× on two cores), computed a block at a time on :func:`workers` threads and
    joined in order: the same result, element for element, as one call."""
    values = np.asarray(values, dtype=object)
    if len(values) <= block or workers() < 2:
        return np.asarray(function(values))
    with ThreadPoolExecutor(workers()) as pool:
        parts = list(
            pool.map(lambda start: function(values[start : start + block]), range(0, len(values), block))
        )
    return np.concatenate(parts)


def ahead(function: Callable[[T], R], items: Iterable[T], *, depth: int = 1) -> Iterator[R]:
    """``function(item)`` for each of ``items`` in order, up to ``depth`` of the next ones computed on other
    threads while the caller uses the current one: making a block overlaps with using the last, where
    either side releases the GIL (an SQLite insert, an index query). A caller that stops early waits
    for the blocks already started."""
    with ThreadPoolExecutor(max(1, depth)) as pool:
        waiting: collections.deque[Future[R]] = collections.deque()
        for item in items:
            waiting.append(pool.submit(function, item))
            if len(waiting) > depth:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()


def shared_tree(geoms: np.ndarray) -> shapely.STRtree:
    """An STRtree over ``geoms`` ready to be queried from several threads at once.

    GEOS builds a tree at its first query; two threads asking first at the same moment would both
    build it. One query here, before the tree is shared, builds it on the calling thread.
    """
    tree = shapely.STRtree(geoms)
    tree.query(shapely.box(0.0, 0.0, 0.0, 0.0))
    return tree
