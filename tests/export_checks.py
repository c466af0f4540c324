"""Checking exported maps in tests: poppler's tools for PDFs, and a browser with only the file itself."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable

import pytest
from playwright.sync_api import Route

POPPLER_HINT = "install poppler-utils (sudo apt-get install poppler-utils; .ci/run does this)"


def poppler(name: str, *args: str) -> str:
    """The output of a poppler tool (``pdfinfo``, ``pdftotext`` …); fails with the install hint."""
    if shutil.which(name) is None:
        pytest.fail(f"{name} not found: {POPPLER_HINT}", pytrace=False)
    return subprocess.run([name, *args], check=True, capture_output=True, text=True).stdout


def only_local_files(refused: list[str]) -> Callable[[Route], None]:
    """A Playwright route handler for a computer with no network: ``file:``/``data:`` load, the rest is
    refused and recorded in ``refused``."""

    def route(request_route: Route) -> None:
        if request_route.request.url.startswith(("file:", "data:")):
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort("blockedbyclient")

    return route
