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
#: Environment variable naming the request header a trusted reverse proxy sets to the signed-in user
#: (e.g. ``X-Remote-User``); setting it turns sign-in on for a shared server.
AUTH_HEADER_ENV: Final = "ZGC_GEO_AUTH_HEADER"
#: Environment variable choosing OpenID Connect sign-in (``oidc``), through Streamlit's ``st.login``.
AUTH_ENV: Final = "ZGC_GEO_AUTH"
#: Environment variable with the address the app listens on for the proxy, when that is not loopback.
PROXY_ADDRESS_ENV: Final = "ZGC_GEO_PROXY_ADDRESS"
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


def sign_in() -> tuple[str, str | None]:
    """How people sign in: ``("header", name)``, ``("oidc", None)`` or ``("local", None)``.

    ``local`` (nothing configured) is a planner's own machine: the user is :func:`user_name`.
    A configured header wins over OIDC; an unknown ``ZGC_GEO_AUTH`` value is not silently local.
    """
    header = os.environ.get(AUTH_HEADER_ENV, "").strip()
    if header:
        return "header", header
    mode = os.environ.get(AUTH_ENV, "").strip().lower()
    if mode in {"", "local", "none"}:
        return "local", None
    if mode == "oidc":
        return "oidc", None
    from zgc_geo.errors import OptionError  # noqa: PLC0415 - settings stays free of imports otherwise

    raise OptionError(
        f"{AUTH_ENV}={mode!r} is not a sign-in method; use oidc, or set {AUTH_HEADER_ENV} to the header "
        "your reverse proxy sets (e.g. X-Remote-User), or leave both unset on a planner's own machine"
    )


def proxy_address() -> str | None:
    """The non-loopback address the app may listen on for its reverse proxy (``ZGC_GEO_PROXY_ADDRESS``)."""
    return os.environ.get(PROXY_ADDRESS_ENV, "").strip() or None
