"""A ``streamlit run app.py`` of its own for a browser test that needs another workspace than the shared one.

The shared ``streamlit_server`` fixture (conftest.py) serves one private GeoPackage for the whole
session; a test of a PostGIS workspace or of a damaged one starts this server with its own
``ZGC_GEO_WORKSPACE`` instead, and stops it (and everything it started) afterwards.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.browser.conftest import _free_port, _stop, _wait_healthy
from zgc_geo.settings import USER_ENV, WORKSPACE_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def app_server(
    workspace: str | Path, user: str, scratch: Path, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve app.py on a free loopback port over ``workspace`` as ``user``; yield the base URL.

    ``extra_env`` adds to (or overrides) the server's environment, e.g. ``ZGC_GEO_AUTH_HEADER``.
    """
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = scratch / "server.log"
    env = {**os.environ, WORKSPACE_ENV: str(workspace), USER_ENV: user, **(extra_env or {})}
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
    try:
        _wait_healthy(proc, f"{base_url}/_stcore/health", log_path)
        yield base_url
    finally:
        _stop(proc)
