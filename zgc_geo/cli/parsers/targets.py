"""Arguments of ``zgc-geo targets`` (handler: :mod:`zgc_geo.cli.targets`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from zgc_geo.cli.parsers.common import DEFAULT_LANG, LANGS


def add_targets_command(sub: argparse._SubParsersAction) -> None:
    """Register ``targets`` on the main parser's subcommands."""
    targets = sub.add_parser(
        "targets",
        help="progress against the 2020 targets (专栏一): required and actual values, on or off track",
        description="Judge actual values against each 2020 target's yearly path (§七(三)). Exit 0: written; "
        "1: rows of the actuals had errors (listed; the rest judged); 2: unreadable input or bad usage.",
    )
    targets.add_argument(
        "--actuals",
        type=Path,
        required=True,
        help="CSV or XLSX: 指标/indicator, 年份/year, 数值/value[, 分园, 来源]",
    )
    targets.add_argument("--out", type=Path, required=True, help="the progress table: .xlsx or .csv")
    targets.add_argument("--year", type=int, help="the year to judge (default: every year in the actuals)")
    targets.add_argument(
        "--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the table (default zh)"
    )
    targets.add_argument("--rules", type=Path, help="thresholds (TOML; default layers/target_progress.toml)")
    targets.set_defaults(handler="zgc_geo.cli.targets:cmd_targets")
