"""The audit log as a hash chain, and the decisions as the replay of that log.

Each audit row carries ``hash = SHA-256(previous row's hash + the row's canonical content)``,
the first row chaining to :data:`GENESIS`. Changing, inserting or deleting a row without
recomputing every later hash breaks the chain at that row; deleting rows at the end is caught
by the head (last id and hash) that every write stores beside the log. Decisions are derived
state: replaying the ``decide`` and ``undo`` rows in order must give exactly the stored
decisions, so a decision changed without its audit row is caught too.

What this does **not** stop: someone who can write the storage and recomputes the chain from
the altered row on (the algorithm is public). Recording the head that ``zgc-geo workspace
verify`` prints (in minutes, an e-mail) and comparing it later detects that too.

Everything here is pure: both backends feed it rows and act on the findings it returns.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from zgc_geo.workspace.rights import Grant, parse_summary
from zgc_geo.workspace.store import AUDIT_COLUMNS, DEFAULT_REVIEW_STATUS

#: The "previous hash" of the first audit row.
GENESIS: Final = "0" * 64
#: Audit actions that change a decision, and so are replayed.
DECISION_ACTIONS: Final = ("decide", "undo")
#: Actions recording that an admin has seen a failed verification (their ``new_value`` lists the keys).
ACKNOWLEDGE_ACTION: Final = "acknowledge"
#: Decision fields compared with their replay, with the stored value a plot has before any change.
REPLAYED_FIELDS: Final = {"review_status": DEFAULT_REVIEW_STATUS, "note": None, "mode": None}
_JSON: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
#: Columns of the decisions a backend hands to :func:`decision_findings`.
DECISION_ROW: Final = ("inventory", "plot_id", "review_status", "note", "mode", "version", "updated_at",
                       "updated_by")  # fmt: skip


def canonical(row: Sequence[Any]) -> bytes:
    """The row's content (the :data:`AUDIT_COLUMNS`, in order) as compact UTF-8 JSON.

    Integers stay integers and missing values are ``null``, so both backends, and a copy from
    one to the other, produce the same bytes for the same row.
    """
    values = [None if _absent(v) else (int(v) if isinstance(v, int | np.integer) else str(v)) for v in row]
    return _JSON(values).encode("utf-8")


def _absent(value: object) -> bool:
    """None, pd.NA or NaN; cheaper than pd.isna, which would triple the cost of verifying a long log."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def row_hash(previous: str, row: Sequence[Any]) -> str:
    """The hash of one audit row chained to the previous row's hash."""
    return hashlib.sha256(previous.encode("ascii") + canonical(row)).hexdigest()


def seal(rows: Iterable[Sequence[Any]], last_id: int, last_hash: str) -> list[tuple[Any, ...]]:
    """Number the new rows (``AUDIT_COLUMNS[1:]`` each) after ``last_id`` and chain them.

    Returns full rows: the :data:`AUDIT_COLUMNS` followed by the hash. Ids are consecutive, so
    a deleted row shows as a gap even where its neighbours' hashes were recomputed.
    """
    sealed = []
    for offset, row in enumerate(rows, start=1):
        full = (last_id + offset, *row)
        last_hash = row_hash(last_hash, full)
        sealed.append((*full, last_hash))
    return sealed


@dataclass(frozen=True)
class Finding:
    """One thing verification found broken: a log row, a gap, the head, or a decision.

    ``key`` identifies exactly this damage (it includes the damaged content's digest), so an
    admin's acknowledgement covers what they saw and not a later change to the same row.
    """

    kind: str  # "audit_row", "audit_gap", "audit_head", "decision"
    key: str
    message: str
    audit_id: int | None = None
    inventory: str | None = None
    plot_id: str | None = None
    #: Which sentence ``message`` is, and its values, so a page can say it in its own language.
    template: str = ""
    values: tuple[tuple[str, Any], ...] = ()


