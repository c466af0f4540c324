"""The audited writes both backends share: decide, undo, acknowledge, and chaining their audit rows.

A backend subclasses :class:`AuditedStore` and supplies its transactions, its parameter
marker, how it serialises writers on the chain and where it keeps the chain's head; the order
of checks (plot exists, chain locked, workspace intact, version as expected) and what each
change writes are then the same on every backend by construction.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from zgc_geo.errors import AccessRefusedError, OptionError
from zgc_geo.workspace import integrity
from zgc_geo.workspace.audit_chain import GENESIS, seal
from zgc_geo.workspace.decisions import (
    DECISION_SQL,
    LAST_UNDONE_SQL,
    acknowledge_row,
    audit_frame,
    changed_fields,
    check_expected,
    copy_row,
    decision_values,
    grant_row,
    inventory_row,
    kept_and_orphaned,
    new_decision,
    refusal_row,
    sealed_rows,
    undo_conflict,
)
from zgc_geo.workspace.rights import (
    OUTSIDE,
    Grant,
    admin_refusal,
    checked_grant,
    edit_refusal,
)
from zgc_geo.workspace.store import (
    AUDIT_EXPORT_COLUMNS,
    Decision,
    IntegrityReport,
    InventoryInfo,
    WorkspaceDump,
    check_changes,
    check_name,
    check_user,
    no_such_plot,
    utc_now,
)

_AUDIT_COLUMNS_SQL = ", ".join(f'"{c}"' for c in AUDIT_EXPORT_COLUMNS)
_GRANT_COLUMNS = "user_name, role, parks, granted_by, granted_at"


class _LoggedRefusalError(Exception):
    """Carries a refusal out of a write transaction that must still commit (its audit row)."""

    def __init__(self, refusal: AccessRefusedError) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


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
    def _require_inventory(self, conn: Any, name: str) -> str:
        """Raise unless inventory ``name`` exists."""

    @abstractmethod
    def _plot_park(self, conn: Any, name: str, plot_id: str) -> str | None:
        """The park of plot ``plot_id`` for rights (:func:`~zgc_geo.workspace.rights.park_of`);
        None when inventory ``name`` has no such plot (raise if it has no such inventory)."""

    def _require_plot(self, conn: Any, name: str, plot_id: str) -> str:
        """The plot's park; raise unless inventory ``name`` has plot ``plot_id``."""
        park = self._plot_park(conn, name, plot_id)
        if park is None:
            raise no_such_plot(name, plot_id)
        return park

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
        with self._write() as conn:
            park = self._require_plot(conn, name, plot_id)
            held = self._log(conn).user_grant(user)
            self._check(conn, edit_refusal(held.effective, "decide", name, plot_id, park))
            self._lock_chain(conn)
            integrity.guard_write(self._log(conn), self._key, name, plot_id, held=held)
            current = self._decision(conn, name, plot_id)
            check_expected(current, expected_version)
            changed = changed_fields(current, wanted)
            if not changed:
                return current
            return self._apply(conn, current, changed, user=user, note=note, action="decide")

    def undo_last(self, name: str, user: str) -> Decision | None:
        """Revert ``user``'s latest not yet undone decision in ``name`` (all its fields), as an "undo".

        Only the caller's own decisions are undone, and only where they may still edit the plot.
        """
        check_name(name)
        user = check_user(user)
        with self._write() as conn:
            self._require_inventory(conn, name)
            self._lock_chain(conn)
            last = conn.execute(LAST_UNDONE_SQL.format(mark=self._mark), (name, user)).fetchone()
            if last is None:
                return None
            change_id, plot_id, version, time = last
            park = self._plot_park(conn, name, plot_id) or OUTSIDE
            held = self._log(conn).user_grant(user)
            self._check(conn, edit_refusal(held.effective, "undo", name, plot_id, park))
            integrity.guard_write(self._log(conn), self._key, name, plot_id, held=held)
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
        """Log ``user``'s acknowledgement of the open findings; admins only."""
        user = check_user(user)
        with self._write() as conn:
            self._check(conn, admin_refusal(self._rights(conn, user), "acknowledge"))
            self._lock_chain(conn)
            self._audit(conn, [acknowledge_row(report, user, note)])

    def grants(self) -> list[Grant]:
        """Every stored grant, by user name."""
        with self._reading() as conn:
            return self._log(conn).stored_grants()

    def rights(self, user: str) -> Grant:
        """What ``user`` may do: their stored grant, or a viewer's when they have none."""
        user = check_user(user)
        with self._reading() as conn:
            return self._rights(conn, user)

    def grant(self, user: str, role: str, parks: tuple[str, ...] = (), *, by: str) -> Grant:
        """Give ``user`` ``role`` (an editor: on ``parks``) in place of any grant they had; admins only."""
        user, by = check_user(user), check_user(by)
        role, chosen = checked_grant(user, role, parks)
        new = Grant(user, role, chosen, by, utc_now())
        with self._write() as conn:
            self._as_admin(conn, by, f"grant {new.summary} to {user}")
            old = self._log(conn).user_grant(user).stored
            if old is not None and (old.role, old.parks) == (role, chosen):
                return old
            self._keep_an_admin(conn, old, new)
            if old is not None:
                conn.execute(f"DELETE FROM zgc_grants WHERE user_name = {self._mark}", (user,))
            self._insert_grants(conn, [new])
            self._audit(conn, [grant_row(user, None if old is None else old.summary, new.summary, by)])
        return new

    def revoke(self, user: str, *, by: str) -> Grant | None:
        """Remove ``user``'s grant (they become a viewer); the grant removed, or None. Admins only."""
        user, by = check_user(user), check_user(by)
        with self._write() as conn:
            self._as_admin(conn, by, f"revoke the role of {user}")
            old = self._log(conn).user_grant(user).stored
            if old is None:
                return None
            self._keep_an_admin(conn, old, None)
            conn.execute(f"DELETE FROM zgc_grants WHERE user_name = {self._mark}", (user,))
            self._audit(conn, [grant_row(user, old.summary, None, by)])
        return old

    def _require_admin(self, user: str, action: str, inventory: str | None = None) -> None:
        """Refuse (and log the refusal) unless ``user`` is an admin; a plain read when they are."""
        user = check_user(user)
        with self._reading() as conn:
            refusal = admin_refusal(self._rights(conn, user), action, inventory)
        if refusal is not None:
            with self._write() as conn:
                self._check(conn, refusal)

    def _rights(self, conn: Any, user: str) -> Grant:
        """What the log granted ``user`` (the table is its copy; a difference is found by verify)."""
        return self._log(conn).user_grant(user).effective

    def _as_admin(self, conn: Any, user: str, action: str, inventory: str | None = None) -> None:
        """In a write transaction: refuse (logged) unless ``user`` is an admin, take the chain's lock,
        and refuse while the workspace has unacknowledged damage (the writer's own grant included)."""
        held = self._log(conn).user_grant(user)
        self._check(conn, admin_refusal(held.effective, action, inventory))
        self._lock_chain(conn)
        integrity.guard_write(self._log(conn), self._key, held=held)

    def _insert_grants(self, conn: Any, grants: list[Grant]) -> None:
        marks = ", ".join([self._mark] * 5)
        with contextlib.closing(conn.cursor()) as cursor:
            cursor.executemany(
                f"INSERT INTO zgc_grants ({_GRANT_COLUMNS}) VALUES ({marks})",
                [(g.user, g.role, ",".join(g.parks), g.granted_by, g.granted_at) for g in grants],
            )

    def _keep_an_admin(self, conn: Any, old: Grant | None, new: Grant | None) -> None:
        """Refuse to take the admin role from the last admin: nobody could grant it again."""
        if old is None or not old.administers or (new is not None and new.administers):
            return
        admins = [g for g in self._log(conn).replayed_grants().values() if g.administers]
        if len(admins) <= 1:
            raise OptionError(
                f"{old.user!r} is the workspace's last admin; grant the admin role to someone else first"
            )

    def _check(self, conn: Any, refusal: AccessRefusedError | None) -> None:
        """Log ``refusal`` (if any) in this transaction and stop; :meth:`_write` commits it, then raises."""
        if refusal is None:
            return
        self._lock_chain(conn)
        self._audit(conn, [refusal_row(refusal)])
        raise _LoggedRefusalError(refusal)

    @contextlib.contextmanager
    def _write(self) -> Iterator[Any]:
        """:meth:`_writing`, except that a refusal raised by :meth:`_check` commits its audit row first."""
        refused: AccessRefusedError | None = None
        with self._writing() as conn:
            try:
                yield conn
            except _LoggedRefusalError as stop:
                refused = stop.refusal
        if refused is not None:
            raise refused from None

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

    def _dumped(self, conn: Any, inventories: list[tuple[InventoryInfo, Any]]) -> WorkspaceDump:
        """The dump of ``inventories`` with every decision, the whole log (with hashes) and the grants."""
        log = self._log(conn)
        return WorkspaceDump(
            inventories,
            log.decisions(),
            audit_frame(list(log.rows_after(0))),
            log.stored_grants(),
            log.creator(),
        )

    def _restore_log(self, conn: Any, dump: WorkspaceDump, *, source: str, user: str) -> None:
        """Write the dump's log (ids and hashes as they are), decisions and grants, then log the copy."""
        rows = sealed_rows(dump.audit)
        if rows:
            self._insert_audit(conn, rows)
            self._set_head(conn, int(rows[-1][0]), str(rows[-1][-1]))
        decisions = dump.decisions.astype(object).where(dump.decisions.notna(), None)
        with contextlib.closing(conn.cursor()) as cursor:
            cursor.executemany(self._upsert_decision, list(decisions.itertuples(index=False, name=None)))
        conn.execute("DELETE FROM zgc_grants")
        self._insert_grants(conn, dump.grants)
        self._audit(conn, [copy_row(source, user, len(rows), dump.creator)])

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
