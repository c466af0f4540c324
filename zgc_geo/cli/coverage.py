"""``zgc-geo coverage``: the park × cluster matrix, plan-consistency findings and spatial coverage as XLSX."""

from __future__ import annotations

import argparse
import math
import unicodedata
from collections import Counter
from typing import Final

import pandas as pd

from zgc_geo.cli.importing import EXIT_HAS_ERRORS, EXIT_USABLE, local_file_options, print_result
from zgc_geo.coverage.bth import CORE_PLACE_ID, steering_table, zone_distances
from zgc_geo.coverage.findings import FINDING_KINDS, findings_table, plan_findings
from zgc_geo.coverage.matrix import cell_label, coverage_matrix, matrix_wide
from zgc_geo.coverage.spatial import coverage_table
from zgc_geo.errors import OptionError
from zgc_geo.export.tables import write_tables
from zgc_geo.i18n import Lang
from zgc_geo.importing.pipeline import import_file
from zgc_geo.plan_data import PlanData, plan_from_catalogue

#: Role markers of the printed matrix: ● core (以……为核心), ○ focus (为重点).
MARKERS: Final = {"core": "●", "focus": "○", "": " "}
#: The park roles in English (以……为核心 = core, 为重点 = focus).
ROLE_EN: Final = {"core": "core", "focus": "focus"}


def cmd_coverage(args: argparse.Namespace) -> int:
    """``zgc-geo coverage``: the coverage workbook; 0 written, 1 the --plots file has errors."""
    if args.out.suffix.lower() != ".xlsx":
        raise OptionError(f"--out {args.out.name}: the coverage report is a workbook; name it *.xlsx")
    if not (math.isfinite(args.radius_km) and args.radius_km > 0):
        raise OptionError(
            f"--radius-km must be a number above 0 (got {args.radius_km:g}); e.g. --radius-km 3"
        )
    radius_m = args.radius_km * 1000.0
    plots = None
    if args.plots:
        imported = import_file(args.plots, local_file_options("plots", crs=args.crs))
        print_result(imported)
        if imported.frame is None or not imported.report.usable:
            print(f"  nothing written: fix the errors in {args.plots.name} first")
            return EXIT_HAS_ERRORS
        plots = imported.frame
    plan = plan_from_catalogue()
    long = coverage_matrix(plan)
    long["label"] = long.apply(cell_label, axis=1)
    findings = plan_findings(plan)
    coverage = coverage_table(plan, radius_m, plots)
    print(_matrix_text(long))
    print()
    counts = Counter(f.kind for f in findings)
    print(f"{len(findings)} finding(s): " + ", ".join(f"{counts[k]} {k}" for k in FINDING_KINDS))
    print()
    print(_coverage_text(coverage, args.radius_km))
    if args.lang == "en":
        long["label"] = long.apply(_cell_label_en, axis=1)
    tables = {
        "matrix": _matrix_sheet(long, plan, args.lang),
        "matrix_long": long,
        "findings": findings_table(findings),
        "coverage": coverage,
        "bth_distances": zone_distances(plan),
        "bth_steering": steering_table(plan),
    }
    for problem in write_tables(args.out, tables, lang=args.lang):
        print(f"  {problem}")
    print(f"\nwrote {', '.join(tables)} to {args.out} (BTH distances from {CORE_PLACE_ID}, 中关村大街)")
    return EXIT_USABLE


def _matrix_sheet(long: pd.DataFrame, plan: PlanData, lang: Lang) -> pd.DataFrame:
    """The park × cluster sheet: parks down, clusters across, named in ``lang``."""
    wide = matrix_wide(long, "label")
    if lang == "en":
        parks = dict(zip(plan.parks["name_zh"], plan.parks["name_en"], strict=True))
        clusters = dict(zip(plan.clusters["short_zh"], plan.clusters["short_en"], strict=True))
        wide = wide.rename(index=parks, columns=clusters)
        wide.index.name = "Park"
    return wide.reset_index()


def _cell_label_en(row: pd.Series) -> str:
    """A matrix cell in English, as :func:`zgc_geo.coverage.matrix.cell_label` words it in Chinese."""
    parts = [ROLE_EN[row["role"]]] if row["role"] in ROLE_EN else []
    if row["feature_parks"] or parts:
        parts.append(f"{int(row['feature_parks'])} feature park(s)")
    if row["innovation_centres"]:
        parts.append(f"{int(row['innovation_centres'])} innovation centre(s)")
    return " · ".join(parts)


def _matrix_text(long: pd.DataFrame) -> str:
    """Parks × clusters, each cell a role marker and the feature-park count (● core, ○ focus)."""
    cells = long.assign(cell=long["role"].map(MARKERS).fillna(" ") + long["feature_parks"].astype(str))
    wide = matrix_wide(cells, "cell")
    header = ["分园", *map(str, wide.columns)]
    rows = [[str(park), *map(str, values)] for park, values in zip(wide.index, wide.to_numpy(), strict=True)]
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "park × cluster: ● core (以……为核心), ○ focus (为重点), number = feature parks (§五(一), §五(二)1)"
    ]
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]]
    return "\n".join(lines)


def _coverage_text(coverage: pd.DataFrame, radius_km: float) -> str:
    """The core/focus rows of the coverage table: the parks each cluster is built on."""
    named = coverage[coverage["role"] != ""]
    columns = ["cluster_id", "park_id", "role", "covered_share"]
    columns += [c for c in ("plots", "plots_covered_share") if c in coverage.columns]
    table = named[columns].copy()
    for column in ("covered_share", "plots_covered_share"):
        if column in table.columns:
            table[column] = (table[column] * 100).round(0)
    title = f"share of core/focus parks within {radius_km:g} km of the cluster's feature parks (%, §五(一))"
    return title + "\n" + table.to_string(index=False)


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
