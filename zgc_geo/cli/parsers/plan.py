"""Arguments of ``zgc-geo layers`` and ``zgc-geo check`` (handlers: :mod:`zgc_geo.cli.plan`)."""

from __future__ import annotations

import argparse


def add_plan_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``layers`` and ``check`` on the main parser's subcommands."""
    layers = sub.add_parser("layers", help="list the shipped data layers (validated on load)")
    layers.add_argument(
        "name", nargs="?", help="list the features of this one layer, with their section references"
    )
    layers.add_argument(
        "--format",
        choices=("text", "csv", "json"),
        default="text",
        help="output format (default: text)",
    )
    layers.set_defaults(handler="zgc_geo.cli.plan:cmd_layers")

    check = sub.add_parser("check", help="check the plan data for cross-layer consistency")
    check.set_defaults(handler="zgc_geo.cli.plan:cmd_check")
