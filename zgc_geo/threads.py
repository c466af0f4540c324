"""How many threads to give work that releases the GIL (PROJ, GEOS, NumPy's loops, GDAL)."""

from __future__ import annotations

import os

#: More threads than this gain nothing measurable on the bulk operations they run.
MAX_WORKERS = 4


def workers() -> int:
    """One thread per core this process may run on, at most :data:`MAX_WORKERS`; 1 where unknown."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return max(1, min(MAX_WORKERS, cores))
