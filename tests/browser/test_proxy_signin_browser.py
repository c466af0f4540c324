"""Sign-in through nginx (deploy/nginx/zgc-geo.conf) in a real browser: the audit log names whom nginx let in,
and each person gets what their role allows.

The app runs as two processes (as the shipped site has) with ``ZGC_GEO_AUTH_HEADER=X-Remote-User`` on
loopback over a GeoPackage made by its admin "管理员"; a private nginx (tests/nginx_server.py) serves the
shipped site in front of them, with three people in its password file (one of them with a Chinese name, all
with non-ASCII passwords): two editors of 海淀园 and a viewer. The two apps and nginx serve the whole
module; each test decides its own plot.
"""

from __future__ import annotations

import base64
import contextlib
import re
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, WebSocket, expect

from tests.browser.app_server import app_server
from tests.browser.conftest import _is_local
from tests.browser.streamlit_widgets import choose, expect_toast, wait_idle, wait_settled
from tests.browser.test_stock_page_browser import _click_plot, _open_stock_page
from tests.nginx_server import SITE_FILE, NginxServer
from tests.ui.workspaces import seed_elsewhere
from zgc_geo.i18n import translate
from zgc_geo.settings import AUTH_HEADER_ENV
from zgc_geo.workspace import REVIEW_STATUSES, open_workspace

ADMIN = "管理员"
#: A 海淀 plot the admin decides before anyone signs in.
ADMIN_PLOT = "demo-haidian-005"
HEADER = "X-Remote-User"
PEOPLE = {"haidian_editor": "一号-correct horse", "viewer_b": "二号-battery staple", "王工": "三号-staple"}
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
SIDEBAR = '[data-testid="stSidebar"]'
TIMEOUT_MS = 90_000
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ProxiedApp:
    """The app behind nginx: where to reach each, and the workspace they write."""

    proxy_url: str
    app_url: str
    workspace: Path


@pytest.fixture(scope="module")
def proxied_app(nginx_binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxiedApp]:
    """The app (signed in by header, on loopback) with the shipped nginx site in front of it."""
    scratch = tmp_path_factory.mktemp("proxy")
    workspace = scratch / "workspace.gpkg"
    seed_elsewhere(workspace, ADMIN)
    store = open_workspace(workspace)
    for editor in ("haidian_editor", "王工"):
        store.grant(editor, "editor", ("haidian",), by=ADMIN)
    store.grant("viewer_b", "viewer", by=ADMIN)
    store.record_decision(  # the admin's own change, which no one else may undo
        "demo", ADMIN_PLOT, {"review_status": "deferred"}, expected_version=0, user=ADMIN
    )
    # Two app processes, as the shipped site has: the people spread over them, each browser kept on its own.
    env = {AUTH_HEADER_ENV: HEADER}
    (scratch / "one").mkdir()
    (scratch / "two").mkdir()
    with (
        app_server(workspace, ADMIN, scratch / "one", extra_env=env) as app_url,
        app_server(workspace, ADMIN, scratch / "two", extra_env=env) as second_url,
        NginxServer(
            [int(urlsplit(url).port or 0) for url in (app_url, second_url)], PEOPLE, binary=nginx_binary
        ) as nginx,
    ):
        yield ProxiedApp(nginx.base_url, app_url, workspace)


@contextlib.contextmanager
def _browser_page(
    browser: Browser, user: str, password: str, headers: dict[str, str] | None = None
) -> Iterator[tuple[Page, list[str]]]:
    """A page signing in to nginx as ``user``; every non-loopback request is aborted and recorded in the
    list yielded with it, as the ``page`` fixture does."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000},
        service_workers="block",
        http_credentials={"username": user, "password": password},
        extra_http_headers=headers,
    )
    external: list[str] = []

    def guard(route: Route) -> None:
        if _is_local(route.request.url):
            route.continue_()
        else:
            external.append(f"{route.request.method} {route.request.url}")
            route.abort("blockedbyclient")

    def watch_websocket(ws: WebSocket) -> None:
        if not _is_local(ws.url):
            external.append(f"WEBSOCKET {ws.url}")

    context.route("**/*", guard)
    page = context.new_page()
    page.on("websocket", watch_websocket)
    try:
        yield page, external
    finally:
        context.close()


def _record_decision(page: Page, base_url: str, plot_id: str, note: str) -> None:
    """Open the stock page (its map drawn), pick ``plot_id`` on the map and record it as recommended."""
    frame = _open_stock_page(page, base_url)
    _click_plot(page, frame, plot_id)
    form = page.locator('[data-testid="stForm"]').first
    choose(page, form.get_by_role("combobox").first, REVIEW_STATUSES["recommended"].zh)
    form.locator("textarea").fill(note)
    form.get_by_role("button", name=translate("stock.record", "zh")).click()
    recorded = translate("stock.recorded", "zh", plot=plot_id, status=REVIEW_STATUSES["recommended"].zh)
    expect_toast(page, recorded, TIMEOUT_MS)


def _deciders(workspace: Path, plot_id: str) -> set[str]:
    """Who the workspace's audit log says decided ``plot_id``."""
    log = open_workspace(workspace).audit_log(plot_id=plot_id)
    return set(log.loc[log["action"] == "decide", "user"])


