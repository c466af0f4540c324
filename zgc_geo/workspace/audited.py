"""The audited writes both backends share: decide, undo, acknowledge, and chaining their audit rows.

A backend subclasses :class:`AuditedStore` and supplies its transactions, its parameter
marker, how it serialises writers on the chain and where it keeps the chain's head; the order
of checks (plot exists, chain locked, workspace intact, version as expected) and what each
change writes are then the same on every backend by construction.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

import pandas as pd

from zgc_geo.workspace import integrity
from zgc_geo.workspace.audit_chain import GENESIS, seal
from zgc_geo.workspace.decisions import (
    DECISION_SQL,
    LAST_UNDONE_SQL,
    acknowledge_row,
    audit_frame,
    changed_fields,
    check_expected,
    decision_values,
    inventory_row,
    kept_and_orphaned,
    new_decision,
    undo_conflict,
)
from zgc_geo.workspace.store import (
    AUDIT_EXPORT_COLUMNS,
    Decision,
    IntegrityReport,
    InventoryInfo,
    check_changes,
    check_name,
    check_user,
    require_admin,
)

_AUDIT_COLUMNS_SQL = ", ".join(f'"{c}"' for c in AUDIT_EXPORT_COLUMNS)


class AuditedStore(ABC):
    """Decisions, undo, acknowledgements and the audit log over a DB-API connection."""

    #: The backend's SQL parameter marker: ``?`` (SQLite) or ``%s`` (psycopg).
    _mark: str

    @property
    @abstractmethod
    def address(self) -> str:
        """Where the workspace is, for people."""

    @property
    @abstractmethod
    def _key(self) -> str:
        """This workspace's key for the process's verification checkpoints."""

    @abstractmethod
    def _writing(self) -> contextlib.AbstractContextManager[Any]:
        """A connection in a write transaction, committed when the block ends without error."""

    @abstractmethod
    def _reading(self) -> contextlib.AbstractContextManager[Any]:
        """A connection in a read transaction."""

    @abstractmethod
    def _lock_chain(self, conn: Any) -> None:
        """Serialise writers on the chain until the transaction ends (a no-op where it already is)."""

    @abstractmethod
    def _head(self, conn: Any) -> tuple[int, str] | None:
        """The chain's head as recorded beside the log."""

    @abstractmethod
    def _set_head(self, conn: Any, last_id: int, last_hash: str) -> None:
        """Record the chain's new head."""

    @abstractmethod
    def _creator(self, conn: Any) -> str | None:
        """Who created the workspace (its first admin)."""

    @abstractmethod
    def _require_inventory(self, conn: Any, name: str) -> str:
        """Raise unless inventory ``name`` exists."""

    @abstractmethod
    def _require_plot(self, conn: Any, name: str, plot_id: str) -> None:
        """Raise unless inventory ``name`` has plot ``plot_id``."""

    def decision(self, name: str, plot_id: str) -> Decision:
        """The current decision of one plot (version 0 when never decided)."""
        check_name(name)
        with self._reading() as conn:
            self._require_plot(conn, name, str(plot_id))
            return self._decision(conn, name, str(plot_id))

    def audit_log(self, name: str | None = None, plot_id: str | None = None) -> pd.DataFrame:
        """The audit rows with their hashes, optionally of one inventory and/or plot, oldest first."""
        clauses = [(f, str(v)) for f, v in (("inventory", name), ("plot_id", plot_id)) if v is not None]
        where = "WHERE " + " AND ".join(f"{f} = {self._mark}" for f, _ in clauses) if clauses else ""
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {_AUDIT_COLUMNS_SQL} FROM zgc_audit {where} ORDER BY audit_id",
                [v for _, v in clauses],
            ).fetchall()
        return audit_frame(rows)

    def record_decision(
        self,
        name: str,
        plot_id: str,
        changes: Mapping[str, str | None],
        *,
        expected_version: int | None,
        user: str,
        note: str = "",
    ) -> Decision:
        """Compare-and-set the plot's decision; one audit row per changed field, sharing a change id."""
        check_name(name)
        wanted, user, plot_id = check_changes(changes), check_user(user), str(plot_id)
        with self._writing() as conn:
            self._require_plot(conn, name, plot_id)
            self._lock_chain(conn)
            integrity.guard_write(self._log(conn), self._key, name, plot_id)
            current = self._decision(conn, name, plot_id)
            check_expected(current, expected_version)
            changed = changed_fields(current, wanted)
            if not changed:
                return current
            return self._apply(conn, current, changed, user=user, note=note, action="decide")

    def undo_last(self, name: str, user: str) -> Decision | None:
        """Revert ``user``'s latest not yet undone decision in ``name`` (all its fields), as an "undo"."""
        check_name(name)
        user = check_user(user)
        with self._writing() as conn:
            self._require_inventory(conn, name)
            self._lock_chain(conn)
            last = conn.execute(LAST_UNDONE_SQL.format(mark=self._mark), (name, user)).fetchone()
            if last is None:
                return None
            change_id, plot_id, version, time = last
            integrity.guard_write(self._log(conn), self._key, name, plot_id)
            current = self._decision(conn, name, plot_id)
            if current.version != version:
                raise undo_conflict(current, name, plot_id, time)
            old = conn.execute(
                f"SELECT field, old_value FROM zgc_audit WHERE change_id = {self._mark} ORDER BY audit_id",
                (change_id,),
            ).fetchall()
            note = f"undo of change {change_id}"
            return self._apply(
                conn, current, dict(old), user=user, note=note, action="undo", reverts=change_id
            )

    def acknowledge(self, report: IntegrityReport, *, user: str, note: str) -> None:
        """Log ``user``'s acknowledgement of the open findings; only the workspace's creator may."""
        user = check_user(user)
        with self._writing() as conn:
            require_admin(user, self._creator(conn), self.address)
            self._lock_chain(conn)
            self._audit(conn, [acknowledge_row(report, user, note)])

    def _audit_inventory(
        self, conn: Any, info: InventoryInfo, old_count: int | None, plot_ids: pd.Series
    ) -> None:
        """Audit importing (or replacing) an inventory, saying how many decisions kept their plot."""
        query = f"SELECT plot_id FROM zgc_decisions WHERE inventory = {self._mark}"
        decided = [row[0] for row in conn.execute(query, (info.name,))]
        note = f"{info.title} — {info.source}" + kept_and_orphaned(decided, plot_ids)
        row = inventory_row(info.name, info.imported_by, info.imported_at, note, old_count=old_count,
                            count=info.plot_count)  # fmt: skip
        self._audit(conn, [row])

    def _decisions_and_log(self, conn: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every stored decision and the whole audit log (with hashes), for a dump."""
        log = self._log(conn)
        return log.decisions(), audit_frame(list(log.rows_after(0)))

    def _log(self, conn: Any) -> integrity.SqlLog:
        return integrity.SqlLog(conn, self._mark, lambda: self._head(conn))

    def _decision(self, conn: Any, name: str, plot_id: str) -> Decision:
        where = f"inventory = {self._mark} AND plot_id = {self._mark}"
        query = f"SELECT {DECISION_SQL} FROM zgc_decisions WHERE {where}"
        row = conn.execute(query, (name, plot_id)).fetchone()
        return Decision(name, plot_id) if row is None else Decision(name, plot_id, *row)

    def _apply(
        self, conn: Any, current: Decision, changed: Mapping[str, str | None], **how: str | None
    ) -> Decision:
        """Write the change's audit rows, then the decision (the backends' triggers check that order)."""
        new, rows = new_decision(current, changed, user=str(how.pop("user")), **how)  # type: ignore[arg-type]
        self._audit(conn, rows)
        conn.execute(self._upsert_decision, decision_values(new))
        return new

    def _audit(self, conn: Any, rows: list[tuple[Any, ...]]) -> None:
        """Chain ``rows`` after the log's last row (writers are serialised), move head and checkpoint."""
        last = conn.execute("SELECT audit_id, hash FROM zgc_audit ORDER BY audit_id DESC LIMIT 1").fetchone()
        sealed = seal(rows, *(last if last else (0, GENESIS)))
        self._insert_audit(conn, sealed)
        self._set_head(conn, int(sealed[-1][0]), str(sealed[-1][-1]))
        integrity.advance(self._key, sealed)

    def _insert_audit(self, conn: Any, sealed: list[tuple[Any, ...]]) -> None:
        """Insert sealed rows (AUDIT_EXPORT_COLUMNS) as they are."""
        marks = ", ".join([self._mark] * len(AUDIT_EXPORT_COLUMNS))
        with contextlib.closing(conn.cursor()) as cursor:
            cursor.executemany(f"INSERT INTO zgc_audit ({_AUDIT_COLUMNS_SQL}) VALUES ({marks})", sealed)

    @property
    def _upsert_decision(self) -> str:
        marks = ", ".join([self._mark] * 8)
        return (
            f"INSERT INTO zgc_decisions (inventory, plot_id, {DECISION_SQL}) VALUES ({marks}) "
            "ON CONFLICT (inventory, plot_id) DO UPDATE SET review_status = excluded.review_status, "
            "note = excluded.note, mode = excluded.mode, version = excluded.version, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by"
        )