@dataclass
class ChainState:
    """How far the chain has been checked: the last row verified, and what was found up to it."""

    last_id: int = 0
    last_hash: str = GENESIS
    previous_hash: str = GENESIS  # the hash of row last_id - 1, to check row last_id again
    findings: list[Finding] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)  # finding key → "who at when"


def check_rows(state: ChainState, rows: Iterable[Sequence[Any]]) -> ChainState:
    """Continue the chain check over ``rows`` (AUDIT_COLUMNS + hash, by id) after ``state``.

    Each row's stored hash must equal the hash of its content chained to the previous row's
    stored hash, and ids must follow on without gaps. Checking against the *stored* previous
    hash keeps one altered row one finding, instead of flagging every row after it.
    """
    findings, acknowledged = list(state.findings), dict(state.acknowledged)
    last_id, last_hash, previous_hash = state.last_id, state.last_hash, state.previous_hash
    index = AUDIT_COLUMNS.index
    for row in rows:
        audit_id, stored = int(row[0]), str(row[-1]) if row[-1] is not None else ""
        content = row[:-1]
        if audit_id != last_id + 1:
            findings.append(_gap_finding(last_id + 1, audit_id - 1))
        if row_hash(last_hash, content) != stored:
            findings.append(_row_finding(content, stored))
        if content[index("action")] == ACKNOWLEDGE_ACTION:
            who = f"{content[index('user')]} at {content[index('time')]}"
            for key in json.loads(str(content[index("new_value")] or "[]")):
                acknowledged[str(key)] = who
        last_id, last_hash, previous_hash = audit_id, stored, last_hash
    return ChainState(last_id, last_hash, previous_hash, findings, acknowledged)


def _gap_finding(first: int, last: int) -> Finding:
    return Finding(
        "audit_gap",
        f"audit_gap:{first - 1}:{last + 1}",
        f"audit rows {first}–{last} are missing: they were deleted outside zgc-geo",
        audit_id=first,
        template="audit_gap",
        values=(("first", first), ("last", last)),
    )


def _row_finding(content: Sequence[Any], stored: str) -> Finding:
    """A row whose content, chained to the previous row's hash, does not give its stored hash."""
    row = dict(zip(AUDIT_COLUMNS, content, strict=True))
    plot = _text(row["plot_id"])
    digest = hashlib.sha256(canonical(content) + stored.encode()).hexdigest()[:16]
    return Finding(
        "audit_row",
        f"audit_row:{row['audit_id']}:{digest}",
        f"audit row {row['audit_id']} ({row['action']} by {row['user']} at {row['time']}, "
        f"plot {plot or '—'}) does not match its hash: the row, or the hash of the row before it, "
        "was changed outside zgc-geo",
        audit_id=int(row["audit_id"]),
        inventory=_text(row["inventory"]),
        plot_id=plot,
        template="audit_row",
        values=(
            ("row", int(row["audit_id"])),
            ("action", row["action"]),
            ("user", row["user"]),
            ("time", row["time"]),
            ("plot", plot or "—"),
        ),
    )


def rewound(state: ChainState) -> ChainState:
    """``state`` one row back, so that its last row is checked again (content and hash) on the next pass."""
    if not state.last_id:
        return state
    kept = [f for f in state.findings if f.audit_id != state.last_id]
    return ChainState(state.last_id - 1, state.previous_hash, GENESIS, kept, dict(state.acknowledged))


def head_findings(state: ChainState, head: tuple[int, str] | None) -> list[Finding]:
    """The head stored beside the log must name the log's last row; otherwise rows were cut off."""
    if head is None or head == (state.last_id, state.last_hash):
        return []
    head_id, head_hash = head
    if head_id > state.last_id:
        template, values = "audit_tail_missing", (("first", state.last_id + 1), ("last", head_id))
        message = (
            f"audit rows {state.last_id + 1}–{head_id} are missing at the end of the log: they were "
            "deleted outside zgc-geo"
        )
    else:
        template, values = "audit_head_behind", (("head", head_id), ("last", state.last_id))
        message = (
            f"the log's head records row {head_id} but the log ends at row {state.last_id}: rows were "
            "added or the head was changed outside zgc-geo"
        )
    return [Finding("audit_head", f"audit_head:{head_id}:{head_hash[:16]}:{state.last_id}", message,
                    audit_id=min(head_id, state.last_id) + 1, template=template, values=values)]  # fmt: skip


