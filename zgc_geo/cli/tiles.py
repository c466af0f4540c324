"""``zgc-geo tiles``: local basemap tiles for intranets — unpack an MBTiles file, list the tile sets."""

from __future__ import annotations

import argparse
from pathlib import Path

from zgc_geo.mapping.local_tiles import local_tile_sets, tiles_from_mbtiles, tiles_root

EXIT_OK = 0


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
    unpack.set_defaults(handler=_cmd_unpack)
    listing = actions.add_parser("list", help="list the tile sets the app offers as basemaps")
    listing.set_defaults(handler=_cmd_list)
    tiles.set_defaults(handler=_cmd_list)


def _cmd_unpack(args: argparse.Namespace) -> int:
    folder = tiles_from_mbtiles(args.mbtiles, args.name, datum=args.datum, overwrite=args.overwrite)
    print(f"unpacked {args.mbtiles.name} into {folder}; choose 'local:{args.name}' as the basemap")
    return EXIT_OK


def _cmd_list(args: argparse.Namespace) -> int:
    sets = local_tile_sets()
    if not sets:
        print(
            f"no local tile sets in {tiles_root()}: unpack one with `zgc-geo tiles unpack FILE --name NAME`"
        )
    for tile_set in sets:
        state = (
            tile_set.problem
            or f"zoom {tile_set.min_zoom}–{tile_set.max_zoom}, .{tile_set.ext}, {tile_set.datum}"
        )
        print(f"local:{tile_set.name}  {state}  ({tile_set.path})")
    return EXIT_OK
