"""``zgc-geo stock``: analyse an idle-plot inventory from the command line, optionally via the workspace."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import geopandas as gpd
import pandas as pd

from zgc_geo.cli.importing import EXIT_HAS_ERRORS, EXIT_USABLE, import_options, print_result
from zgc_geo.crs import STORAGE_CRS
from zgc_geo.export.layers import write_layer
from zgc_geo.i18n import strings
from zgc_geo.importing.pipeline import import_file
from zgc_geo.memory import gc_paused
from zgc_geo.plan_data import PlanData, plan_from_catalogue
from zgc_geo.projection import prepare_transformer
from zgc_geo.settings import user_name
from zgc_geo.stock.analysis import StockAnalysis, analyse_stock
from zgc_geo.stock.passthrough import with_passed_columns
from zgc_geo.stock.scenario import scenario_from_file

SUMMARY_COLUMNS = ("park_id", "idle_plots", "idle_area_ha", "idle_area_mu", "extra_floor_area_m2")


def cmd_stock(args: argparse.Namespace) -> int:
    """``zgc-geo stock``: import, analyse and write the plots with their results; 0 done, 1 has errors."""
    # A batch run (see zgc_geo.memory: 1.2 s of 17 s per 1M plots went to collecting); the plan's layers
    # are read and validated on a second core while the inventory is imported.
    with gc_paused(), ThreadPoolExecutor(1) as pool:
        return _stock(args, pool.submit(_plan_read_ahead))


def _plan_read_ahead() -> PlanData:
    """The plan's layers; before them the transformation to metres the import's checks will need (one PROJ
    set-up, 35–75 ms, which the checks would otherwise wait for), and the wording tables the written
    file's reasons will be put into (0.02 s of TOML that would otherwise be read when the first is)."""
    prepare_transformer(STORAGE_CRS)
    strings()
    return plan_from_catalogue()


def _stock(args: argparse.Namespace, plan: Future[PlanData]) -> int:
    args.kind = "plots"
    result = import_file(args.path, import_options(args, "plots"))
    print_result(result)
    if result.frame is None or not result.report.usable:
        print(f"  nothing analysed: fix the errors in {args.path.name} first")
        return EXIT_HAS_ERRORS
    plots = result.frame
    result.read = None  # the file as read is not needed again (0.15 GB per 1M plots)
    scenario = scenario_from_file(args.scenario) if args.scenario else None

    def analysed(frame: gpd.GeoDataFrame) -> StockAnalysis:
        return analyse_stock(
            frame,
            plan.result(),
            scenario=scenario,
            reference_year=args.reference_year,
            outlines=result.take_outlines(),  # held by the analysis alone: freed once it has measured them
            placed=result.placed,
        )

    analysis = _stored_and_analysed(args, plots, analysed) if args.workspace else analysed(plots)
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


def _stored_and_analysed(
    args: argparse.Namespace, plots: gpd.GeoDataFrame, analysed: Callable[[gpd.GeoDataFrame], StockAnalysis]
) -> StockAnalysis:
    """Store ``plots`` in the workspace and analyse them as it gives them back (what every later session
    sees): the imported frame is analysed while the store writes, and that analysis is kept when the
    stored frame is the imported one plus the decision columns (:mod:`zgc_geo.stock.passthrough`)."""
    from zgc_geo.workspace import name_from_text, open_workspace, redacted  # noqa: PLC0415 - --workspace only

    store = open_workspace(args.workspace)
    name = name_from_text(args.path.stem)
    with ThreadPoolExecutor(1) as pool:
        saving = pool.submit(
            store.save_inventory,
            name, plots, title=args.path.name, source=str(args.path), user=user_name(), replace=True,
        )  # fmt: skip
        early = analysed(plots)
        saving.result()
    stored = store.load_inventory(name)
    where = redacted(store.address)
    print(f"  stored as inventory {name!r} in {where} (decisions kept for unchanged plot ids)")
    return with_passed_columns(early, plots, stored) or analysed(stored)


def _summary_text(summary: pd.DataFrame) -> str:
    columns = [c for c in SUMMARY_COLUMNS if c in summary.columns]
    table = summary[columns].copy()
    for column in columns[1:]:
        table[column] = pd.to_numeric(table[column], errors="coerce").round(1)
    return "per-park summary 分园汇总\n" + table.to_string(index=False)
