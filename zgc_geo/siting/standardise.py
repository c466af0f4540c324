"""Per-factor standardisation to 0–1: a linear ramp between two thresholds, benefit or cost.

Factors arrive in their own units (metres, 0/1 membership, a DEM's metres of elevation); the
weighted overlay needs them on one scale where 1 is most suitable. The ramp is the simplest
transform a planner can check by hand and argue about in a meeting: two thresholds per factor,
both in the factor's unit, both recorded in its :class:`~zgc_geo.siting.factors.FactorSpec`.

Formulas, for a raw value v and thresholds lower < upper::

    benefit (more is better):  s = clip((v − lower) / (upper − lower), 0, 1)
                               0 at v ≤ lower, 1 at v ≥ upper
    cost    (less is better):  s = clip((upper − v) / (upper − lower), 0, 1)
                               1 at v ≤ lower, 0 at v ≥ upper

NaN (no data) stays NaN, so a missing DEM cell is never mistaken for the worst or best value.
"""

from __future__ import annotations

import math
from typing import Final, Literal

import numpy as np

from zgc_geo.errors import SitingError

Direction = Literal["benefit", "cost"]
DIRECTIONS: Final = ("benefit", "cost")


def check_thresholds(lower: float, upper: float, what: str = "factor") -> None:
    """Raise unless both thresholds are finite and ``lower < upper``."""
    if not (math.isfinite(lower) and math.isfinite(upper) and lower < upper):
        raise SitingError(
            f"{what}: thresholds lower = {lower!r}, upper = {upper!r} must be finite with lower < upper "
            "(the direction, benefit or cost, says which end scores 1; the thresholds are never swapped)."
        )


def standardise(
    values: np.ndarray,
    direction: Direction,
    lower: float,
    upper: float,
    *,
    out: np.ndarray | None = None,
    what: str = "factor",
) -> np.ndarray:
    """Raw factor values mapped linearly onto [0, 1] between ``lower`` and ``upper`` (float32).

    Parameters
    ----------
    values
        Raw values in the factor's unit; NaN marks no data and stays NaN.
    direction
        ``"benefit"``: 0 at or below ``lower``, 1 at or above ``upper``; ``"cost"``: the reverse.
    lower, upper
        Thresholds in the factor's unit, ``lower < upper`` for both directions.
    out
        float32 array of the same shape to write into (may be ``values`` itself, to
        standardise in place and save one grid of memory).
    what
        The factor's name, for error messages.

    Raises
    ------
    SitingError
        An unknown direction or thresholds not in increasing order.
    """
    if direction not in DIRECTIONS:
        raise SitingError(f"{what}: direction {direction!r} is not one of {', '.join(DIRECTIONS)}.")
    check_thresholds(lower, upper, what)
    values = np.asarray(values)
    if out is None:
        out = np.empty(values.shape, dtype=np.float32)
    elif out.dtype != np.float32 or out.shape != values.shape:
        raise SitingError(f"{what}: out must be a float32 array of shape {values.shape}.")
    span = np.float32(upper - lower)
    if direction == "benefit":
        np.subtract(values, np.float32(lower), out=out, casting="unsafe")
    else:
        np.subtract(np.float32(upper), values, out=out, casting="unsafe")
    np.divide(out, span, out=out)
    np.clip(out, np.float32(0.0), np.float32(1.0), out=out)  # NaN passes through clip unchanged
    return out
