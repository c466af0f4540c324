"""``zgc-geo stock``: analyse an idle-plot inventory from the command line, optionally via the workspace."""

from __future__ import annotations

import argparse
from concurrent.futures import Future, ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd

from zgc_geo.cli.importing import EXIT_HAS_ERRORS, EXIT_USABLE, import_options, print_result
from zgc_geo.export.layers import write_layer
from zgc_geo.importing.pipeline import import_file
from zgc_geo.memory import gc_paused
from zgc_geo.plan_data import PlanData, plan_from_catalogue
from zgc_geo.settings import user_name
from zgc_geo.stock.analysis import analyse_stock
from zgc_geo.stock.scenario import scenario_from_file

SUMMARY_COLUMNS = ("park_id", "idle_plots", "idle_area_ha", "idle_area_mu", "extra_floor_area_m2")


def cmd_stock(args: argparse.Namespace) -> int:
    """``zgc-geo stock``: import, analyse and write the plots with their results; 0 done, 1 has errors."""
    # A batch run (see zgc_geo.memory: 1.2 s of 17 s per 1M plots went to collecting); the plan's layers
    # are read and validated on a second core while the inventory is imported.
    with gc_paused(), ThreadPoolExecutor(1) as pool:
        return _stock(args, pool.submit(plan_from_catalogue))


def _stock(args: argparse.Namespace, plan: Future[PlanData]) -> int:
    args.kind = "plots"
    result = import_file(args.path, import_options(args, "plots"))
    print_result(result)
    if result.frame is None or not result.report.usable:
        print(f"  nothing analysed: fix the errors in {args.path.name} first")
        return EXIT_HAS_ERRORS
    plots = result.frame
    result.read = None  # the file as read is not needed again (0.15 GB per 1M plots)
    if args.workspace:
        from zgc_geo.workspace import name_from_text, open_workspace, redacted  # noqa: PLC0415 - --workspace only

        store = open_workspace(args.workspace)
        name = name_from_text(args.path.stem)
        store.save_inventory(
            name, plots, title=args.path.name, source=str(args.path), user=user_name(), replace=True
        )
        stored = store.load_inventory(name)  # the analysis sees what every later session will see
        result.outlines = _outlines_of(stored, plots, result.take_outlines())
        plots = stored
        where = redacted(store.address)
        print(f"  stored as inventory {name!r} in {where} (decisions kept for unchanged plot ids)")
    scenario = scenario_from_file(args.scenario) if args.scenario else None
    analysis = analyse_stock(
        plots,
        plan.result(),
        scenario=scenario,
        reference_year=args.reference_year,
        outlines=result.take_outlines(),  # held by the analysis alone: freed once it has measured the plots
    )
    print()
    print(_summary_text(analysis.summary))
    problems = write_layer(
        analysis.plots,
        args.out,
        tables={"per_park_summary": analysis.summary, "parameters": analysis.parameters},
        lang=args.lang,
    )
    for problem in problems:
        print(f"  {problem}")
    print(f"\nwrote {len(analysis.plots)} plot(s) with results to {args.out}")
    return EXIT_USABLE


def _outlines_of(
    stored: gpd.GeoDataFrame, imported: gpd.GeoDataFrame, outlines: gpd.GeoSeries | None
) -> gpd.GeoSeries | None:
    """The import's outlines for the stored frame when its geometries are the very objects the import
    checked (a load right after the save gives them back), else None: the analysis measures afresh."""
    if outlines is None or len(stored) != len(imported):
        return None
    same = np.fromiter(map(id, stored.geometry.array), np.int64, len(stored)) == np.fromiter(
        map(id, imported.geometry.array), np.int64, len(imported)
    )
    return outlines.set_axis(stored.index) if same.all() else None


def _summary_text(summary: pd.DataFrame) -> str:
    columns = [c for c in SUMMARY_COLUMNS if c in summary.columns]
    table = summary[columns].copy()
    for column in columns[1:]:
        table[column] = pd.to_numeric(table[column], errors="coerce").round(1)
    return "per-park summary 分园汇总\n" + table.to_string(index=False)
