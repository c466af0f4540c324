"""Arguments of ``zgc-geo report`` (handler: :mod:`zgc_geo.cli.report`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from zgc_geo.cli.parsers.common import DEFAULT_LANG, LANGS


def add_report_command(sub: argparse._SubParsersAction) -> None:
    """Register ``report`` on the main parser's subcommands."""
    report = sub.add_parser(
        "report",
        help="the annual evaluation report (§七(三)): progress, charts, the park league map, sources",
        description="Write the year's evaluation report as PDF, DOCX or XLSX from the workspace's actual "
        "values (and --actuals, which adds to or overrides them for this run). Exit 0: written; 1: rows of "
        "the actuals had errors (listed; the rest used); 2: unreadable input or bad usage.",
    )
    report.add_argument("--year", type=int, required=True, help="the year evaluated")
    report.add_argument("--out", type=Path, required=True, help="the report: .pdf, .docx or .xlsx")
    report.add_argument("--actuals", type=Path, help="CSV or XLSX of actual values for this run")
    report.add_argument(
        "--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the report (default zh)"
    )
    report.add_argument(
        "--workspace", help="the workspace (a .gpkg path or postgresql:// URL; default $ZGC_GEO_WORKSPACE)"
    )
    report.set_defaults(handler="zgc_geo.cli.report:cmd_report")
