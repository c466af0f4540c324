"""Which backend a workspace address names: a GeoPackage path, or a ``postgresql://`` URL.

The address comes from ``ZGC_GEO_WORKSPACE`` or a command's ``--workspace``; everything above
this package gets a :class:`~zgc_geo.workspace.store.WorkspaceStore` and never asks which.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from zgc_geo.settings import workspace_address
from zgc_geo.workspace.store import WorkspaceStore

#: URL schemes that name a PostgreSQL + PostGIS workspace.
POSTGRES_SCHEMES: Final = ("postgresql", "postgres")


def is_database_url(address: str | Path) -> bool:
    """True when ``address`` is a ``postgresql://`` (or ``postgres://``) URL rather than a file path."""
    return isinstance(address, str) and urlsplit(address).scheme.lower() in POSTGRES_SCHEMES


def open_workspace(address: str | Path | None = None) -> WorkspaceStore:
    """The workspace at ``address`` (default: the settings'): GeoPackage file or PostGIS database."""
    chosen = workspace_address() if address is None else address
    if is_database_url(chosen):
        from zgc_geo.workspace.postgis_store import PostgisStore  # noqa: PLC0415 - psycopg only when used

        return PostgisStore(str(chosen))
    from zgc_geo.workspace.gpkg_store import GeoPackageStore  # noqa: PLC0415 - after the URL check

    return GeoPackageStore(Path(chosen).expanduser() if isinstance(chosen, str) else chosen)


def redacted(url: str) -> str:
    """``url`` without its password, for messages, logs and the page (never show a secret)."""
    parts = urlsplit(url)
    # libpq also takes the password as a parameter: postgresql://user@host/db?password=…
    query = re.sub(r"(?i)(^|&)(password=)[^&]*", r"\1\2***", parts.query)
    if parts.password is None:
        return url if query == parts.query else urlunsplit(parts._replace(query=query))
    userinfo, _, hosts = parts.netloc.rpartition("@")  # hosts as written: [::1], several, ports
    netloc = f"{userinfo.split(':', 1)[0]}:***@{hosts}"
    return urlunsplit(parts._replace(netloc=netloc, query=query))
