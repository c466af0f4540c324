"""``zgc-geo`` starts light: help needs only the argument definitions, and a command imports what it uses.

Each check runs the CLI in a fresh interpreter (this test process has long imported everything) and looks
at ``sys.modules`` afterwards: deterministic, no timing. The start-up time itself is measured by
``benchmarks/bench_cli_startup.py``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from zgc_geo.catalogue import layer_spec
from zgc_geo.cli import command
from zgc_geo.cli.parsers import common, roles
from zgc_geo.cli.parsers import map as map_parser

#: What building the parser must never import: each takes tenths of a second (folium, scipy, pandas …).
HEAVY_FOR_HELP = (
    "branca",
    "folium",
    "geopandas",
    "matplotlib",
    "openpyxl",
    "pandas",
    "rasterio",
    "scipy",
    "shapely",
    "streamlit",
)
#: Runs ``main(argv)`` and prints the heavy modules then loaded, as JSON on the last line of stdout.
PROBE = """
import json, sys
from zgc_geo.cli import command
try:
    code = command.main(sys.argv[2:])
except SystemExit as exit_:
    code = exit_.code
heavy = json.loads(sys.argv[1])
print(json.dumps({"code": code, "loaded": sorted(m for m in heavy if m in sys.modules)}))
"""


def _loaded(argv: list[str], watched: tuple[str, ...]) -> tuple[int, list[str]]:
    """(exit code, the ``watched`` modules imported) of ``zgc-geo ARGV`` in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(watched), *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.splitlines()[-1])
    return int(probe["code"]), list(probe["loaded"])


def _parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every command of ``parser`` by its path: ``()``, ``("stock",)``, ``("workspace", "init")`` …"""
    found = {path: parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= _parsers(sub, (*path, name))
    return found


PARSERS = _parsers(command._build_parser())
COMMANDS = list(PARSERS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "zgc-geo")
def test_help_imports_no_heavy_library(path: tuple[str, ...]) -> None:
    code, loaded = _loaded([*path, "--help"], HEAVY_FOR_HELP)
    assert code == 0
    assert loaded == []


def test_every_command_is_found() -> None:
    """The walk above reaches the nested commands too, so the help test covers all of them."""
    names = {" ".join(p) for p in COMMANDS}
    assert {
        "",
        "stock",
        "validate",
        "layers",
        "map",
        "workspace decide",
        "workspace grant",
        "tiles list",
    } <= names


@pytest.mark.parametrize("path", [p for p in COMMANDS if p], ids=" ".join)
def test_every_handler_resolves_to_a_function(path: tuple[str, ...]) -> None:
    """A handler named ``"module:function"`` is imported only at dispatch: a typo would show only then."""
    named = PARSERS[path].get_default("handler")
    handler = command.resolve_handler(named)
    assert callable(handler)
    if isinstance(named, str):
        module, _, function = named.partition(":")
        assert module.startswith("zgc_geo.cli.")
        assert (handler.__module__, handler.__name__) == (module, function)


def test_resolve_handler_names_what_is_missing() -> None:
    with pytest.raises(AttributeError, match="no_such_handler"):
        command.resolve_handler("zgc_geo.cli.stock:no_such_handler")


@pytest.fixture(scope="module")
def stock_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, list[str]]:
    out = tmp_path_factory.mktemp("stock") / "results.gpkg"
    demo = layer_spec("demo_stock_inventory").path
    return _loaded(["stock", str(demo), "--out", str(out), "--reference-year", "2026"], WATCHED_BY_STOCK)


#: Libraries ``zgc-geo stock`` has no use for (maps, rasters, workbooks, the app; the workspace without
#: ``--workspace``).
WATCHED_BY_STOCK = (
    "branca", "folium", "matplotlib", "openpyxl", "rasterio", "scipy", "streamlit", "zgc_geo.workspace",
)  # fmt: skip


@pytest.mark.parametrize("module", WATCHED_BY_STOCK)
def test_stock_imports_only_what_it_uses(stock_run: tuple[int, list[str]], module: str) -> None:
    code, loaded = stock_run
    assert code == 0
    assert module not in loaded


def test_parser_literals_equal_the_library_constants() -> None:
    """The parser writes these out to stay free of pandas and folium; they must not drift."""
    from zgc_geo.export.printing import FORMATS  # noqa: PLC0415 - heavy; the point is to compare
    from zgc_geo.i18n import DEFAULT_LANG, LANGS  # noqa: PLC0415
    from zgc_geo.importing.pipeline import AUTO_KIND, IMPORT_KINDS  # noqa: PLC0415
    from zgc_geo.mapping import print_layout  # noqa: PLC0415
    from zgc_geo.workspace.rights import OUTSIDE, ROLES  # noqa: PLC0415

    assert (common.LANGS, common.DEFAULT_LANG) == (LANGS, DEFAULT_LANG)
    assert (common.AUTO_KIND, common.IMPORT_KINDS) == (AUTO_KIND, IMPORT_KINDS)
    assert map_parser.FORMATS == FORMATS
    assert tuple(print_layout.PAPER_MM) == map_parser.PAPER_SIZES
    assert map_parser.ORIENTATIONS == print_layout.ORIENTATIONS
    assert map_parser.LANGS == print_layout.LANGS
    assert map_parser.MIN_DPI == print_layout.MIN_DPI
    assert (tuple(ROLES), OUTSIDE) == (roles.ROLE_NAMES, roles.OUTSIDE)


def test_workspace_alone_prints_its_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """The one handler that is a function of the parser itself (not a ``module:function`` name)."""
    assert command.main(["workspace"]) == 2
    assert capsys.readouterr().err.startswith("usage: zgc-geo workspace")


def test_the_console_script_is_main() -> None:
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'zgc-geo = "zgc_geo.cli:main"' in pyproject
