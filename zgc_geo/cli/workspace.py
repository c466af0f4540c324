"""``zgc-geo workspace``: create, fill, edit, audit, verify and copy a workspace from the command line.

The same commands work on a GeoPackage file and on a PostGIS database: ``--workspace`` takes a
path or a ``postgresql://`` URL (default: ``$ZGC_GEO_WORKSPACE``). Exit codes follow
``zgc-geo validate``: 0 done, 1 something was refused or found broken, 2 unreadable input or bad
usage. Addresses are always printed without their password.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Final, TextIO

import pandas as pd

from zgc_geo.cli.parsers.workspace import AUDIT_SUFFIXES
from zgc_geo.errors import (
    ConcurrentEditError,
    OptionError,
    UnreadableInputError,
    WorkspaceError,
    WorkspaceIntegrityError,
    ZgcGeoError,
)
from zgc_geo.export.safety import csv_bytes, neutralise_formulas
from zgc_geo.export.tables import write_tables
from zgc_geo.i18n import translate
from zgc_geo.settings import user_name
from zgc_geo.user_files import read_user_text
from zgc_geo.workspace import (
    AUDIT_EXPORT_COLUMNS,
    REVIEW_STATUSES,
    IntegrityReport,
    WorkspaceStore,
    copy_workspace,
    open_workspace,
    redacted,
)
from zgc_geo.workspace.store import WORKSPACE_SCOPE, check_name, unknown_inventory, utc_now

#: The exit codes of ``zgc-geo validate``, which every workspace command follows (2 is argparse's and main's).
EXIT_USABLE: Final = 0
EXIT_HAS_ERRORS: Final = 1
#: Columns of a ``decide`` edits file; the first two are required.
EDIT_COLUMNS: Final = ("plot_id", "review_status", "note", "mode", "expected_version")
REQUIRED_EDIT_COLUMNS: Final = EDIT_COLUMNS[:2]
#: Columns of the ``decide`` report, one row per edit in the edits file's order.
REPORT_COLUMNS: Final = ("plot_id", "result", "version", "message")
#: What each result means, for the summary lines.
RESULTS: Final = {
    "applied": "saved, each with its audit row",
    "conflict": "the plot changed since expected_version; nothing saved: reload it and apply again",
    "refused": "the row is invalid, your role does not allow it (the reason names the right missing) or "
    "the workspace failed verification; nothing saved",
    "error": "the storage failed; nothing saved for these rows: try them again",
}
#: A review status may also be given by its Chinese label, as planners write it (暂缓 = deferred).
STATUS_BY_LABEL: Final = {label.zh: key for key, label in REVIEW_STATUSES.items()}
#: Messages of rows that were not applied, printed under the summary (all are in the report).
SHOWN_PROBLEMS: Final = 10

log = logging.getLogger("zgc_geo")


def _shown_address(store: WorkspaceStore) -> str:
    """The workspace as a file may name it: a GeoPackage by its file name (never the server's folders),
    a database by its URL without the password."""
    return Path(store.address).name if store.backend == "GeoPackage" else redacted(store.address)


def _where(store: WorkspaceStore) -> str:
    return f"{store.backend} workspace {redacted(store.address)}"


def _open_existing(address: str | None) -> WorkspaceStore:
    """The workspace at ``address``; a GeoPackage that does not exist is refused, not silently created."""
    store = open_workspace(address)
    if store.backend == "GeoPackage" and not Path(store.address).exists():
        raise UnreadableInputError(
            f"there is no workspace {store.address}; check the path (or ZGC_GEO_WORKSPACE), or create it: "
            f"zgc-geo workspace init --workspace {store.address}"
        )
    return store


def _require_inventory(store: WorkspaceStore, name: str) -> None:
    """Stop with the valid names when ``name`` is not an inventory of ``store`` (bad usage: exit 2)."""
    check_name(name)
    known = [info.name for info in store.inventories()]
    if name not in known:
        raise OptionError(str(unknown_inventory(name, known, redacted(store.address))))


# -- init, import ------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    """``zgc-geo workspace init``: create or upgrade the workspace."""
    store = open_workspace(args.workspace)
    version = store.init()
    print(f"{_where(store)}: schema version {version}")
    return EXIT_USABLE


def cmd_import(args: argparse.Namespace) -> int:
    """``zgc-geo workspace import``: validate an inventory and store it."""
    check_name(args.name)  # a bad name is bad usage: say so before the (slow) validation
    # The import pipeline loads the readers of every format: only this workspace command needs it.
    from zgc_geo.cli.importing import import_options, print_result  # noqa: PLC0415
    from zgc_geo.importing.pipeline import import_file  # noqa: PLC0415

    result = import_file(args.path, import_options(args, "plots"))
    print_result(result)
    if result.frame is None or not result.report.usable:
        print(f"  nothing stored: fix the errors in {args.path.name} first")
        return EXIT_HAS_ERRORS
    store = open_workspace(args.workspace)
    info = store.save_inventory(
        args.name,
        result.frame,
        title=args.title or args.path.name,
        source=str(args.path),
        user=user_name(),
        replace=args.replace,
    )
    print(f"stored {info.plot_count} plot(s) as inventory {info.name!r} in {_where(store)}")
    return EXIT_USABLE


# -- decide --------------------------------------------------------------------------------------


def cmd_decide(args: argparse.Namespace) -> int:
    """``zgc-geo workspace decide``: apply the edits CSV row by row and report each."""
    if args.report is not None:
        _check_output(args.report, (".csv",))
    edits = edits_from_file(args.edits)
    store = _open_existing(args.workspace)
    _require_inventory(store, args.name)
    report = apply_edits(store, args.name, edits, user=user_name(), source=args.edits.name)
    out: TextIO = sys.stdout
    if args.report is None:
        sys.stdout.write(neutralise_formulas(report).to_csv(index=False))
        out = sys.stderr  # stdout is the report: keep it a clean CSV
    else:
        _write_atomically(args.report, csv_bytes(report))
    _print_decide_summary(report, out)
    if args.report is not None:
        print(f"report written to {args.report}", file=out)
    return EXIT_USABLE if (report["result"] == "applied").all() else EXIT_HAS_ERRORS


def edits_from_file(path: Path) -> pd.DataFrame:
    """The edits of ``path`` as text cells (stripped; empty = leave unchanged) with every EDIT_COLUMN.

    Raises
    ------
    UnreadableInputError
        The file is missing, not UTF-8 (GBK is recognised and named), not CSV, or lacks a
        required column.
    """
    try:
        text = read_user_text(path, what="edits file", error=UnreadableInputError)
    except UnreadableInputError as error:
        raise UnreadableInputError(f"{error}{_gbk_hint(path)}") from error
    try:
        edits = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError as error:
        raise UnreadableInputError(
            f"{path}: the edits file is empty; its first line must name the columns: "
            f"{', '.join(EDIT_COLUMNS)}"
        ) from error
    except pd.errors.ParserError as error:
        raise UnreadableInputError(f"{path}: not a readable CSV ({error}); save it as CSV UTF-8") from error
    edits.columns = [str(c).strip().lower() for c in edits.columns]
    missing = [c for c in REQUIRED_EDIT_COLUMNS if c not in edits.columns]
    if missing:
        raise UnreadableInputError(
            f"{path}: the edits file lacks the column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(repr, edits.columns)) or 'none'}. Required: {', '.join(REQUIRED_EDIT_COLUMNS)}; "
            f"optional: {', '.join(EDIT_COLUMNS[2:])}"
        )
    ignored = [c for c in edits.columns if c not in EDIT_COLUMNS]
    if ignored:
        print(
            f"zgc-geo: warning: {path.name}: ignored column(s) {', '.join(map(repr, ignored))}; "
            f"the edit columns are {', '.join(EDIT_COLUMNS)}",
            file=sys.stderr,
        )
    for column in EDIT_COLUMNS:
        edits[column] = edits[column].str.strip() if column in edits.columns else ""
    return edits[list(EDIT_COLUMNS)]


def _gbk_hint(path: Path) -> str:
    """A hint when undecodable bytes are GBK (Excel's 'CSV' on Chinese Windows), else nothing."""
    try:
        Path(path).read_bytes().decode("gb18030")
    except (OSError, UnicodeDecodeError):
        return ""
    return (
        " It looks like GBK/GB18030 (Excel's plain 'CSV' on Chinese Windows): save it as 'CSV UTF-8', "
        "or convert it, e.g. iconv -f GBK -t UTF-8."
    )


def apply_edits(
    store: WorkspaceStore, name: str, edits: pd.DataFrame, *, user: str, source: str
) -> pd.DataFrame:
    """Apply each edit in its own transaction and say what became of it (the REPORT_COLUMNS).

    A stale ``expected_version`` is reported as a conflict and never retried: the user saw an
    older state, and only they can judge whether their change still holds.
    """
    rows = []
    for position, edit in enumerate(edits.itertuples(index=False)):
        line = position + 2  # the header is line 1, as a spreadsheet numbers rows
        rows.append(
            _apply_edit(store, name, edit, user=user, note=f"zgc-geo workspace decide {source} row {line}")
        )
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS)).astype({"version": "Int64"})


