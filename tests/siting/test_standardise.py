"""Linear standardisation between two thresholds, checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from zgc_geo.errors import SitingError
from zgc_geo.siting.standardise import standardise


def test_cost_ramp_by_hand() -> None:
    # 500 m → 1, 8,000 m → 0: 4,250 m is half way, 2,375 m three quarters.
    values = np.array([0.0, 500.0, 2375.0, 4250.0, 8000.0, 12000.0, np.nan])
    got = standardise(values, "cost", 500.0, 8000.0)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got[:6], [1.0, 1.0, 0.75, 0.5, 0.0, 0.0], atol=1e-6)
    assert np.isnan(got[6])


def test_benefit_ramp_by_hand() -> None:
    values = np.array([[-5.0, 10.0], [15.0, 20.0], [30.0, 100.0]], dtype=np.float32)
    got = standardise(values, "benefit", 10.0, 30.0)
    np.testing.assert_allclose(got, [[0.0, 0.0], [0.25, 0.5], [1.0, 1.0]], atol=1e-6)


def test_in_place_keeps_the_buffer() -> None:
    values = np.array([0.0, 1.0], dtype=np.float32)
    got = standardise(values, "benefit", 0.0, 1.0, out=values)
    assert got is values


@pytest.mark.parametrize(("lower", "upper"), [(10.0, 10.0), (30.0, 10.0), (0.0, float("inf"))])
def test_thresholds_must_increase(lower: float, upper: float) -> None:
    with pytest.raises(SitingError, match="lower < upper"):
        standardise(np.zeros(3), "cost", lower, upper, what="near_parks")


def test_unknown_direction() -> None:
    with pytest.raises(SitingError, match="benefit, cost"):
        standardise(np.zeros(3), "better", 0.0, 1.0)  # type: ignore[arg-type]
