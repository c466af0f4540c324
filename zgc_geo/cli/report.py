"""``zgc-geo report``: the annual evaluation report; 0 written, 1 rows of the actuals had errors, 2 unreadable
or bad usage (the errors become exit 2 in :func:`zgc_geo.cli.command.main`)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Final

import pandas as pd

from zgc_geo.errors import OptionError
from zgc_geo.monitoring.actuals import merged, public_actuals, read_actuals
from zgc_geo.monitoring.progress import load_thresholds, targets_with_rules
from zgc_geo.monitoring.report import make_report, write_report
from zgc_geo.plan_data import PlanData, plan_from_catalogue
from zgc_geo.settings import WORKSPACE_ENV

OUT_SUFFIXES: Final = (".pdf", ".docx", ".xlsx")


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report of ``args.year`` to ``args.out``; print what it says and every problem."""
    out: Path = args.out
    if out.suffix.lower() not in OUT_SUFFIXES:
        raise OptionError(f"cannot write {out.name}: use .pdf, .docx or .xlsx")
    if not out.parent.is_dir():
        raise OptionError(f"cannot write {out}: the folder {out.parent} does not exist")
    plan = plan_from_catalogue()
    thresholds = load_thresholds()
    targets = targets_with_rules()
    values = public_actuals(targets)  # the shipped public figures, under the workspace's and the file's
    measures, problems = None, []
    address = args.workspace or os.environ.get(WORKSPACE_ENV, "").strip() or None
    if address is not None:
        from zgc_geo.monitoring.league import workspace_measures  # noqa: PLC0415 - the workspace only when named
        from zgc_geo.workspace import open_workspace  # noqa: PLC0415

        store = open_workspace(address)
        values = merged(values, store.plan_actuals())
        measures = workspace_measures(store, list(plan.parks["park_id"]))
    if args.actuals is not None:
        read = read_actuals(args.actuals, targets)
        problems += read.problems
        values = merged(values, read.values)
    names = dict(
        zip(plan.parks["park_id"], plan.parks["name_zh" if args.lang == "zh" else "name_en"], strict=True)
    )
    report = make_report(
        values,
        args.year,
        thresholds,
        measures=measures,
        park_names=names,
        lang=args.lang,
        today=dt.date.today(),
    )
    map_png = _league_png(plan, measures, names, args.lang) if out.suffix.lower() != ".xlsx" else None
    write_report(report, out, map_png)
    counts = report.counts
    print(f"report {args.year}: {', '.join(f'{k} {v}' for k, v in counts.items())}")
    for problem in problems:
        print(f"  {problem}")
    print(f"wrote {out}")
    return 1 if problems else 0


def _league_png(plan: PlanData, measures: pd.DataFrame | None, names: dict[str, str], lang: str) -> bytes:
    """The park league map (idle land revitalised) printed at 200 dpi, offline."""
    from zgc_geo.export.printing import export_map  # noqa: PLC0415 - Chromium only for the map
    from zgc_geo.i18n import translate  # noqa: PLC0415
    from zgc_geo.mapping.league_map import build_league_map  # noqa: PLC0415
    from zgc_geo.mapping.print_layout import PrintSpec  # noqa: PLC0415

    park_ids = list(plan.parks["park_id"])
    values = measures["revitalised_ha"] if measures is not None else pd.Series(float("nan"), index=park_ids)
    title = translate("league.measure.revitalised_ha", lang)
    m = build_league_map(plan.parks, plan.districts, values, names, title=title, lang=lang)
    spec = PrintSpec(title=translate("report.league", lang), subtitle=title, dpi=200, lang=lang)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(prefix="zgc-report-") as scratch:
        png = Path(scratch) / "league.png"
        export_map(m, png, spec)
        return png.read_bytes()