def _apply_edit(
    store: WorkspaceStore, name: str, edit: tuple[str, ...], *, user: str, note: str
) -> tuple[str, str, int | None, str]:
    """One edit in one transaction: (plot_id, result, version, message)."""
    plot_id, status, decision_note, mode, expected = edit
    wanted = (("review_status", STATUS_BY_LABEL.get(status, status)), ("note", decision_note), ("mode", mode))
    changes: dict[str, str | None] = {field: value for field, value in wanted if value}
    problem = _edit_problem(plot_id, changes, expected)
    if problem:
        return plot_id, "refused", None, problem
    try:
        decision = store.record_decision(
            name, plot_id, changes, expected_version=int(expected) if expected else None, user=user, note=note
        )
    except Exception as error:  # one bad row must not lose the report of the rows already saved
        result = _result_of(error)
        if result == "conflict":
            return plot_id, result, _current_version(store, name, plot_id), str(error)
        if isinstance(error, ZgcGeoError):
            return plot_id, result, None, str(error)
        log.exception("decide: plot %r", plot_id)
        return plot_id, result, None, f"internal error ({type(error).__name__}: {error}); please report it"
    message = f"now version {decision.version}: review status {decision.review_status}"
    return plot_id, "applied", decision.version, message


def _edit_problem(plot_id: str, changes: dict[str, str | None], expected: str) -> str | None:
    """Why the edit cannot even be tried, or None."""
    if not plot_id:
        return "plot_id is empty; give the plot's id"
    if not changes:
        return "nothing to change: review_status, note and mode are all empty"
    if expected and not re.fullmatch(r"\d+", expected):
        return (
            f"expected_version {expected!r} is not a whole number ≥ 0; give the version you loaded, "
            "or leave the cell empty to apply the change to the current version"
        )
    return None


