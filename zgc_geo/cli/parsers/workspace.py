"""Arguments of ``zgc-geo workspace …`` (handlers: :mod:`zgc_geo.cli.workspace`, :mod:`zgc_geo.cli.roles`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

from zgc_geo.cli.parsers.common import add_lang_option, add_reading_options, help_and_bad_usage
from zgc_geo.cli.parsers.roles import add_role_commands

AUDIT_SUFFIXES: Final = (".csv", ".xlsx")


def add_workspace_command(sub: argparse._SubParsersAction) -> None:
    """Register ``workspace`` and its subcommands on the main parser's subcommands."""
    workspace = sub.add_parser(
        "workspace",
        help="the shared workspace (GeoPackage file or PostGIS database): "
        "init, import, decide, audit, verify, acknowledge, copy, grant, revoke, users",
        description="--workspace takes a GeoPackage path or a postgresql://user@host:port/db URL "
        "(default: $ZGC_GEO_WORKSPACE, else workspace.gpkg). Edits are recorded as $ZGC_GEO_USER "
        "(else your login name). Exit codes: 0 done, 1 refused or broken, 2 unreadable input or bad usage.",
    )
    workspace.set_defaults(handler=lambda _args: help_and_bad_usage(workspace))
    commands = workspace.add_subparsers(title="workspace commands", metavar="COMMAND")

    init = commands.add_parser("init", help="create the workspace, or upgrade it to this zgc-geo's schema")
    add_workspace_option(init)
    init.set_defaults(handler="zgc_geo.cli.workspace:cmd_init")

    imp = commands.add_parser(
        "import",
        help="validate a plot inventory like `zgc-geo validate` and store it in the workspace",
        description="Exit codes: 0 stored (warnings allowed), 1 the file has errors (nothing stored), "
        "2 unreadable.",
    )
    imp.add_argument("path", type=Path, help="the inventory (any format zgc-geo validate reads)")
    imp.add_argument(
        "--name", required=True, help="inventory name: lower-case letters, digits, _ (e.g. haidian_2024)"
    )
    imp.add_argument("--title", help="what the inventory is (default: the file name)")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="replace an inventory of that name (decisions of plots that remain are kept)",
    )
    add_reading_options(imp)
    add_workspace_option(imp)
    imp.set_defaults(handler="zgc_geo.cli.workspace:cmd_import")

    decide = commands.add_parser(
        "decide",
        help="apply review decisions from a CSV, each in its own transaction with a version check",
        description="EDITS is a UTF-8 CSV with columns plot_id, review_status and optionally note, mode, "
        "expected_version; review_status is a key (deferred) or its Chinese label (暂缓). An empty cell "
        "leaves that field unchanged; an empty expected_version applies the row to the plot's current "
        "version, a given one is refused (result 'conflict') when the plot has "
        "moved on, never retried. The report has one row per edit, in order: plot_id, result "
        "(applied|conflict|refused|error), version, message. Exit codes: 0 every row applied, 1 some did "
        "not, 2 the file is unreadable or lacks a required column.",
    )
    decide.add_argument("name", help="the inventory")
    decide.add_argument("--from", dest="edits", type=Path, required=True, help="the edits CSV")
    decide.add_argument("--report", type=Path, help="write the report to this .csv (default: print it)")
    add_workspace_option(decide)
    decide.set_defaults(handler="zgc_geo.cli.workspace:cmd_decide")

    audit = commands.add_parser(
        "audit",
        help="export an inventory's audit log (with the workspace-level rows and the chain hashes)",
    )
    audit.add_argument("name", help="the inventory")
    audit.add_argument("--out", type=Path, required=True, help=f"the file: {' or '.join(AUDIT_SUFFIXES)}")
    add_workspace_option(audit)
    add_lang_option(audit)
    audit.set_defaults(handler="zgc_geo.cli.workspace:cmd_audit")

    verify = commands.add_parser(
        "verify",
        help="recompute the audit chain and replay every decision; print the head to record",
        description="Exit codes: 0 intact, 1 broken (every finding is listed, acknowledged ones marked).",
    )
    add_workspace_option(verify)
    verify.set_defaults(handler="zgc_geo.cli.workspace:cmd_verify")

    acknowledge = commands.add_parser(
        "acknowledge",
        help="as an admin, acknowledge what verify found, so that edits resume",
        description="Exit codes: 0 acknowledged (or nothing to acknowledge), 1 refused (not an admin).",
    )
    acknowledge.add_argument(
        "--note", required=True, help="what was found and done about it (kept in the log)"
    )
    add_workspace_option(acknowledge)
    acknowledge.set_defaults(handler="zgc_geo.cli.workspace:cmd_acknowledge")

    copy = commands.add_parser(
        "copy",
        help="copy a whole workspace, history and hashes included, GeoPackage ↔ PostGIS",
        description="DST must be new or empty; roles are copied too. Only an admin of SRC may copy it. "
        "Exit codes: 0 the copy verifies as the source does, 1 not (or refused).",
    )
    copy.add_argument("src", help="the workspace to copy: a .gpkg path or a postgresql:// URL")
    copy.add_argument("dst", help="an empty workspace: a new .gpkg path or a postgresql:// URL")
    copy.set_defaults(handler="zgc_geo.cli.workspace:cmd_copy")

    add_role_commands(commands, add_workspace_option)


def add_workspace_option(parser: argparse.ArgumentParser) -> None:
    """``--workspace``: a GeoPackage path or a PostGIS URL (default: ``$ZGC_GEO_WORKSPACE``)."""
    parser.add_argument(
        "--workspace",
        help="GeoPackage path or postgresql://user@host:port/db URL "
        "(default: $ZGC_GEO_WORKSPACE, else workspace.gpkg)",
    )
