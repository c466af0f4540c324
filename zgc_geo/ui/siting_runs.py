"""Siting runs shared by every session that asks the same question, and their download files made once.

A siting run of the whole study area takes seconds of a core and its suitability surface is tens of MB.
Sixteen park offices asking for the same cluster over the same inventory must not compute it sixteen
times, nor keep sixteen copies: a run whose inputs are all shared (the plan layers, an inventory of the
workspace, the page's factors and weights, constraint layers by their content) is computed once per
process and every session holds the same, read-only result (a person asking while it is computed waits
for it). A run with a person's own candidate file or factor layer stays theirs.

Every result carries a key: the digest of its inputs when shared, a random one otherwise. Its map image
and its download files (a GeoTIFF and two workbooks, seconds to make, made only when asked for) are kept
per key and language in the process, never in each session. Every store here is bounded (the ``MAX_``
figures below; the README's "Many people at once" lists them).
"""

from __future__ import annotations

import hashlib
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Final, Generic, TypeVar

import geopandas as gpd
import pandas as pd

from zgc_geo.mapping.siting_map import suitability_image
from zgc_geo.plan_data import PlanData
from zgc_geo.siting.analysis import SitingOptions, SitingResult, Step, site_cluster

K = TypeVar("K")
V = TypeVar("V")

#: Shared results kept per process (each holds a suitability surface: 41 MB for the parks' extent at 30 m).
MAX_SHARED_RUNS: Final = 3
#: Download files kept per process (a GeoTIFF of the parks' extent at 30 m is 3.4 MB, a ranking far less).
MAX_EXPORT_FILES: Final = 6
#: Suitability images kept per process (a PNG of at most 1400 px: a few hundred KB).
MAX_IMAGES: Final = 8


def frame_digest(frame: gpd.GeoDataFrame) -> str:
    """A digest of ``frame``'s content: every attribute (as text) and every geometry (as WKB), in order."""
    digest = hashlib.sha256()
    digest.update(repr(list(frame.columns)).encode())
    attributes = frame.drop(columns=[frame.geometry.name]).astype(str)
    digest.update(pd.util.hash_pandas_object(attributes, index=False).to_numpy().tobytes())
    digest.update(pd.util.hash_pandas_object(frame.geometry.to_wkb(), index=False).to_numpy().tobytes())
    return digest.hexdigest()


def run_key(plan_version: str, candidates: gpd.GeoDataFrame, signature: tuple[object, ...]) -> str:
    """What a shared run is known by: the plan layers' version, the candidates and the options."""
    digest = hashlib.sha256(plan_version.encode())
    digest.update(frame_digest(candidates).encode())
    digest.update(repr(signature).encode())
    return digest.hexdigest()


class SharedResults(Generic[K, V]):
    """At most ``size`` results by key, the least recently used dropped first; each computed once.

    Not ``st.cache_resource``: the session that computes a run shows its progress bar, and Streamlit refuses
    elements drawn from inside a cached function into containers made outside it; a download is made
    outside any script run; one mechanism serves every store here (runs, images, files). A second session
    asking for a key being computed waits for that computation instead of starting its own.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._results: OrderedDict[K, V] = OrderedDict()
        self._computing: dict[K, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The result under ``key``; ``compute`` makes it when there is none (once, however many ask)."""
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._results:  # computed by another session while this one waited
                    return self._results[key]
            try:
                result = compute()
            except BaseException:  # not kept: the next to ask tries again
                with self._lock:
                    self._computing.pop(key, None)
                raise
            with self._lock:  # kept before the key stops being "computing": no one can start it again
                self._results[key] = result
                while len(self._results) > self.size:
                    self._results.popitem(last=False)
                self._computing.pop(key, None)
            return result


_SHARED_RUNS: Final[SharedResults[str, SitingResult]] = SharedResults(MAX_SHARED_RUNS)
#: Download files by (result key, language, file name).
EXPORT_FILES: Final[SharedResults[tuple[str, str, str], bytes]] = SharedResults(MAX_EXPORT_FILES)
#: Map images of the suitability surface by (result key, display datum).
_IMAGES: Final[SharedResults[tuple[str, str], tuple[str, list[list[float]]]]] = SharedResults(MAX_IMAGES)


def run_siting(
    plan: PlanData,
    candidates: gpd.GeoDataFrame,
    options: SitingOptions,
    *,
    shared_key: str | None,
    progress: Callable[[float, Step], None] | None = None,
) -> tuple[SitingResult, str]:
    """The siting result for ``options``, and its key.

    ``shared_key`` (from :func:`run_key`) makes the run shared: computed once per process for everyone
    asking with that key (``progress`` reports only for the session that computes it). None: a run of this
    session's own (it uses an upload), under a random key.
    """
    if shared_key is None:
        return site_cluster(plan, candidates, options, progress=progress), uuid.uuid4().hex
    result = _SHARED_RUNS.get(shared_key, lambda: site_cluster(plan, candidates, options, progress=progress))
    return result, shared_key


def kept_by_session(result: SitingResult, shared: bool) -> Callable[[], SitingResult | None]:
    """How a session keeps ``result``: its own outright; a shared one only by a weak reference.

    A shared result lives in the process's bounded store; were sessions to hold it too, every session
    that looked at an old result (closed ones too, which Streamlit keeps for minutes in case the person
    reconnects) would keep tens of MB alive after the store let it go. When it is gone the page asks to
    run it again.
    """
    return weakref.ref(result) if shared else lambda: result


def shared_image(key: str, datum: str, result: SitingResult) -> tuple[str, list[list[float]]]:
    """The suitability image of the result ``key`` for ``datum`` (a PNG of up to 1400 px: about a second
    to make), once per process rather than on every rerun of every session showing it."""
    return _IMAGES.get((key, datum), lambda: suitability_image(result, datum))
