"""``zgc-geo validate`` and ``zgc-geo convert``: the import pipeline from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

from zgc_geo.datums import DATUMS, convert_geodataframe, normalize_datum
from zgc_geo.errors import DatumError
from zgc_geo.export.layers import write_layer
from zgc_geo.i18n import DEFAULT_LANG, LANGS
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.pipeline import AUTO_KIND, IMPORT_KINDS, ImportOptions, ImportResult, import_file
from zgc_geo.importing.report_export import write_report

EXIT_USABLE: Final = 0
EXIT_HAS_ERRORS: Final = 1
#: Shown problems per run; the full list goes to --report.
MAX_PROBLEMS_PRINTED: Final = 50


def add_import_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``validate`` and ``convert`` on the main parser's subcommands."""
    validate = sub.add_parser(
        "validate",
        help="check a file (shapefile, zip, GeoJSON, GeoPackage, KML/KMZ, CSV/XLSX, GeoTIFF) and report",
        description="Exit codes: 0 usable (warnings allowed), 1 has errors, 2 unreadable.",
    )
    validate.add_argument("path", type=Path)
    _add_crs_options(validate, "--crs", "the file's CRS when it declares none (or to override it)")
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
    validate.set_defaults(handler=_cmd_validate)

    convert = sub.add_parser(
        "convert",
        help="convert between formats and CRSs (gcj02 and bd09 accepted as CRS names)",
        description="The output format comes from DST's extension: "
        ".gpkg .geojson .zip (shapefile) .kml .csv .xlsx",
    )
    convert.add_argument("src", type=Path)
    convert.add_argument("dst", type=Path)
    _add_crs_options(convert, "--src-crs", "CRS of SRC when it declares none (or to override it)")
    convert.add_argument(
        "--dst-crs", default="EPSG:4326", help="CRS of DST (default EPSG:4326; gcj02, bd09 allowed)"
    )
    convert.add_argument("--encoding", help="text encoding of SRC's attributes, e.g. GBK")
    convert.add_argument("--layer", help="layer or sheet of SRC to read")
    add_table_options(convert)
    add_lang_option(convert)
    convert.set_defaults(handler=_cmd_convert)


def _add_crs_options(parser: argparse.ArgumentParser, flag: str, what: str) -> None:
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
    _add_crs_options(parser, "--crs", "the file's CRS when it declares none (or to override it)")
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


def local_file_options(kind: str, **options: object) -> ImportOptions:
    """Import options for a file the user named on the command line: their own file, not an upload, so
    no upload size cap (the archive guards stay; see :meth:`ImportLimits.from_env`)."""
    return ImportOptions(kind=kind, limits=ImportLimits.from_env(local=True), **options)  # type: ignore[arg-type]


def import_options(args: argparse.Namespace, kind: str) -> ImportOptions:
    """Import options from the parsed command line."""
    return local_file_options(
        kind,
        crs=args.crs,
        encoding=args.encoding,
        layer=args.layer,
        x_column=args.x_column,
        y_column=args.y_column,
        wkt_column=args.wkt_column,
        swap_axes=args.swap_axes,
    )


def print_result(result: ImportResult) -> None:
    """The verdict line, then the problems (capped) and any CRS candidates."""
    print(result.verdict)
    for problem in result.report.problems[:MAX_PROBLEMS_PRINTED]:
        print(f"  {problem}")
    hidden = len(result.report.problems) - MAX_PROBLEMS_PRINTED
    if hidden > 0:
        print(f"  … and {hidden} more (write them all with --report FILE)")
    for candidate in result.crs_candidates[:5]:
        print(f"  candidate CRS: --crs {candidate.key}  ({candidate.label}; {candidate.reason})")


def _cmd_validate(args: argparse.Namespace) -> int:
    result = import_file(args.path, import_options(args, args.kind))
    print_result(result)
    if args.report:
        write_report(result.report, args.report, lang=args.lang)
        print(f"  report written to {args.report}")
    usable = result.report.usable and (result.frame is not None or result.raster is not None)
    return EXIT_USABLE if usable else EXIT_HAS_ERRORS


def _cmd_convert(args: argparse.Namespace) -> int:
    result = import_file(args.src, import_options(args, "layer"))
    if result.frame is None or not result.report.usable:
        print_result(result)
        print(f"  nothing written: fix the errors in {args.src.name} first", file=sys.stderr)
        return EXIT_HAS_ERRORS
    frame, crs = result.frame, args.dst_crs
    try:
        datum = normalize_datum(crs)
    except DatumError:
        datum = None
    if datum in DATUMS and datum != "wgs84":
        # GCJ-02 / BD-09 are lon/lat labelled EPSG:4326 by convention; shift, then write as such.
        frame, crs = convert_geodataframe(frame, "wgs84", datum), "EPSG:4326"
    problems = write_layer(frame, args.dst, crs=crs, lang=args.lang)
    print(f"converted {len(frame)} feature(s): {args.src} → {args.dst} ({args.dst_crs})")
    for problem in [*result.report.warnings, *problems]:
        print(f"  {problem}")
    return EXIT_USABLE