def replay(audit: pd.DataFrame) -> pd.DataFrame:
    """The decisions the log implies: per plot, the last value of each field, version, who and when.

    ``audit`` has the :data:`AUDIT_COLUMNS`. Returns one row per (inventory, plot_id) with
    :data:`DECISION_ROW` columns. Vectorised: one sort and a few group-wise "last" picks.
    """
    changes = audit[audit["action"].isin(DECISION_ACTIONS) & audit["plot_id"].notna()]
    changes = changes.sort_values("audit_id", kind="stable")
    keys = ["inventory", "plot_id"]
    last = changes.drop_duplicates(keys, keep="last").set_index(keys)
    result = pd.DataFrame(
        {"version": last["version"], "updated_at": last["time"], "updated_by": last["user"]}, index=last.index
    )
    values = changes.drop_duplicates([*keys, "field"], keep="last")
    for name, default in REPLAYED_FIELDS.items():
        of_field = values[values["field"] == name].set_index(keys)["new_value"].astype(object)
        touched = result.index.isin(of_field.index)
        latest = of_field.reindex(result.index)
        result[name] = [(None if _missing(v) else v) if t else default
                        for v, t in zip(latest.tolist(), touched, strict=True)]  # fmt: skip
    return result.reset_index()[list(DECISION_ROW)]


def decision_findings(decisions: pd.DataFrame, audit: pd.DataFrame) -> list[Finding]:
    """Every stored decision that differs from its replay, and every replayed one that is missing.

    One outer join and column-wise comparisons; messages are built only for the rows that differ.
    """
    keys = ["inventory", "plot_id"]
    merged = decisions[list(DECISION_ROW)].merge(
        replay(audit), on=keys, how="outer", suffixes=("_have", "_want"), indicator=True
    )
    differs = (merged["_merge"] != "both").to_numpy().copy()
    for column in DECISION_ROW[2:]:
        have, want = (
            _comparable(merged[f"{column}_have"], column),
            _comparable(merged[f"{column}_want"], column),
        )
        same = (have == want).fillna(False).to_numpy(dtype=bool) | (have.isna() & want.isna()).to_numpy()
        differs |= ~same
    findings = []
    for row in merged[differs].sort_values(keys).to_dict("records"):
        have = None if row["_merge"] == "right_only" else _values(row, "_have")
        want = None if row["_merge"] == "left_only" else _values(row, "_want")
        findings.append(_decision_finding(str(row["inventory"]), str(row["plot_id"]), have, want))
    return findings


def plot_finding(
    inventory: str, plot_id: str, decision: Sequence[Any] | None, changes: Sequence[Sequence[Any]]
) -> Finding | None:
    """:func:`decision_findings` for one plot in plain Python: the check before every write.

    ``decision`` is the stored row (DECISION_ROW[2:]) or None; ``changes`` are the plot's
    decide/undo rows as (audit_id, time, user, field, new_value, version). The finding, if
    any, is identical (key included) to the one the whole-workspace check gives.
    """
    want: tuple[Any, ...] | None = None
    if changes:
        values: dict[str, Any] = dict(REPLAYED_FIELDS)
        for _, _, _, name, new_value, _ in sorted(changes, key=lambda change: int(change[0])):
            values[name] = None if _missing(new_value) else str(new_value)
        _, time, user, _, _, version = max(changes, key=lambda change: int(change[0]))
        want = (values["review_status"], values["note"], values["mode"], int(version), str(time), str(user))
    have = None
    if decision is not None:
        have = tuple(None if _missing(v) else (int(v) if i == 3 else str(v)) for i, v in enumerate(decision))
    return None if have == want else _decision_finding(inventory, plot_id, have, want)


