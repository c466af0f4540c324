"""Command-line interface: ``zgc-geo`` (also ``python -m zgc_geo``).

The parser is built from :mod:`zgc_geo.cli.parsers` alone (argparse and the standard library), and a
command's handler module is imported only when that command runs: ``zgc-geo --help`` then starts in a
fraction of the time the plan, map and raster libraries take to import, and ``zgc-geo stock`` loads no
map or raster code.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Final

from zgc_geo import __version__
from zgc_geo.cli.parsers.coverage import add_coverage_command
from zgc_geo.cli.parsers.importing import add_import_commands
from zgc_geo.cli.parsers.map import add_map_command
from zgc_geo.cli.parsers.plan import add_plan_commands
from zgc_geo.cli.parsers.projects import add_projects_command
from zgc_geo.cli.parsers.report import add_report_command
from zgc_geo.cli.parsers.siting import add_site_command
from zgc_geo.cli.parsers.stock import add_stock_command
from zgc_geo.cli.parsers.targets import add_targets_command
from zgc_geo.cli.parsers.tiles import add_tiles_command
from zgc_geo.cli.parsers.workspace import add_workspace_command
from zgc_geo.errors import OptionError, PrintError, UnreadableInputError, ZgcGeoError
from zgc_geo.memory import gc_paused

EXIT_OK: Final = 0
#: The data broke a rule (a layer failed validation, the plan is inconsistent).
EXIT_DATA_ERROR: Final = 1
#: The command line was wrong or the input could not be read at all (argparse uses 2 too).
EXIT_USAGE: Final = 2
EXIT_INTERNAL: Final = 3

log = logging.getLogger("zgc_geo")

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; errors become messages, never tracebacks.

    Without ``argv`` this is the process's own command (the console script, ``python -m zgc_geo``):
    the process ends when it returns, so the objects it leaves are frozen out of the interpreter's
    last collections, which would only walk them before exit frees them anyway (0.07 s of a
    100k-plot ``stock`` run).
    """
    try:
        return _run(argv)
    finally:
        if argv is None:
            gc.freeze()


def _run(argv: Sequence[str] | None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(resolve_handler(args.handler)(args))
    except (UnreadableInputError, OptionError, PrintError) as exc:
        print(f"zgc-geo: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ZgcGeoError as exc:
        print(f"zgc-geo: error: {exc}", file=sys.stderr)
        return EXIT_DATA_ERROR
    except BrokenPipeError:
        return EXIT_OK
    except Exception:  # a bug: keep the traceback in the log, show the user a short line
        log.exception("internal error")
        print("zgc-geo: internal error (the traceback is above); please report it.", file=sys.stderr)
        return EXIT_INTERNAL


def resolve_handler(handler: str | Handler) -> Handler:
    """The function a parser names as ``"package.module:function"``, imported now; a callable as it is."""
    if callable(handler):
        return handler
    module, _, name = handler.partition(":")
    with gc_paused():  # importing makes many containers and no garbage: collecting finds nothing
        function: Handler = getattr(importlib.import_module(module), name)
    return function


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zgc-geo",
        description="Planning workbench for the Zhongguancun National Independent Innovation "
        "Demonstration Zone (中关村国家自主创新示范区).",
    )
    parser.add_argument("--version", action="version", version=f"zgc-geo {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    add_plan_commands(sub)
    add_import_commands(sub)
    add_stock_command(sub)
    add_workspace_command(sub)
    add_tiles_command(sub)
    add_site_command(sub)
    add_map_command(sub)
    add_coverage_command(sub)
    add_projects_command(sub)
    add_targets_command(sub)
    add_report_command(sub)
    return parser
