"""The plan's yearly actual values (§七(三)) kept in the workspace's audit log, as the project register is.

One row per value set: ``inventory`` :data:`PLAN_ACTUALS`, ``plot_id`` ``<indicator_id>@<park_id>`` (``*``
for the zone), ``field`` the year, ``new_value`` the value (None clears it), ``note`` its source. The values
are the replay of these rows, so every value has who set it, when, from what source, and what it replaced.
Zone-wide values are the admins'; a park's values its editors' (the store checks; on PostGIS the database
too).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Final

import pandas as pd

from zgc_geo.errors import PLAN_ACTUALS
from zgc_geo.workspace.store import utc_now

ACTION: Final = "actual"
ZONE: Final = "*"
#: Columns of :func:`replay_actuals` (``park_id`` None for the zone).
COLUMNS: Final = ("indicator_id", "year", "value", "park_id", "source", "recorded_by", "recorded_at")


def actual_key(indicator_id: str, park_id: str | None) -> str:
    """The ``plot_id`` of an indicator's rows: ``<indicator>@<park>`` (``@*`` for the zone)."""
    return f"{indicator_id}@{park_id or ZONE}"


def replay_actuals(rows: Iterable[Sequence[Any]]) -> pd.DataFrame:
    """The values the rows (:data:`AUDIT_COLUMNS` order, oldest first) leave; cleared ones are dropped."""
    latest: dict[tuple[str, int], tuple[Any, ...]] = {}
    for row in rows:
        if row[10] != ACTION or row[5] is None:
            continue
        latest[(str(row[5]), int(row[6]))] = (row[8], row[9], row[3], row[2])
    found = []
    for (key, year), (value, source, user, time) in sorted(latest.items()):
        if value is None:
            continue
        indicator, _, park = key.partition("@")
        found.append(
            (indicator, year, float(value), None if park == ZONE else park, source or None, user, time)
        )
    return pd.DataFrame(found, columns=list(COLUMNS)).astype({"year": "int64", "value": "float64"})


def actual_rows(values: pd.DataFrame, current: pd.DataFrame, *, user: str) -> list[tuple[Any, ...]]:
    """The audit rows (without id) of setting ``values`` (``indicator_id``, ``year``, ``value``, ``park_id``,
    ``source``): one per value that differs from ``current``'s; one change id for the batch."""
    known = {
        (r.indicator_id, int(r.year), r.park_id if isinstance(r.park_id, str) else None): (r.value, r.source)
        for r in current.itertuples(index=False)
    }
    change_id, at, rows = uuid.uuid4().hex, utc_now(), []
    for r in values.itertuples(index=False):
        park = r.park_id if isinstance(r.park_id, str) and r.park_id else None
        old = known.get((r.indicator_id, int(r.year), park))
        value = None if pd.isna(r.value) else repr(float(r.value))
        source = r.source if isinstance(r.source, str) and r.source else ""
        if old is not None and repr(float(old[0])) == value and (old[1] or "") == source:
            continue
        before = None if old is None else repr(float(old[0]))
        rows.append((change_id, at, user, PLAN_ACTUALS, actual_key(r.indicator_id, park), str(int(r.year)),
                     before, value, source, ACTION, None, None))  # fmt: skip
    return rows
