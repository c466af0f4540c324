"""Who is working: the signed-in user of this browser session, or the planner on their own machine.

Three set-ups, chosen by configuration (:func:`zgc_geo.settings.sign_in`), never by code:

* **local** — nothing configured, the app listens on loopback only: the user is the machine's
  (``ZGC_GEO_USER`` or the login name), the workspace's creator and first admin.
* **header** — a trusted reverse proxy (the organisation's SSO, or nginx/Apache authentication)
  signs people in and sets a header such as ``X-Remote-User``. The header is believed only while
  the app listens on loopback (or on the proxy-facing address named in ``ZGC_GEO_PROXY_ADDRESS``),
  because anyone who can reach the app directly could set it. A request without it is shown
  "sign-in required", never a default user.
* **oidc** — OpenID Connect through Streamlit's ``st.login`` (configured in
  ``.streamlit/secrets.toml``).
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import streamlit as st

from zgc_geo.settings import proxy_address, sign_in, user_name
from zgc_geo.ui.i18n import tr
from zgc_geo.ui.markdown_text import escaped

#: Longest user name taken from a header or a token; longer values are refused, not cut.
MAX_NAME_LENGTH: Final = 128
#: OpenID Connect claims tried in turn for the name written into the audit log.
OIDC_NAME_CLAIMS: Final = ("email", "preferred_username", "name", "sub")


@dataclass(frozen=True)
class Identity:
    """The person working in this session and how they were identified (local, header or oidc)."""

    name: str
    method: str


def name_from_headers(headers: Mapping[str, str], header: str) -> str | None:
    """The user named by ``header`` (case-insensitive), or None when absent, empty or not a plain name."""
    wanted = header.lower()
    value = next((str(v) for k, v in headers.items() if str(k).lower() == wanted), "")
    # Browsers send names as UTF-8, proxies pass the bytes on, and the HTTP server reads them as
    # Latin-1: 王工 arrives as "çå·¥". Undo that; a value that is not such a round trip stays as it is.
    with contextlib.suppress(UnicodeError):
        value = value.encode("latin-1").decode("utf-8")
    name = value.strip()
    if not name or len(name) > MAX_NAME_LENGTH or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return None
    return name


def listening_safely(address: str | None, allowed: str | None) -> bool:
    """True when the app listens on loopback only (or exactly on the proxy-facing ``allowed`` address)."""
    if not address or address.strip() in {"", "0.0.0.0", "::"}:
        return False
    address = address.strip().strip("[]")
    if address == "localhost":
        return True
    try:
        if ipaddress.ip_address(address).is_loopback:
            return True
    except ValueError:
        return False
    return allowed is not None and address == allowed.strip().strip("[]")


def current_identity() -> Identity | None:
    """The signed-in person of this session, or None when they have not signed in (yet)."""
    method, header = sign_in()
    if method == "header" and header is not None:
        if not listening_safely(st.get_option("server.address"), proxy_address()):
            return None
        name = name_from_headers(st.context.headers, header)
        return None if name is None else Identity(name, method)
    if method == "oidc":
        if not st.user.get("is_logged_in"):  # absent where no provider is configured
            return None
        claims = st.user.to_dict()
        name = next(
            (str(claims[c]).strip() for c in OIDC_NAME_CLAIMS if str(claims.get(c) or "").strip()), ""
        )
        return Identity(name, method) if 0 < len(name) <= MAX_NAME_LENGTH else None
    return Identity(user_name(), method)


def require_identity() -> Identity:
    """The signed-in person; otherwise draw the sign-in page and stop the script (no page runs)."""
    identity = current_identity()
    if identity is not None:
        return identity
    method, header = sign_in()
    st.title(tr("identity.sign_in_required"))
    if method == "header":
        if not listening_safely(st.get_option("server.address"), proxy_address()):
            st.error(tr("identity.unsafe_address", address=str(st.get_option("server.address"))))
        else:
            st.write(tr("identity.sign_in_via_proxy", header=str(header)))
    else:
        st.write(tr("identity.sign_in_oidc"))
        if st.button(tr("identity.sign_in"), type="primary"):
            st.login()
    st.stop()
    raise AssertionError("unreachable: st.stop() ends the script")  # pragma: no cover


def identity_caption(identity: Identity) -> None:
    """The signed-in name in the sidebar (with a sign-out button for OpenID Connect)."""
    st.caption(tr("identity.signed_in_as", user=escaped(identity.name)))
    if identity.method == "oidc" and st.button(tr("identity.sign_out"), key="identity_sign_out"):
        st.logout()
