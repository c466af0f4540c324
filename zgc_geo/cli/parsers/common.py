"""Options shared by several commands: the language of a workbook and how to read a user's file."""

from __future__ import annotations

import argparse
import sys
from typing import Final

#: :data:`zgc_geo.i18n.LANGS` and :data:`zgc_geo.i18n.DEFAULT_LANG`, written out so that building the parser
#: imports no pandas (a test checks they stay equal).
LANGS: Final = ("zh", "en")
DEFAULT_LANG: Final = "zh"
#: :data:`zgc_geo.importing.pipeline.AUTO_KIND` and ``IMPORT_KINDS``, written out for the same reason.
AUTO_KIND: Final = "auto"
IMPORT_KINDS: Final = ("plots", "parks", "layer")
#: :data:`zgc_geo.cli.command.EXIT_USAGE`, written out for the same reason.
EXIT_USAGE: Final = 2


def help_and_bad_usage(parser: argparse.ArgumentParser) -> int:
    """A command family named without its action (``zgc-geo workspace``): its help on stderr, bad usage."""
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def add_crs_option(parser: argparse.ArgumentParser, flag: str, what: str) -> None:
    """A CRS option stored as ``args.crs``, whatever its flag is called."""
    parser.add_argument(flag, dest="crs", help=f"{what}: EPSG:4548, EPSG:4527, wgs84, gcj02, bd09 …")


def add_lang_option(parser: argparse.ArgumentParser) -> None:
    """``--lang zh|en``: the language of an XLSX output; GIS formats and CSV keep the canonical names."""
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default=DEFAULT_LANG,
        help="language of XLSX sheet names and headers, with a 字段说明/Fields sheet giving each "
        "header's canonical field name and unit (default zh); GIS formats and CSV keep the field names",
    )


def add_reading_options(parser: argparse.ArgumentParser) -> None:
    """The options every command reading a plot inventory takes, as `zgc-geo validate` has them."""
    add_crs_option(parser, "--crs", "the file's CRS when it declares none (or to override it)")
    parser.add_argument("--encoding", help="text encoding of the attributes, e.g. GBK or UTF-8")
    parser.add_argument("--layer", help="layer (GeoPackage, KML) or sheet (XLSX) to read")
    add_table_options(parser)


def add_table_options(parser: argparse.ArgumentParser) -> None:
    """The CSV/XLSX column options shared by every command that imports a file."""
    group = parser.add_argument_group("CSV/XLSX columns (detected from the headers when not given)")
    group.add_argument("--x-column", help="column with longitude / easting")
    group.add_argument("--y-column", help="column with latitude / northing")
    group.add_argument("--wkt-column", help="column with WKT geometries")
    parser.add_argument(
        "--swap-axes",
        action="store_true",
        help="read each first coordinate as latitude / northing (for files written latitude first)",
    )
