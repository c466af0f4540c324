"""Command-line interface: ``zgc-geo`` (also ``python -m zgc_geo``)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import unicodedata
from collections.abc import Sequence
from typing import Final

import pandas as pd

from zgc_geo import __version__
from zgc_geo.catalogue import catalogue, layer_spec, load_layer
from zgc_geo.cli.coverage import add_coverage_command
from zgc_geo.cli.importing import add_import_commands
from zgc_geo.cli.map import add_map_command
from zgc_geo.cli.siting import add_site_command
from zgc_geo.cli.stock import add_stock_command
from zgc_geo.cli.tiles import add_tiles_command
from zgc_geo.cli.workspace import add_workspace_command
from zgc_geo.errors import OptionError, PrintError, UnreadableInputError, ZgcGeoError
from zgc_geo.export.safety import neutralise_formulas
from zgc_geo.plan_consistency import check_plan_consistency
from zgc_geo.plan_data import plan_from_catalogue

EXIT_OK: Final = 0
#: The data broke a rule (a layer failed validation, the plan is inconsistent).
EXIT_DATA_ERROR: Final = 1
#: The command line was wrong or the input could not be read at all (argparse uses 2 too).
EXIT_USAGE: Final = 2
EXIT_INTERNAL: Final = 3

log = logging.getLogger("zgc_geo")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; errors become messages, never tracebacks."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except (UnreadableInputError, OptionError, PrintError) as exc:
        print(f"zgc-geo: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ZgcGeoError as exc:
        print(f"zgc-geo: error: {exc}", file=sys.stderr)
        return EXIT_DATA_ERROR
    except BrokenPipeError:
        return EXIT_OK
    except Exception:  # a bug: keep the traceback in the log, show the user a short line
        log.exception("internal error")
        print("zgc-geo: internal error (the traceback is above); please report it.", file=sys.stderr)
        return EXIT_INTERNAL


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zgc-geo",
        description="Planning workbench for the Zhongguancun National Independent Innovation "
        "Demonstration Zone (中关村国家自主创新示范区).",
    )
    parser.add_argument("--version", action="version", version=f"zgc-geo {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    layers = sub.add_parser("layers", help="list the shipped data layers (validated on load)")
    layers.add_argument(
        "name", nargs="?", help="list the features of this one layer, with their section references"
    )
    layers.add_argument(
        "--format",
        choices=("text", "csv", "json"),
        default="text",
        help="output format (default: text)",
    )
    layers.set_defaults(handler=_cmd_layers)

    check = sub.add_parser("check", help="check the plan data for cross-layer consistency")
    check.set_defaults(handler=_cmd_check)
    add_import_commands(sub)
    add_stock_command(sub)
    add_workspace_command(sub)
    add_tiles_command(sub)
    add_site_command(sub)
    add_map_command(sub)
    add_coverage_command(sub)
    return parser


def _cmd_layers(args: argparse.Namespace) -> int:
    if args.name:
        return _print_features(args.name, args.format)
    entries = catalogue()
    if args.format == "json":
        json.dump([dataclasses.asdict(e) for e in entries], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.format == "csv":
        table = pd.DataFrame([dataclasses.asdict(e) for e in entries])
        sys.stdout.write(neutralise_formulas(table).to_csv(index=False))
    else:
        header = ("layer", "features", "geometry", "CRS", "sections")
        rows = [(e.name, str(e.features), e.geometry_types, e.crs, e.sections or "—") for e in entries]
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        print(_row(header, widths))
        for entry, row in zip(entries, rows, strict=True):
            print(_row(row, widths))
            print(f"    {entry.title_zh} — {entry.title_en}")
            print(f"    source: {entry.source}")
            print(f"    licence: {entry.licence}")
    return EXIT_OK


def _print_features(name: str, output_format: str) -> int:
    spec = layer_spec(name)
    frame = load_layer(name)
    columns = [
        c
        for c in (spec.id_field, "name_zh", "name_en", "indicator_zh", "section", "location_accuracy")
        if c in frame.columns
    ]
    table = frame[columns]
    if output_format == "json":
        print(table.to_json(orient="records", force_ascii=False, indent=2))
    elif output_format == "csv":
        sys.stdout.write(neutralise_formulas(table).to_csv(index=False))
    else:
        rows = [tuple(str(v) for v in row) for row in table.itertuples(index=False)]
        widths = [max(_width(r[i]) for r in [tuple(columns), *rows]) for i in range(len(columns))]
        print(_row(columns, widths))
        for row in rows:
            print(_row(row, widths))
        print(f"{len(rows)} feature(s) in {spec.name} ({spec.title_en})")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    findings = check_plan_consistency(plan_from_catalogue())
    for finding in findings:
        print(finding)
    errors = sum(f.severity == "error" for f in findings)
    print(f"{errors} error(s), {len(findings) - errors} warning(s)")
    return EXIT_DATA_ERROR if errors else EXIT_OK


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(cells, widths, strict=True)).rstrip()
