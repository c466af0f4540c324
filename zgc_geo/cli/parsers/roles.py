"""Arguments of ``zgc-geo workspace grant|revoke|users`` (handlers: :mod:`zgc_geo.cli.roles`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Final

#: The keys of :data:`zgc_geo.workspace.rights.ROLES` and its ``OUTSIDE``, written out so that building the
#: parser imports no workspace code (a test checks they stay equal).
ROLE_NAMES: Final = ("admin", "editor", "viewer")
OUTSIDE: Final = "outside"


def add_role_commands(
    commands: argparse._SubParsersAction, add_workspace_option: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Register ``grant``, ``revoke`` and ``users`` under ``zgc-geo workspace``."""
    grant = commands.add_parser(
        "grant",
        help="as an admin, give a user a role: admin, editor (of some parks) or viewer",
        description="admin: everything (roles, backups, imports, acknowledging a failed verify); editor: "
        "decide and undo on plots of the parks in --parks (outside = plots outside every park); viewer: read "
        "and export. A user with no grant is a viewer. Exit codes: 0 granted, 1 refused (you are not an "
        "admin, or it would remove the last admin), 2 bad usage.",
    )
    grant.add_argument("user", help="the user's sign-in name, exactly as the app or $ZGC_GEO_USER gives it")
    grant.add_argument("--role", required=True, choices=list(ROLE_NAMES), help="the role")
    grant.add_argument(
        "--parks",
        help=f"editors only: comma-separated park ids of parks.geojson (e.g. haidian,changping) or {OUTSIDE}",
    )
    add_workspace_option(grant)
    grant.set_defaults(handler="zgc_geo.cli.roles:cmd_grant")

    revoke = commands.add_parser(
        "revoke",
        help="as an admin, remove a user's role (they can then only view)",
        description="Exit codes: 0 revoked (or they had none), 1 refused, 2 bad usage.",
    )
    revoke.add_argument("user", help="the user's sign-in name")
    add_workspace_option(revoke)
    revoke.set_defaults(handler="zgc_geo.cli.roles:cmd_revoke")

    users = commands.add_parser("users", help="list every user's role and parks")
    add_workspace_option(users)
    users.set_defaults(handler="zgc_geo.cli.roles:cmd_users")
