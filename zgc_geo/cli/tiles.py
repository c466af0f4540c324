"""``zgc-geo tiles``: local basemap tiles for intranets — unpack an MBTiles file, list the tile sets."""

from __future__ import annotations

import argparse

from zgc_geo.mapping.local_tiles import local_tile_sets, tiles_from_mbtiles, tiles_root

EXIT_OK = 0


def cmd_unpack(args: argparse.Namespace) -> int:
    """``zgc-geo tiles unpack``: an MBTiles file as a local basemap."""
    folder = tiles_from_mbtiles(args.mbtiles, args.name, datum=args.datum, overwrite=args.overwrite)
    print(f"unpacked {args.mbtiles.name} into {folder}; choose 'local:{args.name}' as the basemap")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    """``zgc-geo tiles [list]``: the local tile sets the app offers, or how to add one."""
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
