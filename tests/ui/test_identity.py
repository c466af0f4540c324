"""Who is working: the planner's own machine, a proxy's header, OpenID Connect; never a default user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from zgc_geo.errors import OptionError
from zgc_geo.i18n import translate
from zgc_geo.settings import AUTH_ENV, AUTH_HEADER_ENV, PROXY_ADDRESS_ENV, USER_ENV, sign_in
from zgc_geo.ui.identity import listening_safely, name_from_headers

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def server_address() -> Iterator[None]:
    """Restore Streamlit's bind address after a test that changes it (AppTest runs in this process)."""
    before = streamlit_config.get_option("server.address")
    yield
    streamlit_config.set_option("server.address", before)


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120).run()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-Remote-User": "haidian_editor"}, "haidian_editor"),
        ({"x-remote-user": "  王工 "}, "王工"),  # header names are case-insensitive; spaces trimmed
        ({"X-Remote-User": "王工".encode().decode("latin-1")}, "王工"),  # UTF-8 read as Latin-1 by the server
        ({"X-Remote-User": "José"}, "José"),  # a Latin-1 name that is not UTF-8 stays as it is
        ({"X-Remote-User": ""}, None),
        ({"X-Forwarded-User": "someone"}, None),
        ({"X-Remote-User": "evil\nX-Injected: 1"}, None),  # control characters: not a name
        ({"X-Remote-User": "x" * 129}, None),
        ({}, None),
    ],
)
def test_the_name_comes_only_from_the_configured_header(
    headers: dict[str, str], expected: str | None
) -> None:
    assert name_from_headers(headers, "X-Remote-User") == expected


@pytest.mark.parametrize(
    ("address", "allowed", "safe"),
    [
        ("localhost", None, True),
        ("127.0.0.1", None, True),
        ("::1", None, True),
        ("[::1]", None, True),
        ("0.0.0.0", None, False),
        ("::", None, False),
        ("", None, False),
        (None, None, False),
        ("10.1.2.3", None, False),
        ("10.1.2.3", "10.1.2.3", True),
        ("10.1.2.4", "10.1.2.3", False),
    ],
)
def test_a_header_is_believed_only_where_nobody_but_the_proxy_reaches_the_app(
    address: str | None, allowed: str | None, safe: bool
) -> None:
    assert listening_safely(address, allowed) is safe


def test_sign_in_is_chosen_by_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(AUTH_HEADER_ENV, raising=False)
    monkeypatch.delenv(AUTH_ENV, raising=False)
    assert sign_in() == ("local", None)
    monkeypatch.setenv(AUTH_ENV, "OIDC")
    assert sign_in() == ("oidc", None)
    monkeypatch.setenv(AUTH_HEADER_ENV, "X-Remote-User")
    assert sign_in() == ("header", "X-Remote-User")
    monkeypatch.delenv(AUTH_HEADER_ENV)
    monkeypatch.setenv(AUTH_ENV, "ldap")
    with pytest.raises(
        OptionError, match="'ldap' is not a sign-in method; use oidc, or set ZGC_GEO_AUTH_HEADER"
    ):
        sign_in()


def test_on_a_planners_machine_the_user_is_the_machines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_ENV, "王工")
    at = app()
    assert not at.exception
    assert translate("identity.signed_in_as", "zh", user="王工") in [c.value for c in at.sidebar.caption]


def test_behind_a_proxy_a_visit_without_the_header_sees_only_the_sign_in_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(AUTH_HEADER_ENV, "X-Remote-User")
    monkeypatch.setenv(USER_ENV, "server-account")  # must never be used as the user
    at = app()
    assert not at.exception
    assert [t.value for t in at.title] == [translate("identity.sign_in_required", "zh")]
    assert translate("identity.sign_in_via_proxy", "zh", header="X-Remote-User") in [
        m.value for m in at.markdown
    ]
    shown = " ".join(c.value for c in at.sidebar.caption)
    assert "server-account" not in shown and not at.sidebar.radio  # no page, no sidebar controls


def test_a_header_on_an_open_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, server_address: None
) -> None:
    monkeypatch.setenv(AUTH_HEADER_ENV, "X-Remote-User")
    monkeypatch.delenv(PROXY_ADDRESS_ENV, raising=False)
    streamlit_config.set_option("server.address", "0.0.0.0")
    at = app()
    assert [e.value for e in at.error] == [translate("identity.unsafe_address", "zh", address="0.0.0.0")]


def test_openid_connect_asks_to_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(AUTH_HEADER_ENV, raising=False)
    monkeypatch.setenv(AUTH_ENV, "oidc")
    at = app()
    assert [t.value for t in at.title] == [translate("identity.sign_in_required", "zh")]
    assert [b.label for b in at.button] == [translate("identity.sign_in", "zh")]
