"""``zgc-geo map``: the overview map as standalone HTML, or printed to PNG/PDF — with no internet."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from zgc_geo.errors import OptionError
from zgc_geo.export.printing import FORMATS, check_output, export_map
from zgc_geo.i18n import translate
from zgc_geo.mapping.overview_map import build_overview_map, keep_layers
from zgc_geo.mapping.print_layout import (
    LANGS,
    MIN_DPI,
    ORIENTATIONS,
    PAPER_MM,
    PrintSpec,
    PrintView,
    overlay_ids,
)
from zgc_geo.plan_data import plan_from_catalogue

#: ``--layers`` names → the overview map's overlay ids (see print_layout.overlay_id); the
#: cluster ids of the plan (frontier_it, …) select one cluster's feature parks each.
LAYER_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "region": ("provinces",),
    "districts": ("districts",),
    "parks": ("parks",),
    "labels": ("zgc-label",),
    "cooperation": ("cooperation",),
    "fusion": ("fusion",),
}
FEATURE_PARKS: Final = "feature_parks"


def add_map_command(sub: argparse._SubParsersAction) -> None:
    """Register ``map`` on the main parser's subcommands."""
    cmd = sub.add_parser(
        "map",
        help="export the overview map: standalone HTML, or PNG/PDF for print (offline)",
        description="Writes the overview map as one self-contained HTML file, or prints it with "
        "title, legend, scale bar, north arrow, source and date through Debian's headless Chromium. "
        "Exit codes: 0 written, 2 bad option or Chromium missing.",
    )
    cmd.add_argument("--out", type=Path, required=True, help=f"output file: OUT{'|'.join(FORMATS)}")
    cmd.add_argument(
        "--layers",
        help="comma list of layers to show (default all): "
        f"{', '.join([*LAYER_KEYS, FEATURE_PARKS])}, or cluster ids (frontier_it, bio_health, …)",
    )
    cmd.add_argument(
        "--bounds",
        metavar="SOUTH,WEST,NORTH,EAST",
        help="print this extent (degrees, WGS84) instead of the whole map, e.g. 39.85,116.2,40.05,116.45",
    )
    cmd.add_argument("--title", help="title (default: the zone's name in --lang)")
    cmd.add_argument("--subtitle", help="subtitle (default: what the map shows, in --lang)")
    cmd.add_argument("--paper", choices=tuple(PAPER_MM), default="A4", help="paper size (default A4)")
    cmd.add_argument("--orientation", choices=ORIENTATIONS, default="landscape", help="default landscape")
    cmd.add_argument("--dpi", type=int, default=MIN_DPI, help=f"PNG resolution, at least {MIN_DPI} (default)")
    cmd.add_argument("--lang", choices=LANGS, default="zh", help="language of title and notes (default zh)")
    cmd.set_defaults(handler=_cmd_map)


def selected_overlays(requested: str, cluster_ids: Sequence[str]) -> set[str]:
    """The overlay ids that ``--layers`` keeps.

    Raises
    ------
    OptionError
        For an empty list or unknown names; the message lists the valid names.
    """
    valid = {**LAYER_KEYS, FEATURE_PARKS: tuple(cluster_ids), **{c: (c,) for c in cluster_ids}}
    names = [name.strip() for name in requested.split(",") if name.strip()]
    if not names:
        raise OptionError(f"--layers is empty; valid names: {', '.join(valid)}")
    unknown = [name for name in names if name not in valid]
    if unknown:
        raise OptionError(f"unknown layer(s) {', '.join(unknown)} in --layers; valid: {', '.join(valid)}")
    return {overlay for name in names for overlay in valid[name]}


def parse_bounds(text: str) -> PrintView:
    """``--bounds SOUTH,WEST,NORTH,EAST`` as the view to print.

    Raises
    ------
    OptionError
        Not four numbers, or an empty or inside-out extent; the message shows the expected form.
    """
    parts = [part.strip() for part in text.split(",")]
    try:
        south, west, north, east = (float(part) for part in parts)
    except ValueError:
        raise OptionError(
            f"--bounds {text!r} is not four numbers SOUTH,WEST,NORTH,EAST (e.g. 39.85,116.2,40.05,116.45)"
        ) from None
    if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
        raise OptionError(
            f"--bounds {text!r}: need SOUTH < NORTH within ±90 and WEST < EAST within ±180 (degrees)"
        )
    return PrintView(bounds=(south, west, north, east))


def _cmd_map(args: argparse.Namespace) -> int:
    out: Path = args.out
    suffix = check_output(out)  # a wrong format fails before any work
    view = parse_bounds(args.bounds) if args.bounds is not None else None
    spec = PrintSpec(
        title=args.title if args.title is not None else translate("overview.export_title", args.lang),
        subtitle=args.subtitle
        if args.subtitle is not None
        else ("" if args.layers else translate("overview.export_subtitle", args.lang)),
        paper=args.paper,
        orientation=args.orientation,
        dpi=args.dpi,
        lang=args.lang,
    )
    started = time.monotonic()
    plan = plan_from_catalogue()
    m = build_overview_map(plan, lang=args.lang)
    if args.layers is not None:
        keep = selected_overlays(args.layers, list(plan.clusters["cluster_id"]))
        present = set(overlay_ids(m))
        missing = keep - present
        if missing:
            raise OptionError(f"the overview map has no layer {', '.join(sorted(missing))}")
        keep_layers(m, plan, keep, lang=args.lang)
    export_map(m, out, spec, view)
    what = "standalone HTML" if suffix == ".html" else f"{spec.paper} {spec.orientation}"
    if suffix == ".png":
        what += f", {spec.dpi} dpi"
    print(f"wrote {out} ({what}) in {time.monotonic() - started:.1f} s")
    return 0
