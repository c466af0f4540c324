"""``zgc-geo map``: the overview map as standalone HTML, or printed to PNG/PDF — with no internet."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from zgc_geo.cli.parsers.map import FEATURE_PARKS, LAYER_KEYS
from zgc_geo.errors import OptionError
from zgc_geo.export.printing import check_output, export_map
from zgc_geo.i18n import translate
from zgc_geo.mapping.overview_map import build_overview_map, keep_layers
from zgc_geo.mapping.print_layout import PrintSpec, PrintView, overlay_ids
from zgc_geo.plan_data import plan_from_catalogue


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


def cmd_map(args: argparse.Namespace) -> int:
    """``zgc-geo map``: the overview map as HTML, PNG or PDF; 0 written."""
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
