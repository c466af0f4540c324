"""Arguments of ``zgc-geo tiles unpack|list`` (handlers: :mod:`zgc_geo.cli.tiles`)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_tiles_command(sub: argparse._SubParsersAction) -> None:
    """Register ``tiles`` (with ``unpack`` and ``list``) on the main parser's subcommands."""
    tiles = sub.add_parser(
        "tiles", help="local basemap tiles for maps with no internet (MBTiles, XYZ folders)"
    )
    actions = tiles.add_subparsers(title="actions", metavar="ACTION")
    unpack = actions.add_parser("unpack", help="unpack a raster MBTiles file into static/tiles/NAME/")
    unpack.add_argument("mbtiles", type=Path)
    unpack.add_argument(
        "--name", required=True, help="tile-set name shown in the basemap list (a-z, 0-9, _ -)"
    )
    unpack.add_argument(
        "--datum",
        choices=("wgs84", "gcj02"),
        default="wgs84",
        help="datum of the tiles (Amap exports: gcj02)",
    )
    unpack.add_argument("--overwrite", action="store_true", help="replace a tile set of the same name")
    unpack.set_defaults(handler="zgc_geo.cli.tiles:cmd_unpack")
    listing = actions.add_parser("list", help="list the tile sets the app offers as basemaps")
    listing.set_defaults(handler="zgc_geo.cli.tiles:cmd_list")
    tiles.set_defaults(handler="zgc_geo.cli.tiles:cmd_list")
