"""Verifying a workspace on open and before every write, incrementally, the same way on every backend.

A backend hands over a :class:`LogReader` bound to its open transaction; this module checks
the chain (from where this process last left off, after making sure that row is unchanged),
the head, and the decisions against their replay, and refuses a write while anything found is
unacknowledged. The per-process checkpoints are the one piece of module state: they are a
cache (losing them only means the next check starts from row 1), keyed by the workspace's
address and guarded by a lock because Streamlit serves sessions from threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final, Protocol

import pandas as pd

from zgc_geo.errors import WorkspaceIntegrityError
from zgc_geo.workspace.audit_chain import (
    DECISION_ACTIONS,
    DECISION_ROW,
    ChainState,
    Finding,
    check_rows,
    decision_findings,
    grant_finding,
    grant_findings,
    head_findings,
    plot_finding,
    replay_grants,
    rewound,
)
from zgc_geo.workspace.rights import Grant, HeldGrant, grant_from_row, parse_summary
from zgc_geo.workspace.store import AUDIT_COLUMNS, AUDIT_EXPORT_COLUMNS, IntegrityReport

#: Findings named in the message of a refused write (the rest are one ``verify`` away).
SHOWN_FINDINGS: Final = 3
#: Beyond this many plots changed since the last check, replaying everything is quicker.
MAX_PLOTS_RECHECKED: Final = 500
_ACTION: Final = AUDIT_EXPORT_COLUMNS.index("action")
_PLOT: Final = AUDIT_EXPORT_COLUMNS.index("plot_id")
_INVENTORY: Final = AUDIT_EXPORT_COLUMNS.index("inventory")
_CHECKPOINTS: dict[str, ChainState] = {}
_DECISION_FINDINGS: dict[str, list[Finding]] = {}
_GRANT_FINDINGS: dict[str, list[Finding]] = {}
#: Who the log counts as the creator: the original's, named by the last copy, else this workspace's.
_CREATOR_SQL: Final = (
    "coalesce((SELECT c.new_value FROM zgc_audit AS c WHERE c.action = 'copy' AND c.field = 'created_by' "
    "ORDER BY c.audit_id DESC LIMIT 1), (SELECT m.value FROM zgc_meta AS m WHERE m.key = 'created_by'))"
)
_LOCK: Final = threading.Lock()


class LogReader(Protocol):
    """What verification reads, inside the backend's current transaction."""

    def rows_after(self, audit_id: int) -> Iterable[Sequence[Any]]:
        """Audit rows with id > ``audit_id`` by id: the AUDIT_EXPORT_COLUMNS."""
        ...

    def row_hash(self, audit_id: int) -> str | None:
        """The stored hash of one row (None if it is gone)."""
        ...

    def head(self) -> tuple[int, str] | None:
        """The last row's (id, hash) as recorded beside the log; None before the first write."""
        ...

    def decisions(self, inventory: str | None = None, plot_id: str | None = None) -> pd.DataFrame:
        """Stored decisions (DECISION_ROW columns), all or of one plot."""
        ...

    def changes(self, inventory: str | None = None, plot_id: str | None = None) -> pd.DataFrame:
        """The decide/undo audit rows (AUDIT_COLUMNS), all or of one plot."""
        ...

    def plot(self, inventory: str, plot_id: str) -> tuple[Sequence[Any] | None, list[Sequence[Any]]]:
        """One plot's stored decision (DECISION_ROW[2:]) and its decide/undo rows, as plain rows."""
        ...

    def stored_grants(self) -> list[Grant]:
        """The grants table, by user name."""
        ...

    def replayed_grants(self) -> dict[str, Grant]:
        """The grants the log implies, by user."""
        ...

    def creator(self) -> str | None:
        """Who created the workspace (an admin until the log says otherwise)."""
        ...

    def user_grant(self, user: str) -> HeldGrant:
        """``user``'s grant as stored and as the log last granted it."""
        ...


def verify_log(
    reader: LogReader, key: str, *, incremental: bool, backend: str, address: str, schema_version: int,
    notes: tuple[str, ...] = (),
) -> IntegrityReport:  # fmt: skip
    """Check the chain, the head and the decisions; remember how far the chain was checked.

    A full check replays every decision. An incremental one (after a full one in this process)
    re-checks only the plots that the new rows touched: a decision changed without any audit
    row is then found by the next full check, or by the next write to that plot.
    """
    with _LOCK:
        earlier = _DECISION_FINDINGS.get(key) if incremental else None
    state, touched = _chain(reader, key, incremental=incremental)
    if earlier is None or touched is None or len(touched) > MAX_PLOTS_RECHECKED:
        decisions = decision_findings(reader.decisions(), reader.changes())
    else:
        decisions = [f for f in earlier if (f.inventory, f.plot_id) not in touched]
        for inventory, plot_id in sorted(touched):
            decisions += _plot_findings(reader, inventory, plot_id)
    with _LOCK:
        _DECISION_FINDINGS[key] = decisions
    grants = grant_findings({g.user: g for g in reader.stored_grants()}, reader.replayed_grants())
    with _LOCK:
        _GRANT_FINDINGS[key] = grants
    findings = (*state.findings, *head_findings(state, reader.head()), *decisions, *grants)
    head = (state.last_id, state.last_hash) if state.last_id else None
    return IntegrityReport(
        backend, address, schema_version, state.last_id, head, findings, dict(state.acknowledged), notes
    )