def _result_of(error: Exception) -> str:
    """conflict (a stale version), refused (the row or the workspace's state), or error (the storage)."""
    if isinstance(error, ConcurrentEditError):
        return "conflict"
    if isinstance(error, OptionError | WorkspaceIntegrityError):
        return "refused"
    if isinstance(error, WorkspaceError):
        # The store's own refusals (unknown plot) have no cause; a storage failure wraps the driver's error.
        return "refused" if error.__cause__ is None or isinstance(error.__cause__, ZgcGeoError) else "error"
    return "error"


def _current_version(store: WorkspaceStore, name: str, plot_id: str) -> int | None:
    try:
        return store.decision(name, plot_id).version
    except ZgcGeoError:
        return None


def _print_decide_summary(report: pd.DataFrame, out: TextIO) -> None:
    counts = Counter(report["result"])
    for result, meaning in RESULTS.items():
        print(f"{result}: {counts.get(result, 0)} row(s) — {meaning}", file=out)
    problems = report[report["result"] != "applied"]
    for line, row in problems.head(SHOWN_PROBLEMS).iterrows():
        print(
            f"  row {int(line) + 2}, plot {row['plot_id'] or '—'}: {row['result']}: {row['message']}",
            file=out,
        )
    if len(problems) > SHOWN_PROBLEMS:
        print(f"  … and {len(problems) - SHOWN_PROBLEMS} more (see the report)", file=out)


