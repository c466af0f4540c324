"""Workspaces for page tests: made by another process, then damaged behind the app's back.

A workspace is checked incrementally: once this process has verified a workspace it re-checks
only the rows added since. Making it in another process keeps this process's view fresh, as
when the app opens a workspace that was changed while it was not running.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from zgc_geo.settings import USER_ENV, WORKSPACE_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The app's own seeding (the demo inventory, as the pages put it in), outside Streamlit.
_SEED = "from zgc_geo.ui.workspace_access import ensure_demo_inventory; ensure_demo_inventory()"
#: The trigger that keeps the GeoPackage audit log append-only (zgc_geo/workspace/gpkg_schema.py).
APPEND_ONLY_TRIGGER = "zgc_audit_no_update"
INTRUDER = "mallory"


def seed_elsewhere(address: str | Path, user: str) -> None:
    """Create the workspace at ``address`` as ``user`` (its admin) with the demo, in a child process."""
    env = {**os.environ, WORKSPACE_ENV: str(address), USER_ENV: user, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, "-c", _SEED], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def tamper_gpkg(path: Path, audit_id: int = 1, user: str = INTRUDER, column: str = "user") -> None:
    """Rewrite ``column`` (who made it, by default) of audit row ``audit_id``, as anyone with write
    access to the file could."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(f"DROP TRIGGER IF EXISTS {APPEND_ONLY_TRIGGER}")
            conn.execute(f'UPDATE zgc_audit SET "{column}" = ? WHERE audit_id = ?', (user, audit_id))
    finally:
        conn.close()
