"""Arguments of ``zgc-geo projects`` (handler: :mod:`zgc_geo.cli.projects`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from zgc_geo.cli.parsers.common import DEFAULT_LANG, LANGS, help_and_bad_usage


def add_projects_command(sub: argparse._SubParsersAction) -> None:
    """Register ``projects screen`` on the main parser's subcommands."""
    projects = sub.add_parser(
        "projects",
        help="new land-using projects: screen them against the prohibited/restricted catalogue (§五(二)2)",
        description="New land-using projects (§五(二)2).",
    )
    actions = projects.add_subparsers(title="actions", metavar="ACTION")
    screen = actions.add_parser(
        "screen",
        help="screen a project list: catalogue verdict, cluster fit and land-use intensity",
        description="Screen every project of a CSV or XLSX list against 《北京市新增产业的禁止和限制目录》, "
        "the park's clusters and the intensity thresholds. Exit 0: every project screened; 1: rows had "
        "errors (listed, the rest screened); 2: unreadable input or bad usage.",
    )
    screen.add_argument(
        "projects", type=Path, help="the project list (.csv or .xlsx), headers in Chinese or English"
    )
    screen.add_argument("--out", type=Path, required=True, help="the result: .xlsx, .csv or .gpkg")
    screen.add_argument(
        "--catalogue",
        type=Path,
        help="the catalogue as CSV or XLSX with columns code, measure, scope, condition, clause, edition "
        "(default: the shipped table, which holds only the rules public reports quote)",
    )
    screen.add_argument(
        "--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the result (default zh)"
    )
    screen.add_argument(
        "--rules", type=Path, help="intensity thresholds (TOML; default layers/project_rules.toml)"
    )
    screen.add_argument(
        "--workspace",
        help="workspace to find plots named by 地块编号/plot_id in (a .gpkg path or postgresql:// URL; "
        "default $ZGC_GEO_WORKSPACE, else plot ids cannot be located)",
    )
    screen.set_defaults(handler="zgc_geo.cli.projects:cmd_screen")
    projects.set_defaults(handler=lambda _args: help_and_bad_usage(projects))
