"""Arguments of ``zgc-geo coverage`` (handler: :mod:`zgc_geo.cli.coverage`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

from zgc_geo.cli.parsers.common import add_lang_option

DEFAULT_RADIUS_KM: Final = 3.0


def add_coverage_command(sub: argparse._SubParsersAction) -> None:
    """Register ``coverage`` on the main parser's subcommands."""
    coverage = sub.add_parser(
        "coverage",
        help="park × cluster matrix, plan-consistency findings (§五(一), §五(二)1) and spatial coverage",
        description="Writes sheets matrix, matrix_long, findings, coverage, bth_distances and "
        "bth_steering. Exit codes: 0 done, 1 the --plots file has errors, 2 unreadable input or "
        "bad options.",
    )
    coverage.add_argument("--out", type=Path, required=True, help="the workbook to write (.xlsx)")
    coverage.add_argument(
        "--plots", type=Path, help="idle-plot inventory (any format zgc-geo validate reads) to count too"
    )
    coverage.add_argument(
        "--radius-km",
        type=float,
        default=DEFAULT_RADIUS_KM,
        help=f"reach of a feature park in km (default {DEFAULT_RADIUS_KM:g})",
    )
    coverage.add_argument("--crs", help="the --plots file's CRS when it declares none: EPSG:4548, gcj02 …")
    add_lang_option(coverage)
    coverage.set_defaults(handler="zgc_geo.cli.coverage:cmd_coverage")