def _expect_signed_in(page: Page, name: str) -> None:
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_contain_text(translate("identity.signed_in_as", "zh", user=name), timeout=TIMEOUT_MS)


def _status(
    url: str, credentials: tuple[str, str] | None = None, headers: dict[str, str] | None = None
) -> int:
    """The HTTP status of a GET to ``url`` (no proxy from the environment, no redirects followed)."""
    request = urllib.request.Request(url, headers=headers or {})
    if credentials is not None:
        token = base64.b64encode(":".join(credentials).encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


# -- the site file itself ---------------------------------------------------------------------------


def _locations(site: str) -> dict[str, str]:
    """Each ``location`` block of ``site`` (comments removed), by its path."""
    text = re.sub(r"#[^\n]*", "", site)
    return dict(re.findall(r"location\s+([^\s{]+)\s*\{([^}]*)\}", text))


def test_every_proxying_location_overwrites_the_user_header() -> None:
    # nginx does not merge proxy_set_header into a location that sets its own: a location that forgot the
    # line would pass on whatever X-Remote-User the browser sent.
    locations = _locations(SITE_FILE.read_text(encoding="utf-8"))
    proxying = {path: body for path, body in locations.items() if "proxy_pass" in body}
    assert {"/", "/_stcore/stream"} <= set(proxying)
    for path, body in proxying.items():
        assert re.search(r"proxy_set_header\s+X-Remote-User\s+\$remote_user\s*;", body), path
        assert re.search(r'proxy_set_header\s+Authorization\s+""\s*;', body), path
        assert "auth_basic" not in body, f"{path}: sign-in must be the server-wide one, never turned off"


def test_the_upload_cap_lets_streamlit_refuse_big_files_itself() -> None:
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    streamlit_mb = int(config["server"]["maxUploadSize"])
    match = re.search(r"^\s*client_max_body_size\s+(\d+)m\s*;", SITE_FILE.read_text(encoding="utf-8"), re.M)
    assert match is not None
    assert streamlit_mb < int(match.group(1)) <= streamlit_mb + 5


# -- nginx in front of the app ----------------------------------------------------------------------


@pytest.mark.slow
def test_nginx_answers_only_with_valid_credentials(proxied_app: ProxiedApp) -> None:
    health = f"{proxied_app.proxy_url}/_stcore/health"
    assert _status(health, ("haidian_editor", PEOPLE["haidian_editor"])) == 200
    assert _status(health) == 401
    assert _status(health, ("haidian_editor", "wrong")) == 401
    assert _status(health, ("nobody", "wrong")) == 401
    # A claimed name is no sign-in.
    assert _status(f"{proxied_app.proxy_url}/stock", headers={HEADER: "haidian_editor"}) == 401


@pytest.mark.browser
@pytest.mark.slow
def test_the_haidian_editor_decides_in_haidian_only_and_cannot_undo_the_admins_change(
    browser: Browser, proxied_app: ProxiedApp, artifacts_dir: Path
) -> None:
    user, plot_id = "haidian_editor", "demo-haidian-001"
    with _browser_page(browser, user, PEOPLE[user]) as (page, external):
        try:
            _record_decision(page, proxied_app.proxy_url, plot_id, f"经代理登录：{user}")
            _expect_signed_in(page, user)
            sidebar = page.locator(SIDEBAR)
            expect(sidebar).to_contain_text(translate("rights.your_role", "zh", role="编辑（海淀园）"))
            # A 丰台 plot: the page says why, and offers no form.
            _click_plot(page, page.frame_locator(MAP_IFRAME).first, "demo-fengtai-001")
            refused = translate("rights.cannot_edit_plot", "zh", role="编辑（海淀园）", park="丰台园")
            expect(page.get_by_text(refused)).to_be_visible(timeout=TIMEOUT_MS)
            expect(page.get_by_role("button", name=translate("stock.record", "zh"))).to_have_count(0)
            # Undo takes back their own change, never the admin's (clicked once the map has settled on
            # the new plot, as a person does).
            wait_settled(page)
            page.get_by_role("button", name=translate("stock.undo", "zh")).click()
            expect_toast(page, translate("stock.undone", "zh", plot=plot_id), TIMEOUT_MS)
            assert external == [], ", ".join(external)
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            page.screenshot(path=str(artifacts_dir / f"proxy_signin_{user}.png"), full_page=True)
    store = open_workspace(proxied_app.workspace)
    assert store.decision("demo", plot_id).review_status == "unreviewed"
    assert store.decision("demo", ADMIN_PLOT).review_status == "deferred"
    log = store.audit_log("demo")
    assert {ADMIN, user} <= set(log["user"])  # both names in the audit
    assert _deciders(proxied_app.workspace, plot_id) == {user}
    assert _deciders(proxied_app.workspace, ADMIN_PLOT) == {ADMIN}


@pytest.mark.browser
@pytest.mark.slow
def test_the_viewer_sees_no_edit_controls(
    browser: Browser, proxied_app: ProxiedApp, artifacts_dir: Path
) -> None:
    user = "viewer_b"
    before = len(open_workspace(proxied_app.workspace).audit_log())
    with _browser_page(browser, user, PEOPLE[user]) as (page, external):
        try:
            frame = _open_stock_page(page, proxied_app.proxy_url)
            _expect_signed_in(page, user)
            expect(page.locator(SIDEBAR)).to_contain_text(translate("rights.your_role", "zh", role="只读"))
            _click_plot(page, frame, "demo-haidian-002")
            cannot = translate("rights.cannot_edit_plot", "zh", role="只读", park="海淀园")
            expect(page.get_by_text(cannot)).to_be_visible(timeout=TIMEOUT_MS)
            expect(page.get_by_text(translate("rights.view_only", "zh", role="只读"))).to_be_visible()
            for control in ("stock.record", "stock.undo", "stock.backup"):
                expect(page.get_by_role("button", name=translate(control, "zh"))).to_have_count(0)
            assert external == [], ", ".join(external)
        finally:
            page.screenshot(path=str(artifacts_dir / f"proxy_signin_{user}.png"), full_page=True)
    assert len(open_workspace(proxied_app.workspace).audit_log()) == before  # nothing changed


@pytest.mark.browser
@pytest.mark.slow
def test_a_chinese_name_is_recorded_as_written(browser: Browser, proxied_app: ProxiedApp) -> None:
    # Browsers send Basic credentials in UTF-8 and nginx hands the bytes on as they are; a server that
    # read them as Latin-1 would write "çŽ‹å·¥" into the audit log.
    plot_id = "demo-haidian-004"
    with _browser_page(browser, "王工", PEOPLE["王工"]) as (page, external):
        _record_decision(page, proxied_app.proxy_url, plot_id, "中文用户名")
        _expect_signed_in(page, "王工")
        assert external == [], ", ".join(external)
    assert _deciders(proxied_app.workspace, plot_id) == {"王工"}


@pytest.mark.browser
@pytest.mark.slow
def test_wrong_credentials_get_401_from_nginx_and_never_reach_the_app(
    browser: Browser, proxied_app: ProxiedApp
) -> None:
    with _browser_page(browser, "haidian_editor", "not the password") as (page, external):
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        response = page.goto(f"{proxied_app.proxy_url}/stock", wait_until="load")
        assert response is not None
        assert response.status == 401
        # nginx's own page, not the app's: no Streamlit, no session.
        expect(page.locator("body")).to_contain_text("401 Authorization Required")
        assert page.locator('[data-testid="stApp"]').count() == 0
        assert sockets == []
        assert external == []


@pytest.mark.browser
@pytest.mark.slow
def test_a_user_header_sent_by_the_browser_is_overwritten_by_nginx(
    browser: Browser, proxied_app: ProxiedApp, artifacts_dir: Path
) -> None:
    plot_id = "demo-haidian-003"
    forged = {HEADER: ADMIN}
    signed_in = _browser_page(browser, "haidian_editor", PEOPLE["haidian_editor"], headers=forged)
    with signed_in as (page, external):
        try:
            _record_decision(page, proxied_app.proxy_url, plot_id, "自称管理员")
            _expect_signed_in(page, "haidian_editor")
            signed_in_as_admin = translate("identity.signed_in_as", "zh", user=ADMIN)
            expect(page.locator(SIDEBAR)).not_to_contain_text(signed_in_as_admin)
            assert external == [], ", ".join(external)
        finally:
            page.screenshot(path=str(artifacts_dir / "proxy_signin_forged_header.png"), full_page=True)
    assert _deciders(proxied_app.workspace, plot_id) == {"haidian_editor"}


@pytest.mark.browser
@pytest.mark.slow
def test_the_app_itself_without_the_header_asks_to_sign_in_and_shows_nothing_else(
    page: Page, proxied_app: ProxiedApp, external_requests: list[str], artifacts_dir: Path
) -> None:
    try:
        page.goto(f"{proxied_app.app_url}/stock", wait_until="domcontentloaded")
        heading = page.get_by_role("heading", name=translate("identity.sign_in_required", "zh"))
        expect(heading).to_be_visible(timeout=TIMEOUT_MS)
        wait_idle(page)
        assert page.locator(MAP_IFRAME).count() == 0
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        expect(page.locator("body")).not_to_contain_text(translate("identity.signed_in_as", "zh", user=""))
        expect(page.locator("body")).not_to_contain_text(ADMIN)
        assert external_requests == [], ", ".join(external_requests)
    finally:
        page.screenshot(path=str(artifacts_dir / "proxy_signin_required.png"), full_page=True)
