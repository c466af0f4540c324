"""Arguments of ``zgc-geo map`` (handler: :mod:`zgc_geo.cli.map`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

#: ``--layers`` names → the overview map's overlay ids (see print_layout.overlay_id); the
#: cluster ids of the plan (frontier_it, …) select one cluster's feature parks each.
LAYER_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "region": ("provinces",),
    "districts": ("districts",),
    "parks": ("parks",),
    "labels": ("zgc-label",),
    "cooperation": ("cooperation",),
    "fusion": ("fusion",),
}
FEATURE_PARKS: Final = "feature_parks"
#: :data:`zgc_geo.export.printing.FORMATS` and the print_layout constants below, written out so that
#: building the parser imports no folium (a test checks they stay equal).
FORMATS: Final = (".html", ".png", ".pdf")
PAPER_SIZES: Final = ("A4", "A3")
ORIENTATIONS: Final = ("landscape", "portrait")
LANGS: Final = ("zh", "en")
MIN_DPI: Final = 200


def add_map_command(sub: argparse._SubParsersAction) -> None:
    """Register ``map`` on the main parser's subcommands."""
    cmd = sub.add_parser(
        "map",
        help="export the overview map: standalone HTML, or PNG/PDF for print (offline)",
        description="Writes the overview map as one self-contained HTML file, or prints it with "
        "title, legend, scale bar, north arrow, source and date through Debian's headless Chromium. "
        "Exit codes: 0 written, 2 bad option or Chromium missing.",
    )
    cmd.add_argument("--out", type=Path, required=True, help=f"output file: OUT{'|'.join(FORMATS)}")
    cmd.add_argument(
        "--layers",
        help="comma list of layers to show (default all): "
        f"{', '.join([*LAYER_KEYS, FEATURE_PARKS])}, or cluster ids (frontier_it, bio_health, …)",
    )
    cmd.add_argument(
        "--bounds",
        metavar="SOUTH,WEST,NORTH,EAST",
        help="print this extent (degrees, WGS84) instead of the whole map, e.g. 39.85,116.2,40.05,116.45",
    )
    cmd.add_argument("--title", help="title (default: the zone's name in --lang)")
    cmd.add_argument("--subtitle", help="subtitle (default: what the map shows, in --lang)")
    cmd.add_argument("--paper", choices=PAPER_SIZES, default="A4", help="paper size (default A4)")
    cmd.add_argument("--orientation", choices=ORIENTATIONS, default="landscape", help="default landscape")
    cmd.add_argument("--dpi", type=int, default=MIN_DPI, help=f"PNG resolution, at least {MIN_DPI} (default)")
    cmd.add_argument("--lang", choices=LANGS, default="zh", help="language of title and notes (default zh)")
    cmd.set_defaults(handler="zgc_geo.cli.map:cmd_map")