def guard_write(
    reader: LogReader,
    key: str,
    inventory: str | None = None,
    plot_id: str | None = None,
    *,
    held: HeldGrant | None = None,
) -> None:
    """Refuse a write while the workspace has unacknowledged damage; check the plot being written.

    The first write of a process verifies everything; later ones check only the rows added
    since, the head, the one plot's decision against the replay of its own rows, and the
    writer's grant as stored against what the log granted them (``held``).
    """
    with _LOCK:
        known = key in _DECISION_FINDINGS
    if not known:
        verify_log(reader, key, incremental=True, backend="", address="", schema_version=0)
    state, _ = _chain(reader, key, incremental=True)
    with _LOCK:
        others = [
            f for f in _DECISION_FINDINGS.get(key, []) if (f.inventory, f.plot_id) != (inventory, plot_id)
        ]
        writer = None if held is None else held.user
        others += [f for f in _GRANT_FINDINGS.get(key, []) if dict(f.values).get("user") != writer]
    findings = [*state.findings, *head_findings(state, reader.head()), *others]
    if inventory is not None and plot_id is not None:
        findings += _plot_findings(reader, inventory, plot_id)
    if held is not None and (finding := grant_finding(held.user, held.stored, held.logged)) is not None:
        findings.append(finding)
    open_findings = [f for f in findings if f.key not in state.acknowledged]
    if open_findings:
        shown = "; ".join(f.message for f in open_findings[:SHOWN_FINDINGS])
        more = (
            f" (and {len(open_findings) - SHOWN_FINDINGS} more)"
            if len(open_findings) > SHOWN_FINDINGS
            else ""
        )
        raise WorkspaceIntegrityError(
            f"the workspace failed verification, so edits are refused until an admin acknowledges it: "
            f"{shown}{more}. Run `zgc-geo workspace verify` for the full list; an admin acknowledges "
            'with `zgc-geo workspace acknowledge --note "…"` or the button under the red banner.'
        )


def _plot_findings(reader: LogReader, inventory: str, plot_id: str) -> list[Finding]:
    decision, changes = reader.plot(inventory, plot_id)
    finding = plot_finding(inventory, plot_id, decision, changes)
    return [] if finding is None else [finding]


def advance(key: str, sealed: Sequence[Sequence[Any]]) -> None:
    """Move the checkpoint past rows this process just wrote (and so knows to be sound)."""
    if not sealed:
        return
    with _LOCK:
        state = _CHECKPOINTS.get(key)
        if state is not None and int(sealed[0][0]) == state.last_id + 1:
            _CHECKPOINTS[key] = check_rows(state, sealed)  # reads acknowledgements among them too


def forget(key: str) -> None:
    """Drop what this process knows of a workspace (after a copy or restore replaced its log)."""
    with _LOCK:
        _CHECKPOINTS.pop(key, None)
        _DECISION_FINDINGS.pop(key, None)
        _GRANT_FINDINGS.pop(key, None)


