"""Per-installation settings read from the environment: where the workspace lives, who is working.

Both are read on every call rather than cached, so a test or a launcher script can change the
environment and the next operation follows; nothing here is global or mutable.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Final

#: Environment variable naming the workspace: a GeoPackage path (absolute, or relative to the working
#: folder) or a ``postgresql://user@host:port/db`` URL of a PostGIS workspace.
WORKSPACE_ENV: Final = "ZGC_GEO_WORKSPACE"
#: Environment variable naming the user recorded in the audit log.
USER_ENV: Final = "ZGC_GEO_USER"
#: Environment variable holding the Tianditu (天地图) web-service key; never written in code or config.
TIANDITU_KEY_ENV: Final = "ZGC_GEO_TIANDITU_KEY"
#: Workspace file name used when ``ZGC_GEO_WORKSPACE`` is not set.
DEFAULT_WORKSPACE: Final = "workspace.gpkg"
#: Recorded when no user name can be found at all.
UNKNOWN_USER: Final = "unknown"


def workspace_path() -> Path:
    """The workspace GeoPackage: ``$ZGC_GEO_WORKSPACE``, else ``workspace.gpkg`` in the working folder.

    The path is made absolute against the current working folder now, so that a later change
    of folder (Streamlit reruns, tests) cannot move the workspace under the user's feet. ``~``
    is expanded. The file need not exist yet: the store creates it on first use.
    """
    override = os.environ.get(WORKSPACE_ENV, "").strip()
    return Path.cwd() / (Path(override).expanduser() if override else Path(DEFAULT_WORKSPACE))


def workspace_address() -> Path | str:
    """The workspace: a ``postgresql://`` URL as given, else the GeoPackage path of :func:`workspace_path`."""
    override = os.environ.get(WORKSPACE_ENV, "").strip()
    if override.lower().startswith(("postgresql://", "postgres://")):
        return override
    return workspace_path()


def user_name() -> str:
    """Who is working, for the audit log: ``$ZGC_GEO_USER``, else the login name, else ``"unknown"``.

    A shared server runs every browser session as one operating-system user, so deployments set
    ``ZGC_GEO_USER`` (or pass the signed-in name to the store explicitly); on a planner's own
    machine the login name is the right default. This is a label for the audit trail, not
    authentication.
    """
    name = os.environ.get(USER_ENV, "").strip()
    if name:
        return name
    try:
        name = getpass.getuser().strip()
    except (OSError, KeyError, ImportError):  # no USER/LOGNAME and no passwd entry (containers)
        name = ""
    return name or UNKNOWN_USER


def tianditu_key() -> str | None:
    """The Tianditu (天地图) key from ``$ZGC_GEO_TIANDITU_KEY``, or ``None`` when it is not set.

    The key is per deployment (apply at https://console.tianditu.gov.cn/), so it lives only in the
    environment, never in the repository. Without one the Tianditu basemap is listed as unavailable,
    with this variable named as the fix.
    """
    return os.environ.get(TIANDITU_KEY_ENV, "").strip() or None
