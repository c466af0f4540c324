"""``zgc-geo targets``: the progress table; 0 written, 1 rows of the actuals had errors, 2 unreadable or
bad usage (the errors become exit 2 in :func:`zgc_geo.cli.command.main`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

import pandas as pd

from zgc_geo.errors import OptionError
from zgc_geo.export.tables import write_worded_table
from zgc_geo.monitoring.actuals import read_actuals
from zgc_geo.monitoring.progress import COLUMNS, STATUSES, load_thresholds, progress_table, targets_with_rules
from zgc_geo.monitoring.table import worded

OUT_SUFFIXES: Final = (".xlsx", ".csv")


def cmd_targets(args: argparse.Namespace) -> int:
    """Write the progress table of ``args.actuals`` to ``args.out`` and print the statuses' counts."""
    out: Path = args.out
    if out.suffix.lower() not in OUT_SUFFIXES:
        raise OptionError(f"cannot write {out.name}: use .xlsx or .csv")
    if not out.parent.is_dir():
        raise OptionError(f"cannot write {out}: the folder {out.parent} does not exist")
    thresholds = load_thresholds(args.rules)
    actuals = read_actuals(args.actuals, targets_with_rules())
    zone = actuals.zone()
    years = [args.year] if args.year is not None else sorted(set(zone["year"]))
    problems = list(actuals.problems)
    if not years:
        problems.append(
            "no zone-wide value to judge (rows naming a park are per-park values); nothing judged"
        )
    table = progress_table(zone, years, thresholds)
    shown = worded(table, args.lang) if len(table) else pd.DataFrame(columns=list(COLUMNS))
    write_worded_table(out, shown, lang=args.lang)
    counts = table["status"].value_counts() if len(table) else pd.Series(dtype=int)
    print(
        f"{args.actuals.name}: {len(table)} indicator-year(s) for {', '.join(map(str, years)) or 'no year'}"
    )
    for status in STATUSES:
        print(f"  {status}: {int(counts.get(status, 0))}")
    for problem in problems:
        print(f"  {problem}")
    print(f"wrote {out}")
    return 1 if problems else 0
