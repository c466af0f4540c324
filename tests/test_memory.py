"""Freed memory is given back to the system where the C library allows it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from zgc_geo.memory import _glibc, give_back_freed_memory


def resident_mib() -> float:
    return int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1]) * 4096 / 2**20


NO_TRIM = not sys.platform.startswith("linux") or _glibc("malloc_trim") is None


@pytest.mark.skipif(NO_TRIM, reason="needs glibc")
def test_memory_freed_on_the_heap_comes_back() -> None:
    small = [np.zeros(64) for _ in range(300_000)]  # ~190 MB of small heap blocks, like geometries
    held = resident_mib()
    del small
    give_back_freed_memory()
    assert resident_mib() < held - 100


def test_giving_back_is_harmless_when_nothing_was_freed() -> None:
    give_back_freed_memory()
    give_back_freed_memory()