def _chain(
    reader: LogReader, key: str, *, incremental: bool
) -> tuple[ChainState, set[tuple[str, str]] | None]:
    """The chain checked up to its end, and the plots whose decisions the newly read rows changed
    (None when the check started from row 1)."""
    with _LOCK:
        state = _CHECKPOINTS.get(key) if incremental else None
    if state is not None and reader.row_hash(state.last_id) != (state.last_hash if state.last_id else None):
        state = None  # the row this process last verified was changed or removed: start again from row 1
    touched: set[tuple[str, str]] | None = set() if state is not None else None
    state = rewound(state) if state is not None else ChainState()  # its last row is read again, content too

    def noting(rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        for row in rows:
            if touched is not None and row[_ACTION] in DECISION_ACTIONS and row[_PLOT] is not None:
                touched.add((str(row[_INVENTORY]), str(row[_PLOT])))
            yield row

    state = check_rows(state, noting(reader.rows_after(state.last_id)))
    with _LOCK:
        _CHECKPOINTS[key] = state
    return state, touched


class SqlLog:
    """A :class:`LogReader` over any DB-API connection whose ``execute`` takes (sql, params).

    SQLite marks parameters ``?`` and psycopg ``%s``; the SQL is otherwise the same on both
    backends, so it is written once here.
    """

    def __init__(self, conn: object, mark: str, head: Callable[[], tuple[int, str] | None]) -> None:
        self._execute = conn.execute  # type: ignore[attr-defined]
        self._mark = mark
        self.head = head  # type: ignore[method-assign]

    def head(self) -> tuple[int, str] | None:
        """Replaced by the backend's own reader of the stored head."""
        return None

    def rows_after(self, audit_id: int) -> Iterable[Sequence[Any]]:
        columns = ", ".join(f'"{c}"' for c in AUDIT_EXPORT_COLUMNS)
        return self._execute(
            f"SELECT {columns} FROM zgc_audit WHERE audit_id > {self._mark} ORDER BY audit_id", (audit_id,)
        )

    def row_hash(self, audit_id: int) -> str | None:
        row = self._execute(
            f"SELECT hash FROM zgc_audit WHERE audit_id = {self._mark}", (audit_id,)
        ).fetchone()
        return None if row is None else row[0]

    def decisions(self, inventory: str | None = None, plot_id: str | None = None) -> pd.DataFrame:
        where, params = self._where(inventory, plot_id)
        columns = ", ".join(DECISION_ROW)
        rows = self._execute(f"SELECT {columns} FROM zgc_decisions {where}", params).fetchall()
        return pd.DataFrame(rows, columns=list(DECISION_ROW), dtype=object)

    def changes(self, inventory: str | None = None, plot_id: str | None = None) -> pd.DataFrame:
        where, params = self._where(inventory, plot_id)
        where = (where + " AND" if where else "WHERE") + " action IN ('decide', 'undo')"
        columns = ", ".join(f'"{c}"' for c in AUDIT_COLUMNS)
        rows = self._execute(f"SELECT {columns} FROM zgc_audit {where}", params).fetchall()
        return pd.DataFrame(rows, columns=list(AUDIT_COLUMNS), dtype=object)

    def plot(self, inventory: str, plot_id: str) -> tuple[Sequence[Any] | None, list[Sequence[Any]]]:
        where = f"WHERE inventory = {self._mark} AND plot_id = {self._mark}"
        decision = self._execute(
            f"SELECT {', '.join(DECISION_ROW[2:])} FROM zgc_decisions {where}", (inventory, plot_id)
        ).fetchone()
        changes = self._execute(
            f'SELECT audit_id, time, "user", field, new_value, version FROM zgc_audit {where} '
            "AND action IN ('decide', 'undo')",
            (inventory, plot_id),
        ).fetchall()
        return decision, changes

    def stored_grants(self) -> list[Grant]:
        rows = self._execute(
            "SELECT user_name, role, parks, granted_by, granted_at FROM zgc_grants ORDER BY user_name"
        ).fetchall()
        return [grant_from_row(*row) for row in rows]

    def replayed_grants(self) -> dict[str, Grant]:
        rows = self._execute(
            "SELECT field, new_value FROM zgc_audit WHERE action IN ('grant', 'revoke') ORDER BY audit_id"
        ).fetchall()
        return replay_grants(rows, self.creator())

    def creator(self) -> str | None:
        row = self._execute(f"SELECT {_CREATOR_SQL}").fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def user_grant(self, user: str) -> HeldGrant:
        # One round trip: this runs before every write.
        row = self._execute(
            f"SELECT g.role, g.parks, g.granted_by, g.granted_at, (SELECT coalesce(a.new_value, '') "
            f"FROM zgc_audit AS a WHERE a.field = {self._mark} AND a.action IN ('grant', 'revoke') "
            f"ORDER BY a.audit_id DESC LIMIT 1), {_CREATOR_SQL} "
            f"FROM (SELECT 1 AS one) AS x LEFT JOIN zgc_grants AS g ON g.user_name = {self._mark}",
            (f"role:{user}", user),
        ).fetchone()
        role, parks, by, at, logged, creator = row
        stored = None if role is None else grant_from_row(user, role, parks, by, at)
        if logged is not None:
            replayed = parse_summary(user, logged)
        else:
            replayed = Grant(user, "admin") if creator is not None and user == creator else None
        return HeldGrant(user, stored, replayed)

    def _where(self, inventory: str | None, plot_id: str | None) -> tuple[str, list[object]]:
        if inventory is None:
            return "", []
        return f"WHERE inventory = {self._mark} AND plot_id = {self._mark}", [inventory, plot_id]
