"""``zgc-geo projects screen``: screen a project list; 0 every project screened, 1 rows had errors,
2 unreadable input or bad usage (the errors become exit 2 in :func:`zgc_geo.cli.command.main`)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
import shapely

from zgc_geo.errors import OptionError
from zgc_geo.export.layers import write_layer
from zgc_geo.export.tables import write_worded_table
from zgc_geo.i18n import Lang, Sentence, in_lang
from zgc_geo.plan_data import plan_from_catalogue
from zgc_geo.projects.catalogue import load_catalogue
from zgc_geo.projects.codes import industry_codes
from zgc_geo.projects.intake import read_projects
from zgc_geo.projects.intensity import load_thresholds
from zgc_geo.projects.output import result_layer, result_table
from zgc_geo.projects.screening import PlotSites, screen_projects
from zgc_geo.settings import WORKSPACE_ENV

OUT_SUFFIXES: Final = (".xlsx", ".csv", ".gpkg")
EXIT_SCREENED, EXIT_ROW_ERRORS = 0, 1


def cmd_screen(args: argparse.Namespace) -> int:
    """Screen ``args.projects`` and write ``args.out``; print the verdicts' counts and every row error."""
    out: Path = args.out
    if out.suffix.lower() not in OUT_SUFFIXES:
        raise OptionError(f"cannot write {out.name}: use .xlsx, .csv or .gpkg")
    if not out.parent.is_dir():
        raise OptionError(f"cannot write {out}: the folder {out.parent} does not exist")
    lang: Lang = args.lang
    codes = industry_codes()
    catalogue = load_catalogue(args.catalogue)
    thresholds = load_thresholds(args.rules)
    projects = read_projects(args.projects, codes)
    plan = plan_from_catalogue()
    screened = screen_projects(
        projects, catalogue, codes, plan, thresholds, plot_sites=_plot_sites(args.workspace)
    )
    table = result_table(projects, screened, codes, plan, lang)
    _write(result_layer(projects, screened, table), out, lang)
    _print_summary(args.projects.name, catalogue.source, len(catalogue.rules), screened.table, lang)
    return EXIT_ROW_ERRORS if screened.error_count else EXIT_SCREENED


def _plot_sites(address: str | None) -> PlotSites | None:
    """Where plot ids are looked up: the named workspace, else ``$ZGC_GEO_WORKSPACE``, else nowhere
    (no workspace file is created just to find that it holds no plots)."""
    address = address or os.environ.get(WORKSPACE_ENV, "").strip() or None
    if address is None:
        return None

    def sites(plot_ids: list[str]) -> Mapping[str, tuple[str, shapely.Point] | Sentence]:
        from zgc_geo.projects.sites import plot_sites_in  # noqa: PLC0415 - the workspace only when asked
        from zgc_geo.workspace import open_workspace  # noqa: PLC0415

        return plot_sites_in(open_workspace(address))(plot_ids)

    return sites


def _write(layer: gpd.GeoDataFrame, out: Path, lang: Lang) -> None:
    """The result in the format ``out`` names, written beside it and renamed into place when complete."""
    suffix = out.suffix.lower()
    if suffix == ".gpkg":
        write_layer(layer, out, lang=lang)
        return
    write_worded_table(out, pd.DataFrame(layer.drop(columns=layer.geometry.name)), lang=lang)


def _print_summary(source: str, catalogue: str, rules: int, table: pd.DataFrame, lang: Lang) -> None:
    counts = table["verdict"].value_counts()
    print(f"{source}: {len(table)} project(s) screened against {catalogue} ({rules} rule(s))")
    for verdict in ("prohibited", "restricted", "allowed"):
        print(f"  {verdict}: {int(counts.get(verdict, 0))}")
    failed = table[table["errors"].map(len) > 0]
    if len(failed):
        print(f"  {len(failed)} row(s) with errors, not screened:")
        for row, errors in zip(failed["row"], failed["errors"], strict=True):
            print(f"    row {row}: " + "; ".join(str(in_lang(e, lang)) for e in errors))
