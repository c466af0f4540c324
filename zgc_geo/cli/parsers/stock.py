"""Arguments of ``zgc-geo stock`` (handler: :mod:`zgc_geo.cli.stock`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from zgc_geo.cli.parsers.common import add_lang_option, add_reading_options


def add_stock_command(sub: argparse._SubParsersAction) -> None:
    """Register ``stock`` on the main parser's subcommands."""
    stock = sub.add_parser(
        "stock",
        help="analyse an idle-plot inventory: per-park summary, FAR scenario, priorities, suggestions",
        description="Same validation and exit codes as `zgc-geo validate`: 0 done (warnings allowed), "
        "1 the inventory has errors, 2 unreadable. The output format comes from OUT's extension.",
    )
    stock.add_argument("path", type=Path, help="the inventory (any format zgc-geo validate reads)")
    stock.add_argument(
        "--out", type=Path, required=True, help="plot results: .gpkg .geojson .zip .kml .csv .xlsx"
    )
    stock.add_argument(
        "--scenario", type=Path, help="plot-ratio scenario (TOML or JSON); default: layers/stock_rules.toml"
    )
    stock.add_argument(
        "--workspace", help="also store the inventory in this workspace (a .gpkg path or postgresql:// URL)"
    )
    stock.add_argument("--reference-year", type=int, help="year idle time is counted to (default: this year)")
    add_reading_options(stock)
    add_lang_option(stock)
    stock.set_defaults(handler="zgc_geo.cli.stock:cmd_stock")