# -- audit ---------------------------------------------------------------------------------------

#: The values an import or replacement records, ``300 plots``: the workbook words them in its language.
_PLOT_COUNT: Final = re.compile(r"(\d+) plots")


def _counts_worded(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The log with the plot counts of imports and replacements in ``lang`` (English: as recorded)."""
    rows = rows.copy()
    counted = rows["action"].isin(["import", "replace"])
    for column in ("old_value", "new_value"):
        found = rows.loc[counted, column].astype("string").str.fullmatch(_PLOT_COUNT.pattern).fillna(False)
        where = found[found].index
        rows.loc[where, column] = [
            translate("export.info.plot_count", lang, count=int(str(v).split()[0]))
            for v in rows.loc[where, column]
        ]
    return rows


#: The rows of an audit workbook's Export sheet (导出信息), in order.
EXPORT_INFO_KEYS: Final = (
    "export.info.workspace",
    "export.info.backend",
    "export.info.inventory",
    "export.info.exported_at",
    "export.info.exported_by",
    "export.info.rows",
)


def cmd_audit(args: argparse.Namespace) -> int:
    """``zgc-geo workspace audit``: export an inventory's audit log."""
    suffix = _check_output(args.out, AUDIT_SUFFIXES)
    store = _open_existing(args.workspace)
    _require_inventory(store, args.name)
    full = store.audit_log()  # one read: the inventory's rows and the workspace's are from one state
    rows = full[full["inventory"].isin([args.name, WORKSPACE_SCOPE])].reset_index(drop=True)
    rows = rows[list(AUDIT_EXPORT_COLUMNS)]
    if suffix == ".csv":
        _write_atomically(args.out, csv_bytes(rows))
    else:
        rows = _counts_worded(rows, args.lang)
        about = pd.DataFrame(
            {
                # Named in the workbook's language; English keeps the keys scripts read (about["backend"]).
                "parameter": [translate(key, args.lang) for key in EXPORT_INFO_KEYS],
                "value": [
                    _shown_address(store),
                    store.backend,
                    args.name,
                    utc_now(),
                    user_name(),
                    str(len(rows)),
                ],
            }
        )
        # The audit columns are a contract: --lang en keeps their names and values (zh heads them in Chinese).
        tables = {"audit": rows, "export": about}
        for problem in write_tables(args.out, tables, lang=args.lang, contract=("audit",)):
            print(f"  {problem}")
    scope = int((rows["inventory"] == WORKSPACE_SCOPE).sum())
    print(
        f"wrote {len(rows)} audit row(s) of inventory {args.name!r} ({scope} of them workspace-level) "
        f"from {_where(store)} to {args.out}"
    )
    return EXIT_USABLE


# -- verify, acknowledge, copy -------------------------------------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    """``zgc-geo workspace verify``: check the audit chain and the decisions; 0 intact, 1 broken."""
    store = _open_existing(args.workspace)
    report = store.verify()
    print_report(report)
    return EXIT_USABLE if report.intact else EXIT_HAS_ERRORS


def print_report(report: IntegrityReport) -> None:
    """Where, how much was checked, the head to record, the verdict, every finding and the notes."""
    print(f"{report.backend} workspace {redacted(report.address)}")
    print(f"  schema version: {report.schema_version}")
    print(f"  audit rows checked: {report.rows_checked}")
    if report.head is None:
        print("  head: none (the log is empty)")
    else:
        head_id, head_hash = report.head
        print(f"  head: row {head_id} hash {head_hash}")
        print("    (record it: a later verify showing another hash for this row means the log was rewritten)")
    if report.intact:
        print("INTACT: the audit chain is unbroken and every decision equals the replay of its log")
    else:
        open_count = len(report.unacknowledged)
        first = next((f for f in report.findings if f.audit_id is not None), None)
        where = f"; first broken audit row: {first.audit_id}" if first is not None else ""
        print(
            f"BROKEN: {len(report.findings)} finding(s), {open_count} not acknowledged{where}"
            + ("; edits are refused until an admin acknowledges them" if open_count else "")
        )
        for finding in report.findings:
            seen = report.acknowledged.get(finding.key)
            print(f"  {finding.message}" + (f" (acknowledged by {seen})" if seen else ""))
    for note in report.notes:
        print(f"  note: {note}")


def cmd_acknowledge(args: argparse.Namespace) -> int:
    """``zgc-geo workspace acknowledge``: as an admin, accept what verify found so that edits resume."""
    store = _open_existing(args.workspace)
    report = store.verify()
    if not report.unacknowledged:
        state = "intact" if report.intact else "broken, but every finding is already acknowledged"
        print(f"{_where(store)} is {state}: nothing to acknowledge")
        return EXIT_USABLE
    store.acknowledge(report, user=user_name(), note=args.note)  # a refusal (not the admin) exits 1
    print(f"acknowledged {len(report.unacknowledged)} finding(s) of {_where(store)} as {user_name()}:")
    for finding in report.unacknowledged:
        print(f"  {finding.message}")
    print("edits are accepted again; the findings stay in `zgc-geo workspace verify`, marked acknowledged")
    return EXIT_USABLE


def cmd_copy(args: argparse.Namespace) -> int:
    """``zgc-geo workspace copy``: copy a workspace and check the copy verifies as the source does."""
    source = _open_existing(args.src)
    before = source.verify()
    report = copy_workspace(args.src, args.dst, user=user_name())
    target = open_workspace(args.dst)
    infos = target.inventories()
    audit = target.audit_log()
    decided = audit[audit["action"].isin(("decide", "undo"))][["inventory", "plot_id"]].drop_duplicates()
    print(
        f"copied {len(infos)} inventory(ies) ({sum(i.plot_count for i in infos)} plot(s)), {len(decided)} "
        f"decision(s), {len(target.grants())} role(s) and {len(audit) - 1} audit row(s) from "
        f"{_where(source)} to {_where(target)}"
    )
    print_report(report)
    same = {f.key for f in report.findings} == {f.key for f in before.findings}
    if same:
        print("the copy verifies as the source does")
        return EXIT_USABLE
    print(
        f"the copy does NOT verify as the source does ({len(before.findings)} finding(s) in the source, "
        f"{len(report.findings)} in the copy); do not use it: report this"
    )
    return EXIT_HAS_ERRORS


# -- files ---------------------------------------------------------------------------------------


def _check_output(path: Path, suffixes: tuple[str, ...]) -> str:
    """The lower-case suffix of ``path`` if it is one of ``suffixes`` and its folder exists."""
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        raise OptionError(
            f"cannot write {path.name}: files ending in {suffix or '(nothing)'} are not supported; "
            f"use {' or '.join(suffixes)}"
        )
    if not path.parent.is_dir():
        raise OptionError(f"cannot write {path}: the folder {path.parent} does not exist")
    return suffix


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it: never a half-written file."""
    temporary = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"  # not mkstemp: its 0600 would stick
    try:
        with temporary.open("xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
