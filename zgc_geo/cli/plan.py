"""``zgc-geo layers`` and ``zgc-geo check``: the shipped plan layers, listed and checked."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import unicodedata
from collections.abc import Sequence

import pandas as pd

from zgc_geo.catalogue import catalogue, layer_spec, load_layer
from zgc_geo.cli.command import EXIT_DATA_ERROR, EXIT_OK
from zgc_geo.export.safety import neutralise_formulas
from zgc_geo.plan_consistency import check_plan_consistency
from zgc_geo.plan_data import plan_from_catalogue


def cmd_layers(args: argparse.Namespace) -> int:
    """``zgc-geo layers [NAME]``: the catalogue, or one layer's features, as text, CSV or JSON."""
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


def cmd_check(args: argparse.Namespace) -> int:
    """``zgc-geo check``: every cross-layer finding, then the count; exit 1 when any is an error."""
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
