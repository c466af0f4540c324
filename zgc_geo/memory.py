"""Memory management a batch run needs: the cyclic collector held off, freed memory given back.

Why the collector: every 700 new containers (lists, tuples, dicts) start a collection, and each of the
rarer full ones walks every object the process holds. A million-plot stock run makes millions of small
containers and spent 1.2 s of 17 s collecting; held off, it found nothing the run would not free anyway.

Why giving back: GEOS geometries and pandas' small objects live on the C heap. When a million plot
outlines are freed, glibc keeps their pages for later small allocations, while the large arrays that
follow are mapped afresh, so the process's peak grows by what it no longer uses (0.4 GB per 1M plots
in a stock run). ``malloc_trim`` returns the free pages. Elsewhere (macOS, musl, Windows) it is a no-op.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import threading
import time
from collections.abc import Callable, Hashable, Iterator


@functools.cache
def _glibc(function: str) -> Callable[..., int] | None:
    """The C library's ``function`` (``malloc_trim``, ``mallopt``); None where it has none (not glibc)."""
    import ctypes.util  # noqa: PLC0415 - only where memory is given back; every command imports this module

    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), function) if name else None
    except (OSError, AttributeError):  # not glibc
        return None


def give_back_freed_memory() -> None:
    """Return the C heap's free pages to the system (glibc); nothing where that is not possible."""
    trim = _glibc("malloc_trim")
    if trim is not None:
        trim(0)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while many small containers are made.

    Making 100 000 lists or tuples starts a collection every 700 of them, each over every object the
    process holds: three quarters of the time it takes. Reference counting still frees everything that
    forms no cycle; cycles made meanwhile wait for the next collection after the collector is turned
    back on (unless it was off) when the block ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_FROZEN: set[Hashable] = set()
_FROZEN_LOCK = threading.Lock()


def freeze_once(what: Hashable) -> None:
    """The first time ``what`` (a page, say) has run in this process: keep every object alive now out of
    the cyclic collector's full collections.

    Why: Streamlit runs a full collection after every script run (``runner.postScriptGC``), and a full
    collection walks every object the process holds: the modules of GeoPandas, shapely, pyproj, folium
    and the plan layers, which live as long as the process. On the Stock page that was a fifth of each
    run. :func:`gc.freeze` moves the objects alive now to a generation no collection walks, so each run's
    collection walks only what was made since. Garbage is collected first, so none is kept; a frozen
    object is still freed when its last reference goes (only a cycle among frozen objects would stay).
    """
    with _FROZEN_LOCK:
        if what in _FROZEN:
            return
        _FROZEN.add(what)
    gc.collect()
    gc.freeze()


#: glibc's mallopt parameter for the most arenas (malloc.h: M_ARENA_MAX).
_M_ARENA_MAX = -8
#: Arenas a server process may use: one per core is what keeps the many session threads apart.
SERVER_ARENAS = 2
#: Seconds between two returns of freed memory in a server process.
KEEPER_INTERVAL_S = 20.0
_KEEPER_LOCK = threading.Lock()
_keeper: threading.Thread | None = None


def _give_back_now_and_then(interval_s: float) -> None:
    while True:
        time.sleep(interval_s)
        gc.collect()
        give_back_freed_memory()


def start_memory_keeper(
    interval_s: float = KEEPER_INTERVAL_S, arenas: int = SERVER_ARENAS
) -> threading.Thread:
    """In a server process (once; later calls return the same thread): few malloc arenas, and freed memory
    given back to the system every ``interval_s`` seconds, so the memory of people who left comes back.

    Why arenas: glibc gives each thread that finds the others' arenas busy an arena of its own, up to eight
    per core, and Streamlit runs every session's script in a thread of its own. Memory freed in an arena
    stays with it, so sixteen people at once left the process hundreds of MB larger for good (the load
    benchmark: 998 MB against 767 MB with two arenas, 30 s after everyone left).

    Why now and then: a process nobody uses runs no script, so neither Streamlit's collection after each
    run nor anything else frees the cycles of sessions that ended or returns the pages they used.
    """
    global _keeper  # noqa: PLW0603 - one keeper per process
    with _KEEPER_LOCK:
        if _keeper is None:
            mallopt = _glibc("mallopt")
            if mallopt is not None:
                mallopt(_M_ARENA_MAX, arenas)
            _keeper = threading.Thread(
                target=_give_back_now_and_then, args=(interval_s,), name="zgc-memory-keeper", daemon=True
            )
            _keeper.start()
        return _keeper
