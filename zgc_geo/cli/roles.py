"""``zgc-geo workspace grant|revoke|users``: who may do what in a workspace, from the command line.

The acting user is ``$ZGC_GEO_USER`` (else the login name), and only an admin may grant or
revoke; the store enforces that and logs a refusal, so this module only parses, checks park
ids against the shipped sub-parks and prints. Exit codes as for every workspace command: 0 done,
1 refused, 2 bad usage.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Final

from zgc_geo.errors import OptionError
from zgc_geo.settings import user_name
from zgc_geo.workspace import open_workspace
from zgc_geo.workspace.address import redacted
from zgc_geo.workspace.rights import OUTSIDE, ROLES, Grant

EXIT_DONE: Final = 0


def parse_parks(text: str | None, known: Sequence[str]) -> tuple[str, ...]:
    """The park ids of ``--parks``, each a shipped park id or ``outside``; OptionError naming the others."""
    parks = tuple(p.strip() for p in (text or "").split(",") if p.strip())
    unknown = sorted(set(parks) - {*known, OUTSIDE})
    if unknown:
        raise OptionError(
            f"unknown park id(s) {', '.join(map(repr, unknown))} in --parks; valid: {', '.join(known)}, "
            f"{OUTSIDE} (plots outside every park)"
        )
    return parks


def describe_grant(grant: Grant, park_names: dict[str, str]) -> str:
    """A grant in words for the terminal: role with its Chinese label, and an editor's parks by name."""
    label = ROLES[grant.role]
    text = f"{grant.role} ({label.zh})"
    if grant.role == "editor":
        names = [f"{p} ({park_names.get(p, '园区外' if p == OUTSIDE else p)})" for p in grant.parks]
        text += ": " + ", ".join(names)
    return text


def _park_names() -> dict[str, str]:
    from zgc_geo.catalogue import shipped_layer  # noqa: PLC0415 - the plan layers only for these commands

    parks = shipped_layer("parks")
    return dict(zip(parks["park_id"].astype(str), parks["name_zh"].astype(str), strict=True))


def cmd_grant(args: argparse.Namespace) -> int:
    """``zgc-geo workspace grant``: as an admin, give a user a role."""
    names = _park_names()
    parks = parse_parks(args.parks, sorted(names))
    store = open_workspace(args.workspace)
    grant = store.grant(args.user, args.role, parks, by=user_name())
    print(
        f"{grant.user}: {describe_grant(grant, names)} in {store.backend} workspace {redacted(store.address)}"
    )
    return EXIT_DONE


def cmd_revoke(args: argparse.Namespace) -> int:
    """``zgc-geo workspace revoke``: as an admin, take a user's role away."""
    store = open_workspace(args.workspace)
    old = store.revoke(args.user, by=user_name())
    if old is None:
        where = f"{store.backend} workspace {redacted(store.address)}"
        print(f"{args.user} had no role in {where}: nothing to revoke")
    else:
        print(f"{args.user}: revoked {describe_grant(old, _park_names())}; they can now only view")
    return EXIT_DONE


def cmd_users(args: argparse.Namespace) -> int:
    """``zgc-geo workspace users``: every user with a role."""
    store = open_workspace(args.workspace)
    names = _park_names()
    grants = store.grants()
    print(f"{store.backend} workspace {redacted(store.address)}: {len(grants)} user(s) with a role")
    for grant in grants:
        when = f"granted by {grant.granted_by} at {grant.granted_at}"
        print(f"  {grant.user}\t{describe_grant(grant, names)}\t({when})")
    print("anyone else can only view (read and export)")
    return EXIT_DONE