def _decision_finding(
    inventory: str, plot_id: str, have: tuple[Any, ...] | None, want: tuple[Any, ...] | None
) -> Finding:
    plot = f"the decision of plot {plot_id!r} in inventory {inventory!r}"
    if want is None:
        template, message = (
            "decision_unlogged",
            f"{plot} ({_describe(have)}) has no audit row: it was written outside zgc-geo",
        )
    elif have is None:
        template, message = (
            "decision_deleted",
            f"{plot} was deleted outside zgc-geo; its log says {_describe(want)}",
        )
    else:
        template = "decision_changed"
        message = (
            f"{plot} is {_describe(have)} but its log says {_describe(want)}: it was changed outside zgc-geo"
        )
    digest = hashlib.sha256(json.dumps([have, want], default=str).encode()).hexdigest()[:16]
    values = (("plot", plot_id), ("inventory", inventory), ("stored", have), ("logged", want))
    return Finding("decision", f"decision:{inventory}:{plot_id}:{digest}", message, inventory=inventory,
                   plot_id=plot_id, template=template, values=values)  # fmt: skip


def _comparable(values: pd.Series, column: str) -> pd.Series:
    if column == "version":
        return pd.to_numeric(values, errors="coerce").astype("Int64")
    return values.astype("string")


def _values(row: dict[str, Any], suffix: str) -> tuple[Any, ...]:
    cells = [row[f"{c}{suffix}"] for c in DECISION_ROW[2:]]
    return tuple(None if _missing(v) else (int(v) if c == "version" else str(v))
                 for c, v in zip(DECISION_ROW[2:], cells, strict=True))  # fmt: skip


def _describe(values: tuple[Any, ...] | None) -> str:
    if values is None:
        return "none"
    status, note, mode, version, at, by = values
    return (
        f"review status {status}, note {note or '—'}, mode {mode or '—'}, version {version} by {by} at {at}"
    )


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str | bytes) and bool(pd.isna(value)))


def _text(value: object) -> str | None:
    return None if _missing(value) else str(value)


def grant_finding(user: str, stored: Grant | None, logged: Grant | None) -> Finding | None:
    """The finding when ``user``'s stored grant is not what the log granted them; None when it is.

    ``logged`` is the replay: the latest grant or revoke row of the user, or an admin's grant
    for the workspace's creator when the log holds none.
    """
    have = None if stored is None else stored.summary
    want = None if logged is None else logged.summary
    if have == want:
        return None
    message = (
        f"the role of {user!r} is {have or 'none'} but its log says {want or 'none'}: "
        "the grants were changed outside zgc-geo"
    )
    digest = hashlib.sha256(json.dumps([user, have, want]).encode()).hexdigest()[:16]
    values = (("user", user), ("stored", have or "—"), ("logged", want or "—"))
    return Finding("grant", f"grant:{user}:{digest}", message, template="grant_changed", values=values)


def replay_grants(logged: Iterable[Sequence[Any]], creator: str | None) -> dict[str, Grant]:
    """The grants the log implies: ``logged`` is (field, new_value) of grant and revoke rows, oldest first.

    The creator is an admin until a row says otherwise; a revoke removes the user.
    """
    replayed: dict[str, Grant | None] = {} if creator is None else {creator: Grant(creator, "admin")}
    for field_name, new_value in logged:
        user = str(field_name).removeprefix("role:")
        replayed[user] = parse_summary(user, None if _missing(new_value) else str(new_value))
    return {user: grant for user, grant in replayed.items() if grant is not None}


def grant_findings(stored: Mapping[str, Grant], replayed: Mapping[str, Grant]) -> list[Finding]:
    """Every user whose stored grant differs from what the log granted them."""
    found = (grant_finding(u, stored.get(u), replayed.get(u)) for u in sorted(set(stored) | set(replayed)))
    return [f for f in found if f is not None]
