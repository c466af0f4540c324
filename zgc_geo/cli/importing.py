"""``zgc-geo validate`` and ``zgc-geo convert``: the import pipeline from the command line.

Also the import helpers every command reading a user's file shares (``stock``, ``site``, ``coverage``,
``workspace import``); what only ``validate --report`` or ``convert`` needs is imported in those handlers.
"""

from __future__ import annotations

import argparse
import sys
from typing import Final

from zgc_geo.errors import DatumError
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.pipeline import ImportOptions, ImportResult, import_file

EXIT_USABLE: Final = 0
EXIT_HAS_ERRORS: Final = 1
#: Shown problems per run; the full list goes to --report.
MAX_PROBLEMS_PRINTED: Final = 50


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


def cmd_validate(args: argparse.Namespace) -> int:
    """``zgc-geo validate``: the verdict and the problems; 0 usable, 1 has errors."""
    result = import_file(args.path, import_options(args, args.kind))
    print_result(result)
    if args.report:
        from zgc_geo.importing.report_export import write_report  # noqa: PLC0415 - only --report writes one

        write_report(result.report, args.report, lang=args.lang)
        print(f"  report written to {args.report}")
    usable = result.report.usable and (result.frame is not None or result.raster is not None)
    return EXIT_USABLE if usable else EXIT_HAS_ERRORS


def cmd_convert(args: argparse.Namespace) -> int:
    """``zgc-geo convert``: the file in another format and CRS; 0 written, 1 the source has errors."""
    from zgc_geo.datums import DATUMS, convert_geodataframe, normalize_datum  # noqa: PLC0415 - convert only
    from zgc_geo.export.layers import write_layer  # noqa: PLC0415 - validate writes no layer

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
