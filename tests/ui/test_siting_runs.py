"""Shared siting runs (zgc_geo/ui/siting_runs.py): computed once however many ask, bounded, not pinned."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import pytest
import shapely

from zgc_geo.ui.siting_runs import SharedResults, frame_digest, kept_by_session, run_key


class _Result:
    """Stands in for a SitingResult (anything a weak reference can point to)."""


def test_many_asking_at_once_compute_once_and_get_the_same_object() -> None:
    shared: SharedResults[str, _Result] = SharedResults(2)
    calls = []
    started = threading.Event()

    def compute() -> _Result:
        calls.append(1)
        started.set()
        time.sleep(0.2)  # the others ask while this one computes
        return _Result()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: shared.get("cluster-a", compute), range(8)))
    assert len(calls) == 1
    assert all(result is results[0] for result in results)


def test_the_least_recently_used_result_is_dropped_first() -> None:
    shared: SharedResults[str, str] = SharedResults(2)
    shared.get("a", lambda: "A")
    shared.get("b", lambda: "B")
    shared.get("a", lambda: "never")  # a used again: b is now the oldest
    shared.get("c", lambda: "C")
    assert shared.get("a", lambda: "again") == "A"
    assert shared.get("b", lambda: "B made again") == "B made again"


def test_a_failed_computation_is_not_kept_and_can_be_tried_again() -> None:
    shared: SharedResults[str, str] = SharedResults(2)

    def fail() -> str:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        shared.get("x", fail)
    assert shared.get("x", lambda: "done") == "done"


def test_a_session_keeps_a_shared_result_only_weakly_and_its_own_outright() -> None:
    shared, own = _Result(), _Result()
    keep_shared, keep_own = kept_by_session(shared, shared=True), kept_by_session(own, shared=False)  # type: ignore[arg-type]
    assert keep_shared() is shared and keep_own() is own
    del shared, own
    gc.collect()
    assert keep_shared() is None  # gone with the store's reference: the page asks to run it again
    assert keep_own() is not None


def test_the_key_changes_with_any_attribute_geometry_plan_version_or_option() -> None:
    frame = gpd.GeoDataFrame(
        {"plot_id": ["a", "b"], "review_status": ["unreviewed", "deferred"]},
        geometry=[shapely.box(116.3, 39.9, 116.31, 39.91), shapely.box(116.4, 39.9, 116.41, 39.91)],
        crs=4326,
    )
    key = run_key("plan-1", frame, ("cluster", 30.0))
    assert run_key("plan-1", frame.copy(), ("cluster", 30.0)) == key
    changed_status = frame.assign(review_status=["recommended", "deferred"])
    moved = frame.set_geometry(frame.geometry.translate(0.001, 0))
    assert (
        len({key, run_key("plan-2", frame, ("cluster", 30.0)), run_key("plan-1", frame, ("cluster", 20.0))})
        == 3
    )
    assert frame_digest(changed_status) != frame_digest(frame) != frame_digest(moved)


def test_the_memory_keeper_is_one_daemon_thread_per_process() -> None:
    # In a process of its own: the keeper collects garbage now and then, which must not touch these tests.
    code = (
        "import time; from zgc_geo.memory import start_memory_keeper as keep\n"
        "keeper = keep(interval_s=0.05); time.sleep(0.3)\n"
        "print(keeper is keep(), keeper.daemon, keeper.is_alive(), keeper.name)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["True", "True", "True", "zgc-memory-keeper"]
