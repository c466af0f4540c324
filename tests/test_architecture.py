"""Layering rule: only the UI imports Streamlit; analysis and data modules import no map or UI code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "zgc_geo"
UI_ONLY = {"streamlit", "streamlit_folium"}
MAP_ONLY = {"folium", "branca"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layering(path: Path) -> None:
    relative = path.relative_to(PACKAGE).parts
    imported = _imports(path)
    if relative[0] != "ui":
        assert not imported & UI_ONLY, f"{path.name} imports Streamlit; only zgc_geo/ui may"
    if relative[0] not in {"ui", "mapping"}:
        assert not imported & MAP_ONLY, f"{path.name} imports folium; only zgc_geo/mapping and ui may"


def test_library_never_prints() -> None:
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in MODULES
        if not (p.relative_to(PACKAGE).parts[0] == "cli" or p.name == "__main__.py")
        and any(
            isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        )
    ]
    assert offenders == []


def test_top_level_shows_the_architecture() -> None:
    """Commands live in zgc_geo/cli/ and everything that writes files in zgc_geo/export/, not beside the
    domain modules, so the package listing reads as the architecture (#13 item 24)."""
    top_level = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert [n for n in top_level if n.startswith("cli") or "export" in n] == []
    assert {"command.py", "importing.py", "workspace.py", "roles.py", "stock.py", "siting.py"} <= {
        p.name for p in (PACKAGE / "cli").glob("*.py")
    }
    assert {"layers.py", "tables.py", "safety.py", "printing.py"} <= {
        p.name for p in (PACKAGE / "export").glob("*.py")
    }
