"""Browser-test fixtures: a real Streamlit server and a Chromium page cut off from the internet."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, WebSocket, sync_playwright

from zgc_geo.export.printing import CHROMIUM_ARGS, CHROMIUM_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"

# ZGC_BROWSER_APP lets the harness itself be checked against a stand-in script.
APP_ENV = "ZGC_BROWSER_APP"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
# Schemes that never leave the browser.
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "file", "chrome", "chrome-extension"})
STARTUP_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOCAL_HOSTS


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End the server and anything it started: SIGTERM to its group, then SIGKILL."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free loopback port; yield its base URL."""
    app = Path(os.environ.get(APP_ENV) or REPO_ROOT / "app.py").resolve()
    if not app.is_file():
        pytest.fail(f"Streamlit app not found: {app}", pytrace=False)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    scratch = tmp_path_factory.mktemp("streamlit")
    log_path = scratch / "server.log"
    # A private workspace and a known reviewer name: tests never touch a user's workspace.gpkg.
    env = {**os.environ, "ZGC_GEO_WORKSPACE": str(scratch / "workspace.gpkg"), "ZGC_GEO_USER": "browser-test"}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    # A file, not a pipe: a pipe nobody reads would block a chatty server.
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=REPO_ROOT,  # Streamlit reads .streamlit/config.toml from here
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, so _stop reaches children
            env=env,
        )
    try:
        _wait_healthy(proc, f"{base_url}/_stcore/health", log_path)
        yield base_url
    finally:
        _stop(proc)


def _wait_healthy(proc: subprocess.Popen[bytes], health_url: str, log_path: Path) -> None:
    """Poll Streamlit's health endpoint; fail with the server's output if it never answers."""
    # No proxy: the health check must go straight to the loopback server.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    problem = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            problem = f"server exited with code {proc.returncode}"
            break
        try:
            with opener.open(health_url, timeout=2) as response:
                if response.status == 200:
                    return
                problem = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            problem = str(exc)
        time.sleep(0.25)
    _stop(proc)
    output = log_path.read_text(encoding="utf-8", errors="replace")
    pytest.fail(
        f"Streamlit did not become healthy at {health_url} within {STARTUP_TIMEOUT_S:.0f} s "
        f"({problem}). Server output:\n{output}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch Debian's Chromium through Playwright (no downloaded browser builds)."""
    executable = os.environ.get(CHROMIUM_ENV, DEFAULT_CHROMIUM)
    if not (Path(executable).is_file() and os.access(executable, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {executable}. Install it with "
            "`apt-get install -y chromium fonts-noto-cjk` (Debian), or point "
            f"{CHROMIUM_ENV} at a Chromium binary. `playwright install` is not used.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def external_requests() -> list[str]:
    """URLs the page tried to fetch from any host but this machine (all were blocked)."""
    return []


@pytest.fixture
def page(browser: Browser, external_requests: list[str]) -> Iterator[Page]:
    """A fresh page whose every non-loopback request is aborted and recorded."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000},
        service_workers="block",  # keep every request visible to the route below
    )

    def guard(route: Route) -> None:
        url = route.request.url
        if _is_local(url):
            route.continue_()
        else:
            external_requests.append(f"{route.request.method} {url}")
            route.abort("blockedbyclient")

    def watch_websocket(ws: WebSocket) -> None:
        # WebSockets bypass context.route; record any that leave the machine.
        if not _is_local(ws.url):
            external_requests.append(f"WEBSOCKET {ws.url}")

    context.route("**/*", guard)
    new_page = context.new_page()
    new_page.on("websocket", watch_websocket)
    try:
        yield new_page
    finally:
        context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    """Where screenshots go (git-ignored)."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR
