"""Arguments of ``zgc-geo validate`` and ``zgc-geo convert`` (handlers: :mod:`zgc_geo.cli.importing`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from zgc_geo.cli.parsers.common import (
    AUTO_KIND,
    IMPORT_KINDS,
    add_crs_option,
    add_lang_option,
    add_table_options,
)


def add_import_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``validate`` and ``convert`` on the main parser's subcommands."""
    validate = sub.add_parser(
        "validate",
        help="check a file (shapefile, zip, GeoJSON, GeoPackage, KML/KMZ, CSV/XLSX, GeoTIFF) and report",
        description="Exit codes: 0 usable (warnings allowed), 1 has errors, 2 unreadable.",
    )
    validate.add_argument("path", type=Path)
    add_crs_option(validate, "--crs", "the file's CRS when it declares none (or to override it)")
    validate.add_argument("--encoding", help="text encoding of the attributes, e.g. GBK or UTF-8")
    validate.add_argument(
        "--as",
        dest="kind",
        choices=(AUTO_KIND, *IMPORT_KINDS),
        default=AUTO_KIND,
        help="what the file is (default auto: a plot inventory when every feature is a polygon, else a "
        "layer; the report says which)",
    )
    validate.add_argument("--layer", help="layer (GeoPackage, KML) or sheet (XLSX) to read")
    add_table_options(validate)
    validate.add_argument("--report", type=Path, help="write the full report to this .csv or .xlsx file")
    add_lang_option(validate)
    validate.set_defaults(handler="zgc_geo.cli.importing:cmd_validate")

    convert = sub.add_parser(
        "convert",
        help="convert between formats and CRSs (gcj02 and bd09 accepted as CRS names)",
        description="The output format comes from DST's extension: "
        ".gpkg .geojson .zip (shapefile) .kml .csv .xlsx",
    )
    convert.add_argument("src", type=Path)
    convert.add_argument("dst", type=Path)
    add_crs_option(convert, "--src-crs", "CRS of SRC when it declares none (or to override it)")
    convert.add_argument(
        "--dst-crs", default="EPSG:4326", help="CRS of DST (default EPSG:4326; gcj02, bd09 allowed)"
    )
    convert.add_argument("--encoding", help="text encoding of SRC's attributes, e.g. GBK")
    convert.add_argument("--layer", help="layer or sheet of SRC to read")
    add_table_options(convert)
    add_lang_option(convert)
    convert.set_defaults(handler="zgc_geo.cli.importing:cmd_convert")
