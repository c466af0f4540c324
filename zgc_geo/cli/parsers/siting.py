"""Arguments of ``zgc-geo site`` (handler: :mod:`zgc_geo.cli.siting`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from zgc_geo.cli.parsers.common import add_lang_option


def add_site_command(sub: argparse._SubParsersAction) -> None:
    """Register ``site`` on the main parser's subcommands."""
    site = sub.add_parser(
        "site",
        help="rank candidate plots for a new project of a cluster (raster suitability + sensitivity)",
        description="Exit codes: 0 done, 1 the candidates file has errors, "
        "2 unreadable input or bad options.",
    )
    site.add_argument("cluster_id", help="frontier_it, bio_health, smart_mfg_materials, eco_energy, …")
    site.add_argument("--plots", type=Path, required=True, help="candidate plots (any format validate reads)")
    site.add_argument(
        "--out", type=Path, required=True, help="ranked candidates: .gpkg .xlsx .geojson .csv …"
    )
    site.add_argument("--raster", type=Path, help="also write the suitability GeoTIFF here")
    site.add_argument("--resolution", type=float, default=30.0, help="cell size in metres (default 30)")
    site.add_argument(
        "--weights", help="direct weights, e.g. near_feature_parks=3,in_core_parks=2,near_parks=1"
    )
    site.add_argument("--ahp", type=Path, help="AHP pairwise matrix (.csv or .toml) instead of --weights")
    site.add_argument("--study-area", choices=("parks", "beijing"), default="parks")
    site.add_argument("--top", type=int, default=10, help="N of the top-N robustness figure (default 10)")
    site.add_argument("--perturb", type=float, default=20.0, help="weight perturbation ± %% (default 20)")
    site.add_argument("--crs", help="the candidates file's CRS when it declares none")
    site.add_argument(
        "--distance-layer",
        type=Path,
        help="extra factor: distance to this layer's features (e.g. rail stations)",
    )
    site.add_argument(
        "--distance-range",
        default="500,3000",
        help="lower,upper metres of --distance-layer (default 500,3000)",
    )
    site.add_argument("--exclude", type=Path, help="constraint: candidates overlapping these polygons fail")
    add_lang_option(site)
    site.set_defaults(handler="zgc_geo.cli.siting:cmd_site")
