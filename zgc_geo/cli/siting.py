"""``zgc-geo site``: where should a new project of a cluster go — ranked candidates from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import pandas as pd

from zgc_geo.cli.importing import EXIT_HAS_ERRORS, EXIT_USABLE, local_file_options, print_result
from zgc_geo.crs import to_analysis_crs
from zgc_geo.errors import LayerError, OptionError
from zgc_geo.export.layers import write_layer
from zgc_geo.importing.pipeline import import_file
from zgc_geo.plan_data import plan_from_catalogue
from zgc_geo.siting.ahp import ahp_weights, read_ahp_file
from zgc_geo.siting.analysis import SitingOptions, SitingResult, constraint_name, site_cluster
from zgc_geo.siting.factors import FactorSpec
from zgc_geo.siting.overlay import write_suitability_geotiff
from zgc_geo.siting.ties import explain_ties

SHOWN = 10


def parse_weights(text: str) -> dict[str, float]:
    """``a=3,b=2`` → ``{"a": 3.0, "b": 2.0}``; a malformed entry is named in the error."""
    weights = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise OptionError(f"--weights entry {part!r} is not name=number (e.g. near_parks=2)") from None
    return weights


def _layer(path: Path) -> gpd.GeoDataFrame:
    """A helper layer read through the import pipeline; its errors stop the run with exit 1."""
    result = import_file(path, local_file_options("layer"))
    if result.frame is None or not result.report.usable:
        raise LayerError(f"{path.name}: {result.verdict}; run zgc-geo validate {path} --as layer for details")
    return result.frame


def _distance_factor(args: argparse.Namespace) -> tuple[tuple[FactorSpec, object], ...]:
    try:
        lower, upper = (float(v) for v in args.distance_range.split(","))
    except ValueError:
        raise OptionError(
            f"--distance-range {args.distance_range!r} must be two numbers: lower,upper"
        ) from None
    name = args.distance_layer.stem
    spec = FactorSpec(
        "user_distance",
        f"距{name}距离",
        f"Distance to {name}",
        "distance",
        "cost",
        lower,
        upper,
        "m",
        f"user layer {args.distance_layer.name}",
    )
    return ((spec, to_analysis_crs(_layer(args.distance_layer)).geometry.to_numpy()),)


def cmd_site(args: argparse.Namespace) -> int:
    """``zgc-geo site``: rank the candidates for a cluster; 0 done, 1 the candidates have errors."""
    if args.weights and args.ahp:
        raise OptionError("give either --weights or --ahp, not both")
    imported = import_file(args.plots, local_file_options("plots", crs=args.crs))
    if imported.frame is None or not imported.report.usable:
        print_result(imported)
        print(f"  nothing ranked: fix the errors in {args.plots.name} first")
        return EXIT_HAS_ERRORS
    ahp = None
    if args.ahp:
        matrix = read_ahp_file(args.ahp)
        ahp = ahp_weights(matrix.matrix, matrix.names)
        flag = "consistent" if ahp.consistent else "INCONSISTENT — CR > 0.1, revisit the judgements"
        print(f"AHP weights: CR = {ahp.cr:.3f} ({flag})")
    extra = _distance_factor(args) if args.distance_layer else ()
    exclusions = _layer(args.exclude) if args.exclude else None
    options = SitingOptions(
        cluster_id=args.cluster_id,
        study_area=args.study_area,
        resolution_m=args.resolution,
        weights=parse_weights(args.weights) if args.weights else None,
        ahp=ahp,
        top_n=args.top,
        perturb_pct=args.perturb,
        extra=extra,
        exclusions=exclusions,
    )
    result = site_cluster(plan_from_catalogue(), imported.frame, options)
    _print_ranking(result)
    tables = {"parameters": result.parameters(args.lang)}  # the workbook's language
    if result.sensitivity is not None:
        tables["sensitivity"] = result.sensitivity.candidates.reset_index()
    # The ranking's columns are a contract: --lang en keeps their names and values (zh heads them in Chinese).
    ranked = result.named_candidates(args.lang)  # failed constraints by name, in the file's language
    written = write_layer(ranked, args.out, tables=tables, lang=args.lang, contract=("features",))
    for problem in written:
        print(f"  {problem}")
    print(f"wrote {len(result.candidates)} ranked candidate(s) to {args.out}")
    if args.raster:
        write_suitability_geotiff(args.raster, result.grid, result.suitability)
        print(f"wrote the suitability raster ({result.grid.width} × {result.grid.height}) to {args.raster}")
    return EXIT_USABLE


def _print_ranking(result: SitingResult) -> None:
    top = result.candidates.head(SHOWN)
    print(
        f"cluster {result.options.cluster_id}: weights "
        + ", ".join(f"{k}={v:.2f}" for k, v in result.weights.items())
    )
    for row in top.itertuples():
        codes = row.failed_constraints
        failed = f"  fails: {', '.join(constraint_name(c) for c in codes)}" if codes else ""
        name = getattr(row, "name", None)
        label = name if isinstance(name, str) else ""  # an inventory may carry ids only (NA names)
        rank = "  -" if pd.isna(row.rank) else f"{int(row.rank):>3}"
        tied = " (tied)" if row.tied else ""  # a shared rank: 1, 1, 3 …
        print(f"  {rank}. {row.plot_id}  {label}  score {row.score:.1f}{tied}{failed}")
    last = top["rank"].iloc[-1] if len(top) else pd.NA
    if not pd.isna(last):
        more = int((result.candidates["rank"].iloc[SHOWN:] == last).sum())
        if more:
            print(f"       … and {more} more tied at rank {int(last)}")
    ties = explain_ties(result.candidates, result.specs, resolution_m=result.grid.resolution_m)
    for line in ties:
        print(f"  * {line}")
    if result.sensitivity is not None:
        print(result.sensitivity.verdict)
        for statement in result.sensitivity.statements:
            print(f"  - {statement}")
