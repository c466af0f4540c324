"""Element-wise work split over threads gives what one call gives, in order."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from zgc_geo import threads


@pytest.mark.parametrize("block", [1, 3, 10, threads.BLOCK])
def test_blockwise_is_one_call_split_and_joined_in_order(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "workers", lambda: 2)  # threads even on a one-core machine
    geoms = np.array([shapely.box(i, 0, i + 1, 1) if i % 4 else shapely.Polygon() for i in range(10)])
    geoms[7] = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])  # a bow tie: invalid
    np.testing.assert_array_equal(threads.blockwise(shapely.is_valid, geoms, block), shapely.is_valid(geoms))
    np.testing.assert_array_equal(threads.blockwise(shapely.bounds, geoms, block), shapely.bounds(geoms))
    assert threads.blockwise(shapely.area, geoms[:0], block).shape == (0,)


def test_workers_are_the_cores_this_process_may_use_at_most_four() -> None:
    assert 1 <= threads.workers() <= threads.MAX_WORKERS


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_ahead_gives_every_result_in_order_and_stops_cleanly(depth: int) -> None:
    assert list(threads.ahead(lambda n: n * n, range(7), depth=depth)) == [n * n for n in range(7)]
    assert list(threads.ahead(str, [], depth=depth)) == []
    started: list[int] = []
    first_two = threads.ahead(lambda n: started.append(n) or n, range(100), depth=depth)
    assert [next(first_two), next(first_two)] == [0, 1]
    first_two.close()  # a caller that stops early: the blocks already started finish, no more start
    assert len(started) <= 2 + depth


def test_a_shared_tree_answers_as_a_fresh_one_from_every_thread() -> None:
    geoms = np.array([shapely.box(i, 0, i + 1.5, 1) for i in range(200)])
    tree = threads.shared_tree(geoms)
    probes = [shapely.box(i, 0, i + 0.5, 0.5) for i in range(200)]
    with threads.ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda probe: sorted(tree.query(probe).tolist()), probes))
    assert found == [sorted(shapely.STRtree(geoms).query(probe).tolist()) for probe in probes]
    assert threads.shared_tree(np.array([], dtype=object)).query(probes[0]).size == 0
